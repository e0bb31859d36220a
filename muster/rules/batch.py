"""Evaluate a whole state or nation at once, in columns (NumPy), without explanations.

The per-person `evaluate` is the reference; this module computes the same statuses,
required and earned amounts for every person with array operations, so a million
officers take about as long as a few sums over their credit lines. Hours travel as
integer hundredths, so both paths compare exact numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from muster.rules.dates import year_end
from muster.rules.evaluation import COUNT_WARNING_DAYS, FINAL_WARNING_DAYS
from muster.rules.loader import Vocabulary, load_vocabulary
from muster.rules.mandate import (
    Applicability,
    CountRule,
    Cycle,
    Kind,
    Mandate,
    Requirement,
    at,
)
from muster.rules.model import CreditLine, Exemption, Person, Status

NO_DAY = np.iinfo(np.int32).min  # licensed_on unknown
RESULTS = {None: 0, "pass": 1, "fail": 2}

# Requirement status codes in the result arrays.
NOT_IN_FORCE, NOT_APPLICABLE, EXEMPT, MET, MISSING = range(5)
REQUIREMENT_STATUS = {
    NOT_APPLICABLE: Status.NOT_APPLICABLE,
    EXEMPT: Status.EXEMPT,
    MET: Status.MET,
    MISSING: Status.MISSING,
}
OVERALL_STATUS = (
    Status.NOT_APPLICABLE,
    Status.EXEMPT,
    Status.COMPLIANT,
    Status.DEFICIENT,
    Status.AT_RISK,
    Status.ON_TRACK,
)


EPOCH = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """Days since 1970-01-01, the epoch NumPy's datetime64[D] uses."""
    return day.toordinal() - EPOCH


def from_day_number(number: int) -> date:
    return date.fromordinal(int(number) + EPOCH)


@dataclass
class Codebook:
    """Integer codes for the words used in columns (areas, topics, roles...)."""

    areas: list[str]
    topics: list[str]
    deliveries: list[str]
    providers: list[str]
    disciplines: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary | None = None) -> Codebook:
        vocabulary = vocabulary or load_vocabulary()
        book = cls(
            sorted(vocabulary.areas),
            sorted(vocabulary.topics),
            sorted(vocabulary.deliveries),
            sorted(vocabulary.providers),
        )
        if len(book.topics) > 63:
            raise ValueError("more than 63 topics do not fit the topic bitmask")
        return book

    def code(self, words: list[str], word: str) -> int:
        """The code of `word`, adding it to an open list (disciplines, attributes)."""
        if word not in words:
            words.append(word)
        return words.index(word)

    def known(self, words: list[str], word: str) -> int:
        """The code of `word`, or -1 when no data uses it (so nothing can match)."""
        return words.index(word) if word in words else -1

    def mask(self, words: list[str], chosen: Iterable[str]) -> np.uint64:
        bits = 0
        for word in chosen:
            index = self.known(words, word)
            if index >= 0:
                if index > 63:
                    raise ValueError(f"too many distinct values to code {word!r}")
                bits |= 1 << index
        return np.uint64(bits)


@dataclass
class PeopleTable:
    """People as columns; row i is person `ids[i]` (ids may be left empty)."""

    ids: list[str]
    discipline: np.ndarray  # int16 codes
    licensed_on: np.ndarray  # int32 day numbers, NO_DAY when unknown
    attributes: np.ndarray  # uint64 bitmask

    def __len__(self) -> int:
        return len(self.discipline)


@dataclass
class LinesTable:
    """Credit lines as columns; `person` is a row index into the PeopleTable."""

    person: np.ndarray  # int32
    completed_on: np.ndarray  # int32 day numbers
    centihours: np.ndarray  # int64 hundredths of an hour
    area: np.ndarray  # int8, -1 for none
    topics: np.ndarray  # uint64 bitmask
    delivery: np.ndarray  # int8
    provider: np.ndarray  # int8
    result: np.ndarray  # int8: 0 none, 1 pass, 2 fail
    counts_for: np.ndarray  # int16 year, 0 for none


