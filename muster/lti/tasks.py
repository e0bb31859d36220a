"""Background work of the LTI tool: sending scores to the platforms' gradebooks
(Assignment and Grade Services), from the task queue, never inside a request."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from muster.lti import actions
from muster.lti.choices import ScoreStatus
from muster.lti.models import ScorePost

# A platform down for a day still gets the score: waits of 1, 2, 4 ... minutes,
# at most an hour, twelve tries (about five and a half hours in all); after that
# `manage.py lti_send_scores` sends what is left.
MAX_ATTEMPTS = 12


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@task()
def send_lti_score(post_id: int) -> bool:
    """Send one score; on failure, queue another try later (up to MAX_ATTEMPTS)."""
    post = ScorePost.objects.filter(pk=post_id).first()
    if post is None:
        return True
    post = actions.send_score(post)
    if post.status == ScoreStatus.SENT:
        return True
    if post.attempts < MAX_ATTEMPTS:
        later = timezone.now() + retry_delay(post.attempts)
        send_lti_score.using(run_after=later).enqueue(post_id)
    return False
