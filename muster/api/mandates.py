"""A jurisdiction's mandates in force on a day, as JSON (from muster.rules only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from muster.rules import load_mandates
from muster.rules.mandate import at
from muster.rules.report import citation_to_dict, number


def jurisdiction_on(code: str, day: date) -> dict[str, Any] | None:
    """The rules of `code` (such as MO) in force on `day`; None if not encoded."""
    library = load_mandates()
    if code.upper() not in library.jurisdictions:
        return None
    jurisdiction = library.get(code.upper())
    return {
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "regulator": jurisdiction.regulator,
        "on": day,
        "mandates": [_mandate(m, day) for m in jurisdiction.mandates],
    }


def _mandate(mandate, day: date) -> dict[str, Any]:
    return {
        "id": mandate.id,
        "title": mandate.title,
        "is_verified": mandate.is_verified,
        "last_checked": mandate.last_checked.isoformat(),
        "citation": citation_to_dict(mandate.citation),
        "warnings": list(mandate.warnings()),
        # About the mandate as a whole; the others are beside their requirements.
        "uncertain": list(mandate.uncertain_overall),
        "requirements": [
            _requirement(mandate, r, value, day)
            for r in mandate.requirements
            if (value := at(r.values, day)) is not None and value.hours is not None
        ],
    }


def _requirement(mandate, requirement, value, day: date) -> dict[str, Any]:
    period = mandate.cycles[requirement.cycle].period_containing(day)
    return {
        "id": requirement.id,
        "label": requirement.label,
        "kind": requirement.kind,
        "unit": requirement.unit,
        "amount": number(value.hours),
        "cycle": requirement.cycle,
        "in_force_since": value.starts_on.isoformat(),
        "period": period.as_dict() if period is not None else None,
        "citation": citation_to_dict(value.citation),
        "note": value.note,
        "uncertain": list(mandate.uncertain_about(requirement.id, value)),
    }
