"""Hypothesis strategies for people, credit lines and exemptions near real mandates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

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

days = st.dates(min_value=date(2016, 1, 1), max_value=date(2024, 6, 30))
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
def people(draw, ids=("A", "B", "C"), disciplines=DISCIPLINES) -> list[Person]:
    found = []
    for person_id in ids:
        # A first appointment and a break in service for some (new chiefs,
        # refreshers); a break's return never precedes its start.
        left = draw(st.none() | days)
        back = draw(st.none() | days)
        if left and back and back < left:
            left, back = back, left
        found.append(
            Person(
                id=person_id,
                discipline=draw(st.sampled_from(disciplines)),
                licensed_on=draw(st.none() | days),
                attributes=frozenset(
                    draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3))
                ),
                appointed_on=draw(st.none() | days),
                separated_on=left,
                returned_on=back,
                # A last name (or none) from each surname group and outside them.
                surname=draw(st.sampled_from(SURNAMES)),
            )
        )
    return found


@st.composite
def credit_lines(draw, person_ids=("A", "B", "C"), max_size=40) -> list[CreditLine]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    return [draw(credit_line(person_ids)) for _ in range(count)]


@st.composite
def credit_line(draw, person_ids=("A", "B", "C")) -> CreditLine:
    completed_on = draw(days)
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
