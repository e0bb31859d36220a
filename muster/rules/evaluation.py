"""Evaluate one person's training against one mandate, with a full explanation.

This is the reference implementation: clear before fast. `batch.py` computes the
same statuses and hours for many people at once, and a property test holds the two
to the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from muster.rules.dates import year_end
from muster.rules.mandate import (
    CapInForce,
    Cycle,
    Kind,
    Mandate,
    Requirement,
    applies,
    at,
)
from muster.rules.model import (
    Allocation,
    ComplianceResult,
    CreditLine,
    Exemption,
    LineExplanation,
    Period,
    Person,
    RequirementResult,
    Status,
)

# Count-type requirements (a course, a qualification) are "at risk" once this few
# days remain; hours requirements also when behind a straight-line pace.
COUNT_WARNING_DAYS = 90
FINAL_WARNING_DAYS = 30


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


def person_period(
    cycle: Cycle, day: date, extensions: Sequence[Exemption]
) -> Period | None:
    """The person's period of `cycle` containing `day`, with any extension applied."""
    period = cycle.period_containing(day)
    if period is None or cycle.once_from is not None:
        return period
    for extension in extensions:
        covers_end = extension.starts_on <= period.end <= extension.ends_on
        if covers_end and extension.ends_on > period.due_on:
            period = Period(
                period.start, period.end, extension.ends_on, period.grace_until
            )
    return period


