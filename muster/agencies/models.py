"""People, their licenses, training records with credited hours, and exemptions.

These are the rows the mandate engine needs today; `compliance` turns them into
engine inputs. Training records are never deleted: a wrong one is voided, with a
reason, so that past reports stay explainable.
"""

import hashlib
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from muster.agencies.choices import (
    AgencyKind,
    Approval,
    Area,
    Delivery,
    Discipline,
    ExemptionKind,
    LicenseStatus,
    ProviderKind,
    RecordSource,
    Result,
    State,
)


def validate_word_list(value: object) -> None:
    """Refuse anything but a list of non-empty strings, such as ["firearms"]."""
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ValidationError(
            'Enter a list of words in double quotes, such as ["traffic-enforcement"].'
        )


# No training or qualification on file is older than this: a day before it is a
# typing slip (1901 for 2019), not a record. Imports use the same floor
# (muster/tabular/cells.py).
EARLIEST_DAY = date(1950, 1, 1)


def day_problems(**days: date | None) -> dict[str, str]:
    """For each named day before 1950 or after today, what is wrong with it."""
    today = timezone.localdate()
    problems = {}
    for name, day in days.items():
        if day is None:
            continue
        if day < EARLIEST_DAY:
            problems[name] = f"This date is before {EARLIEST_DAY.year}; check the year."
        elif day > today:
            problems[name] = "This date is in the future; record it once it is done."
    return problems


