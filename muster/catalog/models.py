"""Courses, their state approvals and credit, lessons and question banks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from muster.agencies.choices import Area, ProviderKind, State
from muster.agencies.models import Agency, validate_word_list
from muster.catalog.choices import AssetKind, QuestionKind


class CourseQuerySet(models.QuerySet):
    def available(self, on: date | None = None) -> CourseQuerySet:
        """Published courses released by `on` and not yet retired."""
        on = on or timezone.localdate()
        return self.filter(
            Q(is_published=True),
            Q(release_on__isnull=True) | Q(release_on__lte=on),
            Q(retire_on__isnull=True) | Q(retire_on__gt=on),
        )

    def listed(self, on: date | None = None) -> CourseQuerySet:
        """What the catalog shows: available courses and those coming soon."""
        on = on or timezone.localdate()
        return self.filter(
            Q(is_published=True), Q(retire_on__isnull=True) | Q(retire_on__gt=on)
        )


class Course(models.Model):
    """An online course: lessons, an assessment, and the credit it earns by state."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField(help_text="Markdown.")
    audience = models.JSONField(
        default=list,
        validators=[validate_word_list],
        help_text='Disciplines it is written for, such as ["peace-officer"].',
    )
    provider = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The academy or training provider that owns the course.",
    )
    credited_hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    seat_time_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Active minutes needed before credit; blank means the credited hours.",
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent of questions right needed to pass the final assessment.",
    )
    questions_per_attempt = models.PositiveSmallIntegerField(
        default=10, help_text="Drawn from the question bank for each attempt."
    )
    max_attempts = models.PositiveSmallIntegerField(default=3)
    retry_wait_minutes = models.PositiveIntegerField(
        default=60, help_text="Wait after a failed attempt before the next."
    )
    release_on = models.DateField(null=True, blank=True)
    retire_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:course", args=[self.slug])

    @property
    def required_seconds(self) -> int:
        """Active time a learner must spend before the course can be completed."""
        minutes = self.seat_time_minutes
        if minutes is None:
            minutes = int(self.credited_hours * 60)
        return minutes * 60

    def is_released(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.release_on is None or self.release_on <= on

    def why_not_publishable(self) -> str:
        """What must be added before learners can take the course, or ""."""
        if hasattr(self, "package"):
            # An imported SCORM or cmi5 package carries its own content and tests.
            return ""
        if not self.lessons.exists():
            return "Add at least one lesson before publishing."
        final = self.questions.filter(is_active=True, lesson__isnull=True)
        if final.count() < self.questions_per_attempt:
            return (
                "The final assessment needs at least "
                f"{self.questions_per_attempt} questions before publishing."
            )
        return ""

    def approval_in(self, jurisdiction: str, on: date | None = None):
        """The approval valid in `jurisdiction` on `on`, or None."""
        on = on or timezone.localdate()
        return (
            self.approvals.valid_on(on)
            .filter(jurisdiction=jurisdiction)
            .prefetch_related("credits")
            .first()
        )


class CourseApprovalQuerySet(models.QuerySet):
    def valid_on(self, on: date) -> CourseApprovalQuerySet:
        """Approvals in force on `on` (see `CourseApproval.is_valid_on`)."""
        return self.filter(
            Q(valid_from__lte=on), Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )


class CourseApproval(models.Model):
    """A state's approval of a course: its number, dates and the credit it earns."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="approvals"
    )
    jurisdiction = models.CharField(max_length=2, choices=State.choices)
    approval_number = models.CharField(max_length=60)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    provider_kind = models.CharField(
        max_length=20,
        choices=ProviderKind.choices,
        default=ProviderKind.APPROVED_PROVIDER,
        help_text="How the state sees the provider of this course.",
    )

    objects = CourseApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["course", "jurisdiction", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.course} in {self.jurisdiction} ({self.approval_number})"

    def is_valid_on(self, on: date) -> bool:
        """Whether the approval is in force on `on`; both end dates count."""
        return self.valid_from <= on and (
            self.valid_until is None or self.valid_until >= on
        )


class ApprovalCredit(models.Model):
    """Hours a completion earns under one approval, by area and topics."""

    approval = models.ForeignKey(
        CourseApproval, on_delete=models.CASCADE, related_name="credits"
    )
    hours = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    area = models.CharField(max_length=20, choices=Area.choices, blank=True)
    topics = models.JSONField(default=list, blank=True, validators=[validate_word_list])

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.hours} h {self.area or ''} {', '.join(self.topics)}".strip()


class Lesson(models.Model):
    """One page of a course, in order; its body is Markdown, sanitised on display."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown; HTML is removed when shown.")
    video_url = models.URLField(blank=True)
    minutes = models.PositiveSmallIntegerField(
        default=10, help_text="Expected reading or viewing time."
    )

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="one_lesson_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.position}. {self.title}"


class LessonAsset(models.Model):
    """An image, video file or handout attached to a lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="lessons/%Y/")

    class Meta:
        ordering = ["lesson", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question in a course's bank; attempts draw from the bank at random."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField()
    kind = models.CharField(
        max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    explanation = models.TextField(
        blank=True, help_text="Shown when reviewing an attempt."
    )
    lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_checks",
        help_text="Set for a knowledge check inside that lesson; blank for the final.",
    )
    is_active = models.BooleanField(
        default=True,
        help_text="Drawn for new attempts. A question replaced in the bank is kept, "
        "inactive, while past attempts refer to it.",
    )

    class Meta:
        ordering = ["course", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    """One answer to choose; the correct ones score."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)

    class Meta:
        ordering = ["question", "pk"]

    def __str__(self) -> str:
        return self.text