@dataclass
class _Context:
    """What one evaluation needs at hand: the person, their lines and periods."""

    person: Person
    mandate: Mandate
    lines: list[CreditLine]
    waivers: list[Exemption]
    extensions: list[Exemption]
    reference_day: date
    as_of: date
    periods: dict[str, Period | None] = field(default_factory=dict)
    make_up_periods: dict[tuple[str, int], Period | None] = field(default_factory=dict)
    counted: dict[int, list[Allocation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    refused: dict[int, list[Allocation]] = field(
        default_factory=lambda: defaultdict(list)
    )
    outside: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: list[str] = field(default_factory=list)

    def period(self, cycle_id: str) -> Period | None:
        if cycle_id not in self.periods:
            cycle = self.mandate.cycles[cycle_id]
            self.periods[cycle_id] = person_period(
                cycle, self.reference_day, self.extensions
            )
        return self.periods[cycle_id]

    def make_up_period(self, cycle: Cycle, line: CreditLine) -> Period | None:
        """The period `line` is marked to make up, if it falls in that make-up window."""
        assert line.counts_for is not None
        key = (cycle.id, line.counts_for)
        if key not in self.make_up_periods:
            self.make_up_periods[key] = person_period(
                cycle, year_end(line.counts_for), self.extensions
            )
        target = self.make_up_periods[key]
        if target is not None and target.end < line.completed_on <= target.final_day:
            return target
        return None

    def placement(self, line: CreditLine, cycle: Cycle, period: Period) -> str | None:
        """None when the line counts in `period`, else why it does not."""
        if line.completed_on > self.as_of:
            # Judging a past day uses only what had been completed by then.
            return f"completed after {self.as_of}, the day evaluated"
        if line.counts_for is not None:
            target = self.make_up_period(cycle, line)
            if target is not None:
                if target.start == period.start:
                    return None
                return (
                    f"make-up hours counted for {line.counts_for}, not for this period"
                )
        if period.contains(line.completed_on):
            return None
        return f"completed outside the period {period.start} to {period.end}"


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
    own = [e for e in exemptions if e.person == person.id]
    context = _Context(
        person=person,
        mandate=mandate,
        lines=sorted(
            (line for line in lines if line.person == person.id), key=line_sort_key
        ),
        waivers=[e for e in own if e.kind == "waiver"],
        extensions=[e for e in own if e.kind == "extension"],
        reference_day=year_end(year),
        as_of=as_of,
    )
    if not mandate.applies(person):
        return _result(context, Status.NOT_APPLICABLE, ())
    requirements = tuple(
        result
        for requirement in mandate.requirements
        if (result := _evaluate_requirement(context, requirement)) is not None
    )
    _note_make_up_marks(context)
    return _result(context, overall_status(requirements, as_of), requirements)


def _result(
    context: _Context, status: str, requirements: tuple[RequirementResult, ...]
) -> ComplianceResult:
    explanations = tuple(
        LineExplanation(
            line,
            tuple(context.counted[i]),
            tuple(context.refused[i]),
            tuple(context.outside[i]),
        )
        for i, line in enumerate(context.lines)
    )
    return ComplianceResult(
        person=context.person.id,
        mandate=context.mandate.id,
        jurisdiction=context.mandate.jurisdiction,
        as_of=context.as_of,
        status=status,
        requirements=requirements,
        lines=explanations,
        notes=tuple(dict.fromkeys(context.notes)),
        warnings=context.mandate.warnings(),
    )


def _evaluate_requirement(
    context: _Context, requirement: Requirement
) -> RequirementResult | None:
    """One requirement's result, or None when it is not in force for the period."""
    period = context.period(requirement.cycle)
    if period is None:
        return None
    value = at(requirement.values, period.start)
    if value is None or value.hours is None:
        return None
    cycle = context.mandate.cycles[requirement.cycle]
    cap = requirement.cap_on(period.start)
    notes = [n for n in (value.note, cycle.note, cap.value.note if cap else "") if n]

    def result(status: str, required: Decimal, earned: Decimal) -> RequirementResult:
        return RequirementResult(
            id=requirement.id,
            label=requirement.label,
            unit=requirement.unit,
            period=period,
            required=required,
            earned=earned,
            status=status,
            citation=value.citation,
            notes=tuple(notes),
        )

    person = context.person
    if not applies(requirement.applies_to, person):
        return result(Status.NOT_APPLICABLE, Decimal(0), Decimal(0))
    if person.licensed_on is not None and person.licensed_on > period.end:
        notes.append(f"not licensed until {person.licensed_on}, after this period")
        return result(Status.NOT_APPLICABLE, Decimal(0), Decimal(0))
    required = value.hours_for(person, period.start)
    exempt_reason, required = _new_licensee(context, cycle, period, required)
    if exempt_reason is None:
        exempt_reason, required = _waiver(context, requirement, cycle, period, required)
    earned = _count(context, requirement, cycle, period, cap)
    if exempt_reason:
        notes.append(exempt_reason)
        return result(Status.EXEMPT, required, earned)
    return result(
        Status.MET if earned >= required else Status.MISSING, required, earned
    )


def _new_licensee(
    context: _Context, cycle: Cycle, period: Period, required: Decimal
) -> tuple[str | None, Decimal]:
    """Apply the rule for people licensed during the period: an exemption or proration."""
    licensed_on = context.person.licensed_on
    rule = at(context.mandate.new_licensee, period.start)
    if rule is None or licensed_on is None or cycle.once_from is not None:
        return None, required
    if licensed_on < period.start:
        return None, required
    if rule.rule == "exempt-period-of-licensing":
        return (
            f"licensed on {licensed_on}, during this period: exempt for its rest "
            f"({rule.citation.title})",
            required,
        )
    units = full_units(licensed_on, period.end, rule.unit_months)
    prorated = min(required, rule.hours_per_unit * units)
    context.notes.append(
        f"licensed on {licensed_on}: {units} full blocks of {rule.unit_months} months "
        f"left, so {prorated} h owed ({rule.citation.title})"
    )
    return None, prorated


def full_units(licensed_on: date, period_end: date, unit_months: int) -> int:
    """Full blocks of `unit_months` from the first of the month after licensing to the end."""
    start_index = licensed_on.year * 12 + licensed_on.month  # the next month's index
    end_index = period_end.year * 12 + period_end.month  # one past the last month
    return max(0, (end_index - start_index) // unit_months)


def _waiver(
    context: _Context,
    requirement: Requirement,
    cycle: Cycle,
    period: Period,
    required: Decimal,
) -> tuple[str | None, Decimal]:
    """Apply the person's waivers: an exemption, a proration, or nothing."""
    touching = [
        w
        for w in context.waivers
        if (not w.requirements or requirement.id in w.requirements)
        and w.overlaps(period.start, period.end)
    ]
    if not touching:
        return None, required
    described = "; ".join(
        f"{w.reason or 'waiver'} ({w.starts_on} to {w.ends_on})" for w in touching
    )
    if not requirement.is_waivable:
        context.notes.append(
            f"the waiver ({described}) cannot waive {requirement.label}: "
            "the rules make it non-waivable"
        )
        return None, required
    rule = at(context.mandate.waivers, period.start)
    if rule is None or rule.rule == "exempt" or cycle.once_from is not None:
        return f"waived: {described}", required
    blocks = rule.blocks(period.start, cycle.months)
    worked = sum(
        1
        for first, last in blocks
        if not any(w.overlaps(first, last) for w in touching)
    )
    if worked == 0:
        return f"waived: {described}", required
    prorated = min(required, rule.hours_per_unit * worked)
    context.notes.append(
        f"waived in part ({described}): {worked} of {len(blocks)} blocks of "
        f"{rule.unit_months} months without a waiver, so {requirement.label} asks "
        f"{prorated} ({rule.citation.title})"
    )
    return None, prorated


def _count(
    context: _Context,
    requirement: Requirement,
    cycle: Cycle,
    period: Period,
    cap: CapInForce | None,
) -> Decimal:
    """Sum what counts toward the requirement and record why each line did or did not."""
    cap_room = cap.value.hours if cap else None
    earned = Decimal(0)
    for index, line in enumerate(context.lines):
        outside = context.placement(line, cycle, period)
        if outside is not None:
            _note_outside(context, index, cycle, outside)
            continue
        if not requirement.counts.is_about(line):
            continue
        refusal = requirement.counts.refusal(line)
        if refusal is None and requirement.kind != Kind.HOURS:
            refusal = _count_refusal(requirement, line)
        if refusal is not None:
            context.refused[index].append(
                Allocation(requirement.id, line.hours, refusal)
            )
            continue
        if requirement.kind != Kind.HOURS:
            unit = (
                "completion" if requirement.kind == Kind.COMPLETION else "qualification"
            )
            context.counted[index].append(
                Allocation(requirement.id, Decimal(1), unit=unit)
            )
            earned += 1
            continue
        hours = line.hours
        if cap is not None and cap_room is not None and cap.rule.matches(line):
            hours = min(hours, cap_room)
            cap_room -= hours
            if hours < line.hours:
                context.refused[index].append(
                    Allocation(
                        requirement.id,
                        line.hours - hours,
                        f"over the {cap.value.hours} h cap on {cap.rule.label}",
                    )
                )
        if hours > 0:
            context.counted[index].append(Allocation(requirement.id, hours))
        earned += hours
    return earned


def _count_refusal(requirement: Requirement, line: CreditLine) -> str | None:
    if requirement.kind == Kind.QUALIFICATION and line.result != "pass":
        return (
            "qualification not passed" if line.result == "fail" else "no pass recorded"
        )
    if requirement.kind == Kind.COMPLETION and not requirement.counts_line(line):
        return "not completed"
    return None


def _note_outside(context: _Context, index: int, cycle: Cycle, reason: str) -> None:
    reason = f"{reason} ({cycle.label})"
    if reason not in context.outside[index]:
        context.outside[index].append(reason)


def _note_make_up_marks(context: _Context) -> None:
    """Say when a make-up mark could not be honoured, so nobody relies on it."""
    for line in context.lines:
        if line.counts_for is None or line.counts_for == line.completed_on.year:
            continue
        cycles = context.mandate.cycles.values()
        if not any(context.make_up_period(cycle, line) for cycle in cycles):
            context.notes.append(
                f"the line of {line.completed_on} is marked as make-up for "
                f"{line.counts_for}, but that date is not inside a make-up window for "
                f"{line.counts_for}; it counts for the period in which it was completed"
            )


def overall_status(requirements: Sequence[RequirementResult], as_of: date) -> str:
    """Combine requirement statuses into one, judged on `as_of`."""
    applicable = [r for r in requirements if r.is_applicable]
    if not applicable:
        return Status.NOT_APPLICABLE
    if all(r.status == Status.EXEMPT for r in applicable):
        return Status.EXEMPT
    missing = [r for r in applicable if r.status == Status.MISSING]
    if not missing:
        return Status.COMPLIANT
    if any(as_of > r.period.final_day for r in missing):
        return Status.DEFICIENT
    if any(is_behind(r, as_of) for r in missing):
        return Status.AT_RISK
    return Status.ON_TRACK


def is_behind(result: RequirementResult, as_of: date) -> bool:
    """Whether an open, unmet requirement needs attention now.

    Behind means: the period is over (the person is in grace or an extension), the
    deadline is under 30 days away, a course or qualification is still missing with
    under 90 days left, or hours trail a straight-line pace through the period.
    """
    period = result.period
    if as_of > period.due_on:
        return True
    days_left = (period.due_on - as_of).days
    if days_left < FINAL_WARNING_DAYS:
        return True
    if result.unit != "hours":
        return days_left < COUNT_WARNING_DAYS
    total_days = (period.due_on - period.start).days + 1
    elapsed_days = max(0, (as_of - period.start).days + 1)
    return result.earned * total_days < result.required * elapsed_days