class Agency(models.Model):
    """An employer of people who train: a department, sheriff's office, 911 centre..."""

    name = models.CharField(max_length=200)
    code = models.SlugField(
        max_length=40, unique=True, help_text="Short name used in addresses (URLs)."
    )
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    state = models.CharField(max_length=2, choices=State.choices)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """One human being whose training is tracked, whatever their licenses."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    external_id = models.CharField(
        "badge or external ID",
        max_length=40,
        blank=True,
        help_text="The agency's badge or personnel number.",
    )
    discipline = models.CharField(max_length=20, choices=Discipline.choices)
    email = models.EmailField(blank=True, help_text="Where reminders are sent.")

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.get_full_name()

    def get_absolute_url(self) -> str:
        return reverse("agencies:person", args=[self.pk])

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EmploymentQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> "EmploymentQuerySet":
        """Employments that include the day `on` (default: today)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class Employment(models.Model):
    """A person working for an agency from one day to another (or still)."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="employments"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="employments"
    )
    title = models.CharField("title or rank", max_length=100, blank=True)
    unit = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    objects = EmploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="employment_ends_after_start",
            ),
        ]
        indexes = [
            # Covering for "the agency's current staff" (`current`), the
            # subquery every dashboard count reads, and its unit filter.
            models.Index(
                fields=["agency", "starts_on", "ends_on", "person", "unit"],
                name="employment_agency_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.agency}"


Break = tuple[date, date]


def breaks_from_stored(value) -> tuple[Break, ...]:
    """A license's `earlier_breaks` as (left, back) dates, oldest first.

    >>> breaks_from_stored([{"separated_on": "2015-03-01", "returned_on": "2017-06-30"}])
    ((datetime.date(2015, 3, 1), datetime.date(2017, 6, 30)),)
    """
    return tuple(
        (date.fromisoformat(b["separated_on"]), date.fromisoformat(b["returned_on"]))
        for b in value or ()
    )


def breaks_to_stored(breaks) -> list[dict[str, str]]:
    """(left, back) pairs as `earlier_breaks` stores them."""
    return [
        {"separated_on": left.isoformat(), "returned_on": back.isoformat()}
        for left, back in breaks
    ]


def validate_breaks(value: object) -> None:
    """Refuse anything but breaks stored as `breaks_to_stored` writes them, each
    ending after it starts, oldest first and none overlapping the next."""
    shape = (
        'Enter a list of breaks such as [{"separated_on": "2015-03-01", '
        '"returned_on": "2017-06-30"}].'
    )
    if not isinstance(value, list) or not all(
        isinstance(b, dict) and set(b) == {"separated_on", "returned_on"} for b in value
    ):
        raise ValidationError(shape)
    try:
        breaks = breaks_from_stored(value)
    except (TypeError, ValueError):
        raise ValidationError(shape) from None
    previous = None
    for left, back in breaks:
        if back < left:
            raise ValidationError(
                f"A break in service ends after it starts ({left} to {back})."
            )
        if previous is not None and left < previous:
            raise ValidationError(
                f"List earlier breaks oldest first, each after the one before "
                f"(one starts on {left}, before {previous})."
            )
        previous = back


def earlier_breaks_problem(
    earlier: tuple[Break, ...], left: date | None, back: date | None
) -> str:
    """What is wrong with earlier breaks beside the latest one (`left`, `back`):
    "" when nothing. They come before it, so the latest must be given."""
    if not earlier:
        return ""
    latest = left or back
    if latest is None:
        return (
            "Earlier breaks need the latest break too: give its dates in "
            "left service on and back in service on."
        )
    if earlier[-1][1] > latest:
        return (
            f"The earlier breaks must end before the latest break starts "
            f"({latest}); the last ends on {earlier[-1][1]}."
        )
    return ""


def normalize_license_number(text: str) -> str:
    """A license number as stored and compared: "ab123 " and "AB123" are one license."""
    return text.strip().upper()


class License(models.Model):
    """A person's license or certification in one state, which decides what they owe.

    A person holds at most one license per state, so a state code names the
    license the engine evaluates; and a (state, number) pair belongs to one person,
    which is how imports find people.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="licenses"
    )
    jurisdiction = models.CharField(
        max_length=2,
        choices=State.choices,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two-letter state code.")],
    )
    discipline = models.CharField(max_length=20, choices=Discipline.choices)
    number = models.CharField("license number", max_length=40, blank=True)
    license_class = models.CharField(
        "class", max_length=10, blank=True, help_text="Such as A, B, C, D or R."
    )
    licensed_on = models.DateField(
        null=True,
        blank=True,
        help_text="First licensed in this state; blank if unknown.",
    )
    status = models.CharField(
        max_length=10, choices=LicenseStatus.choices, default=LicenseStatus.ACTIVE
    )
    attributes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_word_list],
        help_text='Such as ["traffic-enforcement"].',
    )
    # Dates some rules count from (rules.Person): a first appointment in the role,
    # and the latest break in service under this license.
    appointed_on = models.DateField(
        "first appointed in the role",
        null=True,
        blank=True,
        help_text="A chief's first appointment as chief; blank if not a chief or unknown.",
    )
    separated_on = models.DateField(
        "left service on",
        null=True,
        blank=True,
        help_text="Start of the latest break in service; blank if none.",
    )
    returned_on = models.DateField(
        "back in service on",
        null=True,
        blank=True,
        help_text="Date of hire after the latest break in service; blank if none.",
    )
    # Every break before the latest, oldest first (breaks_to_stored): a refresher
    # owed after an earlier long break stays owed after a later short one.
    earlier_breaks = models.JSONField(
        "earlier breaks in service",
        default=list,
        blank=True,
        validators=[validate_breaks],
        help_text="Breaks before the latest one, oldest first.",
    )

    class Meta:
        ordering = ["jurisdiction", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(separated_on__isnull=True)
                | Q(returned_on__isnull=True)
                | Q(returned_on__gte=models.F("separated_on")),
                name="license_break_ends_after_start",
                violation_error_message="A break in service ends after it starts.",
            ),
            models.UniqueConstraint(
                fields=["person", "jurisdiction"],
                name="one_license_per_person_and_state",
            ),
            # Upper() keeps the rule even for a number written around save().
            models.UniqueConstraint(
                models.F("jurisdiction"),
                Upper("number"),
                condition=~Q(number=""),
                name="one_holder_per_license_number",
                violation_error_message=(
                    "Another person already holds this license number in this state."
                ),
            ),
        ]

    def __str__(self) -> str:
        discipline = self.get_discipline_display()
        return f"{self.jurisdiction} {discipline} license of {self.person}"

    def save(self, *args, **kwargs) -> None:
        self.number = normalize_license_number(self.number)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            earlier = breaks_from_stored(self.earlier_breaks)
        except (TypeError, ValueError, KeyError):
            return  # the field's own validator names it
        problem = earlier_breaks_problem(earlier, self.separated_on, self.returned_on)
        if problem:
            raise ValidationError({"earlier_breaks": problem})

    @property
    def breaks_before_latest(self) -> tuple[Break, ...]:
        """`earlier_breaks` as (left, back) dates, oldest first."""
        return breaks_from_stored(self.earlier_breaks)

    @property
    def is_active(self) -> bool:
        return self.status == LicenseStatus.ACTIVE