@dataclass
class ExemptionRow:
    person: int
    kind: str
    starts_on: int
    ends_on: int
    requirements: frozenset[str]


def build_tables(
    people: Sequence[Person],
    lines: Iterable[CreditLine],
    exemptions: Iterable[Exemption] = (),
    codebook: Codebook | None = None,
) -> tuple[PeopleTable, LinesTable, list[ExemptionRow], Codebook]:
    """Turn engine objects into columns (for tests, the CLI and small batches)."""
    book = codebook or Codebook.from_vocabulary()
    index = {person.id: i for i, person in enumerate(people)}
    table = PeopleTable(
        ids=[p.id for p in people],
        discipline=np.array(
            [book.code(book.disciplines, p.discipline) for p in people], dtype=np.int16
        ),
        licensed_on=np.array(
            [day_number(p.licensed_on) if p.licensed_on else NO_DAY for p in people],
            dtype=np.int32,
        ),
        attributes=np.array(
            [_attribute_bits(book, p.attributes) for p in people], dtype=np.uint64
        ),
    )
    rows = [line for line in lines if line.person in index]
    columns = LinesTable(
        person=np.array([index[r.person] for r in rows], dtype=np.int32),
        completed_on=np.array(
            [day_number(r.completed_on) for r in rows], dtype=np.int32
        ),
        centihours=np.array([int(r.hours * 100) for r in rows], dtype=np.int64),
        area=np.array(
            [book.known(book.areas, r.area) if r.area else -1 for r in rows],
            dtype=np.int8,
        ),
        topics=np.array(
            [int(book.mask(book.topics, r.topics)) for r in rows], dtype=np.uint64
        ),
        delivery=np.array(
            [book.known(book.deliveries, r.delivery) for r in rows], dtype=np.int8
        ),
        provider=np.array(
            [book.known(book.providers, r.provider) for r in rows], dtype=np.int8
        ),
        result=np.array([RESULTS.get(r.result, 2) for r in rows], dtype=np.int8),
        counts_for=np.array([r.counts_for or 0 for r in rows], dtype=np.int16),
    )
    exemption_rows = [
        ExemptionRow(
            index[e.person],
            e.kind,
            day_number(e.starts_on),
            day_number(e.ends_on),
            e.requirements,
        )
        for e in exemptions
        if e.person in index
    ]
    return table, columns, exemption_rows, book


def _attribute_bits(book: Codebook, attributes: Iterable[str]) -> int:
    bits = 0
    for attribute in attributes:
        bits |= 1 << book.code(book.attributes, attribute)
    return bits


@dataclass
class BatchResult:
    """Statuses and amounts for every person; amounts are in hundredths."""

    people: PeopleTable
    requirement_ids: list[str]
    status: np.ndarray  # int8 index into OVERALL_STATUS, per person
    requirement_status: np.ndarray  # int8 [requirement, person]
    required: np.ndarray  # int64 [requirement, person]
    earned: np.ndarray  # int64 [requirement, person]

    def status_of(self, row: int) -> str:
        return OVERALL_STATUS[self.status[row]]

    def counts(self) -> dict[str, int]:
        """How many people have each overall status."""
        tally = np.bincount(self.status, minlength=len(OVERALL_STATUS))
        return {name: int(n) for name, n in zip(OVERALL_STATUS, tally, strict=True)}


@dataclass
class _PeriodColumns:
    start: int
    end: int
    due: np.ndarray  # int32 per person (extensions move it)
    final: np.ndarray  # int32 per person: last day to close a gap


def evaluate_batch(
    people: PeopleTable,
    lines: LinesTable,
    mandate: Mandate,
    *,
    year: int,
    as_of: date,
    exemptions: Sequence[ExemptionRow] = (),
    codebook: Codebook,
) -> BatchResult:
    """Evaluate every person against `mandate` for the periods containing 31 Dec `year`."""
    evaluator = _BatchEvaluator(
        people, lines, mandate, year, as_of, exemptions, codebook
    )
    return evaluator.run()


