"""The evaluation engine: every rule shape, written once, over columns.

A population of people is evaluated against one mandate with array operations
(NumPy), so a state of a million officers takes about as long as a few sums over
their credit lines; one person is a population of one. Hours travel as integer
hundredths, so every sum is exact.

With `explain=True` the engine also keeps, for each requirement, how every line of
the period fared (counted, cut by a cap, refused and why) and why lines fall
outside each period. `evaluation.evaluate` turns those arrays into the sentences a
person reads; nothing there decides anything the arrays have not.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from muster.rules import split
from muster.rules.breaks import with_breaks_in_play
from muster.rules.columns import (
    NO_DAY,
    RESULTS,
    Codebook,
    ExemptionRow,
    LinesTable,
    PeopleTable,
    day_number,
    from_day_number,
)
from muster.rules.dates import add_months, year_end
from muster.rules.mandate import (
    SURNAME,
    Alternative,
    Applicability,
    BreakRule,
    CapInForce,
    CarryOverRule,
    CountRule,
    Cycle,
    Kind,
    Mandate,
    NewLicenseeRule,
    Requirement,
    RequirementValue,
    ShortfallRule,
    WaiverRule,
    at,
    for_period,
)
from muster.rules.model import Period, Status

# Count-type requirements (a course, a qualification) are "at risk" once this few
# days remain; hours requirements also when behind a straight-line pace.
COUNT_WARNING_DAYS = 90
FINAL_WARNING_DAYS = 30

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
    Status.NOT_ENCODED,
)

# Why a line is not placed in a period (explanations).
PLACED, AFTER_AS_OF, MADE_UP_ELSEWHERE, OUTSIDE_PERIOD = range(4)
# Why a line on a requirement's subject still does not count toward it.
ACCEPTED, WRONG_DELIVERY, WRONG_PROVIDER, NOT_PASSED, NO_PASS, NOT_COMPLETED = range(6)
TOO_SHORT = 6  # shorter than the named course's own length (`counts.min_hours`)
# What a new-licensee rule did to a person's requirement.
NOT_NEW, NEW_EXEMPT, NEW_PRORATED = range(3)


def cents(hours: Decimal) -> int:
    """Exact hours as integer hundredths (the loader refuses finer values)."""
    return int(hours * 100)


@dataclass
class PeriodColumns:
    """One period of a cycle for everyone; extensions move each person's deadline."""

    cycle: Cycle
    period: Period  # as the cycle defines it, before extensions
    start: int
    end: int
    due: np.ndarray  # int32 per person
    final: np.ndarray  # int32 per person: last day to close a gap
    # Per-person cycles, a population of several phases: each person's own period
    # (extension applied; None where the requirement is not in force for them).
    # `period`, `start` and `end` are then one group's: read `of(row)`.
    periods: OwnPeriods | None = None

    def of(self, row: int) -> Period:
        """The period as person `row` sees it, with any extension applied."""
        if self.periods is not None:
            own = self.periods[row]
            if own is not None:
                return own
        due_on = from_day_number(self.due[row])
        return Period(
            self.period.start, self.period.end, due_on, self.period.grace_until
        )


class OwnPeriods(Sequence):
    """Each person's own period of a per-person cycle, read from their phase
    group's columns when asked: building a Period for every person of a state
    up front cost more than evaluating them."""

    def __init__(self, size: int, sources: list[tuple[np.ndarray, PeriodColumns]]):
        self.sources = [period for _, period in sources]
        self.group = np.full(size, -1, dtype=np.int64)
        self.local = np.zeros(size, dtype=np.int64)
        for number, (rows, _) in enumerate(sources):
            self.group[rows] = number
            self.local[rows] = np.arange(len(rows))

    def __len__(self) -> int:
        return len(self.group)

    def __getitem__(self, row):  # type: ignore[override]
        number = int(self.group[row])
        if number < 0:
            return None
        return self.sources[number].of(int(self.local[row]))


@dataclass
class LinePlacement:
    """How the lines of a period whose subject fits fared against one requirement.

    `rows` index the LinesTable; the other arrays run along `rows`. `counted` is in
    hundredths of an hour, or 100 per counted completion or qualification.
    """

    rows: np.ndarray
    refusal: np.ndarray  # int8: ACCEPTED or why not
    counted: np.ndarray  # int64
    over_cap: np.ndarray  # int64 hundredths refused by the caps, in all
    # Hundredths each cap in force cut from each line (one array per cap, in the
    # order of `RequirementOutcome.caps`), so the explanation names the cap.
    cut_by: tuple[np.ndarray, ...] = ()


@dataclass
class WaiverOutcome:
    """The waivers touching each person's period (indices into the exemptions)."""

    touching: dict[int, list[int]] = field(default_factory=dict)
    rule: WaiverRule | None = None
    blocks: int = 0
    worked: dict[int, int] = field(default_factory=dict)  # prorated people only


@dataclass
class ShortfallOutcome:
    """A tolerated shortfall in force: who has an approved absence in the period
    (indices into the exemptions) and what was asked before the tolerance."""

    rule: ShortfallRule
    full_required: np.ndarray  # int64 hundredths per person, before the tolerance
    absences: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class CarriedOver:
    """Hours carried into the period from the one before (`source`; None when no
    requirement was in force then), in hundredths per person."""

    rule: CarryOverRule
    source: Period | None
    hours: np.ndarray


@dataclass
class RequirementOutcome:
    """One requirement in force for the period, for everyone, and the reasons."""

    requirement: Requirement
    value: RequirementValue
    period: PeriodColumns
    caps: tuple[CapInForce, ...]
    licensed_after: np.ndarray  # bool: not applicable, licensed after the period
    new_licensee: np.ndarray  # int8: NOT_NEW, NEW_EXEMPT or NEW_PRORATED
    new_licensee_rule: NewLicenseeRule | None
    prorate_units: np.ndarray | None  # full blocks left, under a prorate rule
    prorated_required: np.ndarray | None  # hundredths owed after the proration
    waivers: WaiverOutcome
    late: np.ndarray  # bool: past the last day to close a gap
    behind: np.ndarray  # bool: needs attention now
    lines: LinePlacement | None = None
    shortfall: ShortfallOutcome | None = None
    carried: CarriedOver | None = None
    # Consecutive periods missed, ending with this one (final misses only), when
    # the requirement has consequences for repeated misses.
    misses: np.ndarray | None = None
    # Alternatives in force (`Requirement.satisfied_by`); `whole` is 1 + the index
    # of the one each person satisfied (0: none), `whole_rows` (explaining) the
    # LinesTable rows of the lines that satisfied each.
    alternatives: tuple[Alternative, ...] = ()
    whole: np.ndarray | None = None
    whole_rows: list[np.ndarray] = field(default_factory=list)

    @property
    def cap(self) -> CapInForce | None:
        """The first cap in force (most requirements have at most one)."""
        return self.caps[0] if self.caps else None


