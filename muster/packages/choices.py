"""Vocabularies of content packages."""

from django.db import models


class PackageKind(models.TextChoices):
    SCORM_12 = "scorm12", "SCORM 1.2"
    SCORM_2004 = "scorm2004", "SCORM 2004"
    CMI5 = "cmi5", "cmi5"
