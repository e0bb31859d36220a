"""Hypothesis strategies for people, credit lines and exemptions near real mandates."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from muster.rules import load_mandates
from muster.rules.loader import load_vocabulary
from muster.rules.model import EXEMPTION_KINDS, CreditLine, Exemption, Person

VOCABULARY = load_vocabulary()
AREAS = sorted(VOCABULARY.areas)
TOPICS = sorted(VOCABULARY.topics)
DELIVERIES = sorted(VOCABULARY.deliveries)
PROVIDERS = sorted(VOCABULARY.providers)
DISCIPLINES = [
    "peace-officer",
    "telecommunicator",
    "corrections",
    "chief",
    "reserve",
    "deputy-sheriff",
    "civilian",
]
ATTRIBUTES = [
    "traffic-enforcement",
    "chief",
    "intermediate-proficiency",
    "county-ce-resolution",
    "middle-management",
    "patrol",
    "investigator",
    "part-time",
]
REQUIREMENT_IDS = [
    "total",
    "implicit-bias",
    "firearms",
    "firearms-qualification",
    "legal",
    "approved-provider",
    "de-escalation",
]


def encoded_days() -> list[date]:
    """Every day on which an encoded rule changes: each dated entry's `from` and
    each cycle's anchor or one-time window, in the shipped files and the shapes."""
    found: set[date] = set()

    def walk(item: object) -> None:
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            for field in dataclasses.fields(item):
                value = getattr(item, field.name)
                if isinstance(value, date) and field.name in DATE_FIELDS:
                    found.add(value)
                else:
                    walk(value)
        elif isinstance(item, tuple | list | frozenset | set):
            for value in item:
                walk(value)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)

    for library in (load_mandates(), load_mandates(SHAPES_DIR)):
        for jurisdiction in library.jurisdictions.values():
            walk(jurisdiction.mandates)
    return sorted(found)


DATE_FIELDS = ("starts_on", "anchor", "once_from", "once_due")
SHAPES_DIR = Path(__file__).parent / "shapes"
ENCODED_DAYS = encoded_days()
# From a year before the oldest encoded change to a year after the later of the
# newest one and 2026-12-31, so that every value's `from` is crossed both ways.
FIRST_DAY = date(ENCODED_DAYS[0].year - 1, 1, 1)
LAST_DAY = date(max(ENCODED_DAYS[-1], date(2026, 12, 31)).year + 1, 12, 31)
# One focus per example, shared by every draw below: half the time a day the law
# changes, else any day of the span. Dates, years and as-of days fall within a
# few years of it, so the records of an example still meet the period evaluated
# however wide the span.
focus = st.shared(
    st.sampled_from(ENCODED_DAYS) | st.dates(FIRST_DAY, LAST_DAY), key="focus"
)


def within(day: date, before: int, after: int) -> tuple[date, date]:
    """The span from `before` years before `day` to `after` years after, kept
    inside FIRST_DAY..LAST_DAY."""
    start = max(FIRST_DAY, day - timedelta(days=365 * before))
    return start, min(LAST_DAY, day + timedelta(days=365 * after))


days = focus.flatmap(lambda day: st.dates(*within(day, 4, 2)))
# The year evaluated and the day it is evaluated on, near the same focus.
years = focus.flatmap(
    lambda day: st.integers(
        max(FIRST_DAY.year, day.year - 1), min(LAST_DAY.year, day.year + 1)
    )
)
as_of_days = focus.flatmap(lambda day: st.dates(*within(day, 2, 3)))
# Round figures make sums land exactly on a requirement, where off-by-one bugs live.
hours = st.sampled_from(
    [Decimal(n) for n in (0, 1, 2, 4, 8, 12, 16, 24)]
) | st.integers(min_value=0, max_value=1600).map(lambda n: Decimal(n) / 100)


# Last names of every Illinois surname group, none, lower case, accented, and
# one beginning with no letter A-Z.
SURNAMES = (
    "",
    "Adams",
    "garcia",
    "Hughes",
    "Owens",
    "Patel",
    "Zhang",
    "Élie",
    "Ørsted",
)


@st.composite
def people(draw, ids=("A", "B", "C"), disciplines=DISCIPLINES, on=None) -> list[Person]:
    """People with dates drawn from `on` (default: near the example's focus)."""
    on = days if on is None else on
    found = []
    for person_id in ids:
        # A first appointment and a break in service for some (new chiefs,
        # refreshers); a break's return never precedes its start.
        left = draw(st.none() | on)
        back = draw(st.none() | on)
        if left and back and back < left:
            left, back = back, left
        found.append(
            Person(
                id=person_id,
                discipline=draw(st.sampled_from(disciplines)),
                licensed_on=draw(st.none() | on),
                attributes=frozenset(
                    draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3))
                ),
                appointed_on=draw(st.none() | on),
                separated_on=left,
                returned_on=back,
                # A last name (or none) from each surname group and outside them.
                surname=draw(st.sampled_from(SURNAMES)),
            )
        )
    return found


@st.composite
def credit_lines(
    draw, person_ids=("A", "B", "C"), max_size=40, on=None
) -> list[CreditLine]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    return [draw(credit_line(person_ids, on)) for _ in range(count)]


@st.composite
def credit_line(draw, person_ids=("A", "B", "C"), on=None) -> CreditLine:
    completed_on = draw(days if on is None else on)
    return CreditLine(
        person=draw(st.sampled_from(person_ids)),
        completed_on=completed_on,
        hours=draw(hours),
        area=draw(st.none() | st.sampled_from(AREAS)),
        topics=frozenset(draw(st.lists(st.sampled_from(TOPICS), max_size=2))),
        delivery=draw(st.sampled_from(DELIVERIES)),
        provider=draw(st.sampled_from(PROVIDERS)),
        result=draw(st.sampled_from([None, None, "pass", "fail"])),
        counts_for=draw(st.sampled_from([None, None, None, completed_on.year - 1])),
        label=draw(st.sampled_from(["", "Legal update", "Range day"])),
    )


@st.composite
def exemptions(
    draw, person_ids=("A", "B", "C"), near: date | None = None
) -> list[Exemption]:
    """Up to two waivers, extensions or approved absences; starting near `near` when it is given."""
    starts = days
    if near is not None:
        starts = st.dates(near - timedelta(days=200), near + timedelta(days=450))
    found = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        starts_on = draw(starts)
        found.append(
            Exemption(
                person=draw(st.sampled_from(person_ids)),
                kind=draw(st.sampled_from(list(EXEMPTION_KINDS))),
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=draw(st.integers(0, 500))),
                reason="medical leave",
                requirements=frozenset(
                    draw(st.lists(st.sampled_from(REQUIREMENT_IDS), max_size=2))
                ),
            )
        )
    return found
