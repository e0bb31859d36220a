"""Write an evaluation as JSON, an aligned table for people, or CSV for spreadsheets.

Each function writes to a stream once the evaluation is complete, so nothing
reaches stdout unless all of the input was good. CSV and table are built from the
engine's columns (a state's worth in seconds); JSON carries every line's
explanation and is written one result at a time, so memory stays flat.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TextIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from muster.cli.evaluate import (
    Evaluation,
    before_first_cells,
    before_first_words,
    not_applicable,
    results,
    undated_people,
    undated_reason,
)
from muster.rules import Mandate, Status
from muster.rules.columns import from_day_number
from muster.rules.engine import (
    MET,
    MISSING,
    OVERALL_STATUS,
    REQUIREMENT_STATUS,
    PeriodColumns,
)
from muster.rules.mandate import Kind
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
        "uncertain": [note.text for note in mandate.uncertain],
        # For each note of `uncertain`, the requirements it concerns ([]: all),
        # and of those the starts of the values it qualifies ([]: every value).
        "uncertain_concerns": [sorted(note.concerns) for note in mandate.uncertain],
        "uncertain_values": [
            [day.isoformat() for day in sorted(note.values)]
            for note in mandate.uncertain
        ],
    }


def write_json(evaluation: Evaluation, out: TextIO) -> None:
    """The document `json.dumps(..., indent=2)` would give, one result at a time."""
    head = json.dumps(
        {
            "jurisdiction": evaluation.jurisdiction.code,
            "period": {"year": evaluation.year, "as_of": evaluation.as_of.isoformat()},
            "mandates": [mandate_to_dict(m) for m in evaluation.jurisdiction.mandates],
            "warnings": list(evaluation.warnings),
            "results": [],
        },
        indent=2,
    )
    assert head.endswith("[]\n}")
    separator = "[\n"
    out.write(head[: -len("[]\n}")])
    mandates = {m.id: m for m in evaluation.jurisdiction.mandates}
    for result in results(evaluation):
        text = json.dumps(
            result_to_dict(result, mandates.get(result.mandate)), indent=2
        )
        out.write(separator + "    " + text.replace("\n", "\n    "))
        separator = ",\n"
    out.write("[]\n}\n" if separator == "[\n" else "\n  ]\n}\n")


def csv_cell(text: str) -> str:
    """A cell as Python's csv module writes it: quoted only when it must be."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def numbers(centihours: np.ndarray) -> pa.Array:
    """Hundredths as the JSON and CSV outputs write hours: 24, 1.5, 0.25."""
    distinct, codes = np.unique(centihours, return_inverse=True)
    words = [str(number(Decimal(int(c)) / 100)) for c in distinct]
    return pa.array(words, pa.string()).take(pa.array(codes.ravel()))