@dataclass
class PopulationResult:
    """Statuses and amounts for every person; amounts are in hundredths.

    `requirement_status`, `required` and `earned` have one row per requirement of
    the mandate, in its order; `outcomes` holds the reasons (None: not in force).
    """

    people: PeopleTable
    mandate: Mandate
    requirement_ids: list[str]
    applies: np.ndarray  # bool per person: the mandate applies
    status: np.ndarray  # int8 index into OVERALL_STATUS, per person
    requirement_status: np.ndarray  # int8 [requirement, person]
    required: np.ndarray  # int64 [requirement, person]
    earned: np.ndarray  # int64 [requirement, person]
    outcomes: list[RequirementOutcome | None]
    as_of: date
    exemptions: Sequence[ExemptionRow] = ()
    year: int = 0  # the periods evaluated contain 31 December of this year
    outside: dict[str, np.ndarray] = field(default_factory=dict)  # explain: per line
    unhonoured_marks: np.ndarray | None = None  # explain: make-up marks not honoured
    # Per-person cycles: the phase groups evaluated (empty otherwise). Each
    # person's full detail, explanation included, is in their group's result.
    groups: list[PhaseGroup] = field(default_factory=list)
    # Requirement id -> bool per person: it applies to them, but they lack the
    # date its per-person cycle counts from (Florida without a certification
    # date), so it could not be evaluated.
    undated: dict[str, np.ndarray] = field(default_factory=dict)
    # Requirement id -> bool per person: it applies to them, but the year falls
    # before the first period encoded for them (an Illinois surname group whose
    # first period has not begun): not evaluated, and said as NO RULES ENCODED
    # with the reason (`unencoded_reason`), never read as owing nothing.
    unencoded: dict[str, np.ndarray] = field(default_factory=dict)

    def before_first_people(self) -> np.ndarray:
        """Who has some requirement before their first encoded period."""
        found = np.zeros(len(self.people), dtype=bool)
        for column in self.unencoded.values():
            found |= column
        return found

    def evaluated_people(self) -> np.ndarray:
        """Who has some requirement evaluated (met, missing or exempt)."""
        codes = self.requirement_status
        return ((codes != NOT_IN_FORCE) & (codes != NOT_APPLICABLE)).any(axis=0)

    def unencoded_reason(self, row: int) -> str:
        """Why person `row` has requirements before their first encoded period,
        naming them ("" when none): the warning their result carries."""
        letter = int(self.people.surname_letters()[row])
        labels, why = [], ""
        for requirement in self.mandate.requirements:
            column = self.unencoded.get(requirement.id)
            if column is not None and column[row]:
                labels.append(requirement.label)
                cycle = self.mandate.cycles[requirement.cycle]
                why = why or cycle.before_first_of(letter)
        if not labels:
            return ""
        return (
            f"NO RULES ENCODED for the period containing 31 December {self.year} of "
            f"{'; '.join(labels)} in the {self.mandate.title}: {why} This is not a "
            "finding that nothing is owed: check the official text for that period."
        )

    def group_of(self, row: int) -> tuple[PopulationResult, int, PhaseGroup | None]:
        """(result, row in it, group) holding person `row`'s own detail."""
        for group in self.groups:
            found = np.flatnonzero(group.rows == row)
            if len(found):
                return group.result, int(found[0]), group
        return self, row, None

    def status_of(self, row: int) -> str:
        return OVERALL_STATUS[self.status[row]]

    def counts(self) -> dict[str, int]:
        """How many people have each overall status."""
        tally = np.bincount(self.status, minlength=len(OVERALL_STATUS))
        return {name: int(n) for name, n in zip(OVERALL_STATUS, tally, strict=True)}


def evaluate_population(
    people: PeopleTable,
    lines: LinesTable,
    mandate: Mandate,
    *,
    year: int,
    as_of: date,
    exemptions: Sequence[ExemptionRow] = (),
    codebook: Codebook,
    explain: bool = False,
    parts: int | None = None,
) -> PopulationResult:
    """Evaluate everyone against `mandate` for the periods containing 31 Dec `year`.

    Before a period's last day an unmet requirement makes a person `on-track` or
    `at-risk`; after it (and after any grace period or extension) `deficient`.
    Lines completed after `as_of` do not count: a past day is judged on what had
    been done by then.

    `parts` asks for the people to be evaluated in that many ranges at once, in
    threads (`split.py`); the result is the same. A person with several breaks
    in service is evaluated against the one in play for the year
    (`breaks.with_breaks_in_play`).
    """
    people = with_breaks_in_play(people, mandate, year)
    if mandate.per_person_cycles:
        return _evaluate_by_phase(
            people, lines, mandate, year, as_of, exemptions, codebook, explain
        )
    count = 1 if explain else split.part_count(len(people), parts)
    if count > 1:
        return split.evaluate_in_parts(
            people,
            lines,
            exemptions,
            count,
            lambda part, its_lines, its_exemptions: _Evaluator(
                part, its_lines, mandate, year, as_of, its_exemptions, codebook, False
            ).run(),
        )
    return _Evaluator(
        people, lines, mandate, year, as_of, exemptions, codebook, explain
    ).run()


@dataclass
class PhaseGroup:
    """People who share every per-person cycle's periods, evaluated together.

    `rows` index the whole population's people and `line_rows` its lines; `result`
    is the group evaluated on its own (its rows are positions in `rows`).
    """

    rows: np.ndarray
    line_rows: np.ndarray
    result: PopulationResult


def _evaluate_by_phase(
    people, lines, mandate, year, as_of, exemptions, codebook, explain
) -> PopulationResult:
    """Per-person cycles: people are grouped by the phase of their own cycles
    (Florida: the July their certification year begins, modulo four years), each
    group is evaluated by the same `_Evaluator` against the mandate with those
    cycles made ordinary, and the arrays are put back in the population's order.

    A person alone is a group of one, so the two cannot disagree: nothing in the
    engine reads across people.
    """
    grouping = phase_groups(people, mandate, year)
    if grouping.count == 1:
        # Everyone shares the phase (Texas: no chief with an appointment date):
        # the population is evaluated as it is, without copying it into a group.
        result = _Evaluator(
            people,
            lines,
            mandate.for_person(grouping.dates[0]),
            year,
            as_of,
            exemptions,
            codebook,
            explain,
        ).run()
        result.mandate = mandate
        return result
    # One stable sort of the people and one of the lines by group, rather than a
    # scan of every line for each group: a state has thousands of groups.
    group_of_row = grouping.group_of_row
    order = np.argsort(group_of_row, kind="stable")
    bounds = np.searchsorted(group_of_row[order], np.arange(grouping.count + 1))
    position = np.empty(len(people), dtype=np.int64)
    position[order] = np.arange(len(people)) - bounds[group_of_row[order]]
    group_of_line = group_of_row[lines.person]
    line_order = np.argsort(group_of_line, kind="stable")
    line_bounds = np.searchsorted(
        group_of_line[line_order], np.arange(grouping.count + 1)
    )
    exemptions_of: dict[int, list[ExemptionRow]] = {}
    for exemption in exemptions:
        exemptions_of.setdefault(int(group_of_row[exemption.person]), []).append(
            replace(exemption, person=int(position[exemption.person]))
        )
    found: list[PhaseGroup] = []
    for number in range(grouping.count):
        rows = order[bounds[number] : bounds[number + 1]].astype(np.int64)
        line_rows = line_order[line_bounds[number] : line_bounds[number + 1]]
        sub_lines = LinesTable(
            **{
                name: getattr(lines, name)[line_rows]
                for name in LinesTable.__dataclass_fields__
            }
        )
        sub_lines.person = position[sub_lines.person].astype(np.int32)
        result = _Evaluator(
            people.take(rows),
            sub_lines,
            mandate.for_person(grouping.dates[number]),
            year,
            as_of,
            exemptions_of.get(number, []),
            codebook,
            explain,
        ).run()
        found.append(PhaseGroup(rows, line_rows.astype(np.int64), result))
    return _merge(people, mandate, found, as_of, exemptions, year)