# Users are deactivated, never deleted (muster/accounts/admin.py): the links from
# legal records to who entered, reviewed or approved them are PROTECT, so that no
# deletion can rewrite a record behind its audit entry.


class Voidable(models.Model):
    """Who entered a legal record, and whether it was voided (with a reason).

    Legal records are never deleted: a wrong one is voided so that past reports
    stay explainable. Subclasses set `noun` for the messages and keep their own
    check constraint that a void row has a reason.
    """

    noun = "record"

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_void = models.BooleanField("void", default=False)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise TypeError(f"A {self.noun} is never deleted; call void(reason) instead.")

    def void(self, reason: str) -> None:
        """Mark the row void so that it stops counting; the row stays."""
        if not reason.strip():
            raise ValueError(f"A void {self.noun} needs a reason.")
        self.is_void = True
        self.void_reason = reason.strip()
        self.save(update_fields=["is_void", "void_reason"])


def record_counts(is_void: bool, approval: str) -> bool:
    """Whether a record's hours count: approved and not void (the one definition,
    for model rows and for the plain rows the person page reads)."""
    return not is_void and approval == Approval.APPROVED


class TrainingRecordQuerySet(models.QuerySet):
    def valid(self) -> "TrainingRecordQuerySet":
        """Records that count (`record_counts`): approved and not voided."""
        return self.filter(is_void=False, approval=Approval.APPROVED)

    def for_year(self, year: int) -> "TrainingRecordQuerySet":
        """Records that belong to `year`: completed in it, or made up for it."""
        return self.filter(
            Q(completed_on__gte=date(year, 1, 1), completed_on__lte=date(year, 12, 31))
            | Q(counts_for=year)
        )

    def matching(self, text: str) -> "TrainingRecordQuerySet":
        """Records whose title, provider or course number contains `text`."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(provider_name__icontains=text)
            | Q(course_number__icontains=text)
        )

    def live(self) -> "TrainingRecordQuerySet":
        """Records that stand or may stand: not voided and not rejected."""
        return self.filter(LIVE)


# A record holds its natural key among these: a voided or rejected record frees it,
# so the training can be entered again correctly.
LIVE = Q(is_void=False) & ~Q(approval=Approval.REJECTED)


def natural_key(
    person_id: int,
    completed_on: date,
    course_number: str,
    title: str,
    hours: Decimal,
    source: str,
) -> str:
    """The identity of a training record: the same person, day, course, hours and
    source are the same training, however many times a file is confirmed.

    The course is its number and its title, each compared without case or
    repeated spaces (two courses may share a provider's approval number).
    Hashed to fit one indexed column.
    """
    course = "\x1f".join(
        " ".join((text or "").split()).casefold() for text in (course_number, title)
    )
    hours = Decimal(hours).quantize(Decimal("0.01"))
    text = "\x1f".join(
        [str(person_id), completed_on.isoformat(), course, str(hours), source]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TrainingRecord(Voidable):
    """One completed course or session, as entered; its hours are its credit lines."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="training_records"
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_records",
        help_text="The agency that entered the record and may correct it.",
    )
    title = models.CharField(max_length=200)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField()
    provider_name = models.CharField(max_length=200, blank=True)
    course_number = models.CharField(
        "approval or course control number", max_length=60, blank=True
    )
    provider_kind = models.CharField(
        max_length=20, choices=ProviderKind.choices, default=ProviderKind.OTHER
    )
    delivery = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.LIVE
    )
    result = models.CharField(
        max_length=4,
        choices=Result.choices,
        blank=True,
        help_text="Pass or fail, for a tested course; blank otherwise.",
    )
    counts_for = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Make-up hours: the earlier year they count for.",
    )
    source = models.CharField(
        max_length=20, choices=RecordSource.choices, default=RecordSource.MANUAL
    )
    approval = models.CharField(
        max_length=10, choices=Approval.choices, default=Approval.APPROVED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField(max_length=200, blank=True)
    # Null only for rows saved outside the actions (fixtures, the admin before its
    # credit lines exist), which the unique constraint then leaves alone.
    natural_key = models.CharField(
        max_length=64,
        null=True,
        editable=False,
        help_text="Hash of person, date, course, hours and source (see natural_key).",
    )

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_void=False) | ~Q(void_reason=""),
                name="void_record_has_reason",
            ),
            # Two confirms of one file, even at the same moment, add it once.
            models.UniqueConstraint(
                fields=["natural_key"],
                condition=LIVE,
                name="one_live_record_per_natural_key",
            ),
        ]
        # The dashboard counts what waits for review on every load: a few rows
        # among an agency's hundreds of thousands.
        indexes = [
            models.Index(fields=["approval", "agency"], name="record_approval_agency")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.completed_on})"

    def clean(self) -> None:
        if self.is_void and not self.void_reason.strip():
            raise ValidationError({"void_reason": "Say why the record is void."})
        problems = day_problems(
            started_on=self.started_on, completed_on=self.completed_on
        )
        if self.counts_for is not None and self.counts_for < EARLIEST_DAY.year:
            problems["counts_for"] = (
                f"{self.counts_for} is before {EARLIEST_DAY.year}; check the year."
            )
        elif (
            self.counts_for is not None
            and self.completed_on is not None
            and self.counts_for >= self.completed_on.year
        ):
            problems["counts_for"] = "Make-up hours count for a year before completion."
        if problems:
            raise ValidationError(problems)

    def compute_natural_key(self, hours: Decimal) -> str:
        """This record's natural key, given its total hours."""
        return natural_key(
            self.person_id,
            self.completed_on,
            self.course_number,
            self.title,
            hours,
            self.source,
        )

    def live_duplicate(self) -> "TrainingRecord | None":
        """Another live record with this record's natural key, if any."""
        if not self.natural_key:
            return None
        return (
            TrainingRecord.objects.live()
            .filter(natural_key=self.natural_key)
            .exclude(pk=self.pk)
            .select_related("person")
            .prefetch_related("credit_lines")
            .first()
        )

    def natural_key_problem(self) -> str:
        """What is wrong with the stored natural key, for `audit verify`; "" if
        nothing (uses prefetched credit lines)."""
        if self.natural_key is None:
            if self.is_void or self.approval == Approval.REJECTED:
                return ""
            return (
                f"training record #{self.pk} ({self}) has no natural key: it repeats "
                "another live record (void one of them) or was saved outside the "
                "actions"
            )
        if self.natural_key != self.compute_natural_key(self.total_hours):
            return (
                f"training record #{self.pk} ({self}) has a natural key that does "
                "not match its fields: it was changed behind the application"
            )
        return ""

    @property
    def counts(self) -> bool:
        """Whether the record's hours count (`record_counts`)."""
        return record_counts(self.is_void, self.approval)

    @property
    def total_hours(self) -> Decimal:
        """The hours of all the record's credit lines (uses prefetched lines)."""
        return sum((line.hours for line in self.credit_lines.all()), Decimal(0))


