"""What a person still needs, read from the engine's own results.

A `Need` is one requirement the engine found missing, with the room left under its
cap (the engine's explanation says how many capped hours it already counted). The
planner never decides what a requirement asks: it reads `missing` and the
requirement's rule objects (`Requirement.counts_line`, `Cap.matches`) from the
engine, so there is no second reading of the law.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from muster import rules
from muster.rules.mandate import CapInForce, Kind, Mandate, Requirement


@dataclass(frozen=True)
class Need:
    """One open requirement of one mandate: how much is missing, and by when."""

    jurisdiction: str
    mandate: Mandate = field(repr=False)
    requirement: Requirement = field(repr=False)
    label: str
    missing: Decimal  # hours, or completions for course and qualification kinds
    period: rules.Period
    caps: tuple[CapInForce, ...] = field(default=(), repr=False)
    cap_room: Decimal | None = None  # capped hours that may still count

    def is_capped(self, line: rules.CreditLine) -> bool:
        """Whether a cap of the requirement limits the line."""
        return any(cap.rule.matches(line) for cap in self.caps)

    @property
    def key(self) -> tuple[str, str]:
        return (self.mandate.id, self.requirement.id)

    @property
    def is_hours(self) -> bool:
        return self.requirement.kind == Kind.HOURS

    @property
    def state_period(self) -> str:
        start, end = self.period.start.year, self.period.end.year
        years = str(end) if start == end else f"{start}–{end}"
        return f"{self.jurisdiction} {years}"

    def amount_text(self, amount: Decimal) -> str:
        if not self.is_hours:
            return "completion"
        return f"{amount.normalize():f} h"

    def signature(self) -> tuple:
        """What makes two people's needs the same problem for the planner."""
        return (
            self.key,
            self.missing,
            self.period,
            self.cap_room,
        )


def needs_in(result: rules.ComplianceResult, mandate: Mandate) -> list[Need]:
    """The requirements `result` (an engine result for `mandate`) finds missing."""
    requirements = {r.id: r for r in mandate.requirements}
    needs = []
    for found in result.requirements:
        if found.status != rules.Status.MISSING or found.missing <= 0:
            continue
        requirement = requirements[found.id]
        caps = requirement.caps_for(found.period.start, found.period.end)
        room = None
        if caps and requirement.kind == Kind.HOURS:
            # Several caps (online, and hours taught) each limit their own lines;
            # one pool with the smallest room left is within every one of them.
            room = min(
                max(Decimal(0), cap.value.hours - _capped_used(result, cap, found.id))
                for cap in caps
            )
        needs.append(
            Need(
                jurisdiction=mandate.jurisdiction,
                mandate=mandate,
                requirement=requirement,
                label=found.label,
                missing=found.missing,
                period=found.period,
                caps=caps,
                cap_room=room,
            )
        )
    return needs


def _capped_used(
    result: rules.ComplianceResult, cap: CapInForce, requirement_id: str
) -> Decimal:
    """Hours the engine already counted toward the requirement from capped lines."""
    return sum(
        (
            allocation.hours
            for explanation in result.lines
            if cap.rule.matches(explanation.line)
            for allocation in explanation.counted
            if allocation.requirement == requirement_id
        ),
        Decimal(0),
    )


def all_needs(
    results: Iterable[tuple[rules.ComplianceResult, Mandate]],
) -> list[Need]:
    """Every open requirement across a person's results (several licenses at once)."""
    return [need for result, mandate in results for need in needs_in(result, mandate)]
