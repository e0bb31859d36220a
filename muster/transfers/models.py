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


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved by the releasing agency"
    ACCEPTED = "accepted", "Accepted by the officer"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class TransferRequest(models.Model):
    """An agency's request to employ a person whose license it found on its roster.

    A roster import never attaches someone who is not already on the importing
    agency's staff: it files one of these instead (docs/transfers.md). Until the
    releasing agency approves it (or the officer accepts it, or a platform
    administrator decides for a person with no employer) the requesting agency
    knows only what it typed: the `typed_*` fields, the license and the job.
    """

    requesting_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="transfers_requested"
    )
    person = models.ForeignKey(
        "agencies.Person", on_delete=models.PROTECT, related_name="transfer_requests"
    )
    releasing_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_releasing",
        help_text="The person's employer when asked; blank if they had none.",
    )
    license_state = models.CharField(max_length=2)
    license_number = models.CharField(max_length=40)
    typed_first_name = models.CharField(max_length=100)
    typed_last_name = models.CharField(max_length=100)
    title = models.CharField("title or rank", max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField(help_text="First day at the requesting agency.")
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was declined or withdrawn."
    )
    employment = models.OneToOneField(
        "agencies.Employment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_request",
        help_text="The job the approval created.",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A re-imported roster must not file the same request twice, even
            # from two confirms at once.
            models.UniqueConstraint(
                fields=["requesting_agency", "person"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_agency_and_person",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Transfer of {self.license_state} license {self.license_number} "
            f"to {self.requesting_agency}"
        )

    @property
    def typed_name(self) -> str:
        return f"{self.typed_first_name} {self.typed_last_name}"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a task worker"
    RUNNING = "running", "Evaluating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A compliance report of a year older than the stored standings keep: the
    agency is evaluated by a task worker (`transfers.tasks`), not in the request,
    and the finished file waits here for its download (docs/exports.md).

    `content` is written only with `status` DONE, in one update, so a failed or
    interrupted job never offers part of a file. The people are those the
    requester could see (decided through access when it was asked for)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    fmt = models.CharField(max_length=3, choices=[("csv", "CSV"), ("pdf", "PDF")])
    as_of = models.DateField(help_text="The day the report is judged on.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    people = models.PositiveIntegerField(default=0, help_text="People on staff.")
    person_ids = models.JSONField(
        default=list, help_text="The staff the requester could see when asking."
    )
    file_name = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency.code} compliance {self.year} ({self.fmt})"

    @property
    def is_done(self) -> bool:
        return self.status == ExportStatus.DONE

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
