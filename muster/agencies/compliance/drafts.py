"""Evaluating people under mandates as given, not as shipped: a what-if's draft.

The same population evaluation as the stored standings (`figures`), for the
active licenses of one jurisdiction, returning unsaved rows: nothing here writes,
and the shipped rules are not touched (the draft's `Mandate` lives only in memory).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone

from muster import rules
from muster.agencies.choices import LicenseStatus
from muster.agencies.compliance import figures
from muster.agencies.models import License, Person, Standing, StandingSummary


def evaluate_under(
    jurisdiction: rules.Jurisdiction,
    mandates: Sequence[rules.Mandate],
    people: QuerySet[Person],
    years: list[int],
) -> tuple[list[Standing], list[StandingSummary]]:
    """Unsaved standings of the active licenses in `jurisdiction` of `people` under
    `mandates` (some of its own, or a draft's in their place), and a summary of
    those standings per person holding one, for each year. Writes nothing."""
    licenses = list(
        License.objects.filter(
            person__in=people.values("pk"),
            status=LicenseStatus.ACTIVE,
            jurisdiction=jurisdiction.code,
        )
        .order_by("person_id")
        .values_list(*figures.LICENSE_VALUES)
    )
    if not licenses or not mandates:
        return [], []
    held_ids = sorted({lic[0] for lic in licenses})
    staff = people.filter(licenses__jurisdiction=jurisdiction.code).values("pk")
    lines = figures.board_lines_for(staff, min(years))
    exemptions = figures.board_exemptions_for(staff)
    chosen = dataclasses.replace(jurisdiction, mandates=tuple(mandates))
    standings: list[Standing] = []
    for year in years:
        standings += figures._evaluate(chosen, licenses, lines, exemptions, year)
    now = timezone.now()
    summaries = figures._summaries(held_ids, years, standings, {}, set(held_ids), now)
    return standings, summaries
