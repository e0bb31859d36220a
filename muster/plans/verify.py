"""Check a plan with the engine: the person's records plus the planned ones.

Nothing the solver believes is shown unchecked. `verify` evaluates the person
again with a hypothetical record for each planned option, dated when it would be
completed, and reads the engine's answer: which needs are now met, and what each
planned line counted toward (the engine's own explanation, so "why this course"
is the engine's word, not the planner's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from muster import rules
from muster.plans.needs import Need
from muster.plans.options import Option
from muster.plans.subject import Subject


@dataclass(frozen=True)
class Reason:
    """One thing a planned option counts toward, as the engine counted it."""

    need: Need
    amount: Decimal

    def text(self) -> str:
        return f"{self.need.label} {self.need.amount_text(self.amount)}"


@dataclass
class Verification:
    """The engine's verdict on a plan."""

    met: dict[tuple[str, str], bool]
    earned: dict[tuple[str, str], Decimal]
    reasons: dict[str, list[Reason]] = field(default_factory=dict)

    @property
    def closed(self) -> list[tuple[str, str]]:
        return [key for key, ok in self.met.items() if ok]

    def is_met(self, need: Need) -> bool:
        return self.met.get(need.key, False)


def verify(subject: Subject, needs: Sequence[Need], options: Sequence[Option]):
    """Evaluate `subject` with the planned options recorded; see the module text."""
    extra = [line for option in options for line in option.lines_for(subject.id)]
    as_of = max([subject.as_of] + [option.on for option in options])
    by_label = {f"plan:{option.key}": option for option in options}
    wanted = {need.key: need for need in needs}
    met: dict[tuple[str, str], bool] = {}
    earned: dict[tuple[str, str], Decimal] = {}
    reasons: dict[str, dict[tuple[str, str], Decimal]] = {}
    for result, mandate in subject.results(extra, as_of):
        for found in result.requirements:
            key = (mandate.id, found.id)
            if key in wanted:
                met[key] = found.status in (rules.Status.MET, rules.Status.EXEMPT)
                earned[key] = found.earned
        for explanation in result.lines:
            option = by_label.get(explanation.line.label)
            if option is None:
                continue
            for allocation in explanation.counted:
                key = (mandate.id, allocation.requirement)
                if key in wanted:
                    per_option = reasons.setdefault(option.key, {})
                    per_option[key] = per_option.get(key, Decimal(0)) + allocation.hours
    for key in wanted:
        met.setdefault(key, False)
    return Verification(
        met,
        earned,
        {
            option_key: [Reason(wanted[k], amount) for k, amount in found.items()]
            for option_key, found in reasons.items()
        },
    )
