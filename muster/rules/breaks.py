"""Several breaks in service: which one a mandate reads for a year.

The engine reads one break per person (`separated_on` to `returned_on`); a person
may have had several. `in_play` picks the one that governs a year for a mandate,
and `with_breaks_in_play` does so for every person of a population, so that the
engine evaluates each person against the break in play whatever the caller
(`evaluate`, stored standings, the CLI).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from muster.rules.columns import NO_DAY, PeopleTable, day_number, from_day_number
from muster.rules.mandate import Mandate

Break = tuple[date | None, date | None]


def in_play(mandate: Mandate, breaks: Sequence[Break], year: int) -> int:
    """The index in `breaks` (oldest first, the latest last) of the break in play.

    The latest whose reactivation window has opened by 31 December of the year
    (on the return, or on the separation for a window due on the return) and
    whose length some requirement's `after_break` matches: a short break that
    owes nothing does not hide the refresher still due after an earlier long one.
    Without such a break, the latest (the last index).
    """
    rules = [r for r in mandate.requirements if r.after_break is not None]
    last = len(breaks) - 1
    if not rules:
        return last
    opens_early = any(mandate.cycles[r.cycle].opens_from for r in rules)
    day = date(year, 12, 31)
    for index in range(last, -1, -1):
        left, back = breaks[index]
        if left is None or back is None:
            continue
        opened = left if opens_early else back
        if opened <= day and any(r.after_break.matches(left, back) for r in rules):
            return index
    return last


def with_breaks_in_play(
    people: PeopleTable, mandate: Mandate, year: int
) -> PeopleTable:
    """`people` with each person's break in play for `year` as their latest
    (`in_play`); the same table when nobody has an earlier break, or none of
    them changes."""
    if not people.earlier_breaks:
        return people
    left_column = people.date("separated_on")
    back_column = people.date("returned_on")
    moved: dict[int, tuple[int, Break]] = {}
    for row, earlier in people.earlier_breaks.items():
        latest = (_day(left_column[row]), _day(back_column[row]))
        breaks = (*earlier, latest)
        index = in_play(mandate, breaks, year)
        if index != len(breaks) - 1:
            moved[row] = (index, breaks[index])
    if not moved:
        return people
    left_column, back_column = left_column.copy(), back_column.copy()
    earlier_breaks = dict(people.earlier_breaks)
    for row, (index, (left, back)) in moved.items():
        left_column[row] = day_number(left)
        back_column[row] = day_number(back)
        earlier_breaks[row] = people.earlier_breaks[row][:index]
    dates = dict(people.dates, separated_on=left_column, returned_on=back_column)
    return replace(
        people,
        dates=dates,
        earlier_breaks={row: e for row, e in earlier_breaks.items() if e},
    )


def _day(number: np.integer) -> date | None:
    return None if number == NO_DAY else from_day_number(int(number))
