"""Calendar arithmetic for cycles: whole months, which is how the rules count."""

from __future__ import annotations

from datetime import date


def add_months(day: date, months: int) -> date:
    """Move a first-of-month date by whole months.

    >>> add_months(date(2017, 1, 1), 36)
    datetime.date(2020, 1, 1)
    >>> add_months(date(2023, 9, 1), -24)
    datetime.date(2021, 9, 1)
    """
    if day.day != 1:
        raise ValueError(f"cycle anchors fall on the first of a month, not {day}")
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def add_months_on(day: date, months: int) -> date:
    """Move any date by whole months, the day clamped to the month's length.

    >>> add_months_on(date(2022, 3, 15), 24)
    datetime.date(2024, 3, 15)
    >>> add_months_on(date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))


def months_between(start: date, day: date) -> int:
    """Whole months from `start` to `day`, negative when `day` is earlier.

    >>> months_between(date(2017, 1, 1), date(2021, 12, 31))
    59
    >>> months_between(date(2021, 9, 1), date(2021, 8, 31))
    -1
    """
    months = (day.year - start.year) * 12 + day.month - start.month
    if day.day < start.day:
        months -= 1
    return months


def year_end(year: int) -> date:
    """31 December of `year`: the day that selects a reporting period."""
    return date(year, 12, 31)
