"""Evaluate everyone in the input files against a jurisdiction's mandates.

Each mandate is evaluated once for the whole population, in columns (the engine);
a person is shown a result for every mandate that applies to them, and one
`not-applicable` result saying why when none does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np

from muster.cli.inputs import Tables
from muster.rules import ComplianceResult, CreditLine, Jurisdiction, Status
from muster.rules.columns import RESULTS, day_number, from_day_number
from muster.rules.engine import OVERALL_STATUS, PopulationResult, evaluate_population
from muster.rules.evaluation import explain
from muster.tabular.cells import quoted

# A warning lists at most this many row numbers; the count says the rest.
MAX_ROWS_SHOWN = 5


@dataclass(frozen=True)
class Evaluation:
    """The results for all people, and what the reader must be warned about.

    `populations` holds one engine result per mandate of the jurisdiction, in its
    order; a person has a result under each mandate whose `applies` is true.
    """

    jurisdiction: Jurisdiction
    year: int
    as_of: date
    tables: Tables
    populations: tuple[PopulationResult, ...]
    rule_warnings: tuple[str, ...]
    input_warnings: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings about the rules first: they qualify every result."""
        return self.rule_warnings + self.input_warnings

    @property
    def without_mandate(self) -> np.ndarray:
        """People to whom no mandate applies."""
        covered = np.zeros(len(self.tables.people), dtype=bool)
        for population in self.populations:
            covered |= population.applies
        return ~covered


def evaluate_tables(
    jurisdiction: Jurisdiction,
    tables: Tables,
    year: int,
    as_of: date,
    *,
    explain: bool = False,
) -> Evaluation:
    """Evaluate every mandate for everyone; `explain` keeps what explanations need."""
    if explain:
        tables = in_explanation_order(tables)
    populations = tuple(
        evaluate_population(
            tables.people,
            tables.lines,
            mandate,
            year=year,
            as_of=as_of,
            exemptions=tables.exemptions,
            codebook=tables.codebook,
            explain=explain,
        )
        for mandate in jurisdiction.mandates
    )
    return Evaluation(
        jurisdiction,
        year,
        as_of,
        tables,
        populations,
        rule_warnings(populations),
        (*role_warnings(jurisdiction, tables), *late_record_warnings(tables, as_of)),
    )


def rule_warnings(populations: tuple[PopulationResult, ...]) -> tuple[str, ...]:
    """Each result's warnings about its rules, once, in the order results show them.

    A result carries its mandate's warnings, then, when no rule of the mandate is
    encoded for the period, the reason why.
    """
    found = []
    for index, population in enumerate(populations):
        mandate = population.mandate
        rows = np.flatnonzero(population.applies)
        if not len(rows):
            continue
        own = mandate.warnings()
        found += [(int(rows[0]), index, k, w) for k, w in enumerate(own)]
        not_encoded = population.applies & (
            population.status == OVERALL_STATUS.index(Status.NOT_ENCODED)
        )
        undated = not_encoded & undated_people(population)
        before_first = population.applies & population.before_first_people()
        # Not encoded only before their first period, the rest evaluated: the
        # reason is that period's, not the mandate's.
        partly = before_first & population.evaluated_people()
        missing = np.flatnonzero(not_encoded & ~undated & ~partly)
        if len(missing):
            reason = mandate.not_encoded_reason(population.year)
            found.append((int(missing[0]), index, len(own), reason))
        for words, rows in undated_groups(population, np.flatnonzero(undated)):
            found.append(
                (
                    int(rows[0]),
                    index,
                    len(own) + 1,
                    undated_warning(population, words, rows),
                )
            )
        for reason, rows in before_first_groups(population, before_first):
            ids = population.people.ids
            shown = ", ".join(quoted(ids[r]) for r in rows[:MAX_ROWS_SHOWN])
            more = (
                f" and {len(rows) - MAX_ROWS_SHOWN} more"
                if len(rows) > MAX_ROWS_SHOWN
                else ""
            )
            people = "person" if len(rows) == 1 else "people"
            found.append(
                (
                    int(rows[0]),
                    index,
                    len(own) + 2,
                    f"{len(rows)} {people} ({shown}{more}): {reason}",
                )
            )
    return tuple(dict.fromkeys(w for *_, w in sorted(found)))


