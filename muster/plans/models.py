"""Live classes and approved external courses (what a plan may choose besides the
online catalog), and drafts of mandate changes with their what-if runs.

An offering is not a legal record (nothing is owed or earned by it until someone
completes it and the completion is recorded through `agencies.actions`), so it may
be edited freely.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from muster.agencies.choices import Area, Delivery, ProviderKind
from muster.agencies.models import Agency, validate_word_list
from muster.plans.choices import OfferingKind

MONEY = {"max_digits": 9, "decimal_places": 2, "default": Decimal(0)}


class Offering(models.Model):
    """A dated live class or external course, with its credit, seats and costs."""

    kind = models.CharField(max_length=20, choices=OfferingKind.choices)
    title = models.CharField(max_length=200)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offerings",
        help_text="The agency running a live class for its own people; empty for a "
        "course anyone may take.",
    )
    provider_name = models.CharField(max_length=200, blank=True)
    provider_kind = models.CharField(
        max_length=20, choices=ProviderKind.choices, default=ProviderKind.IN_SERVICE
    )
    delivery = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.LIVE
    )
    states = models.JSONField(
        default=list, help_text="States (two-letter codes) where it is approved."
    )
    held_on = models.DateField()
    seat_hours = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    fee = models.DecimalField(**MONEY)
    travel_cost = models.DecimalField(**MONEY)
    travel_hours = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    seats = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no limit."
    )
    session_cost = models.DecimalField(
        **MONEY, help_text="What running the class once costs the agency."
    )
    is_scheduled = models.BooleanField(
        default=True,
        help_text="Scheduled classes are offered to people; proposed ones only to "
        "the agency plan, which says whether to schedule them.",
    )

    class Meta:
        ordering = ["held_on", "title", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on})"

    def is_open_to(self, agency_ids: set[int], states: set[str]) -> bool:
        """Whether people of `agency_ids` licensed in `states` may take it: their
        own agencies' classes, or anyone's open course, approved in such a state."""
        mine = self.agency_id is None or self.agency_id in agency_ids
        return mine and bool(set(self.states) & states)


class OfferingCredit(models.Model):
    """Hours of an offering credited to one area and set of topics."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="credits"
    )
    hours = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    area = models.CharField(max_length=20, choices=Area.choices, blank=True)
    topics = models.JSONField(default=list, blank=True, validators=[validate_word_list])

    def __str__(self) -> str:
        return f"{self.hours} h {self.area} {' '.join(self.topics)}".strip()


class MandateDraft(models.Model):
    """A proposed change to one of a state's mandate files, as YAML, kept apart
    from the shipped rules: evaluated by a what-if, never loaded by the engine.

    It becomes law only when someone commits its text to `muster/rules/mandates/`
    as a dated change (docs/plans.md, "What-if")."""

    state = models.CharField(max_length=2)
    mandate_id = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="The whole mandate file, as YAML.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.mandate_id})"

    def get_absolute_url(self) -> str:
        return reverse("plans:draft", args=[self.state.lower(), self.pk])

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a task worker"
    RUNNING = "running", "Evaluating"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class WhatIfRun(models.Model):
    """One evaluation of a draft against every person of its state: who changes
    status and how many hours more are owed, as figures (names are read at display,
    through access, so a run shows only people the reader may see today).

    A large state's run waits for the task queue (`plans.tasks`); `status` and
    `progress` say where it is. The run keeps the text it evaluates and the
    agencies it covers (decided through access when it was asked for), so a
    later save of the draft changes neither."""

    draft = models.ForeignKey(
        MandateDraft, on_delete=models.CASCADE, related_name="runs"
    )
    year = models.PositiveSmallIntegerField()
    as_of = models.DateField(help_text="The day whose status is compared.")
    text = models.TextField(default="", help_text="The draft's text evaluated.")
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the draft run.")
    agency_ids = models.JSONField(
        default=list, help_text="The agencies of the state the run covers."
    )
    ran_at = models.DateTimeField(default=timezone.now, editable=False)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=RunStatus.choices, default=RunStatus.DONE
    )
    progress = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0, help_text="People evaluated.")
    # {"changes": [...], "agencies": [...], "totals": {...}}: see plans.whatif.
    result = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.draft} for {self.year} on {self.as_of}"

    @property
    def is_done(self) -> bool:
        return self.status == RunStatus.DONE
