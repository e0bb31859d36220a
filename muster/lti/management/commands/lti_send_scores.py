from django.core.management.base import BaseCommand

from muster.lti import actions
from muster.lti.choices import ScoreStatus
from muster.lti.models import ScorePost


class Command(BaseCommand):
    help = "Send again every LTI score a platform refused or did not answer."

    def handle(self, *args, **options) -> None:
        waiting = ScorePost.objects.exclude(status=ScoreStatus.SENT).order_by("pk")
        for post in waiting:
            post = actions.send_score(post)
            self.stdout.write(f"Score {post.pk}: {post.get_status_display()}.")