@dataclass
class PhaseGrouping:
    """Which phase group each person is in (`group_of_row`, numbered in order of
    first appearance) and, per group, the dates of one of its people, for which
    the mandate is made ordinary (`Mandate.for_person`)."""

    count: int
    group_of_row: np.ndarray
    dates: list[dict[str, date | None]]


def phase_groups(people: PeopleTable, mandate: Mandate, year: int) -> PhaseGrouping:
    """People grouped so that everyone in a group has the same periods of every
    per-person cycle, as far back as the evaluation of `year` can look.

    Each cycle's phase (`Cycle.phase`, the one definition) is asked once per
    distinct value of the dates that cycle reads, not per person nor per
    combination of all the dates: Florida's four years read the certification
    date only, its reactivation window the two dates of a break. The people are
    then grouped by their combination of phase codes, in arrays.
    """
    if not len(people):
        return PhaseGrouping(0, np.zeros(0, dtype=np.int64), [])
    # Periods as far back as a look back can reach (carry-over, consecutive
    # misses) must match too: a person's first period starts on their own date.
    reach = 2 + max(
        (r.misses for q in mandate.requirements for r in q.consequences), default=1
    )
    longest = max(c.months for c in mandate.cycles.values())
    since = add_months(date(year, 12, 1), -reach * longest)

    def column(name: str) -> np.ndarray:
        if name == SURNAME:
            return people.surname_letters().astype(np.int32)
        return people.date(name)

    def own_value(name: str, number: int):
        if name == SURNAME:
            return number
        return None if number == NO_DAY else from_day_number(number)

    codes = []
    for cycle in mandate.per_person_cycles:
        # Each cycle runs from its own date of the person's (license,
        # appointment, return to service), a window before the return also
        # from the day they left; or from the day their surname's group starts
        # (the letter its surname is filed under is read in place of a date).
        names = [cycle.person_date] + ([cycle.opens_from] if cycle.opens_from else [])
        distinct, inverse = np.unique(
            np.stack([column(name) for name in names]),
            axis=1,
            return_inverse=True,
        )
        phases: dict[tuple, int] = {}
        code_of_distinct = np.empty(distinct.shape[1], dtype=np.int64)
        for index, numbers in enumerate(distinct.T.tolist()):
            own = [own_value(name, n) for name, n in zip(names, numbers, strict=True)]
            key = cycle.phase(
                own[0], mandate.cycles, since, own[1] if cycle.opens_from else None
            )
            code_of_distinct[index] = phases.setdefault(key, len(phases))
        codes.append(code_of_distinct[inverse.ravel()])
    combos, inverse = np.unique(np.stack(codes), axis=1, return_inverse=True)
    # Groups are numbered, and each is made ordinary for the dates of one of its
    # people, in the order of those dates (the earliest combination first), so
    # that the population's order of rows does not matter.
    names = sorted(
        {cycle.person_date for cycle in mandate.per_person_cycles}
        | {c.opens_from for c in mandate.per_person_cycles if c.opens_from}
    )
    columns = [column(name) for name in names]
    by_dates = np.lexsort(columns[::-1])
    combo_of_row = inverse.ravel()
    seen = np.unique(combo_of_row[by_dates], return_index=True)[1]
    first = by_dates[np.sort(seen)]  # each group's earliest person, in that order
    rank = np.empty(combos.shape[1], dtype=np.int64)
    rank[combo_of_row[first]] = np.arange(combos.shape[1])
    group_of_row = rank[combo_of_row]
    dates = [
        {
            name: own_value(name, int(values[row]))
            for name, values in zip(names, columns, strict=True)
        }
        for row in first.tolist()
    ]
    return PhaseGrouping(combos.shape[1], group_of_row, dates)


def _scatter(size, groups, get, dtype, fill=0):
    """One per-person array for the population from each group's array (None
    where a group has none), in one assignment."""
    out = np.full(size, fill, dtype=dtype)
    rows, values = [], []
    for group in groups:
        value = get(group.result)
        if value is not None:
            rows.append(group.rows)
            values.append(value if np.ndim(value) else np.full(len(group.rows), value))
    if rows:
        out[np.concatenate(rows)] = np.concatenate(values)
    return out


def _merge(people, mandate, groups, as_of, exemptions, year) -> PopulationResult:
    """The groups' results as one population's (see `PopulationResult.groups`)."""
    size = len(people)
    count = len(mandate.requirements)
    status = _scatter(size, groups, lambda r: r.status, np.int8)
    applies = _scatter(size, groups, lambda r: r.applies, bool, False)
    shape = (count, size)
    requirement_status = np.full(shape, NOT_IN_FORCE, dtype=np.int8)
    required = np.zeros(shape, dtype=np.int64)
    earned = np.zeros(shape, dtype=np.int64)
    if groups:
        rows = np.concatenate([group.rows for group in groups])
        for name, out in (
            ("requirement_status", requirement_status),
            ("required", required),
            ("earned", earned),
        ):
            out[:, rows] = np.concatenate(
                [getattr(group.result, name) for group in groups], axis=1
            )
    outcomes = [_merge_outcome(size, groups, index, mandate) for index in range(count)]
    result = PopulationResult(
        people,
        mandate,
        [r.id for r in mandate.requirements],
        applies,
        status,
        requirement_status,
        required,
        earned,
        outcomes,
        as_of,
        exemptions,
        year=year,
    )
    result.groups = groups
    for name in ("undated", "unencoded"):
        merged = getattr(result, name)
        for key in {key for g in groups for key in getattr(g.result, name)}:
            merged[key] = _scatter(
                size,
                groups,
                lambda r, key=key, name=name: getattr(r, name).get(key),
                bool,
                False,
            )
    return result


