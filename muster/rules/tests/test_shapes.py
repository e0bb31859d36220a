"""Engine features that no shipped state uses yet, on a Utah-shaped test mandate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from muster.rules import CreditLine, Exemption, Person, evaluate, load_mandates

SHAPES = Path(__file__).parent / "shapes"
MANDATE = load_mandates(SHAPES).mandate("us.ut.peace_officer")
AS_OF = date(2026, 1, 1)
OFFICER = Person("P", "peace-officer", date(2010, 1, 1))


def run(person=OFFICER, lines=(), exemptions=(), year=2021):
    return evaluate(
        person, lines, MANDATE, year=year, as_of=AS_OF, exemptions=exemptions
    )


def leave(starts_on, ends_on, requirements=()):
    return Exemption(
        "P", "waiver", starts_on, ends_on, "military leave", frozenset(requirements)
    )


def test_the_training_year_runs_from_july_to_june() -> None:
    total = run().requirement("total")
    assert (total.period.start, total.period.end) == (
        date(2021, 7, 1),
        date(2022, 6, 30),
    )


def test_a_deployment_prorates_hours_to_full_quarters_worked() -> None:
    # Deployed from August to mid-December: two quarters touched, two worked.
    result = run(exemptions=[leave(date(2021, 8, 10), date(2021, 12, 15))])
    assert result.requirement("total").required == Decimal(20)
    assert any("2 of 4 blocks" in note for note in result.notes)


def test_a_deployment_over_every_quarter_exempts_the_hours() -> None:
    result = run(exemptions=[leave(date(2021, 6, 1), date(2022, 7, 1))])
    assert result.requirement("total").status == "exempt"


def test_a_non_waivable_requirement_is_still_owed_during_a_waiver() -> None:
    result = run(exemptions=[leave(date(2021, 6, 1), date(2022, 7, 1))])
    assert result.requirement("de-escalation").status == "missing"
    assert any("non-waivable" in note for note in result.notes)


def test_a_new_officer_owes_ten_hours_per_full_quarter_left() -> None:
    newcomer = Person("P", "peace-officer", date(2021, 11, 20))
    # December to June is seven months: two full quarters.
    assert run(person=newcomer).requirement("total").required == Decimal(20)


@pytest.mark.parametrize(("taught", "earned"), [("8", 8), ("20", 12)])
def test_hours_taught_count_up_to_the_cap(taught: str, earned: int) -> None:
    lines = [CreditLine("P", date(2021, 9, 1), taught, provider="instructor")]
    assert run(lines=lines).requirement("total").earned == Decimal(earned)
