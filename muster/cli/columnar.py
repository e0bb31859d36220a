"""Read people, records and exemptions CSV files straight into the engine's columns.

A state's files hold millions of records, so they are read with a columnar reader
(pyarrow.csv, both cores) and every column is dictionary-encoded: each distinct
cell is checked once, by the same cell rules as the careful reader (`fields`), and
the results are spread back over the rows with array indexing. When a cell is
wrong, the rows holding it are found from the codes, so messages name the file,
line and column exactly as the careful reader (`csvinput`) would.

Files the fast reader cannot number line for line (blank lines, cells spanning
lines, ragged rows, a bad header or encoding) are handed to the careful reader,
which reads them row by row and reports what is wrong; the small exemptions file
always is.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from muster.cli import csvinput, fields
from muster.cli.csvtable import CsvError, Problem, Report, check_header, iter_problems
from muster.rules.columns import (
    NO_DAY,
    OTHER_RESULT,
    RESULTS,
    Codebook,
    ExemptionRow,
    LinesTable,
    PeopleTable,
    attribute_bits,
    build_tables,
    day_number,
    lines_table,
)
from muster.rules.loader import Vocabulary

TEXT = pa.dictionary(pa.int32(), pa.string())
BOM = b"\xef\xbb\xbf"
BLOCK = 64 << 20


def has_blank_or_bare_cr_lines(data: bytes) -> bool:
    """Whether lines are blank before the end, or end in a bare carriage return
    (old Mac files): the columnar reader would number such lines differently."""
    end = len(data.rstrip(b"\r\n")) if data[-2:].strip() == b"" else len(data)
    if data.find(b"\n\n", 0, end) >= 0 or data.find(b"\n\r\n", 0, end) >= 0:
        return True
    if data.find(b"\r", 0, end) < 0:
        return False
    return data.count(b"\r", 0, end) != data.count(b"\r\n", 0, end)


@dataclass
class Tables:
    """Everything read, as columns; `*_lines` give each row's line in its file."""

    people: PeopleTable
    lines: LinesTable
    exemptions: list[ExemptionRow]
    codebook: Codebook
    people_lines: np.ndarray
    record_lines: np.ndarray
    labels: list[str]  # per distinct label code
    label_codes: np.ndarray  # per line
    hours: list  # per distinct hours code, the Decimal as written
    hours_codes: np.ndarray  # per line
    people_file: str
    records_file: str


@dataclass
class Column:
    """One dictionary-encoded column: `codes` per row index `values`."""

    codes: np.ndarray
    values: list[str]

    def parse(self, parser: Callable[[str], object]) -> tuple[list, dict[int, str]]:
        """Each distinct value parsed (None where it failed), and the failures."""
        parsed, failed = [], {}
        for code, value in enumerate(self.values):
            try:
                parsed.append(parser(value))
            except ValueError as error:
                parsed.append(None)
                failed[code] = str(error)
        return parsed, failed


@dataclass
class FileColumns:
    """A file read by the fast reader: its columns and each row's line number."""

    columns: dict[str, Column]
    lines: np.ndarray
    report: Report

    def column(self, name: str) -> Column:
        """A column by name; an optional column that is absent reads as empty."""
        if name in self.columns:
            return self.columns[name]
        return Column(np.zeros(len(self.lines), dtype=np.int32), [""])

    def check(self, order: int, name: str, parser: Callable[[str], object]) -> list:
        """Parse every distinct value of a column; record a problem per bad cell."""
        column = self.column(name)
        parsed, failed = column.parse(parser)
        for code, message in failed.items():
            for row in np.flatnonzero(column.codes == code):
                self.problems.append((int(self.lines[row]), order, name, message))
        return parsed

    def __post_init__(self) -> None:
        self.problems: list[tuple[int, int, str, str]] = []

    def flush(self) -> None:
        """Move the problems into the report in line order, then column order."""
        for line, _, name, message in sorted(self.problems):
            self.report.add(line, name, message)
        self.problems.clear()


