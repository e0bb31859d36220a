"""Read a large table as dictionary-encoded columns, to check each distinct cell once.

A state's export holds millions of rows but few distinct cells per column (a few
hundred dates, a dozen hours values). `read_columns` gives each column as codes
per row into its distinct texts, so a caller checks each distinct text once with
the `cells` rules and spreads the results over the rows with array indexing; a
failing text's rows are found from its code, so every problem still names its
file, row and column, as the imports' problems do.

A CSV file is read by pyarrow.csv (on every core) when that is sure to read it
as the csv module would: UTF-8 (a byte-order mark allowed), one row a line, no
blank line inside, quotes only around whole cells. Anything else (blank lines,
bare carriage returns, rows of another width, stray quotes, other encodings,
control characters, a workbook) is read by `read_table`, the imports' reader,
and encoded the same way, so both give the same columns, rows and problems.
Rows are numbered as a spreadsheet numbers them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from muster.tabular.cells import squash
from muster.tabular.csvfile import CONTROL, guess_delimiter
from muster.tabular.files import Table, file_kind, read_table
from muster.tabular.limits import Limits
from muster.tabular.problems import CellProblem, Problem

T = TypeVar("T")
Rule = Callable[[str], T]
TEXT = pa.dictionary(pa.int32(), pa.string())
# Large blocks: fewer chunks whose dictionaries must be unified.
BLOCK = 64 << 20
# The newline scan looks at this many bytes at a time, to bound its memory.
SCAN = 16 << 20
QUOTE, LF, CR = 34, 10, 13


@dataclass
class Column:
    """One column: `codes[i]` is the index in `values` of row i's text (stripped).

    Each text appears once in `values`.
    """

    codes: np.ndarray
    values: list[str]

    @classmethod
    def empty(cls, rows: int) -> Column:
        """A column that is blank in every row (an optional column left out)."""
        return cls(np.zeros(rows, dtype=np.int32), [""])

    def texts(self) -> list[str]:
        """Every row's text: for tests and small files only."""
        return [self.values[code] for code in self.codes]


@dataclass
class _Failure:
    """Rows (positions in the table) that failed one check of one column."""

    order: int
    column: str | None
    positions: np.ndarray
    problem: Callable[[int], CellProblem]


@dataclass
class ColumnTable:
    """A file's headers (stripped, as written), its columns in header order, the
    row number of each data row (blank rows are left out), and the problems found.

    `problems_found` holds problems found while reading (a row wider than the
    header); `check` and `fail` add problems about cells.
    """

    name: str
    headers: list[str]
    columns: list[Column]
    rows: np.ndarray
    problems_found: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._failures: list[_Failure] = []

    def __len__(self) -> int:
        return len(self.rows)

    def check(
        self, index: int | None, column: str, rule: Rule[T], *, required=False
    ) -> list[T | None]:
        """Each distinct text of the column at `index` through `rule`: the values,
        None where the text was blank or failed. A failing text is kept as a
        problem at every row holding it, named `column`; a blank one too when the
        column is `required`. An absent column (`index` None) reads as blank.
        """
        found = self.columns[index] if index is not None else Column.empty(len(self))
        parsed: list[T | None] = []
        failed: dict[int, CellProblem] = {}
        for code, text in enumerate(found.values):
            try:
                if not text and required:
                    raise CellProblem("is blank", "it is required")
                parsed.append(rule(text) if text else None)
            except CellProblem as problem:
                parsed.append(None)
                failed[code] = problem
        if failed:
            bad = np.zeros(len(found.values), dtype=bool)
            bad[list(failed)] = True
            positions = np.flatnonzero(bad[found.codes])
            order = -1 if index is None else index
            codes = found.codes
            self.fail(positions, column, lambda at: failed[int(codes[at])], order)
        return parsed

    def fail(
        self,
        positions: np.ndarray,
        column: str | None,
        problem: Callable[[int], CellProblem],
        order: int | None = None,
    ) -> None:
        """A problem at each of `positions` (rows of the table, ascending), made by
        `problem(position)` only for the problems shown."""
        if len(positions):
            if order is None:
                order = self.position_of(column)
            self._failures.append(_Failure(order, column, positions, problem))

    def position_of(self, column: str | None) -> int:
        wanted = squash(column or "")
        for index, header in enumerate(self.headers):
            if wanted and squash(header) == wanted:
                return index
        return -1

    def problems(self, limit: int | None = None) -> tuple[list[Problem], int]:
        """The problems in row order, then column order: at most `limit` of them,
        and how many more there are."""
        found = [(p.row or 0, -1, p) for p in self.problems_found]
        total = len(found)
        for failure in self._failures:
            total += len(failure.positions)
            for at in failure.positions[:limit].tolist():
                row = int(self.rows[at])
                problem = failure.problem(at).at(self.name, row, failure.column)
                found.append((row, failure.order, problem))
        found.sort(key=lambda item: item[:2])
        shown = [problem for *_, problem in found[:limit]]
        return shown, total - len(shown)

    def locate(
        self, required: Sequence[str], optional: Sequence[str] = ()
    ) -> tuple[dict[str, int | None], list[Problem]]:
        """Where each of a fixed set of columns is, by name (compared as the
        imports compare headers: without case, spaces or punctuation), and what is
        wrong with the header: an unknown, repeated or missing column. A column
        without a name is refused where a row holds a value in it."""
        known = {squash(name): name for name in (*required, *optional)}
        where: dict[str, int | None] = dict.fromkeys(known.values())
        problems = []
        columns, expected = ", ".join(known.values()), ", ".join(required)
        for index, header in enumerate(self.headers):
            name = known.get(squash(header))
            if not header:
                self._refuse_unnamed(index)
            elif name is None:
                fix = f"the columns are {columns}"
                problems.append(Problem(self.name, 1, header, "is not known", fix))
            elif where[name] is not None:
                if where[name] != -1:
                    problems.append(
                        Problem(
                            self.name, 1, name, "appears more than once", "keep one"
                        )
                    )
                where[name] = -1
            else:
                where[name] = index
        for name in required:
            if where[name] is None:
                fix = f"the header must name {expected}"
                problems.append(Problem(self.name, 1, name, "is missing", fix))
        return {k: (None if v == -1 else v) for k, v in where.items()}, problems

    def _refuse_unnamed(self, index: int) -> None:
        column = self.columns[index]
        blank = np.array([not text for text in column.values], dtype=bool)
        positions = np.flatnonzero(~blank[column.codes])

        def problem(at: int) -> CellProblem:
            text = column.values[column.codes[at]]
            return CellProblem(
                f'cell {index + 1} holds "{text}", but its column has no name',
                "name the column in row 1, or remove the cell",
            )

        self.fail(positions, None, problem, index)


