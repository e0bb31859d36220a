"""Properties every evaluation must keep, checked on generated people and records.

There is one engine; these hold it to what the law's arithmetic implies whatever
the data: a person's result does not depend on who else is evaluated with them or
on the order of records, extra training never lowers what was earned, training
outside every period changes nothing, and the explanation adds up to the totals.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from muster.rules import evaluate, load_mandates
from muster.rules.columns import build_tables
from muster.rules.engine import OVERALL_STATUS, REQUIREMENT_STATUS, evaluate_population
from muster.rules.evaluation import explain, line_sort_key
from muster.rules.tests.strategies import (
    as_of_days,
    credit_line,
    credit_lines,
    exemptions,
    people,
    years,
)

LIBRARY = load_mandates()
SHAPES = load_mandates(Path(__file__).parent / "shapes")
# Shipped mandates, and test-only ones for features no shipped state uses yet.
MANDATES = [
    m
    for library in (LIBRARY, SHAPES)
    for j in library.jurisdictions.values()
    for m in j.mandates
]
SHAPE_MANDATES = [m for j in SHAPES.jurisdictions.values() for m in j.mandates]
# Cycles of each person's own (Florida; the test-only own-date deadlines).
PER_PERSON_MANDATES = [m for m in MANDATES if m.per_person_cycles]
mandates = st.sampled_from(MANDATES)
PEOPLE = tuple("ABCDEFGH")


def earlier_periods(mandate, result, person):
    """The period before each evaluated period of a repeating cycle (per-person
    cycles as the person has them)."""
    own = mandate.for_person(person.licensed_on)
    cycles = {r.id: own.cycles[r.cycle] for r in mandate.requirements}
    found = []
    for requirement in result.requirements:
        cycle = cycles[requirement.id]
        if cycle.once_from is None:
            day = requirement.period.start - timedelta(days=1)
            found.append(cycle.period_containing(day))
    return found


def amounts(result):
    return {r.id: (r.status, r.required, r.earned) for r in result.requirements}


def texts(result):
    return [line.text() for line in result.lines]


@given(
    people(ids=PEOPLE),
    credit_lines(person_ids=PEOPLE, max_size=80),
    exemptions(person_ids=PEOPLE),
    mandates,
    years,
    as_of_days,
)
def test_a_person_fares_the_same_alone_and_in_a_population(
    persons, lines, granted, mandate, year, as_of
):
    assert_alone_equals_in_population(persons, lines, granted, mandate, year, as_of)


# The waiver test's years, and its dates around them.
NEAR_2021 = st.dates(min_value=date(2017, 1, 1), max_value=date(2023, 6, 30))


@given(
    people(ids=PEOPLE, disciplines=("peace-officer",), on=NEAR_2021),
    credit_lines(person_ids=PEOPLE, max_size=80, on=NEAR_2021),
    exemptions(person_ids=PEOPLE, near=date(2021, 7, 1)),
    st.sampled_from(SHAPE_MANDATES),
    st.sampled_from([2021, 2022]),
    st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 12, 31)),
)
def test_waiver_proration_and_caps_do_not_depend_on_the_population(
    persons, lines, granted, mandate, year, as_of
):
    # Everyone is in scope and the waivers fall near the periods evaluated, so
    # that partial waivers (the proration) and caps happen often.
    assert_alone_equals_in_population(persons, lines, granted, mandate, year, as_of)


@given(
    people(ids=PEOPLE, disciplines=("peace-officer", "telecommunicator")),
    credit_lines(person_ids=PEOPLE, max_size=80),
    exemptions(person_ids=PEOPLE),
    st.sampled_from(PER_PERSON_MANDATES),
    years,
    as_of_days,
)
def test_per_person_cycles_do_not_depend_on_the_population(
    persons, lines, granted, mandate, year, as_of
):
    # People licensed on different days have different periods: the population
    # is evaluated in phase groups, and each person must fare as when alone.
    assert_alone_equals_in_population(persons, lines, granted, mandate, year, as_of)


def assert_alone_equals_in_population(persons, lines, granted, mandate, year, as_of):
    ordered = sorted(lines, key=line_sort_key)
    table, columns, rows, book = build_tables(persons, ordered, granted)
    population = evaluate_population(
        table,
        columns,
        mandate,
        year=year,
        as_of=as_of,
        exemptions=rows,
        codebook=book,
        explain=True,
    )
    for index, person in enumerate(persons):
        alone = evaluate(
            person, lines, mandate, year=year, as_of=as_of, exemptions=granted
        )
        assert OVERALL_STATUS[population.status[index]] == alone.status, person
        if alone.requirements:
            in_columns = {
                requirement_id: (
                    REQUIREMENT_STATUS[population.requirement_status[row, index]],
                    Decimal(int(population.required[row, index])) / 100,
                    Decimal(int(population.earned[row, index])) / 100,
                )
                for row, requirement_id in enumerate(population.requirement_ids)
                if population.requirement_status[row, index] in REQUIREMENT_STATUS
            }
            assert in_columns == amounts(alone)
        own_rows = np.flatnonzero(columns.person == index)
        inside = explain(population, index, [ordered[i] for i in own_rows], own_rows)
        assert inside == alone


@given(
    people(ids=("A",)),
    credit_lines(person_ids=("A",)),
    mandates,
    years,
    as_of_days,
    st.randoms(use_true_random=False),
)
def test_it_ignores_the_order_of_records(persons, lines, mandate, year, as_of, random):
    shuffled = list(lines)
    random.shuffle(shuffled)
    first = evaluate(persons[0], lines, mandate, year=year, as_of=as_of)
    second = evaluate(persons[0], shuffled, mandate, year=year, as_of=as_of)
    assert first.status == second.status
    assert amounts(first) == amounts(second)
    assert sorted(texts(first)) == sorted(texts(second))


@given(
    people(ids=("A",)),
    credit_lines(person_ids=("A",)),
    credit_line(("A",)),
    mandates,
    years,
    as_of_days,
)
def test_it_never_lowers_earned_hours_when_a_record_is_added(
    persons, lines, extra, mandate, year, as_of
):
    before = evaluate(persons[0], lines, mandate, year=year, as_of=as_of)
    after = evaluate(persons[0], [*lines, extra], mandate, year=year, as_of=as_of)
    for old, new in zip(before.requirements, after.requirements, strict=True):
        assert new.earned >= old.earned, (old.id, extra)


@given(
    people(ids=("A",)),
    credit_lines(person_ids=("A",)),
    credit_line(("A",)),
    mandates,
    years,
    as_of_days,
)
def test_a_record_outside_every_period_changes_nothing(
    persons, lines, extra, mandate, year, as_of
):
    before = evaluate(persons[0], lines, mandate, year=year, as_of=as_of)
    periods = [r.period for r in before.requirements]
    if mandate.carry_over:
        # Hours of the period before can carry over into the one evaluated.
        periods += earlier_periods(mandate, before, persons[0])
    outside = extra.counts_for is None and not any(
        p.start <= extra.completed_on <= p.final_day for p in periods
    )
    assume(outside)
    after = evaluate(persons[0], [*lines, extra], mandate, year=year, as_of=as_of)
    assert after.status == before.status
    assert amounts(after) == amounts(before)


@given(
    people(ids=("A",)),
    credit_lines(person_ids=("A",)),
    exemptions(person_ids=("A",)),
    mandates,
    years,
    as_of_days,
)
def test_the_explanation_adds_up_to_what_was_earned(
    persons, lines, granted, mandate, year, as_of
):
    result = evaluate(
        persons[0], lines, mandate, year=year, as_of=as_of, exemptions=granted
    )
    for requirement in result.requirements:
        counted = sum(
            (
                a.hours
                for line in result.lines
                for a in line.counted
                if a.requirement == requirement.id
            ),
            Decimal(0),
        )
        # Hours carried over from the period before are earned by no line of this one.
        assert counted + requirement.carried_over == requirement.earned, requirement.id
        for line in result.lines:
            shares = [
                a.hours
                for a in (*line.counted, *line.not_counted)
                if a.requirement == requirement.id
            ]
            # A line is counted, cut by a cap (the two parts add up) or refused.
            assert sum(shares, Decimal(0)) in (Decimal(0), line.line.hours) or (
                requirement.unit != "hours"
            )
