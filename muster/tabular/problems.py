"""What is wrong with an input file, said the same way by the imports and the CLI.

A `Problem` names the file, the row as a spreadsheet numbers it (the header is row
1), the column, what is wrong and, where there is one, how to fix it:

    people.csv, row 7, Hours: "1.005" has more than two decimals; record hours
    to the hundredth (1.25, not 1.255)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: the whole file, a row, or one cell."""

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str = ""

    @property
    def field(self) -> str:
        """The column, or "" for a problem with the file or a whole row."""
        return self.column or ""

    @property
    def text(self) -> str:
        """The message and its fix, without the place."""
        return f"{self.message}; {self.fix}" if self.fix else self.message

    def where(self) -> str:
        place = self.file or "the file"
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f", {self.column}"
        return place

    def __str__(self) -> str:
        return f"{self.where()}: {self.text}"


class CellProblem(ValueError):
    """One cell's text cannot be used; the message reads well after "row 7, Hours:".

    It is a ValueError so that a caller may treat it as any bad value.
    """

    def __init__(self, message: str, fix: str = "") -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}; {fix}" if fix else message)

    def at(self, file: str, row: int | None, column: str | None) -> Problem:
        return Problem(file, row, column, self.message, self.fix)


class TableError(ValueError):
    """The file as a whole cannot be read: too large, the wrong kind, damaged."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def refuse(file: str, message: str, fix: str = "") -> TableError:
    """A TableError about the whole of `file`, to raise."""
    return TableError(Problem(file, None, None, message, fix))
