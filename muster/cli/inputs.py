"""Read the people, records and exemptions files of `muster evaluate` into columns.

The files are read by `muster.tabular` (as columns, see `tabular/columnar.py`) and
each distinct cell is checked once by the cell rules the imports use
(`tabular/cells.py`), so the CLI and the imports accept the same dates, hours,
years and words and say the same things. Every file is read to the end and every
problem kept, so one run lists all there is to fix; any problem raises
`InputError`, which shows up to 20 per file.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np

from muster.rules.columns import (
    NO_DAY,
    NO_SURNAME,
    OTHER_RESULT,
    PERSON_DATES,
    RESULTS,
    Codebook,
    ExemptionRow,
    LinesTable,
    PeopleTable,
    attribute_bits,
    day_number,
    surname_letter,
)
from muster.rules.loader import Vocabulary
from muster.rules.model import EXEMPTION_KINDS
from muster.tabular import CellProblem, Limits, Problem, TableError, cells
from muster.tabular.columnar import ColumnTable, read_columns

PEOPLE_COLUMNS = ("id", "discipline", "licensed_on", "attributes")
# Dates some rules count from (columns.PERSON_DATES): a first appointment in the
# role, and the latest break in service; each column may be left out.
PEOPLE_OPTIONAL = PERSON_DATES
# Breaks before the latest one, oldest first: "2015-03-01 to 2017-06-30; ...".
EARLIER_BREAKS = "earlier_breaks"
# The last name, whose first letter places a person in a cycle staggered by
# surname (Illinois's three-year period); the column may be left out.
SURNAME = "surname"
SURNAME_LENGTH = 100
RECORD_COLUMNS = (
    "person",
    "date",
    "hours",
    "area",
    "topics",
    "delivery",
    "provider",
    "result",
)
RECORD_OPTIONAL = ("counts_for", "label")
EXEMPTION_COLUMNS = ("person", "kind", "starts_on", "ends_on", "reason", "requirements")
RESULT_CHOICES = (("pass", "Pass"), ("fail", "Fail"))
# As long as the imports allow a person's external id and a course title.
ID_LENGTH, TEXT_LENGTH = 100, 200
# Past this many problems in one file, only a count is shown: the first ones usually
# share a cause, and a screenful is enough to find it.
MAX_PROBLEMS = 20


class InputError(ValueError):
    """Input files are wrong; `problems` lists what to fix, file by file."""

    def __init__(self, problems: Sequence[Problem | str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Tables:
    """Everything read, as columns; `*_lines` give each row's number in its file."""

    people: PeopleTable
    lines: LinesTable
    exemptions: list[ExemptionRow]
    codebook: Codebook
    people_lines: np.ndarray
    record_lines: np.ndarray
    labels: list[str]  # per distinct label code
    label_codes: np.ndarray  # per line
    hours: list[Decimal]  # per distinct hours code
    hours_codes: np.ndarray  # per line
    people_file: str
    records_file: str


@dataclass
class Rules:
    """The cell rules for these files: the vocabulary's closed lists and today."""

    vocabulary: Vocabulary
    today: date

    def choices(self, words: Collection[str]) -> list[tuple[str, str]]:
        """(word, description) pairs, as the imports offer the same lists."""
        described = self.vocabulary.descriptions
        return sorted((word, described.get(word, word)) for word in words)

    def choice(self, words: Collection[str], kind: str):
        pairs = self.choices(words)
        return lambda text: cells.parse_choice(text, pairs, kind)

    def date(self, text: str) -> date:
        return cells.parse_date(text, today=self.today)

    def date_ahead(self, text: str) -> date:
        latest = cells.end_of_next_year(self.today)
        return cells.parse_date(text, today=self.today, latest=latest)

    def year(self, text: str) -> int:
        return cells.parse_year(text, today=self.today)


def read_tables(
    people_path: str,
    records_path: str,
    exemptions_path: str | None,
    vocabulary: Vocabulary,
    requirement_ids: Collection[str],
    today: date,
) -> Tables:
    """Read and check all files into columns.

    Raises:
        InputError: listing every problem found (up to 20 a file), file by file.
    """
    rules = Rules(vocabulary, today)
    book = Codebook.from_vocabulary(vocabulary)
    people = read_people(people_path, rules, book)
    records = read_records(records_path, rules, people, book)
    reports = [people.problems, records.problems]
    exemptions: list[ExemptionRow] = []
    if exemptions_path is not None:
        exemptions, problems = read_exemptions(
            exemptions_path, rules, people, requirement_ids
        )
        reports.append(problems)
    if any(reports):
        raise InputError([line for report in reports for line in report])
    assert people.table is not None and records.table is not None
    return Tables(
        people.table,
        records.table,
        exemptions,
        book,
        people.rows,
        records.rows,
        records.labels,
        records.label_codes,
        records.hours,
        records.hours_codes,
        people_path,
        records_path,
    )


