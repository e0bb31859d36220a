"""Listens for learning's completions and sends the score to each platform the
learner launched the course from (Assignment and Grade Services)."""

from __future__ import annotations

from muster.learning.signals import enrollment_completed


def send_scores(sender, enrollment, **kwargs) -> None:
    from muster.lti import actions

    for post in actions.queue_scores(enrollment):
        actions.send_score(post)


def connect() -> None:
    enrollment_completed.connect(send_scores, dispatch_uid="lti-scores")
