"""What the planner may choose from: online courses, live classes, external courses.

An `Option` is one way to earn credit, with the engine lines a completion of it
would record and what it costs. Costs are in dollars: the fee, the travel, and the
hours away from duty (seat time plus travel time) at an hourly value the agency
sets, so that "least cost" weighs a free eight-hour class against a paid one-hour
module the way a coordinator with a budget does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from muster import rules

# What an hour away from duty is worth when nobody says otherwise: a rough loaded
# hourly cost of a patrol officer (wage, benefits, backfill), in dollars.
DEFAULT_HOUR_VALUE = Decimal(45)


class OptionKind:
    ONLINE = "online"
    LIVE_CLASS = "live-class"
    EXTERNAL = "external"

    LABELS = {
        ONLINE: "online course",
        LIVE_CLASS: "live class",
        EXTERNAL: "approved external course",
    }


@dataclass(frozen=True)
class Option:
    """One course or class a person could complete, as the engine would see it.

    `lines` are the credit lines the completion would record (person "plan",
    completed on `on`); they count only toward requirements of the states in
    `accepted_in`, where the course is approved. `seats` and `session_cost` matter
    only when planning a whole agency: a live class holds so many people, and
    running it costs so much (zero once it is scheduled anyway).
    """

    key: str
    title: str
    kind: str
    on: date
    lines: tuple[rules.CreditLine, ...]
    accepted_in: frozenset[str]
    seat_hours: Decimal
    fee: Decimal = Decimal(0)
    travel_cost: Decimal = Decimal(0)
    travel_hours: Decimal = Decimal(0)
    seats: int | None = None
    session_cost: Decimal = Decimal(0)
    url: str = ""
    audience: tuple[str, ...] = ()

    @property
    def kind_label(self) -> str:
        return OptionKind.LABELS.get(self.kind, self.kind)

    @property
    def hours_away(self) -> Decimal:
        return self.seat_hours + self.travel_hours

    def cost(self, hour_value: Decimal) -> Decimal:
        """Dollars: fee, travel, and every hour away from duty at `hour_value`."""
        return self.fee + self.travel_cost + self.hours_away * hour_value

    def lines_for(self, person: str) -> list[rules.CreditLine]:
        """The option's lines as a record of `person` would carry them."""
        return [
            rules.CreditLine(
                person=person,
                completed_on=line.completed_on,
                hours=line.hours,
                area=line.area,
                topics=line.topics,
                delivery=line.delivery,
                provider=line.provider,
                result=line.result,
                label=f"plan:{self.key}",
            )
            for line in self.lines
        ]


def option_lines(
    on: date,
    credits: list[tuple[Decimal, str | None, frozenset[str]]],
    *,
    delivery: str,
    provider: str,
) -> tuple[rules.CreditLine, ...]:
    """Engine lines for a completion on `on`: one per (hours, area, topics) credit."""
    return tuple(
        rules.CreditLine(
            person="plan",
            completed_on=on,
            hours=hours,
            area=area or None,
            topics=topics,
            delivery=delivery,
            provider=provider,
            result="pass",
        )
        for hours, area, topics in credits
    )
