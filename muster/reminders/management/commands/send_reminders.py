"""The `send_reminders` management command."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from muster.reminders.actions import queue_reminders


class Command(BaseCommand):
    help = (
        "Queue today's reminder emails to people short of a mandate (at the "
        "MUSTER_REMINDER_DAYS points before a deadline, and in Missouri's grace "
        "period) and a digest to each of their coordinators. Run it once a day "
        "(cron or a systemd timer); `manage.py task_worker` sends the emails. A "
        "reminder already sent is never sent again."
    )

    def handle(self, *args, **options) -> None:
        counts = queue_reminders(timezone.localdate())
        self.stdout.write(
            f"Queued {counts['reminders']} reminder(s) and "
            f"{counts['digests']} coordinator digest(s)."
        )