def period_cells(period: PeriodColumns, rows: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """The period's first and last day for each of `rows`: one period for all, or
    each person's own where the cycle runs from a date of theirs (Florida)."""
    if period.periods is None:
        size = len(rows)
        return (
            pa.array([period.period.start.isoformat()] * size, pa.string()),
            pa.array([period.period.end.isoformat()] * size, pa.string()),
        )
    own = [period.of(int(row)) for row in rows]
    return (
        pa.array([p.start.isoformat() for p in own], pa.string()),
        pa.array([p.end.isoformat() for p in own], pa.string()),
    )


def write_csv(evaluation: Evaluation, out: TextIO) -> None:
    """One row per person and requirement; a row with blank requirement cells for a
    result without requirements (nothing applies, or nothing is in force)."""
    people = evaluation.tables.people
    ids = pa.array([csv_cell(i) for i in people.ids], pa.string())
    blocks: list[tuple[np.ndarray, int, int, list[pa.Array]]] = []
    for m, population in enumerate(evaluation.populations):
        rows = np.flatnonzero(population.applies)
        status = pa.array(OVERALL_STATUS, pa.string()).take(
            pa.array(population.status[rows])
        )
        mandate = pa.array([population.mandate.id] * len(rows), pa.string())
        in_force = [i for i, o in enumerate(population.outcomes) if o is not None]
        # Where a person's date is missing, the requirement status says so.
        reasons = None
        if population.undated:
            undated = undated_people(population)[rows]
            reasons = pa.array(
                [
                    csv_cell(undated_reason(population, int(r))) if u else ""
                    for r, u in zip(rows.tolist(), undated.tolist(), strict=True)
                ],
                pa.string(),
            )
        # Requirements before some people's first encoded period (an Illinois
        # surname group not yet begun): a row each saying so, in force or not.
        before = {
            i: cells
            for i, r in enumerate(population.mandate.requirements)
            if (cells := before_first_cells(population, r, rows)) is not None
        }
        before = {i: [csv_cell(c) if c else "" for c in v] for i, v in before.items()}
        for i, cells in before.items():
            if population.outcomes[i] is not None:
                continue
            has = np.array([bool(c) for c in cells], dtype=bool)
            blank = pa.array([""] * int(has.sum()), pa.string())
            words = pa.array([c for c in cells if c], pa.string())
            requirement_id = population.mandate.requirements[i].id
            own = pa.array([requirement_id] * int(has.sum()), pa.string())
            fields = [mandate.filter(has), status.filter(has), own]
            blocks.append(
                (rows[has], m, i, [*fields, *[blank] * 3, words, *[blank] * 2])
            )
        if not in_force:
            listed = np.zeros(len(rows), dtype=bool)
            for cells in before.values():
                listed |= np.array([bool(c) for c in cells], dtype=bool)
            blank = pa.array([""] * len(rows), pa.string())
            cells = (
                [blank] * 5 + [reasons if reasons is not None else blank] + [blank] * 2
            )
            columns = [mandate, status, *cells]
            keep = pa.array(~listed)
            blocks.append((rows[~listed], m, 0, [c.filter(keep) for c in columns]))
        for i in in_force:
            outcome = population.outcomes[i]
            codes = population.requirement_status[i, rows]
            required, earned = population.required[i, rows], population.earned[i, rows]
            owed = (codes == MISSING) | (codes == MET)
            missing = np.where(owed, np.maximum(0, required - earned), 0)
            words = [REQUIREMENT_STATUS.get(c, "") for c in range(5)]
            word_cells = pa.array(words, pa.string()).take(pa.array(codes))
            if reasons is not None and outcome.requirement.id in population.undated:
                word_cells = pc.if_else(
                    pa.array(population.undated[outcome.requirement.id][rows]),
                    reasons,
                    word_cells,
                )
            if i in before:
                word_cells = pc.if_else(
                    pa.array([bool(c) for c in before[i]]),
                    pa.array(before[i], pa.string()),
                    word_cells,
                )

            def constant(text: str, size: int = len(rows)) -> pa.Array:  # noqa: B008
                return pa.array([text] * size, pa.string())

            start, end = period_cells(outcome.period, rows)
            amounts = [numbers(required), numbers(earned), numbers(missing)]
            # A date to enter, or before their first encoded period: nothing was
            # evaluated for them, so no period (not another person's) and no
            # amounts (never a 0 that reads as owing nothing).
            unplaced = np.zeros(len(rows), dtype=bool)
            if reasons is not None and outcome.requirement.id in population.undated:
                unplaced |= population.undated[outcome.requirement.id][rows]
            if i in before:
                unplaced |= np.array([bool(c) for c in before[i]], dtype=bool)
            if unplaced.any():
                flag = pa.array(unplaced)
                start, end, *amounts = (
                    pc.if_else(flag, "", cells) for cells in (start, end, *amounts)
                )
            blocks.append(
                (
                    rows,
                    m,
                    i,
                    [
                        mandate,
                        status,
                        constant(outcome.requirement.id),
                        *amounts,
                        word_cells,
                        start,
                        end,
                    ],
                )
            )
    alone = np.flatnonzero(evaluation.without_mandate)
    if len(alone):
        empty = pa.array([""] * len(alone), pa.string())
        na = pa.array([Status.NOT_APPLICABLE] * len(alone), pa.string())
        blocks.append((alone, -1, 0, [empty, na] + [empty] * 7))
    out.write(",".join(CSV_COLUMNS) + "\n")
    if not blocks:
        return
    person = np.concatenate([rows for rows, *_ in blocks])
    mandate_key = np.concatenate([np.full(len(b[0]), b[1]) for b in blocks])
    requirement_key = np.concatenate([np.full(len(b[0]), b[2]) for b in blocks])
    order = np.lexsort((requirement_key, mandate_key, person))
    columns = [ids.take(pa.array(person))] + [
        pa.concat_arrays([b[3][k] for b in blocks]) for k in range(9)
    ]
    lines = pc.binary_join_element_wise(*columns, ",").take(pa.array(order))
    for start in range(0, len(lines), 200_000):
        out.write("\n".join(lines[start : start + 200_000].to_pylist()) + "\n")


def write_table(evaluation: Evaluation, out: TextIO, colour: bool) -> None:
    """Warnings first (unverified rules in bold), a title, then aligned columns."""
    text = [paint(warning, BOLD, colour) for warning in evaluation.rule_warnings]
    text += [f"warning: {warning}" for warning in evaluation.input_warnings]
    jurisdiction = evaluation.jurisdiction
    text.append(
        f"{jurisdiction.name} ({jurisdiction.code}): periods containing "
        f"31 December {evaluation.year}, as of {evaluation.as_of}"
    )
    rows = [("PERSON", "MANDATE", "STATUS", "MISSING")] + table_rows(evaluation)
    text += align(rows, colour)
    out.write("\n".join(text) + "\n")


def table_rows(evaluation: Evaluation) -> list[tuple[str, str, str, str]]:
    """One row per result, in people-file order, with what is still missing."""
    people = evaluation.tables.people
    found: list[tuple[int, int, tuple[str, str, str, str]]] = []
    for m, population in enumerate(evaluation.populations):
        rows = np.flatnonzero(population.applies)
        shortfalls = []
        for i, outcome in enumerate(population.outcomes):
            if outcome is None:
                continue
            requirement = outcome.requirement
            missing = population.requirement_status[i, rows] == MISSING
            owed = np.maximum(
                0, population.required[i, rows] - population.earned[i, rows]
            )
            if requirement.kind == Kind.HOURS:
                words = pc.binary_join_element_wise(
                    f"{requirement.id} ", numbers(owed), " h", ""
                )
            else:
                words = pa.array([f"{requirement.id} not done"] * len(rows))
            shortfalls.append(pc.if_else(pa.array(missing), words, None).to_pylist())
        joined = [
            ", ".join(filter(None, parts)) for parts in zip(*shortfalls, strict=True)
        ]
        if not shortfalls:
            joined = [""] * len(rows)
        statuses = population.status[rows]
        if population.undated:
            undated = undated_people(population)
            joined = [
                undated_reason(population, row) if undated[row] and not text else text
                for row, text in zip(rows.tolist(), joined, strict=True)
            ]
        if population.unencoded:
            before = before_first_words(population, rows)
            joined = [
                ", ".join(filter(None, (text, words)))
                for text, words in zip(joined, before, strict=True)
            ]
        for row, status, missing in zip(
            rows.tolist(), statuses.tolist(), joined, strict=True
        ):
            found.append(
                (
                    row,
                    m,
                    (
                        people.ids[row],
                        population.mandate.id,
                        OVERALL_STATUS[status],
                        missing or "-",
                    ),
                )
            )
    for row in np.flatnonzero(evaluation.without_mandate).tolist():
        result = not_applicable(evaluation, row)
        found.append((row, -1, (result.person, "-", result.status, result.notes[0])))
    found.sort(key=lambda item: item[:2])
    return [cells for *_, cells in found]


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


__all__ = ["from_day_number", "wants_colour", "write_csv", "write_json", "write_table"]
