"""The cell rules shared by the imports and the CLI."""

from datetime import date
from decimal import Decimal

import pytest

from muster.tabular import CellProblem, cells

TODAY = date(2026, 6, 1)


def test_a_date_is_iso_or_month_first() -> None:
    assert cells.parse_date("2024-03-01", today=TODAY) == date(2024, 3, 1)
    assert cells.parse_date("3/1/2024", today=TODAY) == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1901-01-01", '"1901-01-01" is before 1950; check the year'),
        ("2026-06-02", '"2026-06-02" is after today (2026-06-01)'),
        ("2024-02-30", "is not a day of the calendar"),
        ("March 1", "is not a date; write dates as 2024-03-01"),
    ],
)
def test_a_date_outside_1950_to_today_is_refused(text, message) -> None:
    with pytest.raises(
        CellProblem, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        cells.parse_date(text, today=TODAY)


def test_a_date_that_may_lie_ahead_names_its_own_bound() -> None:
    assert cells.parse_date("2027-01-01", today=TODAY, latest=date(2030, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "not between 0"),
        ("1000", "not between 0"),
        ("1.005", "two decimals"),
        ("NaN", "not a number"),
        ("1e400", "not between 0"),
    ],
)
def test_hours_are_zero_to_999_to_the_hundredth(text, message) -> None:
    with pytest.raises(CellProblem, match=message):
        cells.parse_hours(text)
    assert cells.parse_hours("1,5") == Decimal("1.50")


def test_a_choice_is_found_by_value_label_or_synonym() -> None:
    choices = [("live", "Live (in person)"), ("online", "Online")]
    assert cells.parse_choice("LIVE", choices, "delivery") == "live"
    assert cells.parse_choice("Web", choices, "delivery", {"web": "online"}) == "online"
    with pytest.raises(CellProblem, match='"onlin" is not a known delivery; did you'):
        cells.parse_choice("onlin", choices, "delivery")


def test_a_list_is_split_on_semicolons_or_else_commas() -> None:
    assert cells.parse_words("b; a; b") == cells.parse_words("b, a") == ["a", "b"]
    # A name in a closed list may hold a comma, so a semicolon wins.
    choices = [("civil-rights", "Civil rights, human rights"), ("cpr", "CPR")]
    assert cells.parse_choices("Civil rights, human rights; cpr", choices, "topic") == [
        "civil-rights",
        "cpr",
    ]
    with pytest.raises(CellProblem, match='"a, b" is not a single word'):
        cells.parse_words("a, b; c")


def test_words_and_emails() -> None:
    with pytest.raises(CellProblem, match='"x" is not a known topic'):
        cells.parse_words("x", ["firearms"], "topic")
    with pytest.raises(CellProblem, match="is not an email address"):
        cells.parse_email("pat@")


def test_a_hash_sign_reads_as_number_when_headers_are_compared() -> None:
    assert cells.squash("Course #") == cells.squash("Course number")


def test_a_year_runs_from_1950_to_next_year() -> None:
    assert cells.parse_year("2027", today=TODAY) == 2027
    with pytest.raises(CellProblem, match='"2028" is after next year'):
        cells.parse_year("2028", today=TODAY)
    with pytest.raises(CellProblem, match='"1949" is not a year'):
        cells.parse_year("1949", today=TODAY)


def test_a_date_that_may_lie_ahead_runs_to_the_end_of_next_year() -> None:
    latest = cells.end_of_next_year(TODAY)
    assert cells.parse_date("2027-12-31", today=TODAY, latest=latest)
    with pytest.raises(CellProblem, match=r'"2028-01-01" is after 2027-12-31'):
        cells.parse_date("2028-01-01", today=TODAY, latest=latest)


def test_a_word_is_one_word_in_lower_case() -> None:
    assert cells.parse_word("Peace-Officer", "discipline") == "peace-officer"
    with pytest.raises(CellProblem, match='"peace officer" is not a single discipline'):
        cells.parse_word("peace officer", "discipline")