def _merge_outcome(size, groups, index, mandate) -> RequirementOutcome | None:
    """One requirement's outcome for the population: the per-person arrays put
    together, each person's own period in `period.periods`. The rest (the value,
    caps, line detail) is the first group's where it is in force: read one
    person's detail from their group (`PopulationResult.group_of`)."""
    present = [g for g in groups if g.result.outcomes[index] is not None]
    if not present:
        return None
    first = present[0].result.outcomes[index]
    assert first is not None
    # Only a per-person cycle gives people periods of their own; an ordinary
    # cycle's period is the same in every group (Texas units beside the new-chief
    # window), and building one per person would cost a loop over everyone.
    periods: OwnPeriods | None = None
    if mandate.cycles[first.requirement.cycle].is_per_person:
        periods = OwnPeriods(
            size,
            [(g.rows, g.result.outcomes[index].period) for g in present],
        )

    def arrays(name, dtype, fill=0):
        return _scatter(
            size,
            groups,
            lambda r: getattr(r.outcomes[index], name) if r.outcomes[index] else None,
            dtype,
            fill,
        )

    def optional(name, dtype):
        if all(getattr(g.result.outcomes[index], name) is None for g in present):
            return None
        return arrays(name, dtype)

    period = PeriodColumns(
        first.period.cycle,
        first.period.period,
        first.period.start,
        first.period.end,
        _scatter(size, groups, lambda r: _period_of(r, index, "due"), np.int32),
        _scatter(size, groups, lambda r: _period_of(r, index, "final"), np.int32),
        periods=periods,
    )
    return replace(
        first,
        period=period,
        licensed_after=arrays("licensed_after", bool, False),
        new_licensee=arrays("new_licensee", np.int8),
        prorate_units=optional("prorate_units", np.int64),
        prorated_required=optional("prorated_required", np.int64),
        late=arrays("late", bool, False),
        behind=arrays("behind", bool, False),
        misses=optional("misses", np.int64),
        whole=optional("whole", np.int8),
        whole_rows=[],
        lines=None,
        shortfall=None if len(present) > 1 else first.shortfall,
        carried=None if len(present) > 1 else first.carried,
        waivers=WaiverOutcome() if len(present) > 1 else first.waivers,
    )


def _period_of(result, index, name):
    outcome = result.outcomes[index]
    return None if outcome is None else getattr(outcome.period, name)


