"""The columns an import understands, and the mapping from a file's headers to them.

A mapping is a dict from column key to the index of a header in the file, or None
when the file has no such column. It is guessed from the header names and the
coordinator may change it before the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One field an import can read, with header names that usually mean it."""

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""

    def names(self) -> set[str]:
        return {_squash(self.key), _squash(self.label)} | {
            _squash(alias) for alias in self.aliases
        }


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, a row, or one cell of a row."""

    message: str
    row: int | None = None
    field: str = ""

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


@dataclass
class RowPlan:
    """What confirming the import will do with one row."""

    row: int
    action: str  # "create", "update" or "unchanged"
    label: str
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """Parsed rows, every problem found, and what each row will do."""

    rows: list
    problems: list[Problem]
    plans: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)


def parse_rows(table, parse_row, nothing: str) -> tuple[list, list[Problem]]:
    """Parse every non-blank row with `parse_row(number, cells)`.

    Returns the rows and all their problems, plus one naming `nothing` when the
    file has a header but no rows ("the file has a header row but no people").
    """
    rows: list = []
    problems: list[Problem] = []
    for offset, row_cells in enumerate(table.rows):
        if not any(row_cells):
            continue
        row, row_problems = parse_row(table.FIRST_ROW + offset, row_cells)
        rows.append(row)
        problems += row_problems
    if not rows:
        problems.append(Problem(f"the file has a header row but no {nothing}"))
    return rows, problems


def guess_mapping(columns: tuple[Column, ...], headers: list[str]) -> dict:
    """Each column's header index, matched by name ignoring case and punctuation."""
    squashed = [_squash(header) for header in headers]
    mapping: dict[str, int | None] = {}
    for column in columns:
        names = column.names()
        mapping[column.key] = next(
            (i for i, header in enumerate(squashed) if header in names), None
        )
    return mapping


def mapping_problems(columns: tuple[Column, ...], mapping: dict) -> list[Problem]:
    """Required columns left unmapped, and one header used for two columns."""
    problems = [
        Problem(f"choose the file's column for '{column.label}' (it is required)")
        for column in columns
        if column.required and mapping.get(column.key) is None
    ]
    used: dict[int, str] = {}
    for column in columns:
        index = mapping.get(column.key)
        if index is None:
            continue
        if index in used:
            problems.append(
                Problem(
                    f"one file column is chosen for both '{used[index]}' "
                    f"and '{column.label}'"
                )
            )
        used[index] = column.label
    return problems


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
