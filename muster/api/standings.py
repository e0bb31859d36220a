"""Standings as JSON: per person from the engine's explanation, per agency from
the stored standings the dashboard reads (`compliance.board`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from muster.agencies.compliance import board as stored
from muster.agencies.compliance import standing_for
from muster.agencies.compliance.figures import kept_years
from muster.api.problems import ApiError, field_error
from muster.rules.report import number, result_to_dict


def person_standing(person, year: int, as_of: date) -> dict[str, Any]:
    """Each license: each mandate's status, requirements (with citations) and the
    line-by-line explanation, or why the license is not evaluated."""
    licenses = []
    for standing in standing_for(person, year, as_of):
        licenses.append(
            {
                "jurisdiction": standing.license.jurisdiction,
                "not_evaluated": standing.not_evaluated,
                "mandates": [
                    {"title": m.mandate.title, **result_to_dict(m.result, m.mandate)}
                    for m in standing.mandates
                ],
            }
        )
    return {"person": person.pk, "year": year, "as_of": as_of, "licenses": licenses}


def require_kept_year(on: date) -> None:
    """Nothing if the standings of `on`'s year are stored; else a 422 naming the
    `on` parameter and the years that are."""
    years = kept_years(timezone.localdate())
    if on.year in years:
        return
    kept = f"{years[0]} to {years[-1]}"
    raise ApiError(
        422,
        f"Standings of {on.year} are not kept: an agency's standings are stored "
        f"for {kept} only. For another year, ask for the agency's compliance "
        "report of that year (an export job), or one person's standings "
        "(GET /people/{id}/standings?year=).",
        kind="year-not-kept",
        errors=[
            field_error(
                ("query", "on"), f"Choose a day in {kept}; {on.year} is not kept."
            )
        ],
    )


def agency_standing(agency, people_shown: set[int], as_of: date) -> dict[str, Any]:
    """Every current employee's status per mandate and requirement (the
    dashboard), limited to `people_shown`."""
    year = as_of.year
    found = (
        stored.summaries(agency, year, as_of)
        .filter(person_id__in=people_shown)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    rows = stored.rows_for(list(found), agency, year, as_of)
    mandates = sorted({cell.mandate_id for row in rows for cell in row.cells})
    return {
        "agency": agency.code,
        "year": year,
        "as_of": as_of,
        "tally": stored.tally_of(agency, year, as_of),
        "people": [
            {
                "person": row.person_id,
                "status": row.status,
                "due_on": row.due_on,
                "not_evaluated": row.not_evaluated,
                "mandates": [
                    {
                        "mandate": cell.mandate_id,
                        "title": cell.title,
                        "status": cell.status,
                        "due_on": cell.due_on,
                        "requirements": [
                            {
                                "label": p.label,
                                "unit": p.unit,
                                "earned": number(p.earned),
                                "required": number(p.required),
                                "status": p.status,
                            }
                            for p in cell.progress
                        ],
                    }
                    for cell in row.cells
                ],
            }
            for row in rows
        ],
        "warnings": list(stored.warnings_of(mandates)),
    }
