"""A population evaluated in parts (one per core) gives what one evaluation gives.

Every field of the result is compared, arrays element by element and the reasons
(waivers, absences, carry-over, extensions) too, on generated people, records and
exemptions against every shipped and test-only mandate whose cycles are shared.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from muster.rules import split
from muster.rules.columns import build_tables
from muster.rules.engine import evaluate_population
from muster.rules.evaluation import line_sort_key
from muster.rules.tests.strategies import (
    as_of_days,
    credit_lines,
    days,
    exemptions,
    people,
    years,
)
from muster.rules.tests.test_properties import MANDATES

PEOPLE = tuple("ABCDEFGHIJ")
SHARED_CYCLES = [m for m in MANDATES if not m.per_person_cycles]


def assert_same(ours, theirs, where: str = "result") -> None:
    """Equal values: arrays element by element (and dtype), records field by field."""
    if ours is theirs:
        return
    if isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray), where
        assert ours.dtype == theirs.dtype, where
        assert np.array_equal(ours, theirs), where
    elif is_dataclass(theirs) and not isinstance(theirs, type):
        assert type(ours) is type(theirs), where
        for f in fields(theirs):
            name = f"{where}.{f.name}"
            assert_same(getattr(ours, f.name), getattr(theirs, f.name), name)
    elif isinstance(theirs, list | tuple) and not isinstance(theirs, str):
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(theirs, dict):
        assert ours.keys() == theirs.keys(), where
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    else:
        assert ours == theirs, where


@st.composite
def with_service_dates(draw, persons):
    """People with, now and then, an appointment and a break in service."""
    found = []
    for person in persons:
        appointed = draw(st.none() | days)
        separated = draw(st.none() | days)
        returned = None
        if separated is not None and draw(st.booleans()):
            returned = separated + timedelta(days=draw(st.integers(0, 3000)))
        found.append(
            replace(
                person,
                appointed_on=appointed,
                separated_on=separated,
                returned_on=returned,
            )
        )
    return found


@given(
    people(ids=PEOPLE).flatmap(with_service_dates),
    credit_lines(person_ids=PEOPLE, max_size=80),
    exemptions(person_ids=PEOPLE),
    st.sampled_from(SHARED_CYCLES),
    years,
    as_of_days,
    st.integers(min_value=2, max_value=4),
)
def test_parts_give_what_one_evaluation_gives(
    persons, lines, granted, mandate, year, as_of, count
):
    ordered = sorted(lines, key=line_sort_key)
    table, columns, rows, book = build_tables(persons, ordered, granted)

    def run(parts):
        return evaluate_population(
            table,
            columns,
            mandate,
            year=year,
            as_of=as_of,
            exemptions=rows,
            codebook=book,
            parts=parts,
        )

    assert_same(run(count), run(1))


def test_a_large_population_is_cut_two_parts_a_core_by_default(monkeypatch):
    assert split.part_count(1000, None) == 1
    assert split.part_count(1000, 3) == 3
    assert split.part_count(2, 3) == 2
    assert split.part_count(0, 3) == 1
    monkeypatch.setattr(split, "workers", lambda: 2)
    assert split.part_count(split.LARGE - 1, None) == 1
    assert split.part_count(split.LARGE, None) == 4
    assert split.part_count(split.LARGE, 1) == 1
    monkeypatch.setattr(split, "workers", lambda: 1)
    assert split.part_count(split.LARGE, None) == 1