class _Evaluator:
    def __init__(
        self, people, lines, mandate, year, as_of, exemptions, codebook, explain
    ) -> None:
        self.people = people
        self.lines = lines
        self.mandate = mandate
        self.reference_day = year_end(year)
        self.as_of = day_number(as_of)
        self.exemptions = list(exemptions)
        self.extensions = [e for e in self.exemptions if e.kind == "extension"]
        self.book = codebook
        self.explain = explain
        # Most files allow no carry-over (`hours: 0`): they skip the look back.
        self.carries_over = any(rule.hours > 0 for rule in mandate.carry_over)
        self.size = len(people)
        self.known = people.licensed_on != NO_DAY
        self._periods: dict[tuple[str, date], PeriodColumns | None] = {}
        self._make_up: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
        self._placed: dict[tuple[str, int], _PlacedLines] = {}
        self._scopes: dict[tuple[str, int], _Scope] = {}
        self._applies: dict[tuple[Applicability, ...], np.ndarray] = {}
        self._breaks: dict[BreakRule, np.ndarray] = {}
        self.outside: dict[str, np.ndarray] = {}
        self.undated: dict[str, np.ndarray] = {}
        self.unencoded: dict[str, np.ndarray] = {}

    def run(self) -> PopulationResult:
        requirements = self.mandate.requirements
        shape = (len(requirements), self.size)
        statuses = np.full(shape, NOT_IN_FORCE, dtype=np.int8)
        required = np.zeros(shape, dtype=np.int64)
        earned = np.zeros(shape, dtype=np.int64)
        outcomes: list[RequirementOutcome | None] = []
        for row, requirement in enumerate(requirements):
            found = self.requirement(requirement)
            outcomes.append(found and found[0])
            if found is not None:
                _, statuses[row], required[row], earned[row] = found
        applies = self.applies(self.mandate.applies_to)
        result = PopulationResult(
            self.people,
            self.mandate,
            [r.id for r in requirements],
            applies,
            self.overall(statuses, outcomes, applies),
            statuses,
            required,
            earned,
            outcomes,
            from_day_number(self.as_of),
            self.exemptions,
            year=self.reference_day.year,
        )
        result.undated = self.undated
        result.unencoded = self.unencoded
        if self.explain:
            result.outside = self.outside
            result.unhonoured_marks = self.unhonoured_marks()
        return result

    def overall(self, statuses, outcomes, applies) -> np.ndarray:
        """Combine requirement statuses: exempt, compliant, or how bad the gap is."""
        applicable = (statuses != NOT_IN_FORCE) & (statuses != NOT_APPLICABLE)
        missing = statuses == MISSING
        late = np.zeros(self.size, dtype=bool)
        behind = np.zeros(self.size, dtype=bool)
        for row, outcome in enumerate(outcomes):
            if outcome is not None:
                late |= missing[row] & outcome.late
                behind |= missing[row] & outcome.behind
        any_applicable = applicable.any(axis=0)
        all_exempt = any_applicable & ((statuses == EXEMPT) | ~applicable).all(axis=0)
        code = OVERALL_STATUS.index
        result = np.full(self.size, code(Status.ON_TRACK), dtype=np.int8)
        result[behind] = code(Status.AT_RISK)
        result[late] = code(Status.DEFICIENT)
        result[~missing.any(axis=0)] = code(Status.COMPLIANT)
        result[all_exempt] = code(Status.EXEMPT)
        result[~any_applicable | ~applies] = code(Status.NOT_APPLICABLE)
        # Not "does not apply": the rules for this period are missing from the file.
        nothing_in_force = (statuses == NOT_IN_FORCE).all(axis=0)
        result[applies & nothing_in_force] = code(Status.NOT_ENCODED)
        # Before their first encoded period (an Illinois surname group not yet
        # begun) nobody is compliant, exempt or outside the mandate: what was
        # owed then is not known. A gap found in the rest is still a gap.
        before_first = np.zeros(self.size, dtype=bool)
        for column in self.unencoded.values():
            before_first |= column
        unknown = np.isin(
            result,
            [code(s) for s in (Status.COMPLIANT, Status.ON_TRACK, Status.EXEMPT)]
            + [code(Status.NOT_APPLICABLE)],
        )
        result[applies & before_first & unknown] = code(Status.NOT_ENCODED)
        return result

    # People -----------------------------------------------------------------

    def applies(self, alternatives: tuple[Applicability, ...]) -> np.ndarray:
        """Whether any alternative matches each person; none means everyone."""
        if alternatives not in self._applies:
            matches = np.zeros(self.size, dtype=bool)
            if not alternatives:
                matches[:] = True
            for alternative in alternatives:
                matches |= self.matches(alternative)
            self._applies[alternatives] = matches
        return self._applies[alternatives]

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
        """Whether `role` names each person's discipline or one of their attributes."""
        book = self.book
        by_discipline = self.people.discipline == book.known(book.disciplines, role)
        bit = book.known(book.attributes, role)
        if bit < 0:
            return by_discipline
        return by_discipline | (
            (self.people.attributes >> np.uint64(bit)) & np.uint64(1)
        ).astype(bool)

    def period(self, cycle: Cycle, day: date) -> PeriodColumns | None:
        """Everyone's period of `cycle` containing `day` (None before the cycle)."""
        key = (cycle.id, day)
        if key not in self._periods:
            self._periods[key] = self._period(cycle, day)
        return self._periods[key]

    def _period(self, cycle: Cycle, day: date) -> PeriodColumns | None:
        period = cycle.period_containing(day)
        if period is None:
            return None
        start, end, due = (
            day_number(d) for d in (period.start, period.end, period.due_on)
        )
        dues = np.full(self.size, due, dtype=np.int32)
        # An extension covering the period's end moves the deadline to its own
        # end; a one-time window is not extended (its late completions still count).
        if cycle.once_from is None:
            for extension in self.extensions:
                if extension.starts_on <= end <= extension.ends_on:
                    dues[extension.person] = max(
                        dues[extension.person], extension.ends_on
                    )
        grace = day_number(period.grace_until) if period.grace_until else due
        return PeriodColumns(cycle, period, start, end, dues, np.maximum(dues, grace))

    def required_centihours(self, value: RequirementValue, start_day: date):
        """Hours owed: a role override, else a tenure tier, else the default."""
        people = self.people
        amount = np.zeros(self.size, dtype=np.int64)
        if value.hours is not None:
            amount[:] = cents(value.hours)
        if value.tiers:
            served = full_years_columns(people.licensed_on, start_day)
            tiered = np.full(self.size, cents(value.tiers[0].hours), dtype=np.int64)
            for tier in value.tiers:
                tiered[served >= tier.from_years] = cents(tier.hours)
            amount = np.where(self.known, tiered, amount)
        # The first role listed wins, so apply them last to first.
        for role, hours in reversed(value.by_role):
            amount[self.has_role(role)] = cents(hours)
        return amount

    # Requirements -----------------------------------------------------------

    def requirement(
        self, requirement: Requirement, day: date | None = None, *, looking_back=False
    ):
        """(outcome, status, required, earned), or None when not in force.

        `day` picks the period (default: the one evaluated). `looking_back` marks
        an earlier period evaluated for carry-over or consecutive misses: it keeps
        no explanation and looks no further back.
        """
        cycle = self.mandate.cycles[requirement.cycle]
        period = self.period(cycle, day or self.reference_day)
        if period is None:
            owed = self.applies(requirement.applies_to) & self.applies(
                self.mandate.applies_to
            )
            if cycle.awaits_date and not looking_back:
                self.undated[requirement.id] = owed
            elif cycle.before_first and not looking_back:
                self.unencoded[requirement.id] = owed
            return None
        start_day, end_day = period.period.start, period.period.end
        # A window due on the return reads its values on the return (the rule in
        # force when the person comes back), every other cycle on its first day.
        start_day = cycle.values_on or start_day
        value = for_period(requirement.values, start_day, end_day)
        if value is None or value.hours is None:
            return None
        scope = self.scope(period)
        applies = self.applies(requirement.applies_to)
        if requirement.after_break is not None:
            applies = applies & self.broke(requirement.after_break)
        in_scope = scope.licensed_by_end & applies
        required = self.required_centihours(value, start_day)

        # People licensed during the period: exempt for it, or owing a share.
        new_licensee = np.zeros(self.size, dtype=np.int8)
        rule = scope.new_licensee_rule
        units = prorated = None
        if rule is not None:
            new = scope.newcomers & applies
            if rule.rule == "exempt-period-of-licensing":
                new_licensee[new] = NEW_EXEMPT
            else:
                units = scope.prorate_units
                prorated = np.minimum(required, cents(rule.hours_per_unit) * units)
                required = np.where(new, prorated, required)
                new_licensee[new] = NEW_PRORATED
        exempt = new_licensee == NEW_EXEMPT
        exempt, required, waivers = self.waive(
            requirement, cycle, period, in_scope & ~exempt, exempt, required
        )
        required, shortfall = self.tolerate(
            requirement, period, in_scope & ~exempt, required
        )

        caps = requirement.caps_for(start_day, end_day)
        explain, self.explain = self.explain, self.explain and not looking_back
        try:
            earned, placement = self.earned(requirement, cycle, period, caps)
        finally:
            self.explain = explain
        carried = None
        if not looking_back and self.carries_over:
            carried = self.carried_over(requirement, period, in_scope & ~exempt)
            if carried is not None:
                earned = earned + carried.hours
        alternatives = tuple(
            a for a in requirement.satisfied_by if a.starts_on <= start_day
        )
        whole = whole_rows = None
        if alternatives:
            whole, whole_rows = self.satisfied_whole(
                requirement, alternatives, cycle, period, not looking_back
            )
            # Satisfied as a whole: counted as all that is asked, whatever the hours.
            earned = np.where(whole > 0, np.maximum(earned, required), earned)
        status = np.where(earned >= required, MET, MISSING).astype(np.int8)
        status[exempt] = EXEMPT
        out = ~in_scope
        status[out] = NOT_APPLICABLE
        behind = scope.behind(requirement.kind, required, earned)
        required[out] = 0
        earned[out] = 0
        outcome = RequirementOutcome(
            requirement=requirement,
            value=value,
            period=period,
            caps=caps,
            licensed_after=scope.licensed_after & applies,
            new_licensee=new_licensee,
            new_licensee_rule=rule,
            prorate_units=units,
            prorated_required=prorated,
            waivers=waivers,
            late=scope.late,
            behind=behind,
            lines=placement,
            shortfall=shortfall,
            carried=carried,
            alternatives=alternatives,
            whole=whole,
            whole_rows=whole_rows or [],
        )
        if not looking_back and requirement.consequences:
            # Only a final miss counts toward a consequence, not a gap still open.
            outcome.misses = self.consecutive_misses(
                requirement, period, (status == MISSING) & scope.late
            )
        return outcome, status, required, earned

    def broke(self, rule: BreakRule) -> np.ndarray:
        """Whether each person's latest break in service has the rule's length;
        False where either end of the break is not recorded (few people have a
        break, so they are looked at one by one)."""
        if rule not in self._breaks:
            left = self.people.date("separated_on")
            back = self.people.date("returned_on")
            found = np.zeros(self.size, dtype=bool)
            for row in np.flatnonzero((left != NO_DAY) & (back != NO_DAY)):
                found[row] = rule.matches(
                    from_day_number(left[row]), from_day_number(back[row])
                )
            self._breaks[rule] = found
        return self._breaks[rule]

    def satisfied_whole(self, requirement, alternatives, cycle, period, keep):
        """For each person, 1 + the index of the first alternative they satisfied
        in the period (0: none), and (`keep` while explaining) the rows of the
        lines that satisfied each alternative."""
        view = self.placed_lines(cycle, period)
        subject = view.test(
            self.book, CountRule(requirement.counts.areas, requirement.counts.topics)
        ).subject
        found = np.zeros(self.size, dtype=np.int8)
        rows = []
        for index, alternative in enumerate(alternatives):
            test = view.test(self.book, alternative.counts)
            fits = _and(_and(subject, test.accepted), view.kind_ok(alternative.kind))
            done = view.per_person(fits, self.size, weight=1) > 0
            found[(found == 0) & done] = index + 1
            if keep and self.explain:
                rows.append(view.rows[_all(fits, len(view))])
        return found, rows

    def previous_day(self, period: PeriodColumns) -> date | None:
        """A day of the period before `period`, or None for a one-time window."""
        if period.cycle.once_from is not None:
            return None
        return period.period.start - timedelta(days=1)

    def tolerate(
        self,
        requirement: Requirement,
        period: PeriodColumns,
        eligible: np.ndarray,
        required: np.ndarray,
    ):
        """Lower what is asked of people with an approved absence in the period,
        where the requirement tolerates a shortfall for one (Tennessee: missing
        10 percent or less of the course is not a failure)."""
        rule = (
            at(requirement.shortfalls, period.period.start)
            if requirement.shortfalls
            else None
        )
        if rule is None:
            return required, None
        outcome = ShortfallOutcome(rule, required.copy())
        for index, absence in enumerate(self.exemptions):
            names_it = (
                not absence.requirements or requirement.id in absence.requirements
            )
            if (
                absence.kind == "absence"
                and eligible[absence.person]
                and names_it
                and absence.starts_on <= period.end
                and absence.ends_on >= period.start
            ):
                outcome.absences.setdefault(absence.person, []).append(index)
        if not outcome.absences:
            return required, outcome
        rows = np.array(sorted(outcome.absences))
        # Hundredths, rounded down: the tolerance never excuses more than its share.
        share = int(rule.share * 10_000)
        required = required.copy()
        required[rows] -= required[rows] * share // 10_000
        return required, outcome

    def carried_over(
        self, requirement: Requirement, period: PeriodColumns, eligible: np.ndarray
    ) -> CarriedOver | None:
        """Hours earned over what the previous period asked, up to the mandate's
        carry-over limit, for people who met that period's requirement.

        The rule is the one in force when the previous period began: hours carry
        over under the rule they were earned under.
        """
        day = self.previous_day(period)
        if day is None:
            return None
        source = period.cycle.period_containing(day)
        rule = at(self.mandate.carry_over, source.start) if source else None
        if rule is None or not rule.covers(requirement):
            return None
        before = self.requirement(requirement, day, looking_back=True)
        hours = np.zeros(self.size, dtype=np.int64)
        if before is not None:
            previous, status, required, earned = before
            excess = np.where(status == MET, earned - required, 0)
            hours = np.where(eligible, np.clip(excess, 0, cents(rule.hours)), 0)
            return CarriedOver(rule, previous.period.period, hours)
        return CarriedOver(rule, None, hours)

    def consecutive_misses(
        self, requirement: Requirement, period: PeriodColumns, missed: np.ndarray
    ) -> np.ndarray | None:
        """How many periods in a row, ending with this one, each person missed the
        requirement, counted as far back as the longest consequence needs."""
        rules = [
            r for r in requirement.consequences if r.starts_on <= period.period.end
        ]
        if not rules:
            return None
        needed = max(r.misses for r in rules)
        count = missed.astype(np.int64)
        still = missed.copy()
        day = self.previous_day(period)
        for _ in range(needed - 1):
            if day is None or not still.any():
                break
            before = self.requirement(requirement, day, looking_back=True)
            if before is None:
                break
            previous, status, _, _ = before
            still &= (status == MISSING) & previous.late
            count += still
            day = self.previous_day(previous.period)
        return count

    def scope(self, period: PeriodColumns) -> _Scope:
        """Who is licensed by the period's end or during it, and how late each is;
        the same for every requirement of the period (cached)."""
        key = (period.cycle.id, period.start)
        if key not in self._scopes:
            self._scopes[key] = _Scope.of(self, period)
        return self._scopes[key]

    def waive(
        self,
        requirement: Requirement,
        cycle: Cycle,
        period: PeriodColumns,
        eligible: np.ndarray,
        exempt: np.ndarray,
        required: np.ndarray,
    ):
        """Exempt or prorate the people whose waivers touch the period.

        Only `eligible` people are considered: those in scope and not already
        exempt as new licensees. A non-waivable requirement stays owed.
        """
        outcome = WaiverOutcome()
        for index, waiver in enumerate(self.exemptions):
            if waiver.kind != "waiver" or not eligible[waiver.person]:
                continue
            names_it = not waiver.requirements or requirement.id in waiver.requirements
            overlaps = waiver.starts_on <= period.end and waiver.ends_on >= period.start
            if names_it and overlaps:
                outcome.touching.setdefault(waiver.person, []).append(index)
        if not outcome.touching or not requirement.is_waivable:
            return exempt, required, outcome
        exempt, required = exempt.copy(), required.copy()
        rule = at(self.mandate.waivers, period.period.start)
        if rule is None or rule.rule == "exempt" or cycle.once_from is not None:
            exempt[list(outcome.touching)] = True
            return exempt, required, outcome
        # Prorate: owe `hours_per_unit` per block of the period no waiver touches.
        outcome.rule = rule
        blocks = [
            (day_number(first), day_number(last))
            for first, last in rule.blocks(period.period.start, cycle.months)
        ]
        outcome.blocks = len(blocks)
        for person, indices in outcome.touching.items():
            waivers = [self.exemptions[i] for i in indices]
            worked = sum(
                1
                for first, last in blocks
                if not any(w.starts_on <= last and w.ends_on >= first for w in waivers)
            )
            if worked == 0:
                exempt[person] = True
            else:
                outcome.worked[person] = worked
                owed = cents(rule.hours_per_unit) * worked
                required[person] = min(required[person], owed)
        return exempt, required, outcome

    # Lines ------------------------------------------------------------------

    def earned(
        self,
        requirement: Requirement,
        cycle: Cycle,
        period: PeriodColumns,
        caps: tuple[CapInForce, ...],
    ) -> tuple[np.ndarray, LinePlacement | None]:
        """Hundredths earned per person, and (explaining) how each line fared."""
        view = self.placed_lines(cycle, period)
        test = view.test(self.book, requirement.counts)
        kind_ok = view.kind_ok(requirement.kind)
        counted = _and(test.accepted, kind_ok)
        placement = None
        if requirement.kind != Kind.HOURS:
            earned = view.per_person(counted, self.size, weight=100)
            if self.explain:
                placement = view.placement(
                    requirement.kind, test, kind_ok, np.where(counted, 100, 0)
                )
            return earned, placement
        allocated, cuts = self.allocate_under_caps(view, counted, caps)
        earned = view.per_person(counted, self.size, allocated=allocated)
        if self.explain:
            full = view.centihours if allocated is None else allocated
            placement = view.placement(
                requirement.kind,
                test,
                kind_ok,
                np.where(_all(counted, len(view)), full, 0),
                view.centihours - full,
                tuple(cuts),
            )
        return earned, placement

    def allocate_under_caps(
        self,
        view: _PlacedLines,
        counted: np.ndarray | None,
        caps: tuple[CapInForce, ...],
    ) -> tuple[np.ndarray | None, list[np.ndarray]]:
        """Each line's hundredths after every cap in force, and what each cap cut.

        Caps apply in turn, each to what the ones before it left. A person's lines
        under fewer caps use the room first (in date order among equals), so a line
        under two caps takes only the room both still have: with two caps this
        counts the most the caps allow, whatever the lines' dates.
        """
        if not caps:
            return None, []
        size = len(view)
        if len(caps) == 1:  # the common case: no reordering needed
            cap = caps[0]
            capped = _and(view.test(self.book, cap.rule.counts).accepted, counted)
            allocated = allocate_under_cap(
                view.person,
                view.centihours,
                _all(capped, size),
                cents(cap.value.hours),
                self.size,
            )
            return allocated, [view.centihours - allocated] if self.explain else []
        masks = [
            _all(_and(view.test(self.book, cap.rule.counts).accepted, counted), size)
            for cap in caps
        ]
        order = np.argsort(np.sum(masks, axis=0), kind="stable")
        person, allocated = view.person[order], view.centihours[order]
        cuts: list[np.ndarray] = []
        for cap, mask in zip(caps, masks, strict=True):
            before = allocated
            allocated = allocate_under_cap(
                person, before, mask[order], cents(cap.value.hours), self.size
            )
            if self.explain:
                cut = np.empty(size, dtype=np.int64)
                cut[order] = before - allocated
                cuts.append(cut)
        result = np.empty(size, dtype=np.int64)
        result[order] = allocated
        return result, cuts

    def placed_lines(self, cycle: Cycle, period: PeriodColumns) -> _PlacedLines:
        """The lines that count in `period`, as their own smaller columns (cached)."""
        key = (cycle.id, period.start)
        if key not in self._placed:
            self._placed[key] = _PlacedLines.select(
                self.lines, self.placed(cycle, period)
            )
        return self._placed[key]

    def placed(self, cycle: Cycle, period: PeriodColumns) -> np.ndarray:
        """Lines that count in `period`: by date, or as honoured make-up for it.

        A line marked as make-up for a year and completed in that year's make-up
        window counts for that year's period only; otherwise a line counts in the
        period containing its date.
        """
        day = self.lines.completed_on
        # Judging a past day uses what was done by then: one range test covers
        # both the period and the day evaluated.
        placed = _between(day, period.start, min(period.end, self.as_of))
        make_up = self.make_up(cycle)
        if make_up is not None:  # the few marked lines, row by row
            rows, target_start = make_up
            placed[rows] = False
            here = rows[target_start == period.start]
            placed[here] = day[here] <= self.as_of
        if self.explain:
            # Only while explaining the evaluated period (never a look back).
            inside = _between(day, period.start, period.end)
            why = np.where(placed | inside, PLACED, OUTSIDE_PERIOD).astype(np.int8)
            if make_up is not None:
                rows, target_start = make_up
                why[rows[target_start != period.start]] = MADE_UP_ELSEWHERE
            why[day > self.as_of] = AFTER_AS_OF
            self.outside[cycle.id] = why
        return placed

    def make_up(self, cycle: Cycle) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows of the lines completed in the make-up window of the year they
        are marked for, and the start day of that year's period; None when no line
        is marked."""
        if cycle.id not in self._make_up:
            self._make_up[cycle.id] = self._find_make_up(cycle)
        return self._make_up[cycle.id]

    def _find_make_up(self, cycle: Cycle):
        lines = self.lines
        marked = np.flatnonzero(lines.counts_for)
        if not len(marked):
            return None
        # Marked lines are few: read only theirs.
        years = lines.counts_for[marked]
        day = lines.completed_on[marked]
        person = lines.person[marked]
        rows, starts = [np.empty(0, np.int64)], [np.empty(0, np.int32)]
        for year in np.unique(years):
            target = self.period(cycle, year_end(int(year)))
            if target is None:
                continue
            ok = (years == year) & (day > target.end)
            ok &= day <= target.final[person]
            rows.append(marked[ok])
            starts.append(np.full(int(ok.sum()), target.start, dtype=np.int32))
        return np.concatenate(rows), np.concatenate(starts)

    def unhonoured_marks(self) -> np.ndarray:
        """Lines marked as make-up for another year that no cycle honours."""
        lines = self.lines
        years = (
            lines.completed_on.astype("datetime64[D]").astype("datetime64[Y]")
        ).astype(np.int64) + 1970
        marks = (lines.counts_for != 0) & (lines.counts_for != years)
        for cycle in self.mandate.cycles.values():
            make_up = self.make_up(cycle)
            if make_up is not None:
                marks[make_up[0]] = False
        return marks


@dataclass
class _Scope:
    """What every requirement of one period shares, person by person."""

    licensed_after: np.ndarray  # bool: licensed after the period ends
    licensed_by_end: np.ndarray  # bool: the opposite
    newcomers: np.ndarray  # bool: licensed during the period (new-licensee rule)
    new_licensee_rule: NewLicenseeRule | None
    prorate_units: np.ndarray | None  # full blocks left, under a prorate rule
    late: np.ndarray  # bool: past the last day to close a gap
    closing: np.ndarray  # bool: past the deadline, or under 30 days from it
    counts_closing: np.ndarray  # bool: ...or under 90 days, for courses
    total_days: np.ndarray  # int64: days from the start to the deadline
    elapsed: int  # days of the period gone by as of the day evaluated

    @classmethod
    def of(cls, evaluator: _Evaluator, period: PeriodColumns) -> _Scope:
        licensed_on, known = evaluator.people.licensed_on, evaluator.known
        licensed_after = known & (licensed_on > period.end)
        rule = at(evaluator.mandate.new_licensee, period.period.start)
        if period.cycle.once_from is not None:
            rule = None  # a one-time window is owed whenever one was licensed
        newcomers = known & (licensed_on >= period.start) & ~licensed_after
        units = None
        if rule is not None and rule.rule != "exempt-period-of-licensing":
            units = full_units_columns(licensed_on, period.end, rule.unit_months)
        as_of = evaluator.as_of
        due = period.due.astype(np.int64)
        days_left = due - as_of
        closing = (as_of > due) | (days_left < FINAL_WARNING_DAYS)
        return cls(
            licensed_after=licensed_after,
            licensed_by_end=~licensed_after,
            newcomers=newcomers,
            new_licensee_rule=rule,
            prorate_units=units,
            late=as_of > period.final,
            closing=closing,
            counts_closing=closing | (days_left < COUNT_WARNING_DAYS),
            total_days=due - period.start + 1,
            elapsed=max(0, as_of - period.start + 1),
        )

    def behind(self, kind: str, required: np.ndarray, earned: np.ndarray):
        """Whether an open, unmet requirement needs attention now.

        Behind means: the period is over (the person is in grace or an extension),
        the deadline is under 30 days away, a course or qualification is still
        missing with under 90 days left, or hours trail a straight-line pace.
        """
        if kind != Kind.HOURS:
            return self.counts_closing
        return self.closing | (earned * self.total_days < required * self.elapsed)


def _between(day: np.ndarray, first: int, last: int) -> np.ndarray:
    """first <= day <= last, in one comparison: days before `first` wrap around
    to large unsigned numbers (day numbers are far from the int32 limits)."""
    if last < first:
        return np.zeros(len(day), dtype=bool)
    return (day - np.int32(first)).view(np.uint32) <= np.uint32(last - first)


def _and(mask: np.ndarray | None, other: np.ndarray | None) -> np.ndarray | None:
    """Combine masks where None stands for "every line" (saves a pass over the data)."""
    if mask is None:
        return other
    return mask if other is None else mask & other


def _any_bit(bits: np.ndarray, wanted: np.uint64) -> np.ndarray:
    """(bits & wanted) != 0 for a column of uint64 bitmasks, reading only the bytes
    that hold wanted bits (no 64-bit temporary the size of the column)."""
    if sys.byteorder != "little" or not bits.flags.c_contiguous:
        return (bits & wanted) != 0
    octets = bits.view(np.uint8).reshape(-1, 8)
    found = None
    for k in range(8):
        part = (int(wanted) >> (8 * k)) & 0xFF
        if part:
            hit = octets[:, k] & np.uint8(part)
            found = hit if found is None else np.bitwise_or(found, hit, out=found)
    if found is None:
        return np.zeros(len(bits), dtype=bool)
    return found != 0


def _all(mask: np.ndarray | None, size: int) -> np.ndarray:
    return np.ones(size, dtype=bool) if mask is None else mask


def _any_of(column: np.ndarray, codes: list[int]) -> np.ndarray:
    """column in codes; a few comparisons beat np.isin for short code lists."""
    found = column == codes[0]
    for code in codes[1:]:
        found |= column == code
    return found


@dataclass
class _Test:
    """A count rule's tests on lines; None stands for "every line passes"."""

    subject: np.ndarray | None  # area and topics fit
    delivery: np.ndarray | None  # delivered as allowed
    provider: np.ndarray | None  # from an allowed provider
    length: np.ndarray | None = None  # at least the course's own hours

    @property
    def accepted(self) -> np.ndarray | None:
        return _and(_and(_and(self.subject, self.delivery), self.provider), self.length)