def before_first_groups(population: PopulationResult, who: np.ndarray):
    """(reason, rows) for the people `who` before their first encoded period,
    one reason for everyone filed under letters of the same group and owing the
    same requirements (`PopulationResult.unencoded_reason`)."""
    rows = np.flatnonzero(who)
    if not len(rows):
        return []
    columns = [c for c in population.unencoded.values()]
    mask = np.zeros(len(rows), dtype=np.int64)
    for bit, column in enumerate(columns):
        mask |= column[rows].astype(np.int64) << bit
    key = population.people.surname_letters()[rows].astype(np.int64) << len(columns)
    found: dict[str, list[np.ndarray]] = {}
    keys, inverse = np.unique(key | mask, return_inverse=True)
    for number in range(len(keys)):
        members = rows[inverse.ravel() == number]
        reason = population.unencoded_reason(int(members[0]))
        found.setdefault(reason, []).append(members)
    return [(reason, np.sort(np.concatenate(parts))) for reason, parts in found.items()]


def before_first_words(population: PopulationResult, rows: np.ndarray) -> list[str]:
    """For the table, each of `rows`: the requirements before their first encoded
    period and when it starts ("" for people who have none)."""
    requirements = [
        r for r in population.mandate.requirements if r.id in population.unencoded
    ]
    if not requirements:
        return [""] * len(rows)
    mask = np.zeros(len(rows), dtype=np.int64)
    for bit, r in enumerate(requirements):
        mask |= population.unencoded[r.id][rows].astype(np.int64) << bit
    letters = population.people.surname_letters()[rows]
    words: dict[tuple[int, int], str] = {}
    found = []
    for letter, bits in zip(letters.tolist(), mask.tolist(), strict=True):
        if not bits:
            found.append("")
            continue
        if (letter, bits) not in words:
            owed = [r for k, r in enumerate(requirements) if bits >> k & 1]
            group = population.mandate.cycles[owed[0].cycle].group_of(letter)
            when = (
                f" before {group.starts_on} (last names {group.letters})"
                if group
                else ""
            )
            words[letter, bits] = (
                f"{', '.join(r.id for r in owed)} {Status.NOT_ENCODED}{when}"
            )
        found.append(words[letter, bits])
    return found


def before_first_cells(
    population: PopulationResult, requirement, rows: np.ndarray
) -> list[str] | None:
    """The requirement status cell, for each of `rows`, of a requirement before
    their first encoded period ("" for the others); None when nobody is."""
    column = population.unencoded.get(requirement.id)
    if column is None or not column[rows].any():
        return None
    cycle = population.mandate.cycles[requirement.cycle]
    letters = population.people.surname_letters()[rows]
    words: dict[int, str] = {}
    cells = []
    for letter, before in zip(letters.tolist(), column[rows].tolist(), strict=True):
        if not before:
            cells.append("")
            continue
        if letter not in words:
            group = cycle.group_of(letter)
            words[letter] = Status.NOT_ENCODED + (
                f": before the first period encoded for last names {group.letters} "
                f"(from {group.starts_on})"
                if group
                else ""
            )
        cells.append(words[letter])
    return cells


def undated_people(population: PopulationResult) -> np.ndarray:
    """People to whom some requirement applies but who lack the date its cycle
    counts from (Florida without a certification date)."""
    found = np.zeros(len(population.people), dtype=bool)
    for column in population.undated.values():
        found |= column
    return found


def undated_words(population: PopulationResult, row: int) -> list[str]:
    """The dates person `row` must have entered for the mandate to be evaluated."""
    mandate = population.mandate
    return list(
        dict.fromkeys(
            mandate.cycles[r.cycle].date_words
            for r in mandate.requirements
            if (column := population.undated.get(r.id)) is not None and column[row]
        )
    )


def undated_reason(population: PopulationResult, row: int) -> str:
    """
    The short reason shown in the table and CSV, or "" when no date is missing.
    """
    words = undated_words(population, row)
    if not words:
        return ""
    return f"no {' or '.join(words)} recorded: enter it to evaluate"


