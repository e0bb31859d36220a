"""Listens for learning's completions and queues the score for each platform the
learner launched the course from (Assignment and Grade Services)."""

from __future__ import annotations

from muster.learning.signals import enrollment_completed
from muster.lti import actions
from muster.lti.tasks import send_lti_score


def send_scores(sender, enrollment, **kwargs) -> None:
    """Queue each score for the task worker (muster/lti/tasks.py): the platform's
    answer, or its silence, never holds up the learner's page. The signal is sent
    once the completion is committed, so the task finds the enrollment."""
    for post in actions.queue_scores(enrollment):
        send_lti_score.enqueue(post.pk)


def connect() -> None:
    enrollment_completed.connect(send_scores, dispatch_uid="lti-scores")