class CreditLine(models.Model):
    """Hours of one training record credited to one area and set of topics."""

    record = models.ForeignKey(
        TrainingRecord, on_delete=models.CASCADE, related_name="credit_lines"
    )
    hours = models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    area = models.CharField(
        max_length=20,
        choices=Area.choices,
        blank=True,
        help_text="Curriculum area; blank when the hours have none.",
    )
    topics = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_word_list],
        help_text='Topics from topics.yaml, such as ["implicit-bias"].',
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        area = self.get_area_display() if self.area else "no area"
        return f"{self.hours} h, {area}"


class Evidence(models.Model):
    """A file that proves training happened: a sign-in sheet, a certificate."""

    record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(upload_to="evidence/%Y/%m/")
    description = models.CharField(max_length=200, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.description or self.file.name


class Qualification(Voidable):
    """A firearms qualification attempt: weapon, course of fire, score and result."""

    noun = "qualification"

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="qualifications"
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    qualified_on = models.DateField()
    weapon_type = models.CharField(
        max_length=60, help_text="Such as handgun or patrol rifle."
    )
    course_of_fire = models.CharField(max_length=120, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    result = models.CharField(max_length=4, choices=Result.choices)
    instructor = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-qualified_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_void=False) | ~Q(void_reason=""),
                name="void_qualification_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.weapon_type} qualification of {self.person} ({self.qualified_on})"
        )

    def clean(self) -> None:
        problems = day_problems(qualified_on=self.qualified_on)
        if self.score is not None and self.score < 0:
            problems["score"] = "A score cannot be negative."
        if problems:
            raise ValidationError(problems)

    def same_attempts(self) -> "models.QuerySet[Qualification]":
        """Live qualifications of the same person, day, weapon and course of fire:
        entering one of them again would count one range day twice."""
        return Qualification.objects.filter(
            person_id=self.person_id,
            qualified_on=self.qualified_on,
            weapon_type__iexact=self.weapon_type.strip(),
            course_of_fire__iexact=self.course_of_fire.strip(),
            is_void=False,
        ).exclude(pk=self.pk)