def read_fast(
    path: str, required: Collection[str], optional: Collection[str] = ()
) -> FileColumns | None:
    """The file's columns, or None for the careful reader to handle (and report)."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if has_blank_or_bare_cr_lines(data):
        return None  # numbered by the careful reader
    end = data.find(b"\n")
    end = len(data) if end < 0 else end + 1
    try:
        (header,) = list(csv.reader([data[:end].decode("utf-8")]))
    except (UnicodeDecodeError, ValueError, csv.Error):
        return None
    names = [cell.strip().lower() for cell in header]
    report = Report(path)
    if not check_header(names, list(required), list(optional), report):
        return None
    unnamed = [f"\0{i}" for i, name in enumerate(names) if not name]
    names = [name or f"\0{i}" for i, name in enumerate(names)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data[end:]),
            # Large blocks: fewer chunks whose dictionaries must be unified.
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: TEXT for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    columns = {}
    for name in names:
        chunks = table.column(name).unify_dictionaries().chunks
        values = chunks[0].dictionary.to_pylist() if chunks else []
        if any("\n" in value or "\r" in value for value in values):
            return None  # a cell spanning lines: line numbers need the careful reader
        codes = (
            np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks])
            if chunks
            else np.zeros(0, dtype=np.int32)
        )
        columns[name] = Column(codes.astype(np.int32), [v.strip() for v in values])
    del table
    if any(any(columns[name].values) for name in unnamed):
        return None  # a value in a column without a name
    blank = np.ones(len(columns[names[0]].codes), dtype=bool)
    for column in columns.values():
        empty = np.array([not value for value in column.values], dtype=bool)
        blank &= empty[column.codes] if len(empty) else True
    lines = np.arange(2, len(blank) + 2)
    if blank.any():
        keep = ~blank
        lines = lines[keep]
        for column in columns.values():
            column.codes = column.codes[keep]
    return FileColumns(columns, lines, report)


def spread(parsed: list, codes: np.ndarray, dtype, missing=0) -> np.ndarray:
    """Parsed distinct values (None: bad or empty) spread over the rows."""
    table = np.array([missing if p is None else p for p in parsed], dtype=dtype)
    return table[codes] if len(table) else np.zeros(len(codes), dtype=dtype)


def read_tables(
    people_path: str,
    records_path: str,
    exemptions_path: str | None,
    vocabulary: Vocabulary,
    requirement_ids: Collection[str],
) -> Tables:
    """Read and check all files into columns.

    Raises:
        CsvError: listing every problem found, file by file.
    """
    book = Codebook.from_vocabulary(vocabulary)
    people = read_people(people_path, book)
    records = read_records(records_path, vocabulary, people.known, people.index, book)
    reports = [people.report, records.report]
    exemptions: list[ExemptionRow] = []
    if exemptions_path is not None:
        found, report = csvinput.read_exemptions(
            exemptions_path, people.known, requirement_ids
        )
        reports.append(report)
        exemptions = [
            ExemptionRow(
                people.index[e.person],
                e.kind,
                day_number(e.starts_on),
                day_number(e.ends_on),
                e.requirements,
                e.reason,
            )
            for e in found
            if e.person in people.index
        ]
    problems = list(iter_problems(reports))
    if problems:
        raise CsvError(problems)
    return Tables(
        people.table,
        records.table,
        exemptions,
        book,
        people.lines,
        records.lines,
        records.labels,
        records.label_codes,
        records.hours,
        records.hours_codes,
        people_path,
        records_path,
    )


@dataclass
class _People:
    table: PeopleTable | None
    lines: np.ndarray
    report: Report
    known: set[str] | None  # every id seen; None when the file was unusable
    index: dict[str, int]  # id -> row


def read_people(path: str, book: Codebook) -> _People:
    found = read_fast(path, csvinput.PEOPLE_COLUMNS)
    if found is None:
        return _careful_people(path, book)
    ids = found.column("id")
    id_values = found.check(0, "id", fields.required)
    # One code per distinct id (cells may differ only in spaces), to find repeats.
    canonical: dict[str, int] = {}
    id_code = np.array(
        [
            -1 if v is None else canonical.setdefault(v, len(canonical))
            for v in id_values
        ],
        dtype=np.int64,
    )
    row_ids = id_code[ids.codes] if len(id_code) else np.zeros(0, dtype=np.int64)
    has_id = row_ids >= 0
    first_row = np.full(len(canonical), -1, dtype=np.int64)
    rows_with_id = np.flatnonzero(has_id)
    distinct, first = np.unique(row_ids[rows_with_id], return_index=True)
    first_row[distinct] = rows_with_id[first]
    repeated = rows_with_id[first_row[row_ids[rows_with_id]] != rows_with_id]
    names = list(canonical)
    for row in repeated:
        first_line = int(found.lines[first_row[row_ids[row]]])
        found.problems.append(
            (
                int(found.lines[row]),
                0,
                "id",
                f"{fields.quoted(names[row_ids[row]])} is listed twice (first on "
                f"line {first_line}); list each officer once",
            )
        )
    disciplines = found.check(1, "discipline", fields.required)
    licensed = found.check(2, "licensed_on", fields.parse_optional_date)
    attributes = found.column("attributes")
    found.flush()
    if found.report.problems:
        return _People(None, found.lines, found.report, set(names), {})
    discipline_codes = [book.code(book.disciplines, d.lower()) for d in disciplines]
    bits = [
        attribute_bits(book, {a.lower() for a in fields.split_list(text)})
        for text in attributes.values
    ]
    table = PeopleTable(
        ids=[names[i] for i in row_ids],
        discipline=spread(discipline_codes, found.column("discipline").codes, np.int16),
        licensed_on=spread(
            [None if d is None else day_number(d) for d in licensed],
            found.column("licensed_on").codes,
            np.int32,
            NO_DAY,
        ),
        attributes=spread(bits, attributes.codes, np.uint64),
    )
    index = {person_id: row for row, person_id in enumerate(table.ids)}
    return _People(table, found.lines, found.report, set(names), index)


def _careful_people(path: str, book: Codebook) -> _People:
    people, report, known = csvinput.read_people(path)
    if report.problems:
        return _People(None, np.zeros(0, dtype=np.int64), report, known, {})
    table, _, _, _ = build_tables([p for _, p in people], (), (), book)
    lines = np.array([line for line, _ in people], dtype=np.int64)
    index = {p.id: row for row, (_, p) in enumerate(people)}
    return _People(table, lines, report, known, index)


@dataclass
class _Records:
    table: LinesTable | None
    lines: np.ndarray
    report: Report
    labels: list[str]
    label_codes: np.ndarray
    hours: list = ()
    hours_codes: np.ndarray | None = None


def read_records(
    path: str,
    vocabulary: Vocabulary,
    known: set[str] | None,
    index: dict[str, int],
    book: Codebook,
) -> _Records:
    found = read_fast(path, csvinput.RECORD_COLUMNS, csvinput.RECORD_OPTIONAL)
    if found is None:
        return _careful_records(path, vocabulary, known, index, book)
    person = found.check(0, "person", csvinput.known_person(known))
    days = found.check(1, "date", fields.parse_date)
    hours = found.check(2, "hours", fields.parse_hours)
    areas = found.check(3, "area", fields.choice(vocabulary.areas, "area"))
    topics = found.check(4, "topics", fields.words(vocabulary.topics, "topic"))
    deliveries = found.check(
        5, "delivery", fields.choice(vocabulary.deliveries, "delivery")
    )
    providers = found.check(
        6, "provider", fields.choice(vocabulary.providers, "provider")
    )
    results = found.check(7, "result", fields.choice(csvinput.RESULTS, "result"))
    counts_for = found.check(8, "counts_for", fields.parse_year)
    found.flush()
    labels = found.column("label")
    if found.report.problems or not index:
        return _Records(None, found.lines, found.report, [], labels.codes)
    column = found.column
    table = LinesTable(
        person=spread(
            [None if p is None else index[p] for p in person],
            column("person").codes,
            np.int32,
        ),
        completed_on=spread(
            [None if d is None else day_number(d) for d in days],
            column("date").codes,
            np.int32,
        ),
        centihours=spread(
            [None if h is None else int(h * 100) for h in hours],
            column("hours").codes,
            np.int64,
        ),
        area=spread(
            [-1 if a is None else book.areas.index(a) for a in areas],
            column("area").codes,
            np.int8,
        ),
        topics=spread(
            [int(book.mask(book.topics, t or ())) for t in topics],
            column("topics").codes,
            np.uint64,
        ),
        # Blank delivery and provider mean the common case, as docs/cli.md says.
        delivery=spread(
            [book.deliveries.index(d or "live") for d in deliveries],
            column("delivery").codes,
            np.int8,
        ),
        provider=spread(
            [book.providers.index(p or "other") for p in providers],
            column("provider").codes,
            np.int8,
        ),
        result=spread(
            [RESULTS.get(r, OTHER_RESULT) for r in results],
            column("result").codes,
            np.int8,
        ),
        counts_for=spread(counts_for, column("counts_for").codes, np.int16),
    )
    return _Records(
        table,
        found.lines,
        found.report,
        labels.values,
        labels.codes,
        hours,
        column("hours").codes,
    )


def _careful_records(path, vocabulary, known, index, book) -> _Records:
    records, report = csvinput.read_records(path, vocabulary, known)
    lines = np.array([line for line, _ in records], dtype=np.int64)
    if report.problems or not index:
        return _Records(None, lines, report, [], np.zeros(0, dtype=np.int32))
    table = lines_table([r for _, r in records], index, book)
    labels = sorted({r.label for _, r in records})
    code = {label: i for i, label in enumerate(labels)}
    label_codes = np.array([code[r.label] for _, r in records], dtype=np.int32)
    written = {str(r.hours): r.hours for _, r in records}  # 1.50 stays 1.50
    hours_code = {text: i for i, text in enumerate(written)}
    hours_codes = np.array([hours_code[str(r.hours)] for _, r in records], np.int32)
    return _Records(
        table, lines, report, labels, label_codes, list(written.values()), hours_codes
    )


__all__ = ["Problem", "Tables", "read_tables"]