def undated_groups(population: PopulationResult, rows: np.ndarray):
    """(date words, rows) for the people missing each kind of date."""
    found: dict[str, list[int]] = {}
    for row in rows.tolist():
        for words in undated_words(population, row):
            found.setdefault(words, []).append(row)
    return [(words, np.array(rows)) for words, rows in found.items()]


def undated_warning(population: PopulationResult, words: str, rows) -> str:
    ids = population.people.ids
    shown = ", ".join(quoted(ids[r]) for r in rows[:MAX_ROWS_SHOWN])
    more = (
        f" and {len(rows) - MAX_ROWS_SHOWN} more" if len(rows) > MAX_ROWS_SHOWN else ""
    )
    return (
        f"{population.mandate.title}: no {words} recorded for {len(rows)} "
        f"{'person' if len(rows) == 1 else 'people'} ({shown}{more}): enter it to "
        "evaluate them; nothing was evaluated for them, which is not a finding"
    )


def in_explanation_order(tables: Tables) -> Tables:
    """The lines sorted by person, then as `line_sort_key` orders one person's."""
    lines, book = tables.lines, tables.codebook
    distinct = np.unique(lines.topics)
    named = sorted(distinct, key=lambda bits: book.words(book.topics, int(bits)))
    topic_rank = np.searchsorted(distinct, lines.topics)
    topic_rank = np.argsort(np.searchsorted(distinct, named))[topic_rank]
    label_rank = np.argsort(np.argsort(np.array(tables.labels, dtype=object)))
    result_rank = np.array([0, 2, 1, 3])[lines.result]  # "", fail, pass
    order = np.lexsort(
        (
            label_rank[tables.label_codes] if len(label_rank) else tables.label_codes,
            lines.counts_for,
            result_rank,
            lines.provider,
            lines.delivery,
            topic_rank,
            lines.area,
            lines.centihours,
            lines.completed_on,
            lines.person,
        )
    )
    sorted_lines = type(lines)(
        **{name: getattr(lines, name)[order] for name in lines.__dataclass_fields__}
    )
    return replace(
        tables,
        lines=sorted_lines,
        record_lines=tables.record_lines[order],
        label_codes=tables.label_codes[order],
        hours_codes=tables.hours_codes[order],
    )


def person_words(tables: Tables, row: int) -> tuple[str, frozenset[str]]:
    book, people = tables.codebook, tables.people
    discipline = book.disciplines[people.discipline[row]]
    attributes = frozenset(book.words(book.attributes, int(people.attributes[row])))
    return discipline, attributes


def not_applicable(evaluation: Evaluation, row: int) -> ComplianceResult:
    code = evaluation.jurisdiction.code
    discipline, attributes = person_words(evaluation.tables, row)
    return ComplianceResult(
        person=evaluation.tables.people.ids[row],
        mandate="",
        jurisdiction=code,
        as_of=evaluation.as_of,
        status=Status.NOT_APPLICABLE,
        requirements=(),
        notes=(
            f"no {code} mandate applies to discipline {quoted(discipline)} "
            f"(attributes: {', '.join(sorted(attributes)) or 'none'})",
        ),
    )


def results(evaluation: Evaluation) -> Iterator[ComplianceResult]:
    """Every result with its explanation, in people-file order, one at a time.

    The evaluation must have been made with `explain=True`.
    """
    tables = evaluation.tables
    starts = np.searchsorted(tables.lines.person, np.arange(len(tables.people) + 1))
    lines = _LineMaker(tables)
    for row in range(len(tables.people)):
        rows = np.arange(starts[row], starts[row + 1])
        applied = [p for p in evaluation.populations if p.applies[row]]
        if not applied:
            yield not_applicable(evaluation, row)
            continue
        own = [lines.make(tables.people.ids[row], int(r)) for r in rows]
        for population in applied:
            yield explain(population, row, own, rows)


