"""Several breaks in service: which one `evaluate` reads, and bad input refused."""

import re
from datetime import date

import pytest

from muster.rules import Person, load_mandates
from muster.rules.errors import InputError
from muster.rules.evaluation import break_in_play

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
