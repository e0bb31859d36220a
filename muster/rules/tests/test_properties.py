"""Properties every evaluation must keep, checked on generated people and records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from muster.rules import evaluate, load_mandates
from muster.rules.batch import (
    OVERALL_STATUS,
    REQUIREMENT_STATUS,
    build_tables,
    evaluate_batch,
)
from muster.rules.tests.strategies import credit_line, credit_lines, exemptions, people

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
mandates = st.sampled_from(MANDATES)
years = st.integers(min_value=2015, max_value=2024)
as_of_days = st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31))


def amounts(result):
    return {r.id: (r.status, r.required, r.earned) for r in result.requirements}


@settings(max_examples=150, deadline=None)
@given(people(), credit_lines(), exemptions(), mandates, years, as_of_days)
def test_it_gives_the_same_answers_per_person_and_in_batch(
    persons, lines, granted, mandate, year, as_of
):
    assert_same_answers(persons, lines, granted, mandate, year, as_of)


@settings(max_examples=200, deadline=None)
@given(
    people(disciplines=("peace-officer",)),
    credit_lines(),
    exemptions(near=date(2021, 7, 1)),
    st.sampled_from(SHAPE_MANDATES),
    st.sampled_from([2021, 2022]),
    as_of_days,
)
def test_both_paths_agree_on_waiver_proration_and_caps(
    persons, lines, granted, mandate, year, as_of
):
    # Everyone is in scope and the waivers fall near the periods evaluated, so
    # that partial waivers (the proration) happen often.
    assert_same_answers(persons, lines, granted, mandate, year, as_of)


def assert_same_answers(persons, lines, granted, mandate, year, as_of) -> None:
    table, columns, rows, book = build_tables(persons, lines, granted)
    batch = evaluate_batch(
        table, columns, mandate, year=year, as_of=as_of, exemptions=rows, codebook=book
    )
    for index, person in enumerate(persons):
        single = evaluate(
            person, lines, mandate, year=year, as_of=as_of, exemptions=granted
        )
        assert OVERALL_STATUS[batch.status[index]] == single.status, person
        listed = {
            requirement_id: (
                REQUIREMENT_STATUS[batch.requirement_status[row, index]],
                batch.required[row, index],
                batch.earned[row, index],
            )
            for row, requirement_id in enumerate(batch.requirement_ids)
            if batch.requirement_status[row, index] in REQUIREMENT_STATUS
        }
        expected = {
            r.id: (r.status, int(r.required * 100), int(r.earned * 100))
            for r in single.requirements
        }
        if single.status == "not-applicable" and not single.requirements:
            continue
        assert listed == expected


@settings(max_examples=150, deadline=None)
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
    assert sorted(e.text() for e in first.lines) == sorted(
        e.text() for e in second.lines
    )


@settings(max_examples=150, deadline=None)
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


@settings(max_examples=150, deadline=None)
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
    outside = extra.counts_for is None and not any(
        p.start <= extra.completed_on <= p.final_day for p in periods
    )
    assume(outside)
    after = evaluate(persons[0], [*lines, extra], mandate, year=year, as_of=as_of)
    assert after.status == before.status
    assert amounts(after) == amounts(before)