def read_columns(
    name: str, data: bytes, limits: Limits | None = None, *, any_name_as_csv=False
) -> ColumnTable:
    """The file's columns, read fast where that reads it as `read_table` would.

    Raises:
        TableError: the file as a whole cannot be read (as `read_table` says).
    """
    limits = limits or Limits()
    kind = file_kind(name, data, limits, any_name_as_csv=any_name_as_csv)
    if kind == "csv":
        found = read_plain_csv(name, data, limits)
        if found is not None:
            return found
    return from_table(read_table(name, data, limits, any_name_as_csv=any_name_as_csv))


def from_table(table: Table) -> ColumnTable:
    """A `Table` (rows of text) as columns, its blank rows left out.

    A row with a value beyond the header's columns is a problem, as in the imports.
    """
    width = len(table.headers)
    kept, numbers, problems = [], [], []
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
        kept.append(cells)
        numbers.append(number)
    columns = []
    for index in range(width):
        distinct: dict[str, int] = {}
        codes = np.fromiter(
            (distinct.setdefault(cells[index], len(distinct)) for cells in kept),
            dtype=np.int32,
            count=len(kept),
        )
        columns.append(Column(codes, list(distinct)))
    rows = np.array(numbers, dtype=np.int64)
    return ColumnTable(table.name, list(table.headers), columns, rows, problems)


def read_plain_csv(name: str, data: bytes, limits: Limits) -> ColumnTable | None:
    """The columns of a plain CSV file read by pyarrow, or None when the file is not
    plain enough to be sure pyarrow reads it as the csv module does."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    end = len(data)  # without the line ends that close the file
    while end > start and data[end - 1] in b"\r\n":
        end -= 1
    if has_bare_carriage_returns(data, start, end):
        return None
    header_end = data.find(b"\n", start, end)
    header_end = end if header_end < 0 else header_end + 1
    header = _header(data[start:header_end])
    if header is None:
        return None
    cells, delimiter = header
    quoted = data.find(b'"', start, end) >= 0
    if quoted and not quotes_around_whole_cells(data, start, delimiter):
        return None
    limit = limits.max_line_chars
    if end - start > limit and longest_line(data, start) > limit:
        return None
    columns = _read_body(data, header_end, end, len(cells), delimiter, quoted)
    if columns is None:
        return None
    headers = list(cells)
    while headers and not headers[-1]:
        headers.pop()
    if not headers or any(any(c.values) for c in columns[len(headers) :]):
        return None  # a value beyond the named columns: read_table reports it
    columns = columns[: len(headers)]
    count = len(columns[0].codes) if columns else 0
    if count > limits.max_rows or (count + 1) * len(cells) > limits.max_cells:
        return None  # read_table refuses it, saying which limit
    blank = np.ones(count, dtype=bool)
    for column in columns:
        if column.values:
            blank &= np.array([not v for v in column.values], dtype=bool)[column.codes]
    rows = np.arange(2, count + 2, dtype=np.int64)
    if blank.any():
        keep = ~blank
        rows = rows[keep]
        for column in columns:
            column.codes = column.codes[keep]
    return ColumnTable(name, headers, columns, rows)


def _header(line: bytes) -> tuple[list[str], str] | None:
    """The header's cells (stripped) and the delimiter, if the line reads cleanly."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if CONTROL.search(text):
        return None
    delimiter = guess_delimiter(text.split("\n", 1)[0])  # as read_csv guesses
    try:
        (cells,) = list(csv.reader([text], delimiter=delimiter, strict=True))
    except (ValueError, csv.Error):
        return None
    return [cell.strip() for cell in cells], delimiter