@dataclass
class _PlacedLines:
    """The lines of one period: a filtered copy, so each requirement reads less."""

    rows: np.ndarray  # row numbers in the LinesTable
    person: np.ndarray  # intp, as bincount wants (it would convert on every call)
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
            rows=index,
            person=lines.person.take(index).astype(np.intp),
            centihours=centihours,
            hours_weight=centihours.astype(np.float64),
            area=lines.area.take(index),
            topics=lines.topics.take(index),
            delivery=lines.delivery.take(index),
            provider=lines.provider.take(index),
            result=lines.result.take(index),
        )

    def __len__(self) -> int:
        return len(self.person)

    def test(self, book: Codebook, counts: CountRule) -> _Test:
        """Which lines fit the rule's subject, delivery and provider."""
        subject = delivery = provider = None
        if counts.areas:
            subject = self.any_of(self.area, book, book.areas, counts.areas)
        if counts.topics:
            wanted = book.mask(book.topics, counts.topics)
            subject = _and(subject, _any_bit(self.topics, wanted))
        if counts.deliveries:
            delivery = self.any_of(
                self.delivery, book, book.deliveries, counts.deliveries
            )
        if counts.providers:
            provider = self.any_of(
                self.provider, book, book.providers, counts.providers
            )
        length = None
        if counts.min_hours:
            length = self.centihours >= cents(counts.min_hours)
        return _Test(subject, delivery, provider, length)

    def any_of(self, column, book: Codebook, words, chosen) -> np.ndarray:
        """Lines whose code in `column` is one of the `chosen` words."""
        codes = [code for w in chosen if (code := book.known(words, w)) >= 0]
        if not codes:
            return np.zeros(len(column), dtype=bool)
        return _any_of(column, codes)

    def kind_ok(self, kind: str) -> np.ndarray | None:
        """A qualification counts when passed; a completion when passed, or when
        hours were recorded without a result; hours always."""
        if kind == Kind.QUALIFICATION:
            return self.result == RESULTS["pass"]
        if kind == Kind.COMPLETION:
            return (self.result == RESULTS["pass"]) | (
                (self.result == RESULTS[None]) & (self.centihours > 0)
            )
        return None

    def placement(
        self,
        kind: str,
        test: _Test,
        kind_ok: np.ndarray | None,
        counted: np.ndarray,
        over_cap: np.ndarray | None = None,
        cut_by: tuple[np.ndarray, ...] = (),
    ) -> LinePlacement:
        """How each line on the subject fared; the first failing test is the reason."""
        size = len(self)
        refusal = np.full(size, ACCEPTED, dtype=np.int8)
        if kind_ok is not None:
            failed = ~kind_ok
            if kind == Kind.QUALIFICATION:
                not_passed = self.result == RESULTS["fail"]
                refusal[failed] = NO_PASS
                refusal[failed & not_passed] = NOT_PASSED
            else:
                refusal[failed] = NOT_COMPLETED
        if test.length is not None:
            refusal[~test.length] = TOO_SHORT
        if test.provider is not None:
            refusal[~test.provider] = WRONG_PROVIDER
        if test.delivery is not None:
            refusal[~test.delivery] = WRONG_DELIVERY
        about = np.flatnonzero(_all(test.subject, size))
        return LinePlacement(
            rows=self.rows[about],
            refusal=refusal[about],
            counted=counted[about],
            over_cap=(np.zeros(size, np.int64) if over_cap is None else over_cap)[
                about
            ],
            cut_by=tuple(cut[about] for cut in cut_by),
        )

    def per_person(
        self,
        mask: np.ndarray | None,
        size: int,
        weight: int = 0,
        allocated: np.ndarray | None = None,
    ) -> np.ndarray:
        """Sum hundredths (`allocated`, else the lines' hours, or `weight` per line)
        of the masked lines for each person."""
        index = None if mask is None else np.flatnonzero(mask)
        person = self.person if index is None else self.person.take(index)
        if weight:
            return np.bincount(person, minlength=size).astype(np.int64) * weight
        weights = (
            self.hours_weight if allocated is None else allocated.astype(np.float64)
        )
        if index is not None:
            weights = weights.take(index)
        return np.bincount(person, weights=weights, minlength=size).astype(np.int64)


