"""Stored standings: each person's result per mandate and year, kept up to date.

Rows are written only by `compliance.standings.refresh_standings`, inside the
transaction of every action that changes what they depend on, and by
`manage.py standings refresh`. They hold nothing that depends on today: the day a
person turns at risk or deficient is stored, and `status_on(day)` (or the SQL of
`status_expression`) works the status out when it is read.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Case, F, Value, When

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
        if self.deficient_on is not None and day >= self.deficient_on:
            return "deficient"
        if self.at_risk_on is not None and day >= self.at_risk_on:
            return "at-risk"
        if self.settled_status == OPEN:
            return "on-track"
        return self.settled_status


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
        indexes = [models.Index(fields=["year", "person"])]

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
        indexes = [models.Index(fields=["year", "person"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year}: {self.settled_status}"
