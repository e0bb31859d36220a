"""Listens for learning's completions and sends the score to each platform the
learner launched the course from (Assignment and Grade Services)."""

from __future__ import annotations

import logging

from muster.learning.signals import enrollment_completed
from muster.lti import actions

log = logging.getLogger(__name__)


def send_scores(sender, enrollment, **kwargs) -> None:
    """Queue and send; a failure is kept on the score (lti_send_scores retries it)
    and never breaks the learner's page, whose completion is already saved."""
    for post in actions.queue_scores(enrollment):
        try:
            actions.send_score(post)
        except Exception:
            log.exception("LTI score %s could not be sent", post.pk)


def connect() -> None:
    enrollment_completed.connect(send_scores, dispatch_uid="lti-scores")
