"""Phase groups: people who share every per-person cycle's periods as far back as
the evaluation looks are evaluated together; nobody else is."""

from __future__ import annotations

from datetime import date

from muster.rules import Person, load_mandates
from muster.rules.columns import build_tables
from muster.rules.engine import phase_groups

FLORIDA = load_mandates().mandate("us.fl.officer")


def officer(pid: str, certified: date | None, left=None, back=None) -> Person:
    return Person(pid, "peace-officer", certified, separated_on=left, returned_on=back)


def test_people_with_the_same_periods_share_a_group_and_others_do_not() -> None:
    people = [
        officer("A", date(1990, 3, 1)),  # four years from July 1990: 2022-2026
        officer("B", date(2002, 5, 9)),  # July 2002 + 20 years: the same periods
        officer("C", date(1991, 3, 1)),  # a year later: another phase
        officer("D", date(2024, 2, 1)),  # first period still running: own start
        officer("E", date(2024, 3, 1)),  # the same phase, another first day
        officer("F", date(1990, 3, 1), date(2018, 1, 1), date(2025, 2, 1)),
        officer("G", None),  # no certification date
    ]
    table = build_tables(people, [], [])[0]
    grouping = phase_groups(table, FLORIDA, 2025)
    group = grouping.group_of_row.tolist()
    assert group[0] == group[1]
    assert len(set(group)) == 6 == grouping.count
    # Each group is made ordinary for the dates of one of its own people.
    for number, dates in enumerate(grouping.dates):
        members = [p for p, g in zip(people, group, strict=True) if g == number]
        assert any(dates["licensed_on"] == p.licensed_on for p in members)


def test_the_order_of_the_people_does_not_change_who_is_grouped_with_whom() -> None:
    people = [
        officer(str(i), date(1985 + i % 30, 1 + i % 12, 1 + i % 28)) for i in range(60)
    ]
    forward = phase_groups(build_tables(people, [], [])[0], FLORIDA, 2025)
    backward = phase_groups(build_tables(people[::-1], [], [])[0], FLORIDA, 2025)
    assert forward.count == backward.count > 10
    pairs = {
        (a, b)
        for a, b in zip(
            forward.group_of_row.tolist(),
            backward.group_of_row[::-1].tolist(),
            strict=True,
        )
    }
    # The same partition: each group of one ordering is one group of the other.
    assert len(pairs) == forward.count
