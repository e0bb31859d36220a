"""How the person page words a period: an extension past the period's end, or a
one-time window's own due date before it (which is no extension)."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from muster import rules
from muster.agencies import compliance
from muster.agencies.tests.helpers import make_person


def words(period: rules.Period) -> str:
    return render_to_string("agencies/_period.html", {"period": period}).strip()


def test_a_period_due_on_its_last_day_says_nothing_more() -> None:
    period = rules.Period(date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 31))
    assert words(period) == "2025-01-01 to 2025-12-31"


def test_an_extension_past_the_end_says_extended() -> None:
    period = rules.Period(date(2025, 1, 1), date(2025, 12, 31), date(2026, 3, 31))
    assert words(period) == "2025-01-01 to 2025-12-31, extended to 2026-03-31"


def test_a_due_date_before_the_end_is_a_due_date_not_an_extension() -> None:
    period = rules.Period(date(2024, 10, 1), date(2026, 12, 31), date(2026, 6, 1))
    assert words(period) == "2024-10-01 to 2026-12-31, due by 2026-06-01"


def test_make_up_hours_are_said_after_the_due_date() -> None:
    period = rules.Period(
        date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 31), date(2026, 3, 31)
    )
    assert words(period) == "2025-01-01 to 2025-12-31 (make-up hours until 2026-03-31)"


@pytest.mark.parametrize(
    ("state", "discipline", "dates", "year", "requirement"),
    [
        ("TX", "chief", {"appointed_on": date(2022, 3, 15)}, 2023, "new-chief-program"),
        (
            "MS",
            "peace-officer",
            {"separated_on": date(2022, 9, 30), "returned_on": date(2024, 10, 1)},
            2025,
            "refresher-skills-law",
        ),
        (
            "FL",
            "peace-officer",
            {"separated_on": date(2021, 1, 1), "returned_on": date(2025, 6, 1)},
            2025,
            "eot-proficiency",
        ),
    ],
)
def test_one_time_windows_are_never_called_extended(
    db, state, discipline, dates, year, requirement
) -> None:
    person = make_person(
        state=state, discipline=discipline, licensed_on=date(2010, 3, 1), **dates
    )
    results = compliance.evaluate_person(person, state, year, date(year + 1, 1, 31))
    (period,) = {
        r.requirement(requirement).period
        for r in results
        if requirement in {q.id for q in r.requirements}
    }
    shown = words(period)
    assert "extended" not in shown
    assert str(period.due_on) in shown