class Exemption(models.Model):
    """A dated waiver or deadline extension granted to one person."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="exemptions"
    )
    kind = models.CharField(max_length=10, choices=ExemptionKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    requirements = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_word_list],
        help_text='Requirement IDs such as ["firearms"]; [] for all.',
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exemptions",
    )
    evidence = models.FileField(upload_to="exemptions/%Y/", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Only approved exemptions reach the engine. Rows made before proposals
    # existed were granted when entered, hence the default.
    approval = models.CharField(
        max_length=10, choices=Approval.choices, default=Approval.APPROVED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="exemption_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{kind} for {self.person}, {self.starts_on} to {self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": "An exemption cannot end before it starts."}
            )
        if self.starts_on and self.starts_on < EARLIEST_DAY:
            raise ValidationError(
                {"starts_on": f"This is before {EARLIEST_DAY.year}; check the year."}
            )


# Stored standings ------------------------------------------------------------
# Rows written only by `compliance.standings.refresh_standings`, inside the
# transaction of every action that changes what they depend on, and by
# `manage.py standings refresh`. They hold nothing that depends on today: the day a
# person turns at risk or deficient is stored, and `status_on(day)` (or the SQL of
# `status_expression`) works the status out when it is read.

# Worst first. Open standings (something missing) are on track, at risk or
# deficient depending on the day; settled ones keep their stored status.
STATUS_ORDER = (
    "deficient",
    "at-risk",
    "on-track",
    # Before compliant: nobody is "compliant" under a mandate with no rules encoded.
    "not-encoded",
    "compliant",
    "exempt",
    "not-applicable",
)
OPEN = "open"


class DatedStatus(models.Model):
    """The stored parts of a status: settled, or open with the days it worsens."""

    # "open" while something is missing; otherwise compliant, exempt or not-encoded.
    settled_status = models.CharField(max_length=20)
    at_risk_on = models.DateField(null=True, blank=True)
    deficient_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    missing_hours = models.DecimalField(max_digits=9, decimal_places=2, default=0)

    class Meta:
        abstract = True

    def status_on(self, day: date) -> str:
        """The status on `day`, as `status_expression` computes it in SQL."""
        return status_on(day, self.settled_status, self.at_risk_on, self.deficient_on)


def status_on(
    day: date, settled_status: str, at_risk_on: date | None, deficient_on: date | None
) -> str:
    """The status on `day` from the stored parts (`DatedStatus`), for rows read
    as plain values; `status_expression` is the same in SQL."""
    if deficient_on is not None and day >= deficient_on:
        return "deficient"
    if at_risk_on is not None and day >= at_risk_on:
        return "at-risk"
    if settled_status == OPEN:
        return "on-track"
    return settled_status


def status_expression(day: date) -> Case:
    """The status on `day`, in SQL, for filtering, counting and sorting."""
    return Case(
        When(deficient_on__lte=day, then=Value("deficient")),
        When(at_risk_on__lte=day, then=Value("at-risk")),
        When(settled_status=OPEN, then=Value("on-track")),
        default=F("settled_status"),
        output_field=models.CharField(),
    )


def status_rank_expression(day: date) -> Case:
    """The status on `day` as its place in STATUS_ORDER (0 is worst), in SQL;
    99 for a summary with no status (nobody evaluated the person)."""
    rank = STATUS_ORDER.index
    return Case(
        When(deficient_on__lte=day, then=Value(rank("deficient"))),
        When(at_risk_on__lte=day, then=Value(rank("at-risk"))),
        When(settled_status=OPEN, then=Value(rank("on-track"))),
        *(
            When(settled_status=name, then=Value(rank(name)))
            for name in STATUS_ORDER[3:]
        ),
        default=Value(99),
        output_field=models.IntegerField(),
    )


class Standing(DatedStatus):
    """One person's standing under one mandate for the periods containing 31
    December of `year`: the figures, the period and the rules version."""

    person = models.ForeignKey(
        "agencies.Person", on_delete=models.CASCADE, related_name="standings"
    )
    year = models.PositiveSmallIntegerField()
    jurisdiction = models.CharField(max_length=8)
    mandate_id = models.CharField(max_length=200)
    mandate_title = models.CharField(max_length=300)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    grace_until = models.DateField(null=True, blank=True)
    # One dict per requirement owed: id, label, unit, required, earned, status and
    # its period (start, end, due, grace_until), decimals and dates as strings.
    requirements = models.JSONField(default=list)
    # A hash of the mandate file and the vocabulary: a changed file shows as stale.
    rules_version = models.CharField(max_length=16)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "mandate_id", "year"], name="one_standing_per_year"
            )
        ]
        indexes = [
            models.Index(fields=["year", "person"]),
            # Which mandates an agency's staff is under (`board.mandates_shown`).
            models.Index(
                fields=["year", "mandate_id", "person"], name="standing_mandate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.mandate_id} {self.year}: {self.settled_status}"


class StandingSummary(DatedStatus):
    """One person's standing across every mandate for one year: the worst of
    their standings, for the dashboard's counting, sorting and paging."""

    person = models.ForeignKey(
        "agencies.Person", on_delete=models.CASCADE, related_name="standing_summaries"
    )
    year = models.PositiveSmallIntegerField()
    mandates = models.PositiveSmallIntegerField(default=0)
    # Why nobody evaluated the person (no active license, no rules encoded).
    not_evaluated = models.CharField(max_length=300, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], name="one_standing_summary_per_year"
            )
        ]
        indexes = [
            # Covering for the dashboard: the staff's summaries of a year with
            # the three columns `status_expression` reads (the status counts)
            # and those the sorted page reads and sorts by, from the index
            # alone (no table row per person).
            models.Index(
                fields=[
                    "year",
                    "person",
                    "deficient_on",
                    "at_risk_on",
                    "settled_status",
                    "due_on",
                    "missing_hours",
                    "not_evaluated",
                ],
                name="summary_year_person_board",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year}: {self.settled_status}"
