"""Reading stored standings across many agencies at once: a state's view.

Like `board`, nothing here evaluates anyone: the counts are SQL over
`StandingSummary`, with the day's status from the stored dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from muster.agencies.models import (
    STATUS_ORDER,
    Employment,
    StandingSummary,
    status_expression,
)

# A person with no stored status for the year (no active license, no rules).
NOT_EVALUATED = "not-evaluated"


def tallies_by_agency(agencies: QuerySet, year: int, today: date) -> dict[int, dict]:
    """For each agency, how many of its staff on `today` have each status for
    `year` (every status of STATUS_ORDER, and NOT_EVALUATED), in one query."""
    status = Subquery(
        StandingSummary.objects.filter(person=OuterRef("person"), year=year)
        .annotate(status=status_expression(today))
        .values("status")[:1]
    )
    found = (
        Employment.objects.current(today)
        .filter(agency__in=agencies)
        .annotate(status=status)
        .values("agency_id", "status")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    tallies: dict[int, dict] = {
        pk: dict.fromkeys((*STATUS_ORDER, NOT_EVALUATED), 0)
        for pk in agencies.values_list("pk", flat=True)
    }
    for row in found:
        name = row["status"] if row["status"] in STATUS_ORDER else NOT_EVALUATED
        tallies[row["agency_id"]][name] += row["n"]
    return tallies


def losing_certification(
    agencies: QuerySet, year: int, today: date, within_days: int
) -> QuerySet[StandingSummary]:
    """Summaries of the agencies' staff who are deficient for `year`, or at risk
    with their due date at most `within_days` away, nearest deadline first."""
    staff = Employment.objects.current(today).filter(agency__in=agencies)
    soon = today + timedelta(days=within_days)
    return (
        StandingSummary.objects.filter(year=year, person__in=staff.values("person"))
        .annotate(status=status_expression(today))
        .filter(Q(status="deficient") | Q(status="at-risk", due_on__lte=soon))
        .select_related("person")
        .order_by("due_on", "person__last_name", "person__first_name", "pk")
    )


def tally_of_people(people: QuerySet, year: int, today: date) -> dict[str, int]:
    """How many of `people` (a queryset of people) have each status for `year`
    on `today`; those with no stored status count as NOT_EVALUATED."""
    tally = dict.fromkeys((*STATUS_ORDER, NOT_EVALUATED), 0)
    found = (
        StandingSummary.objects.filter(year=year, person__in=people.values("pk"))
        .annotate(status=status_expression(today))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in found:
        name = row["status"] if row["status"] in STATUS_ORDER else NOT_EVALUATED
        tally[name] += row["n"]
    tally[NOT_EVALUATED] += people.count() - sum(tally.values())
    return tally
