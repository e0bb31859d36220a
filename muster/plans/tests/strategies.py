"""Hypothesis strategies: people with random training, and random options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from muster import rules
from muster.plans.options import Option, OptionKind, option_lines
from muster.plans.subject import Subject, subject_of

ON = date(2026, 6, 1)
AREAS = [None, "legal", "technical", "interpersonal", "skill-development"]
TOPICS = ["implicit-bias", "de-escalation", "firearms", "racial-profiling"]
DELIVERIES = ["live", "online"]
PROVIDERS = ["approved-provider", "in-service", "other"]
STATES = ["MO", "AL"]


def mandates(state: str):
    return rules.load_mandates().get(state).mandates


hours = st.integers(min_value=1, max_value=16).map(lambda n: Decimal(n) / 2)
topics = st.frozensets(st.sampled_from(TOPICS), max_size=2)


@st.composite
def credit_lines(draw, person: str = "p"):
    return rules.CreditLine(
        person=person,
        completed_on=date(2026, draw(st.integers(1, 5)), draw(st.integers(1, 28))),
        hours=draw(hours),
        area=draw(st.sampled_from(AREAS)),
        topics=draw(topics),
        delivery=draw(st.sampled_from(DELIVERIES)),
        provider=draw(st.sampled_from(PROVIDERS)),
        result="pass",
    )


@st.composite
def subjects(draw) -> Subject:
    """A peace officer licensed in Missouri, Alabama or both, with some training."""
    states = draw(st.sampled_from([["MO"], ["AL"], ["MO", "AL"]]))
    traffic = draw(st.booleans())
    person = rules.Person(
        "p",
        "peace-officer",
        date(2015, 3, 1),
        frozenset({"traffic-enforcement"}) if traffic else frozenset(),
    )
    lines = draw(st.lists(credit_lines(), max_size=6))
    return subject_of("p", [(person, mandates(s)) for s in states], lines, [], 2026, ON)


@st.composite
def options(draw, index: int) -> Option:
    delivery = draw(st.sampled_from(DELIVERIES))
    on = ON if delivery == "online" else date(2026, draw(st.integers(6, 12)), 15)
    credits = draw(
        st.lists(
            st.tuples(hours, st.sampled_from(AREAS), topics), min_size=1, max_size=2
        )
    )
    seat_hours = sum((h for h, _, _ in credits), Decimal(0))
    return Option(
        key=f"o{index}",
        title=f"Option {index}",
        kind=OptionKind.ONLINE if delivery == "online" else OptionKind.LIVE_CLASS,
        on=on,
        lines=option_lines(
            on,
            credits,
            delivery=delivery,
            provider=draw(st.sampled_from(PROVIDERS)),
        ),
        accepted_in=frozenset(draw(st.sets(st.sampled_from(STATES), min_size=1))),
        seat_hours=seat_hours,
        fee=Decimal(draw(st.integers(0, 300))),
        travel_hours=Decimal(draw(st.integers(0, 4))),
    )


@st.composite
def option_lists(draw) -> list[Option]:
    count = draw(st.integers(1, 12))
    return [draw(options(i)) for i in range(count)]
