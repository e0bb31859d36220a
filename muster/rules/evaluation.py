"""One person's evaluation, with the explanation a person reads.

A person is evaluated as a population of one by the engine (`engine.py`), which
also keeps how each line fared against each requirement; `explain` turns those
arrays into results, notes and one explanation per line: which lines counted
toward what, and why the others did not. Nothing here decides anything: every
reason shown is a code the engine computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np

from muster.rules.breaks import in_play
from muster.rules.columns import (
    NO_DAY,
    Codebook,
    ExemptionRow,
    build_tables,
    from_day_number,
)
from muster.rules.engine import (
    AFTER_AS_OF,
    MADE_UP_ELSEWHERE,
    NEW_EXEMPT,
    NEW_PRORATED,
    NO_PASS,
    NOT_APPLICABLE,
    NOT_COMPLETED,
    NOT_PASSED,
    OVERALL_STATUS,
    REQUIREMENT_STATUS,
    TOO_SHORT,
    WRONG_DELIVERY,
    WRONG_PROVIDER,
    PopulationResult,
    RequirementOutcome,
    evaluate_population,
)
from muster.rules.mandate import Kind, Mandate, too_short
from muster.rules.model import (
    Allocation,
    ComplianceResult,
    CreditLine,
    Exemption,
    LineExplanation,
    Person,
    RequirementResult,
    Status,
)


def line_sort_key(line: CreditLine) -> tuple:
    """A total order on lines, so that caps allocate the same way whatever the input order."""
    return (
        line.completed_on,
        line.hours,
        line.area or "",
        tuple(sorted(line.topics)),
        line.delivery,
        line.provider,
        line.result or "",
        line.counts_for or 0,
        line.label,
    )


def evaluate(
    person: Person,
    lines: Iterable[CreditLine],
    mandate: Mandate,
    *,
    year: int,
    as_of: date,
    exemptions: Iterable[Exemption] = (),
) -> ComplianceResult:
    """Evaluate `person` against `mandate` for the periods containing 31 Dec `year`.

    Only lines and exemptions of this person are used; others are ignored. Before
    a period's last day the status is `on-track` or `at-risk`; after it (and after
    any grace period or extension) `compliant` or `deficient`.
    """
    person = break_in_play(person, mandate, year)
    own_lines = sorted(
        (line for line in lines if line.person == person.id), key=line_sort_key
    )
    own_exemptions = [e for e in exemptions if e.person == person.id]
    people, columns, rows, book = build_tables(
        [person], own_lines, own_exemptions, Codebook.from_vocabulary()
    )
    population = evaluate_population(
        people,
        columns,
        mandate,
        year=year,
        as_of=as_of,
        exemptions=rows,
        codebook=book,
        explain=True,
    )
    return explain(population, 0, own_lines, np.arange(len(own_lines)))


def break_in_play(person: Person, mandate: Mandate, year: int) -> Person:
    """`person` with the break in service that governs `year` as their latest.

    The engine reads one break (`separated_on` to `returned_on`). Of several, the
    one in play is the latest whose reactivation window has opened by 31 December
    of the year (on the return, or on the separation for a window due on the
    return) and whose length some requirement's `after_break` matches: a short
    break that owes nothing does not hide the refresher still due after an earlier
    long one. Without such a break the latest is kept.

    >>> from muster.rules import load_mandates
    >>> ms = load_mandates().mandate("us.ms.peace_officer")
    >>> p = Person("P", "peace-officer", separated_on=date(2025, 3, 1),
    ...     returned_on=date(2025, 6, 1),
    ...     earlier_breaks=((date(2022, 9, 30), date(2024, 10, 1)),))
    >>> break_in_play(p, ms, 2025).separated_on
    datetime.date(2022, 9, 30)
    """
    if not person.earlier_breaks:
        return person
    breaks = (*person.earlier_breaks, (person.separated_on, person.returned_on))
    index = in_play(mandate, breaks, year)
    if index == len(breaks) - 1:
        return person
    left, back = breaks[index]
    return replace(
        person,
        separated_on=left,
        returned_on=back,
        earlier_breaks=person.earlier_breaks[:index],
    )


def percent(share: Decimal) -> str:
    """
    >>> percent(Decimal("0.10"))
    '10%'
    """
    return f"{(share * 100).normalize():f}%"


def hours(centihours: int | np.integer) -> Decimal:
    """Integer hundredths as exact hours."""
    return Decimal(int(centihours)) / 100


def explain(
    population: PopulationResult,
    row: int,
    lines: Sequence[CreditLine],
    line_rows: np.ndarray,
) -> ComplianceResult:
    """Person `row`'s result, from a population evaluated with `explain=True`.

    `lines` are the person's credit lines and `line_rows` their rows in the lines
    table the population was evaluated on, in the same order.
    """
    own, local, group = population.group_of(row)
    if group is not None:  # per-person cycles: the person's own phase group
        line_rows = np.searchsorted(group.line_rows, line_rows)
    return _Explanation(own, local, lines, line_rows).result()


class _Explanation:
    def __init__(self, population, row, lines, line_rows) -> None:
        self.population = population
        self.row = row
        self.lines = lines
        self.line_rows = line_rows
        self.position = {r: i for i, r in enumerate(line_rows.tolist())}
        # By line position, only for lines that have some: most lines of a long
        # history count toward nothing here and are only outside the periods,
        # which `outside_reasons` works out for all of them at once.
        self.counted: dict[int, list[Allocation]] = {}
        self.refused: dict[int, list[Allocation]] = {}
        self.outside_cycles: list[RequirementOutcome] = []
        self.notes: list[str] = []
        day = population.people.licensed_on[row]
        self.licensed_on = None if day == NO_DAY else from_day_number(day)

    def result(self) -> ComplianceResult:
        population, row = self.population, self.row
        requirements: list[RequirementResult] = []
        if population.applies[row]:
            noted_cycles: set[str] = set()
            for index, outcome in enumerate(population.outcomes):
                if outcome is None:
                    continue
                code = int(population.requirement_status[index, row])
                if (
                    code != NOT_APPLICABLE
                    and outcome.period.cycle.id not in noted_cycles
                ):
                    noted_cycles.add(outcome.period.cycle.id)
                    self.note_outside(outcome)
                requirements.append(self.requirement(index, outcome, code))
            self.note_make_up_marks()
            if OVERALL_STATUS[population.status[row]] != Status.NOT_ENCODED:
                self.notes += undated_reasons(population, row)
        mandate = population.mandate
        return ComplianceResult(
            person=population.people.ids[row],
            mandate=mandate.id,
            jurisdiction=mandate.jurisdiction,
            as_of=population.as_of,
            status=OVERALL_STATUS[population.status[row]],
            requirements=tuple(requirements),
            lines=self.line_explanations(),
            notes=tuple(dict.fromkeys(self.notes)),
            warnings=self.warnings(),
        )

    def warnings(self) -> tuple[str, ...]:
        """The mandate's own warnings, and why nothing was evaluated if so: a
        date of the person's that is not recorded, or rules not encoded."""
        population = self.population
        found = population.mandate.warnings()
        # Requirements before the person's first encoded period (an Illinois
        # surname group not yet begun): not evaluated, whatever the rest says.
        before = population.unencoded_reason(self.row)
        before_first = (before,) if before else ()
        if OVERALL_STATUS[population.status[self.row]] != Status.NOT_ENCODED:
            return found + before_first
        # Nothing evaluated: say the date to enter, or that no rules are encoded.
        undated = undated_reasons(population, self.row)
        if undated or (before_first and population.evaluated_people()[self.row]):
            return found + undated + before_first
        return (
            found
            + (population.mandate.not_encoded_reason(population.year),)
            + before_first
        )

    def requirement(
        self, index: int, outcome: RequirementOutcome, code: int
    ) -> RequirementResult:
        population, row = self.population, self.row
        requirement = outcome.requirement
        cycle = outcome.period.cycle
        notes = [
            n
            for n in (
                outcome.value.note,
                cycle.note,
                *(cap.value.note for cap in outcome.caps),
            )
            if n
        ]
        status = REQUIREMENT_STATUS[code]
        required = hours(population.required[index, row])
        if code == NOT_APPLICABLE:
            if outcome.licensed_after[row]:
                notes.append(
                    f"not licensed until {self.licensed_on}, after this period"
                )
            elif requirement.after_break is not None:
                notes.append(self.break_note(requirement))
        else:
            notes += self.exemption_notes(outcome, status, required)
            notes += self.round_two_notes(outcome, status, required)
            self.note_lines(outcome)
        carried = outcome.carried
        return RequirementResult(
            id=requirement.id,
            label=requirement.label,
            unit=requirement.unit,
            period=outcome.period.of(row),
            required=required,
            earned=hours(population.earned[index, row]),
            status=status,
            citation=outcome.value.citation,
            notes=tuple(notes),
            carried_over=(
                hours(carried.hours[row])
                if carried is not None and code != NOT_APPLICABLE
                else Decimal(0)
            ),
        )

    def break_note(self, requirement) -> str:
        """Why a reactivation requirement does not apply: the break recorded."""
        people, row = self.population.people, self.row
        left, back = (people.date(n)[row] for n in ("separated_on", "returned_on"))
        owed = f"owed after {requirement.after_break.words()}"
        if left == NO_DAY:
            return (
                f"{owed}; the start of the break (separated_on) is not recorded, "
                "so it is not evaluated: enter it"
            )
        return (
            f"{owed}; the break recorded runs from {from_day_number(left)} to "
            f"{from_day_number(back)}"
        )

    def whole_notes(self, outcome: RequirementOutcome, required: Decimal) -> list[str]:
        """Which alternative satisfied the requirement as a whole, and the lines
        that did it (each counted as satisfying it)."""
        if outcome.whole is None or not outcome.whole[self.row]:
            return []
        index = int(outcome.whole[self.row]) - 1
        alternative = outcome.alternatives[index]
        if outcome.whole_rows:
            for table_row in outcome.whole_rows[index]:
                j = self.position.get(int(table_row))
                if j is not None:
                    self.counted.setdefault(j, []).append(
                        Allocation(
                            outcome.requirement.id,
                            Decimal(1),
                            unit=f"{alternative.kind} satisfying it as a whole",
                        )
                    )
        done = "passed" if alternative.kind == Kind.QUALIFICATION else "completed"
        asked = f"{required} h" if outcome.requirement.kind == Kind.HOURS else "course"
        note = (
            f"satisfied as a whole by {alternative.label}, {done} in this period: "
            f"counted as the {asked} asked, whatever the hours recorded "
            f"({alternative.citation})"
        )
        return [f"{note}; {alternative.note}" if alternative.note else note]

    def round_two_notes(
        self, outcome: RequirementOutcome, status: str, required: Decimal
    ) -> list[str]:
        """Why the amount or its reading differs: a value taking effect inside the
        period, a tolerated shortfall, hours carried in, consecutive misses."""
        row, notes = self.row, []
        period = outcome.period.period
        for entry in (outcome.value, *(cap.value for cap in outcome.caps)):
            if entry.applies_within and entry.starts_on > period.start:
                notes.append(
                    f"the rule of {entry.starts_on} governs this whole period, which "
                    f"it starts inside ({entry.citation.title})"
                )
        shortfall = outcome.shortfall
        if shortfall is not None and row in shortfall.absences:
            rule = shortfall.rule
            full = hours(shortfall.full_required[row])
            absences = "; ".join(
                f"{a.reason or 'approved absence'} ({from_day_number(a.starts_on)} "
                f"to {from_day_number(a.ends_on)})"
                for a in (
                    self.population.exemptions[i] for i in shortfall.absences[row]
                )
            )
            notes.append(
                f"an approved absence is recorded ({absences}): missing "
                f"{percent(rule.share)} or less of the {full} h is not a failure, "
                f"so {required} h are asked ({rule.citation.title})"
            )
        carried = outcome.carried
        if carried is not None and carried.hours[row]:
            source = carried.source
            notes.append(
                f"{hours(carried.hours[row])} h carried over from the period "
                f"{source.start} to {source.end}, the hours earned there over what "
                f"it asked (at most {carried.rule.hours} h; "
                f"{carried.rule.citation.title})"
            )
        if outcome.misses is not None and outcome.misses[row] and status != Status.MET:
            notes += self.consequence_notes(outcome, int(outcome.misses[row]))
        if status != Status.EXEMPT:
            notes += self.whole_notes(outcome, required)
        return notes

    def consequence_notes(self, outcome: RequirementOutcome, misses: int) -> list[str]:
        """What the rules say follows this many consecutive misses (data only)."""
        end = outcome.period.period.end
        rules = [
            r
            for r in outcome.requirement.consequences
            if r.starts_on <= end and r.misses <= misses
        ]
        if not rules:
            return []
        rule = max(rules, key=lambda r: (r.misses, r.starts_on))
        run = "once" if misses == 1 else f"{misses} periods in a row"
        return [
            f"missed {run}: {rule.consequence} ({rule.citation.title}); the rules "
            "decide this, the status here does not change"
        ]

    def exemption_notes(
        self, outcome: RequirementOutcome, status: str, required: Decimal
    ) -> list[str]:
        """Why a requirement is exempt or owes less (its own notes), and notes
        for the whole result about prorations and waivers that could not apply."""
        row, requirement = self.row, outcome.requirement
        new_licensee = outcome.new_licensee[row]
        rule = outcome.new_licensee_rule
        if new_licensee == NEW_EXEMPT:
            return [
                f"licensed on {self.licensed_on}, during this period: exempt for its "
                f"rest ({rule.citation.title})"
            ]
        if new_licensee == NEW_PRORATED:
            self.notes.append(
                f"licensed on {self.licensed_on}: {outcome.prorate_units[row]} full "
                f"blocks of {rule.unit_months} months left, so "
                f"{hours(outcome.prorated_required[row])} h owed "
                f"({rule.citation.title})"
            )
        waivers = outcome.waivers
        touching = waivers.touching.get(row)
        if not touching:
            return []
        described = "; ".join(
            f"{w.reason or 'waiver'} ({from_day_number(w.starts_on)} to "
            f"{from_day_number(w.ends_on)})"
            for w in (self.population.exemptions[i] for i in touching)
        )
        if not requirement.is_waivable:
            self.notes.append(
                f"the waiver ({described}) cannot waive {requirement.label}: "
                "the rules make it non-waivable"
            )
            return []
        if status == Status.EXEMPT:
            return [f"waived: {described}"]
        waiver_rule = waivers.rule
        self.notes.append(
            f"waived in part ({described}): {waivers.worked[row]} of "
            f"{waivers.blocks} blocks of {waiver_rule.unit_months} months without a "
            f"waiver, so {requirement.label} asks {required} "
            f"({waiver_rule.citation.title})"
        )
        return []

    def note_lines(self, outcome: RequirementOutcome) -> None:
        """What each of the person's lines on the subject counted, or why not."""
        placement, requirement = outcome.lines, outcome.requirement
        counts = requirement.counts
        unit = "completion" if requirement.kind == Kind.COMPLETION else "qualification"
        for i, table_row in enumerate(placement.rows):
            j = self.position.get(int(table_row))
            if j is None:
                continue
            line = self.lines[j]
            why = placement.refusal[i]
            if why == WRONG_DELIVERY:
                allowed = " or ".join(sorted(counts.deliveries))
                reason = f"delivered {line.delivery}; only {allowed} hours count"
            elif why == WRONG_PROVIDER:
                allowed = " or ".join(sorted(counts.providers))
                reason = f"provider is {line.provider}; only {allowed} hours count"
            elif why == NOT_PASSED:
                reason = "qualification not passed"
            elif why == NO_PASS:
                reason = "no pass recorded"
            elif why == NOT_COMPLETED:
                reason = "not completed"
            elif why == TOO_SHORT:
                reason = too_short(line.hours, counts.min_hours)
            else:
                reason = ""
            if reason:
                self.refused.setdefault(j, []).append(
                    Allocation(requirement.id, line.hours, reason)
                )
                continue
            if requirement.kind != Kind.HOURS:
                self.counted.setdefault(j, []).append(
                    Allocation(requirement.id, Decimal(1), unit=unit)
                )
                continue
            counted = line.hours
            if placement.over_cap[i]:
                counted = hours(placement.counted[i])
                for cap, cut in zip(outcome.caps, placement.cut_by, strict=True):
                    if cut[i]:
                        self.refused.setdefault(j, []).append(
                            Allocation(
                                requirement.id,
                                hours(cut[i]),
                                f"{hours(cut[i])} h over the {cap.value.hours} h "
                                f"cap on {cap.rule.label}",
                            )
                        )
            if counted > 0:
                self.counted.setdefault(j, []).append(
                    Allocation(requirement.id, counted)
                )

    def note_outside(self, outcome: RequirementOutcome) -> None:
        """Note that lines outside the period of this cycle say why (once per
        cycle, in the order the cycles come); `outside_reasons` words it."""
        self.outside_cycles.append(outcome)

    def outside_reasons(self) -> list[tuple[str, ...]]:
        """For each line, why it falls outside the periods noted, cycle by cycle
        without repeats. The reason depends only on the line's code in each cycle
        (and, for make-up hours counted elsewhere, the period it names), so it is
        worded once per distinct combination, not once per line: a long history
        has a thousand lines, most of them in other periods."""
        if not self.outside_cycles:
            return [()] * len(self.lines)
        codes = np.stack(
            [
                self.population.outside[o.period.cycle.id][self.line_rows]
                for o in self.outside_cycles
            ]
        )
        combinations, which = np.unique(codes, axis=1, return_inverse=True)
        worded = [
            () if MADE_UP_ELSEWHERE in combination else self.outside_words(combination)
            for combination in combinations.T.tolist()
        ]
        found = [worded[k] for k in which.reshape(-1).tolist()]
        # Make-up hours counted elsewhere name the period they count for.
        for j in np.flatnonzero((codes == MADE_UP_ELSEWHERE).any(axis=0)).tolist():
            found[j] = self.outside_words(
                codes[:, j].tolist(), self.lines[j].counts_for
            )
        return found

    def outside_words(
        self, combination: list[int], counts_for: int | None = None
    ) -> tuple[str, ...]:
        """Why a line with these codes in the cycles noted falls outside them
        (`counts_for`: the period its make-up hours are marked for)."""
        as_of = self.population.as_of
        reasons: list[str] = []
        for outcome, code in zip(self.outside_cycles, combination, strict=True):
            period = outcome.period.period
            if code == AFTER_AS_OF:
                reason = f"completed after {as_of}, the day evaluated"
            elif code == MADE_UP_ELSEWHERE:
                reason = f"make-up hours counted for {counts_for}, not for this period"
            elif code:
                reason = f"completed outside the period {period.start} to {period.end}"
            else:
                continue
            reason = f"{reason} ({outcome.period.cycle.label})"
            if reason not in reasons:
                reasons.append(reason)
        return tuple(reasons)

    def line_explanations(self) -> tuple[LineExplanation, ...]:
        outside = self.outside_reasons()
        counted, refused = self.counted, self.refused
        return tuple(
            LineExplanation(
                line,
                tuple(counted[i]) if i in counted else (),
                tuple(refused[i]) if i in refused else (),
                outside[i],
            )
            for i, line in enumerate(self.lines)
        )

    def note_make_up_marks(self) -> None:
        """Say when a make-up mark could not be honoured, so nobody relies on it."""
        marks = self.population.unhonoured_marks
        if marks is None or not len(self.line_rows):
            return
        for j in np.flatnonzero(marks[self.line_rows]).tolist():
            line = self.lines[j]
            self.notes.append(
                f"the line of {line.completed_on} is marked as make-up for "
                f"{line.counts_for}, but that date is not inside a make-up window "
                f"for {line.counts_for}; it counts for the period in which it was "
                "completed"
            )


def undated_reasons(population: PopulationResult, row: int) -> tuple[str, ...]:
    """For each requirement that applies to person `row` but could not be
    evaluated because a date of theirs is missing: which date, and to enter it."""
    mandate = population.mandate
    found: dict[str, list[str]] = {}
    for requirement in mandate.requirements:
        undated = population.undated.get(requirement.id)
        if undated is not None and undated[row]:
            words = mandate.cycles[requirement.cycle].date_words
            found.setdefault(words, []).append(requirement.label)
    return tuple(
        f"no {words} recorded: enter it to evaluate ({'; '.join(labels)})"
        for words, labels in found.items()
    )


__all__ = ["ExemptionRow", "evaluate", "explain", "line_sort_key"]