class _LineMaker:
    """Engine credit lines from the columns, for explanations."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        book = tables.codebook
        self.topics: dict[int, frozenset[str]] = {}
        self.areas = book.areas
        self.book = book
        self.results = {code: word for word, code in RESULTS.items()}
        self.days: dict[int, date] = {}

    def make(self, person: str, row: int) -> CreditLine:
        tables, lines, book = self.tables, self.tables.lines, self.book
        bits = int(lines.topics[row])
        if bits not in self.topics:
            self.topics[bits] = frozenset(book.words(book.topics, bits))
        day = int(lines.completed_on[row])
        if day not in self.days:
            self.days[day] = from_day_number(day)
        area = int(lines.area[row])
        hours: Decimal = tables.hours[tables.hours_codes[row]]
        return CreditLine(
            person=person,
            completed_on=self.days[day],
            hours=hours,
            area=None if area < 0 else book.areas[area],
            topics=self.topics[bits],
            delivery=book.deliveries[lines.delivery[row]],
            provider=book.providers[lines.provider[row]],
            result=self.results.get(int(lines.result[row])),
            counts_for=int(lines.counts_for[row]) or None,
            label=tables.labels[tables.label_codes[row]] if tables.labels else "",
        )


def named_roles(jurisdiction: Jurisdiction) -> tuple[set[str] | None, set[str]]:
    """Disciplines the mandates apply to (None: any), and every role word they use."""
    disciplines: set[str] | None = set()
    roles: set[str] = set()
    for mandate in jurisdiction.mandates:
        for alternative in mandate.applies_to:
            if not alternative.disciplines:
                disciplines = None
            elif disciplines is not None:
                disciplines |= alternative.disciplines
        alternatives = [*mandate.applies_to]
        for requirement in mandate.requirements:
            alternatives += requirement.applies_to
            roles |= {role for value in requirement.values for role, _ in value.by_role}
        for alternative in alternatives:
            roles |= alternative.disciplines | alternative.attributes
            roles |= alternative.without_attributes
    return disciplines, roles


def role_warnings(jurisdiction: Jurisdiction, tables: Tables) -> Iterable[str]:
    """Warn about disciplines no mandate names and attributes that look misspelt."""
    disciplines, roles = named_roles(jurisdiction)
    book, people = tables.codebook, tables.people
    where, code = tables.people_file, jurisdiction.code
    by_first_row = []
    for index, discipline in enumerate(book.disciplines):
        rows = np.flatnonzero(people.discipline == index)
        if len(rows):
            by_first_row.append((int(rows[0]), 0, discipline, rows))
    for index, attribute in enumerate(book.attributes):
        rows = np.flatnonzero((people.attributes >> np.uint64(index)) & np.uint64(1))
        if len(rows):
            by_first_row.append((int(rows[0]), 1, attribute, rows))
    for _, kind, word, rows in sorted(by_first_row, key=lambda found: found[:3]):
        shown = row_list(tables.people_lines[rows].tolist())
        if kind == 0 and disciplines is not None and word not in disciplines:
            yield (
                f"{where}: discipline {quoted(word)} ({shown}) is named by no {code} "
                f"mandate, so nothing applies to those officers; {code} mandates name "
                + ", ".join(sorted(disciplines))
            )
        close = difflib.get_close_matches(word, roles - {word}, n=1)
        if kind == 1 and word not in roles and close:
            yield (
                f"{where}: attribute {quoted(word)} ({shown}) is used by no {code} "
                f"mandate; did you mean {quoted(close[0])}?"
            )


def late_record_warnings(tables: Tables, as_of: date) -> Iterable[str]:
    """Records dated after the as-of day are left out; say so, they may be typos."""
    late = tables.lines.completed_on > day_number(as_of)
    if late.any():
        numbers = np.sort(tables.record_lines[late]).tolist()
        yield (
            f"{tables.records_file}: records dated after the as-of date {as_of} "
            f"({row_list(numbers)}) are not counted"
        )


def row_list(numbers: list[int]) -> str:
    """
    >>> row_list([3]), row_list([2, 4, 6, 8, 10, 12, 14])
    ('row 3', 'rows 2, 4, 6, 8, 10 and 2 more')
    """
    shown = ", ".join(str(n) for n in numbers[:MAX_ROWS_SHOWN])
    rest = len(numbers) - MAX_ROWS_SHOWN
    word = "row" if len(numbers) == 1 else "rows"
    return f"{word} {shown}" + (f" and {rest} more" if rest > 0 else "")
