"""Choice lists for the catalog."""

from django.db import models


class Audience(models.TextChoices):
    """Who a course is written for; the words match agencies.Discipline."""

    PEACE_OFFICER = "peace-officer", "Peace officers"
    TELECOMMUNICATOR = "telecommunicator", "Telecommunicators"
    CORRECTIONS = "corrections", "Corrections officers"
    CIVILIAN = "civilian", "Civilian staff"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "One correct answer"
    MULTIPLE = "multiple", "Several correct answers"


class AssetKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video file"
    HANDOUT = "handout", "Downloadable handout"
