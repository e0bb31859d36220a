"""Read a CSV file into rows of named cells, collecting problems instead of stopping.

Problems name the file, the line as a spreadsheet counts it (the header is line 1)
and the column, because the people who fix these files do so in Excel.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

# Past this many problems in one file, only a count is shown: the first ones usually
# share a cause, and a screenful is enough to find it.
MAX_PROBLEMS = 20

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, at a line and, when known, a column."""

    file: str
    line: int | None
    field: str | None
    text: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f', field "{self.field}"'
        return f"{where}: {self.text}"


class CsvError(ValueError):
    """Input files are wrong; `problems` lists each thing to fix."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Report:
    """The problems found in one file; only the first MAX_PROBLEMS are shown."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int | None, field_name: str | None, text: str) -> None:
        self.problems.append(Problem(self.file, line, field_name, text))

    def lines(self) -> list[Problem | str]:
        """The problems in line order, then how many more were left out."""
        ordered = sorted(self.problems, key=lambda problem: problem.line or 0)
        shown: list[Problem | str] = list(ordered[:MAX_PROBLEMS])
        hidden = len(ordered) - MAX_PROBLEMS
        if hidden > 0:
            shown.append(f"{self.file}: {hidden} more problems not shown")
        return shown


@dataclass
class Row:
    """One data line: its cells by column name, and where to report problems."""

    cells: dict[str, str]
    line: int
    report: Report

    def text(self, name: str) -> str:
        return self.cells.get(name, "")

    def parse(self, name: str, parser: Callable[[str], T]) -> T | None:
        """Parse one cell; on a ValueError record its message and return None."""
        try:
            return parser(self.text(name))
        except ValueError as error:
            self.report.add(self.line, name, str(error))
            return None

    def fail(self, name: str | None, text: str) -> None:
        self.report.add(self.line, name, text)


def read_rows(
    path: Path, label: str, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[Row], Report]:
    """Read `path`, checking its header; skip blank lines.

    `label` is how messages name the file (usually the path as the user typed it).
    A file that cannot be read, or whose header is wrong, gives no rows.
    """
    report = Report(label)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
    except OSError as error:
        report.add(None, None, f"cannot be read: {error.strerror or error}")
        return [], report
    except UnicodeDecodeError:
        report.add(
            None,
            None,
            'is not UTF-8 text; in Excel, save it as "CSV UTF-8 (Comma delimited)"',
        )
        return [], report
    except csv.Error as error:
        report.add(None, None, f"is not valid CSV: {error}")
        return [], report
    if not any(any(cell.strip() for cell in line) for line in lines):
        expected = ", ".join(required)
        report.add(
            1,
            None,
            f"the file is empty; its first line must name the columns {expected}",
        )
        return [], report
    header = [cell.strip().lower() for cell in lines[0]]
    if len(header) == 1 and ";" in header[0]:
        # Excel in many European locales separates with semicolons.
        report.add(
            1,
            None,
            'the columns are separated by ";", not commas; in Excel, save it as '
            '"CSV UTF-8 (Comma delimited)"',
        )
        return [], report
    if not check_header(header, required, optional, report):
        return [], report
    rows = [
        Row(cells, number, report)
        for number, line in enumerate(lines[1:], start=2)
        if (cells := named_cells(header, line, number, report)) is not None
    ]
    return rows, report


def check_header(
    header: list[str], required: Sequence[str], optional: Sequence[str], report: Report
) -> bool:
    known = [*required, *optional]
    columns, expected = ", ".join(known), ", ".join(required)
    for name, count in Counter(header).items():
        if name and name not in known:
            report.add(1, name, f"unknown column; the columns are {columns}")
        elif name and count > 1:
            report.add(1, name, "the column appears more than once; keep one")
    for name in required:
        if name not in header:
            report.add(1, name, f"missing column; the header must name {expected}")
    return not report.problems


def named_cells(
    header: list[str], line: list[str], number: int, report: Report
) -> dict[str, str] | None:
    """The cells of one line by column name, or None for a blank line."""
    cells = [cell.strip() for cell in line]
    if not any(cells):
        return None
    for position, cell in enumerate(cells, start=1):
        if cell and (position > len(header) or not header[position - 1]):
            report.add(
                number,
                None,
                f'cell {position} holds "{cell}" but its column has no name in the '
                "header; remove it or name the column",
            )
    return {name: cell for name, cell in zip(header, cells, strict=False) if name}


def iter_problems(reports: Sequence[Report]) -> Iterator[Problem | str]:
    for report in reports:
        yield from report.lines()
