"""Several breaks in service: which one `evaluate` reads, and bad input refused."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from muster.rules import CreditLine, Person, load_mandates
from muster.rules.dates import add_months_on
from muster.rules.errors import InputError
from muster.rules.evaluation import break_in_play
from muster.rules.tests.test_properties import assert_alone_equals_in_population

D = date


@pytest.mark.parametrize(
    ("earlier", "left", "back", "words"),
    [
        (((D(2020, 1, 2), D(2020, 1, 1)),), None, None, "cannot end (2020-01-01)"),
        (
            ((D(2020, 1, 1), D(2021, 1, 1)), (D(2020, 6, 1), D(2022, 1, 1))),
            None,
            None,
            "oldest first",
        ),
        (
            ((D(2020, 1, 1), D(2021, 1, 1)),),
            D(2020, 6, 1),
            D(2023, 1, 1),
            "must start after",
        ),
        (((D(2020, 1, 1), D(2021, 1, 1)),), None, None, "must start after"),
    ],
)
def test_earlier_breaks_out_of_order_are_refused(earlier, left, back, words) -> None:
    with pytest.raises(InputError, match=re.escape(words)):
        Person(
            "P",
            "peace-officer",
            separated_on=left,
            returned_on=back,
            earlier_breaks=earlier,
        )


def test_the_latest_break_is_kept_when_no_earlier_one_owes_anything() -> None:
    ms = load_mandates().mandate("us.ms.peace_officer")
    person = Person(
        "P",
        "peace-officer",
        separated_on=D(2025, 3, 1),
        returned_on=D(2025, 6, 1),
        earlier_breaks=((D(2024, 1, 1), D(2024, 2, 1)),),
    )
    assert break_in_play(person, ms, 2025) is person


def test_a_mandate_without_break_rules_keeps_the_person_as_given() -> None:
    mo = load_mandates().mandate("us.mo.peace_officer")
    person = Person(
        "P",
        "peace-officer",
        separated_on=D(2025, 3, 1),
        returned_on=D(2025, 6, 1),
        earlier_breaks=((D(2019, 1, 1), D(2024, 2, 1)),),
    )
    assert break_in_play(person, mo, 2025) is person


# Breaks around the encoded boundaries, returns after the dates the break rules
# start (Mississippi 2024-08-31, Florida 2024-12-17): the shared strategies stop
# in mid-2024, before either.
late_days = st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 12, 31))
BREAK_TOPICS = [
    "high-liability-proficiency",
    "state-officer-exam",
    "basic-recruit-training",
    "refresher-skills-law",
    "refresher-course",
]


@st.composite
def people_with_breaks(draw) -> list[Person]:
    found = []
    for person_id in "ABCDEF":
        back = draw(st.none() | st.dates(date(2024, 6, 1), date(2030, 6, 30)))
        months = draw(
            st.sampled_from([None, 23, 24, 25, 47, 48, 49, 59, 60, 95, 96, 97, 130])
        )
        left = None
        if back is not None and months is not None:
            left = add_months_on(back, -months) + timedelta(
                days=draw(st.integers(-1, 1))
            )
        # Sometimes an earlier break, ending before the latest starts: the
        # population must read the break in play as `evaluate` does alone.
        earlier = ()
        latest = left or back
        if latest is not None and draw(st.booleans()):
            earlier_back = latest - timedelta(days=draw(st.integers(1, 900)))
            earlier_months = draw(st.sampled_from([3, 25, 49, 61, 97]))
            earlier = ((add_months_on(earlier_back, -earlier_months), earlier_back),)
        found.append(
            Person(
                person_id,
                draw(st.sampled_from(["peace-officer", "corrections", "chief"])),
                licensed_on=draw(
                    st.none() | st.dates(date(2000, 1, 1), date(2020, 12, 31))
                ),
                attributes=frozenset(
                    draw(st.lists(st.sampled_from(["part-time"]), max_size=1))
                ),
                separated_on=left,
                returned_on=back,
                earlier_breaks=earlier,
            )
        )
    return found


@st.composite
def break_lines(draw) -> list[CreditLine]:
    return [
        CreditLine(
            person=draw(st.sampled_from("ABCDEF")),
            completed_on=draw(late_days),
            hours=Decimal(draw(st.integers(1, 40))),
            area=draw(st.sampled_from([None, "technical"])),
            topics=frozenset({draw(st.sampled_from(BREAK_TOPICS))}),
            result=draw(st.sampled_from([None, "pass", "pass", "fail"])),
        )
        for _ in range(draw(st.integers(0, 30)))
    ]


@settings(max_examples=60, deadline=None)
@given(
    people_with_breaks(),
    break_lines(),
    st.sampled_from(["us.fl.officer", "us.ms.peace_officer"]),
    st.integers(2024, 2030),
    late_days,
)
def test_break_windows_do_not_depend_on_the_population(
    persons, lines, mandate_id, year, as_of
):
    # Each break is its own phase group (a window from the separation or the
    # return): evaluated together, everyone must fare as when evaluated alone.
    mandate = load_mandates().mandate(mandate_id)
    assert_alone_equals_in_population(persons, lines, [], mandate, year, as_of)