class _BatchEvaluator:
    def __init__(
        self, people, lines, mandate, year, as_of, exemptions, codebook
    ) -> None:
        self.people = people
        self.lines = lines
        self.mandate = mandate
        self.reference_day = year_end(year)
        self.as_of = day_number(as_of)
        self.waivers = [e for e in exemptions if e.kind == "waiver"]
        self.extensions = [e for e in exemptions if e.kind == "extension"]
        self.book = codebook
        self.size = len(people)
        self._periods: dict[tuple[str, date], _PeriodColumns | None] = {}
        self._placed: dict[tuple[str, int], _PlacedLines] = {}

    def run(self) -> BatchResult:
        n_requirements = len(self.mandate.requirements)
        shape = (n_requirements, self.size)
        statuses = np.full(shape, NOT_IN_FORCE, dtype=np.int8)
        required = np.zeros(shape, dtype=np.int64)
        earned = np.zeros(shape, dtype=np.int64)
        behind = np.zeros(shape, dtype=bool)
        late = np.zeros(shape, dtype=bool)
        for row, requirement in enumerate(self.mandate.requirements):
            outcome = self.requirement(requirement)
            if outcome is None:
                continue
            statuses[row], required[row], earned[row], late[row], behind[row] = outcome
        overall = self.overall(statuses, late, behind)
        return BatchResult(
            self.people,
            [r.id for r in self.mandate.requirements],
            overall,
            statuses,
            required,
            earned,
        )

    def overall(self, statuses, late, behind) -> np.ndarray:
        applicable = (statuses != NOT_IN_FORCE) & (statuses != NOT_APPLICABLE)
        missing = statuses == MISSING
        any_applicable = applicable.any(axis=0)
        all_exempt = any_applicable & ((statuses == EXEMPT) | ~applicable).all(axis=0)
        result = np.full(
            self.size, OVERALL_STATUS.index(Status.ON_TRACK), dtype=np.int8
        )
        result[(missing & behind).any(axis=0)] = OVERALL_STATUS.index(Status.AT_RISK)
        result[(missing & late).any(axis=0)] = OVERALL_STATUS.index(Status.DEFICIENT)
        result[~missing.any(axis=0)] = OVERALL_STATUS.index(Status.COMPLIANT)
        result[all_exempt] = OVERALL_STATUS.index(Status.EXEMPT)
        result[~any_applicable] = OVERALL_STATUS.index(Status.NOT_APPLICABLE)
        result[~self.applies(self.mandate.applies_to)] = OVERALL_STATUS.index(
            Status.NOT_APPLICABLE
        )
        return result

    # People -----------------------------------------------------------------

    def applies(self, alternatives: Sequence[Applicability]) -> np.ndarray:
        if not alternatives:
            return np.ones(self.size, dtype=bool)
        matches = np.zeros(self.size, dtype=bool)
        for alternative in alternatives:
            matches |= self.matches(alternative)
        return matches

    def matches(self, alternative: Applicability) -> np.ndarray:
        book, people = self.book, self.people
        ok = np.ones(self.size, dtype=bool)
        if alternative.disciplines:
            codes = [book.known(book.disciplines, d) for d in alternative.disciplines]
            ok &= np.isin(people.discipline, [c for c in codes if c >= 0])
        if alternative.attributes:
            if any(book.known(book.attributes, a) < 0 for a in alternative.attributes):
                return np.zeros(self.size, dtype=bool)
            need = book.mask(book.attributes, alternative.attributes)
            ok &= (people.attributes & need) == need
        if alternative.without_attributes:
            banned = book.mask(book.attributes, alternative.without_attributes)
            ok &= (people.attributes & banned) == 0
        return ok

    def has_role(self, role: str) -> np.ndarray:
        book = self.book
        by_discipline = self.people.discipline == book.known(book.disciplines, role)
        bit = book.known(book.attributes, role)
        if bit < 0:
            return by_discipline
        return by_discipline | (
            (self.people.attributes >> np.uint64(bit)) & np.uint64(1)
        ).astype(bool)

    def period(self, cycle: Cycle, day: date) -> _PeriodColumns | None:
        key = (cycle.id, day)
        if key not in self._periods:
            self._periods[key] = self._period(cycle, day)
        return self._periods[key]

    def _period(self, cycle: Cycle, day: date) -> _PeriodColumns | None:
        period = cycle.period_containing(day)
        if period is None:
            return None
        start, end, due = (
            day_number(d) for d in (period.start, period.end, period.due_on)
        )
        dues = np.full(self.size, due, dtype=np.int32)
        if cycle.once_from is None:
            for extension in self.extensions:
                if extension.starts_on <= end <= extension.ends_on:
                    dues[extension.person] = max(
                        dues[extension.person], extension.ends_on
                    )
        grace = day_number(period.grace_until) if period.grace_until else due
        return _PeriodColumns(start, end, dues, np.maximum(dues, grace))

    def required_centihours(self, requirement: Requirement, value, start_day: date):
        people = self.people
        amount = np.zeros(self.size, dtype=np.int64)
        if value.hours is not None:
            amount[:] = int(value.hours * 100)
        if value.tiers:
            known = people.licensed_on != NO_DAY
            served = full_years_columns(people.licensed_on, start_day)
            tiered = np.full(self.size, int(value.tiers[0].hours * 100), dtype=np.int64)
            for tier in value.tiers:
                tiered[served >= tier.from_years] = int(tier.hours * 100)
            amount = np.where(known, tiered, amount)
        for role, hours in reversed(value.by_role):
            amount[self.has_role(role)] = int(hours * 100)
        return amount

    # Requirements -----------------------------------------------------------

    def requirement(self, requirement: Requirement):
        cycle = self.mandate.cycles[requirement.cycle]
        period = self.period(cycle, self.reference_day)
        if period is None:
            return None
        start_day = from_day_number(period.start)
        value = at(requirement.values, start_day)
        if value is None or value.hours is None:
            return None
        people = self.people
        status = np.full(self.size, MISSING, dtype=np.int8)
        required = self.required_centihours(requirement, value, start_day)
        known = people.licensed_on != NO_DAY
        exempt = np.zeros(self.size, dtype=bool)
        rule = at(self.mandate.new_licensee, start_day)
        if rule is not None and cycle.once_from is None:
            new = known & (people.licensed_on >= period.start)
            if rule.rule == "exempt-period-of-licensing":
                exempt |= new
            else:
                units = full_units_columns(
                    people.licensed_on, period.end, rule.unit_months
                )
                prorated = np.minimum(required, int(rule.hours_per_unit * 100) * units)
                required = np.where(new, prorated, required)
        exempt, required = self.waive(requirement, cycle, period, exempt, required)
        earned = self.earned(requirement, cycle, period)
        status[earned >= required] = MET
        status[exempt] = EXEMPT
        status[known & (people.licensed_on > period.end)] = NOT_APPLICABLE
        status[~self.applies(requirement.applies_to)] = NOT_APPLICABLE
        late = self.as_of > period.final
        behind = self.behind(requirement, period, required, earned)
        not_applicable = status == NOT_APPLICABLE
        required[not_applicable] = 0
        earned[not_applicable] = 0
        return status, required, earned, late, behind

    def waive(
        self, requirement, cycle: Cycle, period: _PeriodColumns, exempt, required
    ):
        """Exempt or prorate the people whose waivers touch the period.

        People already exempt as new licensees are left as they are, as in the
        per-person path.
        """
        touching: dict[int, list[ExemptionRow]] = {}
        for waiver in self.waivers:
            names_it = not waiver.requirements or requirement.id in waiver.requirements
            overlaps = waiver.starts_on <= period.end and waiver.ends_on >= period.start
            if names_it and overlaps and not exempt[waiver.person]:
                touching.setdefault(waiver.person, []).append(waiver)
        if not touching or not requirement.is_waivable:
            return exempt, required
        exempt, required = exempt.copy(), required.copy()
        rule = at(self.mandate.waivers, from_day_number(period.start))
        if rule is None or rule.rule == "exempt" or cycle.once_from is not None:
            exempt[list(touching)] = True
            return exempt, required
        blocks = [
            (day_number(first), day_number(last))
            for first, last in rule.blocks(from_day_number(period.start), cycle.months)
        ]
        for person, waivers in touching.items():
            worked = sum(
                1
                for first, last in blocks
                if not any(w.starts_on <= last and w.ends_on >= first for w in waivers)
            )
            if worked == 0:
                exempt[person] = True
            else:
                owed = int(rule.hours_per_unit * 100) * worked
                required[person] = min(required[person], owed)
        return exempt, required

    def behind(
        self, requirement, period: _PeriodColumns, required, earned
    ) -> np.ndarray:
        as_of = self.as_of
        days_left = period.due.astype(np.int64) - as_of
        behind = (as_of > period.due) | (days_left < FINAL_WARNING_DAYS)
        if requirement.kind != Kind.HOURS:
            return behind | (days_left < COUNT_WARNING_DAYS)
        total_days = period.due.astype(np.int64) - period.start + 1
        elapsed = max(0, as_of - period.start + 1)
        return behind | (earned * total_days < required * elapsed)

    # Lines ------------------------------------------------------------------

    def earned(self, requirement: Requirement, cycle: Cycle, period: _PeriodColumns):
        view = self.placed_lines(cycle, period)
        counted = view.where(self.book, requirement.counts, subject=True, accepted=True)
        if requirement.kind == Kind.QUALIFICATION:
            counted = _and(counted, view.result == RESULTS["pass"])
        elif requirement.kind == Kind.COMPLETION:
            counted = _and(
                counted,
                (view.result == RESULTS["pass"])
                | ((view.result == RESULTS[None]) & (view.centihours > 0)),
            )
        if requirement.kind != Kind.HOURS:
            return view.per_person(counted, self.size, weight=100)
        cap = self.cap(requirement, from_day_number(period.start))
        if cap is None:
            return view.per_person(counted, self.size)
        cap_rule, limit = cap
        capped = _and(
            counted, view.where(self.book, cap_rule, subject=True, accepted=True)
        )
        free = view.per_person(_and(counted, ~capped), self.size)
        limited = view.per_person(capped, self.size)
        return free + np.minimum(limited, limit)

    def cap(self, requirement: Requirement, start_day: date):
        found = requirement.cap_on(start_day)
        if found is None or found.value.hours is None:
            return None
        return found.rule.counts, int(found.value.hours * 100)

    def placed_lines(self, cycle: Cycle, period: _PeriodColumns) -> _PlacedLines:
        """The lines that count in `period`, as their own smaller columns (cached)."""
        key = (cycle.id, period.start)
        if key not in self._placed:
            self._placed[key] = _PlacedLines.select(
                self.lines, self.placed(cycle, period)
            )
        return self._placed[key]

    def placed(self, cycle: Cycle, period: _PeriodColumns) -> np.ndarray:
        """Lines that count in `period`: by date, or as honoured make-up for it."""
        lines = self.lines
        day = lines.completed_on
        done = day <= self.as_of  # judging a past day uses what was done by then
        inside = (day >= period.start) & (day <= period.end) & done
        marked = lines.counts_for != 0
        if not marked.any():
            return inside
        honoured_here = np.zeros(len(day), dtype=bool)
        honoured = np.zeros(len(day), dtype=bool)
        for year in np.unique(lines.counts_for[marked]):
            target = self.period(cycle, year_end(int(year)))
            if target is None:
                continue
            these = lines.counts_for == year
            final = target.final[lines.person]
            ok = these & (day > target.end) & (day <= final) & done
            honoured |= ok
            if target.start == period.start:
                honoured_here |= ok
        return honoured_here | (inside & ~honoured)


