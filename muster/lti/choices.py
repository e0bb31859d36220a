"""The vocabulary of LTI records: where a score stands on its way to the platform."""

from django.db import models


class ScoreStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Accepted by the platform"
    FAILED = "failed", "Refused or unreachable (sent again by lti_send_scores)"