def _read_body(
    data: bytes, start: int, end: int, width: int, delimiter: str, quoted: bool
) -> list[Column] | None:
    names = [f"c{i}" for i in range(width)]
    if start >= end:
        return [Column(np.zeros(0, dtype=np.int32), []) for _ in names]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data).slice(start, end - start),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK),
            # A blank line is a row, as for the csv module; in a file of several
            # columns it is a row of the wrong width, which read_table reads.
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=quoted,
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, TEXT),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    columns = []
    for name in names:
        column = _column(table.column(name))
        if column is None:
            return None
        columns.append(column)
    return columns


def _column(chunked: pa.ChunkedArray) -> Column | None:
    """The column with its texts stripped and each stripped text once; None when a
    text holds a control character (read_table refuses the file)."""
    chunks = chunked.unify_dictionaries().chunks
    if not chunks:
        return Column(np.zeros(0, dtype=np.int32), [])
    raw = chunks[0].dictionary.to_pylist()
    if any(CONTROL.search(text) for text in raw):
        return None
    codes = np.concatenate(
        [chunk.indices.to_numpy(zero_copy_only=False) for chunk in chunks]
    )
    distinct: dict[str, int] = {}
    remap = np.array(
        [distinct.setdefault(text.strip(), len(distinct)) for text in raw],
        dtype=np.int32,
    )
    return Column(
        remap[codes] if len(remap) else codes.astype(np.int32), list(distinct)
    )


def has_bare_carriage_returns(data: bytes, start: int, end: int) -> bool:
    """Whether a line ends in a carriage return alone (old Mac files), which
    pyarrow and the csv module would split differently.

    >>> has_bare_carriage_returns(b"a\\r\\n1\\r\\n", 0, 6)
    False
    >>> has_bare_carriage_returns(b"a\\r1", 0, 3)
    True
    """
    if data.find(b"\r", start, end) < 0:
        return False
    return data.count(b"\r", start, end) != data.count(b"\r\n", start, end)


def quotes_around_whole_cells(data: bytes, start: int, delimiter: str) -> bool:
    """Whether every double quote opens a cell, closes one, or is doubled inside
    one, so that pyarrow and the csv module (strict, as `read_table` reads) split
    the cells alike. A quote inside an unquoted cell, text after a closing quote
    or an unclosed quote make it False.

    >>> quotes_around_whole_cells(b'a,"say ""hi"" now",d\\n', 0, ",")
    True
    >>> quotes_around_whole_cells(b'"b"c', 0, ","), quotes_around_whole_cells(b'a"b', 0, ",")
    (False, False)
    """
    text = np.frombuffer(data, dtype=np.uint8)
    quotes = _positions(text, start, QUOTE)
    if len(quotes) % 2:
        return False
    opening, closing = quotes[0::2], quotes[1::2]
    separators = np.array([ord(delimiter), LF, CR], dtype=np.uint8)
    # An opening quote follows a delimiter or line end, the file's start, or the
    # quote before it (a doubled quote "" inside a quoted cell).
    before = text[np.maximum(opening - 1, 0)]
    doubled_before = np.zeros(len(opening), dtype=bool)
    doubled_before[1:] = opening[1:] - 1 == closing[:-1]
    opens = (opening == start) | np.isin(before, separators) | doubled_before
    # A closing quote is followed by a delimiter, a line end, the file's end, or
    # the next quote (doubled).
    after = text[np.minimum(closing + 1, len(text) - 1)]
    doubled_after = np.zeros(len(closing), dtype=bool)
    doubled_after[:-1] = closing[:-1] + 1 == opening[1:]
    closes = (closing == len(text) - 1) | np.isin(after, separators) | doubled_after
    return bool(opens.all() and closes.all())


def longest_line(data: bytes, start: int = 0) -> int:
    """The length in bytes of the longest line (at least its length in characters).

    >>> longest_line(b"ab\\nabcd\\nabc")
    4
    """
    ends = _positions(np.frombuffer(data, dtype=np.uint8), start, LF)
    bounds = np.concatenate(([start - 1], ends, [len(data)]))
    return int(np.diff(bounds).max()) - 1


def _positions(text: np.ndarray, start: int, byte: int) -> np.ndarray:
    """Where `byte` is in text[start:], a slice at a time to bound the memory."""
    found = [
        np.flatnonzero(text[at : at + SCAN] == byte) + at
        for at in range(start, len(text), SCAN)
    ]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
