"""Uploaded import files, kept on the server between upload, mapping and confirm."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.agencies.models import Agency


class ImportKind(models.TextChoices):
    ROSTER = "roster", "Roster"
    TRAINING = "training", "Training history"


class ImportBatch(models.Model):
    """One uploaded file, its column mapping and, once confirmed, what it did.

    The file's bytes stay in the database so that every step re-reads the same
    upload; nothing parsed travels through the browser.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    mapping = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "pk"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.file_name} ({self.agency})"

    @property
    def is_applied(self) -> bool:
        return self.applied_at is not None
