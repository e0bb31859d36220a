"""The columns an import understands, the mapping from a file's headers to them,
and the plan that the preview shows.

A mapping is a dict from column key to the index of a header in the file, or None
when the file has no such column. It is guessed from the header names and the
coordinator may change it before the preview. Under the key "values" it may also
hold, per column, the coordinator's translation of the file's own words into
allowed values ({"delivery": {"Classroom": "live"}}).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from muster.tabular import CellProblem, Problem, Table
from muster.tabular.cells import split_list, squash

VALUES = "values"


@dataclass(frozen=True)
class Column:
    """One field an import can read, with header names that usually mean it.

    `choices` lists the allowed (value, label) pairs of a choice column, and
    `synonyms` other words that mean one of them ("Classroom" for live).
    """

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    example: str = ""

    def names(self) -> set[str]:
        return {squash(self.key), squash(self.label)} | {
            squash(alias) for alias in self.aliases
        }


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
    file: str = ""
    # Values read as another allowed value (ValueUse), shown in the preview.
    translated: list = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for plan in self.plans if plan.action == action)

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, message))


@dataclass
class ParsedRow:
    """One row's values by column key, parsed; None where the cell was blank."""

    row: int
    values: dict


ParseCell = Callable[[Column, str], object]


def parse_rows(
    table: Table,
    columns: tuple[Column, ...],
    mapping: dict,
    parse_cell: ParseCell,
    nothing: str,
) -> tuple[list[ParsedRow], list[Problem]]:
    """Parse every non-blank row, each mapped cell with `parse_cell(column, text)`.

    Returns the rows and all their problems, plus one naming `nothing` when the
    file has a header but no rows ("the file has a header row but no people").
    """
    rows: list[ParsedRow] = []
    problems: list[Problem] = []
    width = len(table.headers)
    for offset, cells in enumerate(table.rows):
        if not any(cells):
            continue
        number = table.FIRST_ROW + offset
        if len(cells) > width and any(cells[width:]):
            problems.append(
                Problem(
                    table.name,
                    number,
                    None,
                    "has more cells than the header row",
                    "name every column in row 1, or remove the extra cells",
                )
            )
        values = {}
        for column in columns:
            index = mapping.get(column.key)
            text = cells[index] if index is not None and index < len(cells) else ""
            try:
                values[column.key] = _parse(column, text, parse_cell)
            except CellProblem as problem:
                problems.append(problem.at(table.name, number, column.label))
                values[column.key] = None
        rows.append(ParsedRow(number, values))
    if not rows:
        problems.append(
            Problem(
                table.name,
                None,
                None,
                f"the file has a header row but no {nothing}",
                "add one row under the header for each",
            )
        )
    return rows, problems


def _parse(column: Column, text: str, parse_cell: ParseCell):
    if not text:
        if column.required:
            raise CellProblem("is blank", "it is required")
        return None
    return parse_cell(column, text)


def synonyms(column: Column, mapping: dict) -> dict[str, str]:
    """The column's built-in synonyms and the coordinator's own, theirs winning."""
    return {**dict(column.synonyms), **mapping.get(VALUES, {}).get(column.key, {})}


def guess_mapping(columns: tuple[Column, ...], headers: list[str]) -> dict:
    """Each column's header index, matched by name ignoring case and punctuation."""
    squashed = [squash(header) for header in headers]
    mapping: dict = {}
    for column in columns:
        names = column.names()
        mapping[column.key] = next(
            (i for i, header in enumerate(squashed) if header in names), None
        )
    return mapping


def mapping_problems(
    file: str, columns: tuple[Column, ...], mapping: dict
) -> list[Problem]:
    """Required columns left unmapped, and one header used for two columns."""
    problems = [
        Problem(
            file,
            None,
            column.label,
            "no column of the file is chosen for it",
            "it is required: choose its column on the mapping page",
        )
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
                    file,
                    None,
                    column.label,
                    f"the file's column chosen for it is also chosen for "
                    f"'{used[index]}'",
                    "choose one column for each",
                )
            )
        used[index] = column.label
    return problems


@dataclass(frozen=True)
class ValueUse:
    """A distinct value found in a choice column, and what Muster reads it as.

    `value` is the allowed value it stands for, or "" when it is not one.
    """

    column: Column
    text: str
    value: str
    rows: int

    @property
    def is_translated(self) -> bool:
        return bool(self.value) and squash(self.text) not in {
            squash(v) for v in _exact_names(self.column)
        }


def _exact_names(column: Column) -> set[str]:
    return {name for pair in column.choices for name in pair}


def value_uses(
    table: Table, columns: tuple[Column, ...], mapping: dict, limit: int = 50
) -> list[ValueUse]:
    """The distinct values of each mapped choice column, most frequent first.

    A column with `split` words (topics) is read word by word. At most `limit`
    values per column are returned: a column with more is not a choice column.
    """
    uses = []
    for column in columns:
        index = mapping.get(column.key)
        if not column.choices or index is None:
            continue
        counts: dict[str, int] = {}
        for cells in table.rows:
            text = cells[index] if index < len(cells) else ""
            for part in _parts(column, text):
                counts[part] = counts.get(part, 0) + 1
        known = synonyms(column, mapping)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        for text, rows in ordered[:limit]:
            uses.append(ValueUse(column, text, _meaning(column, text, known), rows))
    return uses


def _parts(column: Column, text: str) -> list[str]:
    if not text:
        return []
    if column.key != "topics":
        return [text]
    return split_list(text)


def _meaning(column: Column, text: str, known: dict[str, str]) -> str:
    wanted = squash(text)
    for value, label in column.choices:
        if wanted in (squash(value), squash(str(label))):
            return value
    for spelling, value in known.items():
        if wanted == squash(spelling):
            return value
    return ""