def allocate_under_cap(
    person: np.ndarray,
    centihours: np.ndarray,
    capped: np.ndarray,
    limit: int,
    size: int,
) -> np.ndarray:
    """Each line's hundredths after a cap of `limit` on the `capped` lines.

    A person's capped lines use up the room in row order: each line gets what is
    left, so the sum over a person's capped lines is min(their sum, limit). Only
    the lines of people over the cap need the running sum.
    """
    allocated = centihours.copy()
    index = np.flatnonzero(capped)
    sums = np.bincount(
        person[index], weights=centihours[index].astype(np.float64), minlength=size
    )
    over = sums > limit
    index = index[over[person[index]]]
    if len(index) == 0:
        return allocated
    index = index[np.argsort(person[index], kind="stable")]
    hours = centihours[index]
    before = np.cumsum(hours) - hours  # running sum before each line, all people
    first = np.r_[True, person[index][1:] != person[index][:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(index)), 0))
    before -= before[group_start]  # ...and from the person's first capped line
    allocated[index] = np.clip(limit - before, 0, hours)
    return allocated


def full_years_columns(licensed_on: np.ndarray, day: date) -> np.ndarray:
    """Whole years from each licence date to `day` (0 when later)."""
    days = licensed_on.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years_part = months.astype(np.int64) // 12 + 1970
    month_part = months.astype(np.int64) % 12 + 1
    day_part = (days - months).astype(np.int64) + 1
    between = (day.year - years_part) * 12 + day.month - month_part
    between -= (day.day < day_part).astype(np.int64)
    return np.maximum(0, between // 12)


def full_units_columns(licensed_on: np.ndarray, period_end: int, unit_months: int):
    """Full blocks of `unit_months` from the first of the month after licensing to
    the period's end."""
    end = from_day_number(period_end)
    months = (
        licensed_on.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    )
    start_index = months + 1970 * 12 + 1  # the next month's index
    end_index = end.year * 12 + end.month  # one past the last month
    return np.maximum(0, (end_index - start_index) // unit_months)
