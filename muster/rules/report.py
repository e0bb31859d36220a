"""Engine results as plain dicts of strings, numbers, lists and None, ready for JSON.

Hours stay exact inside the engine (`Decimal`); here they become an `int` when whole
and a `float` otherwise, which is what a JSON reader expects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from muster.rules.mandate import Mandate
from muster.rules.model import (
    Allocation,
    Citation,
    ComplianceResult,
    LineExplanation,
    RequirementResult,
)


def number(value: Decimal | int) -> int | float:
    """Return `value` as an int when it is whole, else as a float.

    >>> number(Decimal("2.00"))
    2
    >>> number(Decimal("1.25"))
    1.25
    """
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def result_to_dict(
    result: ComplianceResult, mandate: Mandate | None = None
) -> dict[str, Any]:
    """One person's standing against one mandate, with the reasons for it.

    A result built for a person to whom no mandate applies may have an empty
    `mandate`; it becomes None. Given the `mandate`, each requirement also says
    what its file leaves uncertain about it and the value governing its period.
    """
    return {
        "person": result.person,
        "mandate": result.mandate or None,
        "jurisdiction": result.jurisdiction,
        "status": result.status,
        "as_of": result.as_of.isoformat(),
        "requirements": [requirement_to_dict(r, mandate) for r in result.requirements],
        "explanation": [line_to_dict(line) for line in result.lines],
        "notes": list(result.notes),
        "warnings": list(result.warnings),
    }


def requirement_to_dict(
    result: RequirementResult, mandate: Mandate | None = None
) -> dict[str, Any]:
    """One requirement's outcome; `applicable` is False when it does not apply."""
    found = {
        "id": result.id,
        "label": result.label,
        "unit": result.unit,
        "required": number(result.required),
        "earned": number(result.earned),
        "missing": number(result.missing),
        "status": result.status,
        "applicable": result.is_applicable,
        "period": result.period.as_dict(),
        "citation": citation_to_dict(result.citation),
        "notes": list(result.notes),
    }
    if mandate is not None:
        found["uncertain"] = list(mandate.uncertain_in_period(result.id, result.period))
    return found


def citation_to_dict(citation: Citation) -> dict[str, str]:
    """Where a figure comes from, the kind of source and how sure it is.

    `source` and `confidence` are the mandate file's words; `sureness` says both
    for people ("regulation text", "agency web page, not verified against the
    rule; partly confirmed").

    >>> citation_to_dict(Citation("11 CSR 75-15.010", source="regulation", confidence="stated"))
    {'title': '11 CSR 75-15.010', 'href': '', 'source': 'regulation', 'confidence': 'stated', 'sureness': 'regulation text'}
    """
    return {
        "title": citation.title,
        "href": citation.href,
        "source": citation.source,
        "confidence": citation.confidence,
        "sureness": citation.sureness,
    }


def line_to_dict(explanation: LineExplanation) -> dict[str, Any]:
    """One credit line: what it counted toward, what it did not and why."""
    line = explanation.line
    return {
        "date": line.completed_on.isoformat(),
        "hours": number(line.hours),
        "label": line.label,
        "area": line.area,
        "topics": sorted(line.topics),
        "counted": [
            {"requirement": a.requirement, "hours": number(a.hours)}
            for a in explanation.counted
        ],
        "not_counted": [refusal_to_dict(a) for a in explanation.not_counted],
        "outside": list(explanation.outside),
        "text": explanation.text(),
    }


def refusal_to_dict(allocation: Allocation) -> dict[str, Any]:
    return {
        "requirement": allocation.requirement,
        "hours": number(allocation.hours),
        "reason": allocation.reason,
    }