def read_file(
    path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[ColumnTable | None, dict[str, int | None], list[Problem]]:
    """The file's columns and where each named column is, or the problems that
    stop it from being read (the file as a whole, or its header)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = f"cannot be read: {error.strerror or error}"
        return None, {}, [Problem(path, None, None, reason, "check the path")]
    try:
        table = read_columns(path, data, Limits.for_local_files(), any_name_as_csv=True)
    except TableError as error:
        return None, {}, [error.problem]
    del data
    where, problems = table.locate(required, optional)
    return (None, {}, problems) if problems else (table, where, [])


def shown(table: ColumnTable) -> list[Problem | str]:
    """The table's problems as the CLI prints them: the first MAX_PROBLEMS in row
    order, then how many more there are."""
    problems, hidden = table.problems(MAX_PROBLEMS)
    lines: list[Problem | str] = list(problems)
    if hidden:
        lines.append(f"{table.name}: {hidden} more problems not shown")
    return lines


@dataclass
class People:
    """The people file read: the table, or what was wrong with the file."""

    table: PeopleTable | None
    rows: np.ndarray
    problems: list[Problem | str]
    known: set[str] | None  # every id seen; None when the file was unusable
    index: dict[str, int]  # id -> row of the table


def read_people(path: str, rules: Rules, book: Codebook) -> People:
    found, where, problems = read_file(
        path, PEOPLE_COLUMNS, (*PEOPLE_OPTIONAL, EARLIER_BREAKS, SURNAME)
    )
    if found is None:
        return People(None, np.zeros(0, dtype=np.int64), list(problems), None, {})
    ids = found.check(
        where["id"], "id", lambda t: cells.parse_text(t, ID_LENGTH), required=True
    )
    refuse_repeated_ids(found, where["id"], ids)
    disciplines = found.check(
        where["discipline"],
        "discipline",
        lambda t: cells.parse_word(t, "discipline"),
        required=True,
    )
    licensed = found.check(where["licensed_on"], "licensed_on", rules.date)
    attributes = found.check(
        where["attributes"],
        "attributes",
        lambda t: cells.parse_words(t, kind="attribute"),
    )
    own_dates = {
        name: found.check(where[name], name, rules.date)
        for name in PEOPLE_OPTIONAL
        if where[name] is not None
    }
    earlier = found.check(
        where[EARLIER_BREAKS],
        EARLIER_BREAKS,
        lambda t: cells.parse_breaks(t, today=rules.today),
    )
    surnames = found.check(
        where[SURNAME], SURNAME, lambda t: cells.parse_text(t, SURNAME_LENGTH)
    )
    known = {i for i in ids if i is not None}
    problems = shown(found)
    if problems:
        return People(None, found.rows, problems, known, {})
    column = found.columns
    id_codes = column[where["id"]].codes
    table = PeopleTable(
        ids=np.array(ids, dtype=object)[id_codes].tolist(),
        discipline=spread(
            [book.code(book.disciplines, d) for d in disciplines],
            column[where["discipline"]].codes,
            np.int16,
        ),
        licensed_on=spread(
            [None if d is None else day_number(d) for d in licensed],
            codes_of(found, where["licensed_on"]),
            np.int32,
            NO_DAY,
        ),
        attributes=spread(
            [attribute_bits(book, a or ()) for a in attributes],
            codes_of(found, where["attributes"]),
            np.uint64,
        ),
        dates={
            name: spread(
                [None if d is None else day_number(d) for d in parsed],
                codes_of(found, where[name]),
                np.int32,
                NO_DAY,
            )
            for name, parsed in own_dates.items()
        },
        earlier_breaks={
            int(row): earlier[code]
            for row, code in enumerate(codes_of(found, where[EARLIER_BREAKS]))
            if earlier[code]
        },
        surnames=(
            spread(
                [surname_letter(s or "") for s in surnames],
                codes_of(found, where[SURNAME]),
                np.int8,
                NO_SURNAME,
            )
            if where[SURNAME] is not None
            else np.zeros(0, np.int8)
        ),
    )
    backwards = np.flatnonzero(
        (table.date("separated_on") != NO_DAY)
        & (table.date("returned_on") != NO_DAY)
        & (table.date("returned_on") < table.date("separated_on"))
    )
    if len(backwards):
        rows = found.rows[backwards[:MAX_PROBLEMS]]
        problems = [
            Problem(
                path,
                int(row),
                "returned_on",
                "is before separated_on",
                "a break in service ends after it starts; check both dates",
            )
            for row in rows
        ]
        return People(None, found.rows, problems, known, {})
    problems = breaks_problems(path, table, found.rows)
    if problems:
        return People(None, found.rows, problems, known, {})
    index = {person_id: row for row, person_id in enumerate(table.ids)}
    return People(table, found.rows, [], known, index)


def breaks_problems(path: str, table: PeopleTable, rows: np.ndarray) -> list[Problem]:
    """Earlier breaks that do not end before the latest break starts, or with no
    latest break given, one problem a row (up to MAX_PROBLEMS)."""
    left, back = table.date("separated_on"), table.date("returned_on")
    found = []
    for row, earlier in sorted(table.earlier_breaks.items()):
        latest = left[row] if left[row] != NO_DAY else back[row]
        if latest == NO_DAY:
            message = "is given without the latest break"
            fix = "give separated_on and returned_on for the latest break too"
        elif day_number(earlier[-1][1]) > latest:
            message = f"ends on {earlier[-1][1]}, after the latest break starts"
            fix = "list only the breaks before the latest (separated_on, returned_on)"
        else:
            continue
        found.append(Problem(path, int(rows[row]), EARLIER_BREAKS, message, fix))
        if len(found) == MAX_PROBLEMS:
            break
    return found


def refuse_repeated_ids(found: ColumnTable, at: int | None, ids: list) -> None:
    """A problem at each row whose id an earlier row already has."""
    if at is None:
        return
    codes = found.columns[at].codes
    present = np.array([i is not None for i in ids], dtype=bool)
    distinct, first = np.unique(codes, return_index=True)
    first_of = np.zeros(len(ids), dtype=np.int64)
    first_of[distinct] = first
    positions = np.arange(len(codes))
    repeated = np.flatnonzero(present[codes] & (first_of[codes] != positions))

    def problem(position: int) -> CellProblem:
        code = codes[position]
        first_row = int(found.rows[first_of[code]])
        return CellProblem(
            f"{cells.quoted(ids[code])} is listed twice (first on row {first_row})",
            "list each officer once",
        )

    found.fail(repeated, "id", problem)


def known_person(people: People):
    """The rule for a person id, which must be in the people file (unless that
    file could not be read, when it is not checked)."""

    def parse(text: str) -> str:
        if people.known is not None and text not in people.known:
            raise CellProblem(
                f"{cells.quoted(text)} is not in the people file",
                "add the officer there or correct the id",
            )
        return text

    return parse


@dataclass
class Records:
    """The records file read, with what explanations need: each line's label and
    hours as written (per distinct text, and the code of each line)."""

    table: LinesTable | None
    rows: np.ndarray
    problems: list[Problem | str]
    labels: list[str]
    label_codes: np.ndarray
    hours: list[Decimal]
    hours_codes: np.ndarray


def read_records(path: str, rules: Rules, people: People, book: Codebook) -> Records:
    found, where, problems = read_file(path, RECORD_COLUMNS, RECORD_OPTIONAL)
    nothing = np.zeros(0, dtype=np.int32)
    if found is None:
        return Records(None, nothing, list(problems), [], nothing, [], nothing)
    vocabulary = rules.vocabulary
    check = found.check
    person = check(where["person"], "person", known_person(people), required=True)
    days = check(where["date"], "date", rules.date, required=True)
    hours = check(where["hours"], "hours", cells.parse_hours, required=True)
    areas = check(where["area"], "area", rules.choice(vocabulary.areas, "area"))
    topic_choices = rules.choices(vocabulary.topics)
    topics = check(
        where["topics"],
        "topics",
        lambda t: cells.parse_choices(t, topic_choices, "topic"),
    )
    deliveries = check(
        where["delivery"], "delivery", rules.choice(vocabulary.deliveries, "delivery")
    )
    providers = check(
        where["provider"], "provider", rules.choice(vocabulary.providers, "provider")
    )
    results = check(
        where["result"],
        "result",
        lambda t: cells.parse_choice(t, RESULT_CHOICES, "result"),
    )
    counts_for = check(where["counts_for"], "counts_for", rules.year)
    labels = check(where["label"], "label", lambda t: cells.parse_text(t, TEXT_LENGTH))
    problems = shown(found)
    if problems or people.table is None:
        return Records(None, found.rows, problems, [], nothing, [], nothing)
    index = people.index

    def codes(name: str) -> np.ndarray:
        return codes_of(found, where[name])

    table = LinesTable(
        person=spread([None if p is None else index[p] for p in person],
                      codes("person"), np.int32),
        completed_on=spread([None if d is None else day_number(d) for d in days],
                            codes("date"), np.int32),
        centihours=spread([None if h is None else int(h * 100) for h in hours],
                          codes("hours"), np.int64),
        area=spread([-1 if a is None else book.areas.index(a) for a in areas],
                    codes("area"), np.int8),
        topics=spread([int(book.mask(book.topics, t or ())) for t in topics],
                      codes("topics"), np.uint64),
        # Blank delivery and provider mean the common case, as docs/cli.md says.
        delivery=spread([book.deliveries.index(d or "live") for d in deliveries],
                        codes("delivery"), np.int8),
        provider=spread([book.providers.index(p or "other") for p in providers],
                        codes("provider"), np.int8),
        result=spread([RESULTS.get(r, OTHER_RESULT) for r in results],
                      codes("result"), np.int8),
        counts_for=spread(counts_for, codes("counts_for"), np.int16),
    )  # fmt: skip
    return Records(
        table,
        found.rows,
        [],
        [label or "" for label in labels],
        codes("label"),
        written_hours(found.columns[where["hours"]].values, hours),
        codes("hours"),
    )


def read_exemptions(
    path: str, rules: Rules, people: People, requirement_ids: Collection[str]
) -> tuple[list[ExemptionRow], list[Problem | str]]:
    found, where, problems = read_file(path, EXEMPTION_COLUMNS)
    if found is None:
        return [], list(problems)
    check = found.check
    person = check(where["person"], "person", known_person(people), required=True)
    kinds = [(kind, kind) for kind in EXEMPTION_KINDS]
    kind = check(
        where["kind"],
        "kind",
        lambda t: cells.parse_choice(t, kinds, "exemption kind"),
        required=True,
    )
    starts = check(where["starts_on"], "starts_on", rules.date_ahead, required=True)
    ends = check(where["ends_on"], "ends_on", rules.date_ahead, required=True)
    reasons = check(
        where["reason"], "reason", lambda t: cells.parse_text(t, TEXT_LENGTH)
    )
    requirements = check(
        where["requirements"],
        "requirements",
        lambda t: cells.parse_words(t, requirement_ids, "requirement id"),
    )
    columns = (
        (person, "person"),
        (kind, "kind"),
        (starts, "starts_on"),
        (ends, "ends_on"),
        (reasons, "reason"),
        (requirements, "requirements"),
    )
    rows = list(
        zip(
            *(
                [values[code] for code in codes_of(found, where[name]).tolist()]
                for values, name in columns
            ),
            strict=True,
        )
    )
    backwards = [
        at
        for at, (_, _, starts_on, ends_on, _, _) in enumerate(rows)
        if starts_on and ends_on and ends_on < starts_on
    ]

    def backwards_problem(at: int) -> CellProblem:
        starts_on, ends_on = rows[at][2], rows[at][3]
        return CellProblem(
            f"{ends_on} is before starts_on {starts_on}",
            "an exemption cannot end before it starts",
        )

    found.fail(np.array(backwards, dtype=np.int64), "ends_on", backwards_problem)
    problems = shown(found)
    if problems:
        return [], problems
    return [
        ExemptionRow(
            people.index[who],
            what,
            day_number(starts_on),
            day_number(ends_on),
            frozenset(needs or ()),
            reason or "",
        )
        for who, what, starts_on, ends_on, reason, needs in rows
        if who in people.index
    ], []


def written_hours(texts: list[str], hours: list) -> list[Decimal]:
    """Each distinct hours cell as written, for explanations ("1.50 h", "2 h")."""
    return [
        Decimal(text.replace(",", ".")) if value is not None else Decimal(0)
        for text, value in zip(texts, hours, strict=True)
    ]


def codes_of(found: ColumnTable, at: int | None) -> np.ndarray:
    """The codes of the column at `at`, or all zeros for an absent column (whose
    one distinct value, at code 0, is blank)."""
    if at is None:
        return np.zeros(len(found), dtype=np.int32)
    return found.columns[at].codes


def spread(parsed: list, codes: np.ndarray, dtype, missing=0) -> np.ndarray:
    """Parsed distinct values (None: bad or empty) spread over the rows."""
    table = np.array([missing if p is None else p for p in parsed], dtype=dtype)
    return table[codes] if len(table) else np.zeros(len(codes), dtype=dtype)
