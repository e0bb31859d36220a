"""A state's view, assembled from stored standings: compliance per agency, trends
per year, who is about to lose certification, and agencies that have not reported.

Nothing here evaluates anyone (`compliance.statewide` reads the stored standings);
the report counts are SQL over training records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from muster.agencies.compliance import statewide
from muster.agencies.models import Agency, Employment, StandingSummary, TrainingRecord

# At risk with a due date this close counts as about to lose certification.
DUE_SOON_DAYS = 60
# Statuses that owe nothing to count: left out of the compliance rate.
NOT_COUNTED = ("not-applicable", "not-encoded", statewide.NOT_EVALUATED)
MET = ("compliant", "exempt")
# The columns of the state page's tables, in order.
COLUMNS = ("compliant", "exempt", "on-track", "at-risk", "deficient")


def cells(tally: dict[str, int]) -> list[int]:
    """The tally in COLUMNS order, then everyone else (owing nothing here)."""
    shown = [tally.get(name, 0) for name in COLUMNS]
    return [*shown, sum(tally.values()) - sum(shown)]


def percent_compliant(tally: dict[str, int]) -> Decimal | None:
    """Compliant or exempt, of those who owe something; None if nobody does."""
    owing = sum(n for status, n in tally.items() if status not in NOT_COUNTED)
    if not owing:
        return None
    met = sum(tally[status] for status in MET)
    return (Decimal(met * 100) / owing).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class AgencyLine:
    """One agency's row on the state page."""

    agency: Agency
    tally: dict[str, int]
    has_reported: bool

    @property
    def staff(self) -> int:
        return sum(self.tally.values())

    @property
    def percent(self) -> Decimal | None:
        return percent_compliant(self.tally)

    @property
    def cells(self) -> list[int]:
        return cells(self.tally)


def agency_lines(
    agencies: QuerySet[Agency], year: int, today: date
) -> list[AgencyLine]:
    """Every agency with its tally for `year`, worst compliance rate first."""
    tallies = statewide.tallies_by_agency(agencies, year, today)
    silent = set(not_reported(agencies, year, today).values_list("pk", flat=True))
    lines = [
        AgencyLine(agency, tallies[agency.pk], agency.pk not in silent)
        for agency in agencies.order_by("name")
    ]
    return sorted(
        lines,
        key=lambda line: (
            line.percent is None,
            line.percent if line.percent is not None else 0,
        ),
    )


def not_reported(agencies: QuerySet[Agency], year: int, today: date):
    """Agencies with no live training record completed in `year`: none entered by
    the agency and none of anyone working there today, whoever entered it."""
    live = TrainingRecord.objects.live().filter(completed_on__year=year)
    # Two levels out: the agency, not the training record.
    staff = Employment.objects.current(today).filter(agency=OuterRef(OuterRef("pk")))
    return agencies.exclude(Exists(live.filter(agency=OuterRef("pk")))).exclude(
        Exists(live.filter(person__in=staff.values("person")))
    )


@dataclass(frozen=True)
class YearLine:
    """The state's staff's standings for one year, as read today."""

    year: int
    tally: dict[str, int]

    @property
    def percent(self) -> Decimal | None:
        return percent_compliant(self.tally)

    @property
    def cells(self) -> list[int]:
        return cells(self.tally)

    @property
    def people(self) -> int:
        return sum(self.tally.values())


def trends(people: QuerySet, years: list[int], today: date) -> list[YearLine]:
    return [
        YearLine(year, statewide.tally_of_people(people, year, today)) for year in years
    ]


@dataclass(frozen=True)
class AtRiskLine:
    """Someone about to lose certification, with where they work in the state."""

    summary: StandingSummary
    agencies: list[Agency]
    as_of: date

    @property
    def days_left(self) -> int | None:
        due = self.summary.due_on
        return (due - self.as_of).days if due else None


def losing_certification(agencies: QuerySet[Agency], year: int, today: date):
    """A queryset of summaries (for paging) and a function turning a page of them
    into lines with each person's agencies in the state."""
    summaries = statewide.losing_certification(agencies, year, today, DUE_SOON_DAYS)

    def lines(page) -> list[AtRiskLine]:
        ids = [s.person_id for s in page]
        where: dict[int, list[Agency]] = {}
        jobs = (
            Employment.objects.current(today)
            .filter(agency__in=agencies, person_id__in=ids)
            .select_related("agency")
        )
        for job in jobs:
            where.setdefault(job.person_id, []).append(job.agency)
        return [AtRiskLine(s, where.get(s.person_id, []), today) for s in page]

    return summaries, lines