def _and(mask: np.ndarray | None, other: np.ndarray) -> np.ndarray:
    """Combine masks where None stands for "every line" (saves a pass over the data)."""
    return other if mask is None else mask & other


def _any_of(column: np.ndarray, codes: list[int]) -> np.ndarray:
    """column in codes; a few comparisons beat np.isin for short code lists."""
    found = column == codes[0]
    for code in codes[1:]:
        found |= column == code
    return found


@dataclass
class _PlacedLines:
    """The lines of one period: a filtered copy, so each requirement reads less."""

    person: np.ndarray
    centihours: np.ndarray
    hours_weight: np.ndarray  # float64 copy of centihours, as bincount wants
    area: np.ndarray
    topics: np.ndarray
    delivery: np.ndarray
    provider: np.ndarray
    result: np.ndarray

    @classmethod
    def select(cls, lines: LinesTable, mask: np.ndarray) -> _PlacedLines:
        # One index array taken from every column is cheaper than applying the
        # boolean mask eight times.
        index = np.flatnonzero(mask)
        centihours = lines.centihours.take(index)
        return cls(
            person=lines.person.take(index),
            centihours=centihours,
            hours_weight=centihours.astype(np.float64),
            area=lines.area.take(index),
            topics=lines.topics.take(index),
            delivery=lines.delivery.take(index),
            provider=lines.provider.take(index),
            result=lines.result.take(index),
        )

    def where(
        self, book: Codebook, counts: CountRule, *, subject: bool, accepted: bool
    ) -> np.ndarray | None:
        """Lines passing the rule's subject and/or source filters; None when all do."""
        mask = None
        if subject and counts.areas:
            mask = _and(
                mask,
                _any_of(self.area, [book.known(book.areas, a) for a in counts.areas]),
            )
        if subject and counts.topics:
            mask = _and(
                mask, (self.topics & book.mask(book.topics, counts.topics)) != 0
            )
        if accepted and counts.deliveries:
            mask = _and(
                mask,
                _any_of(
                    self.delivery,
                    [book.known(book.deliveries, d) for d in counts.deliveries],
                ),
            )
        if accepted and counts.providers:
            mask = _and(
                mask,
                _any_of(
                    self.provider,
                    [book.known(book.providers, p) for p in counts.providers],
                ),
            )
        return mask

    def per_person(
        self, mask: np.ndarray | None, size: int, weight: int = 0
    ) -> np.ndarray:
        """Sum hundredths (or `weight` per line) of the masked lines for each person."""
        index = None if mask is None else np.flatnonzero(mask)
        person = self.person if index is None else self.person.take(index)
        if weight:
            return np.bincount(person, minlength=size).astype(np.int64) * weight
        weights = self.hours_weight if index is None else self.hours_weight.take(index)
        return np.bincount(person, weights=weights, minlength=size).astype(np.int64)


def full_years_columns(licensed_on: np.ndarray, day: date) -> np.ndarray:
    """Whole years from each licence date to `day` (0 when later), as in `full_years`."""
    days = licensed_on.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years_part = months.astype(np.int64) // 12 + 1970
    month_part = months.astype(np.int64) % 12 + 1
    day_part = (days - months).astype(np.int64) + 1
    between = (day.year - years_part) * 12 + day.month - month_part
    between -= (day.day < day_part).astype(np.int64)
    return np.maximum(0, between // 12)


def full_units_columns(licensed_on: np.ndarray, period_end: int, unit_months: int):
    """Full blocks of `unit_months` after each licence month, as in `full_units`."""
    end = from_day_number(period_end)
    months = (
        licensed_on.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    )
    start_index = months + 1970 * 12 + 1
    end_index = end.year * 12 + end.month
    return np.maximum(0, (end_index - start_index) // unit_months)
