"""Choice lists for plans."""

from django.db import models


class OfferingKind(models.TextChoices):
    LIVE_CLASS = "live-class", "Live class"
    EXTERNAL = "external", "Approved external course"
