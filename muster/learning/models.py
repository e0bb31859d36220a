"""A learner's way through a course: enrollment, seat time, attempts, certificate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from muster.agencies.choices import State
from muster.agencies.models import Person, TrainingRecord
from muster.catalog.models import Course, Lesson


class Enrollment(models.Model):
    """One person taking one course once; a completed one is never reopened.

    A person may take a course again in a later year (an annual topic): that is a
    new enrollment. At most one is open at a time.
    """

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrollments"
    )
    jurisdiction = models.CharField(
        max_length=2,
        choices=State.choices,
        help_text="The state whose credit the completion earns.",
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active_seconds = models.PositiveIntegerField(
        default=0, help_text="Seat time measured on the server from heartbeats."
    )
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    record = models.OneToOneField(
        TrainingRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollment",
    )

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course"],
                condition=Q(completed_at__isnull=True),
                name="one_open_enrollment_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.course}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    """How far a learner got in one lesson."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="+")
    first_viewed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    active_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["enrollment", "lesson__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="one_progress_per_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}: {self.lesson.title}"


class Heartbeat(models.Model):
    """One heartbeat as received, and the seconds it was credited: seat-time evidence.

    Rows are only ever added. The credit is decided on the server (the time since
    the enrollment's previous credited heartbeat, capped), so a forged or repeated
    heartbeat, or a second tab, cannot add time that did not pass.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="heartbeats"
    )
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    tab = models.CharField(max_length=40, blank=True)
    is_visible = models.BooleanField(default=True)
    is_idle = models.BooleanField(default=False)
    credited_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["enrollment", "received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrollment} at {self.received_at}: +{self.credited_seconds} s"


class Attempt(models.Model):
    """One try at the final assessment, with the questions drawn and the answers."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    questions = models.JSONField(
        default=list,
        help_text="Question ids in the order shown, each with its choice order.",
    )
    answers = models.JSONField(default=dict, blank=True)
    correct = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    is_passed = models.BooleanField(default=False)

    class Meta:
        ordering = ["enrollment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "number"], name="one_attempt_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrollment}, attempt {self.number}"

    @property
    def score_percent(self) -> int:
        return round(100 * self.correct / self.total) if self.total else 0


class Certificate(models.Model):
    """Proof of a completion, checkable by anyone at /verify/<code>."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(max_length=24, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
