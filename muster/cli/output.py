"""Write an evaluation as JSON, an aligned table for people, or CSV for spreadsheets.

Each function returns the whole text, so nothing reaches stdout until all of it is
ready.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from typing import Any, TextIO

from muster.cli.evaluate import Evaluation
from muster.rules import ComplianceResult, Mandate, RequirementResult, Status
from muster.rules.report import number, result_to_dict

CSV_COLUMNS = (
    "person",
    "mandate",
    "status",
    "requirement",
    "required",
    "earned",
    "missing",
    "requirement_status",
    "period_start",
    "period_end",
)
BOLD = "1"
STATUS_COLOURS = {
    Status.COMPLIANT: "32",
    Status.DEFICIENT: "31",
    Status.AT_RISK: "33",
    Status.ON_TRACK: "36",
    Status.EXEMPT: "34",
    Status.NOT_APPLICABLE: "2",
    Status.NOT_ENCODED: "35",  # magenta: not a finding either way
}


def wants_colour(stream: TextIO) -> bool:
    """ANSI colour for a terminal; NO_COLOR turns it off, FORCE_COLOR on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return stream.isatty()


def paint(text: str, code: str | None, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled and code else text


def mandate_to_dict(mandate: Mandate) -> dict[str, Any]:
    return {
        "id": mandate.id,
        "title": mandate.title,
        "status": "verified" if mandate.is_verified else "unverified",
        "uncertain": list(mandate.uncertain),
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "jurisdiction": evaluation.jurisdiction.code,
        "period": {"year": evaluation.year, "as_of": evaluation.as_of.isoformat()},
        "mandates": [mandate_to_dict(m) for m in evaluation.jurisdiction.mandates],
        "warnings": list(evaluation.warnings),
        "results": [result_to_dict(r) for r in evaluation.results],
    }


def render_json(evaluation: Evaluation) -> str:
    return json.dumps(evaluation_to_dict(evaluation), indent=2) + "\n"


def render_csv(evaluation: Evaluation) -> str:
    """One row per person and requirement; a row with blank requirement cells for a
    result without requirements."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for result in evaluation.results:
        head = [result.person, result.mandate, result.status]
        if not result.requirements:
            writer.writerow(head + [""] * (len(CSV_COLUMNS) - len(head)))
        for requirement in result.requirements:
            writer.writerow(
                head
                + [
                    requirement.id,
                    number(requirement.required),
                    number(requirement.earned),
                    number(requirement.missing),
                    requirement.status,
                    requirement.period.start.isoformat(),
                    requirement.period.end.isoformat(),
                ]
            )
    return buffer.getvalue()


def render_table(evaluation: Evaluation, colour: bool) -> str:
    """Warnings first (unverified rules in bold), a title, then aligned columns."""
    out = [paint(warning, BOLD, colour) for warning in evaluation.rule_warnings]
    out += [f"warning: {warning}" for warning in evaluation.input_warnings]
    jurisdiction = evaluation.jurisdiction
    out.append(
        f"{jurisdiction.name} ({jurisdiction.code}): periods containing "
        f"31 December {evaluation.year}, as of {evaluation.as_of}"
    )
    rows = [("PERSON", "MANDATE", "STATUS", "MISSING")]
    rows += [table_row(result) for result in evaluation.results]
    out += align(rows, colour)
    return "\n".join(out) + "\n"


def table_row(result: ComplianceResult) -> tuple[str, str, str, str]:
    if not result.mandate:
        return (result.person, "-", result.status, "; ".join(result.notes))
    missing = ", ".join(
        shortfall(r) for r in result.requirements if r.status == Status.MISSING
    )
    return (result.person, result.mandate, result.status, missing or "-")


def shortfall(requirement: RequirementResult) -> str:
    if requirement.unit == "hours":
        return f"{requirement.id} {number(requirement.missing)} h"
    return f"{requirement.id} not done"


def align(rows: Sequence[tuple[str, ...]], colour: bool) -> list[str]:
    """Pad each column to its widest cell; colour the status word, not its padding."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        if index > 0:
            padding = cells[2][len(row[2]) :]
            cells[2] = paint(row[2], STATUS_COLOURS.get(row[2]), colour) + padding
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return lines
