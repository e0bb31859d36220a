"""The agency plan: which live classes to run, within their seats, so all comply."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muster import rules
from muster.plans.agency import (
    add_candidates,
    group_people,
    merge_groups,
    plan_agency,
)
from muster.plans.batch import needs_of_many
from muster.plans.greedy import greedy
from muster.plans.options import Option, OptionKind, option_lines
from muster.plans.solver import Table, plan_cost, solve
from muster.plans.subject import subject_of
from muster.plans.tests.strategies import ON, credit_lines, mandates, option_lists
from muster.plans.verify import verify

HOUR = Decimal(45)


def officer(n, hours_done):
    pid = f"p{n}"
    person = rules.Person(pid, "peace-officer", date(2015, 3, 1))
    lines = [
        rules.CreditLine(pid, date(2026, 2, 1), Decimal(2), area=area)
        for area in ("legal", "technical", "interpersonal")
    ] + [
        rules.CreditLine(
            pid,
            date(2026, 3, 1),
            Decimal(1),
            area="interpersonal",
            topics=frozenset({"implicit-bias", "de-escalation"}),
            provider="approved-provider",
        ),
        rules.CreditLine(
            pid,
            date(2026, 4, 1),
            Decimal(hours_done),
            area="technical",
            provider="approved-provider",
        ),
    ]
    return subject_of(pid, [(person, mandates("MO"))], lines, [], 2026, ON)


def range_day(key, seats, session_cost, on=date(2026, 10, 1)):
    return Option(
        key,
        key,
        OptionKind.LIVE_CLASS,
        on,
        option_lines(
            on,
            [(Decimal(2), "skill-development", frozenset({"firearms"}))],
            delivery="live",
            provider="in-service",
        ),
        frozenset({"MO"}),
        Decimal(2),
        seats=seats,
        session_cost=Decimal(session_cost),
    )


def online(key, hours):
    return Option(
        key,
        key,
        OptionKind.ONLINE,
        ON,
        option_lines(
            ON,
            [(Decimal(hours), "legal", frozenset())],
            delivery="online",
            provider="approved-provider",
        ),
        frozenset({"MO"}),
        Decimal(hours),
    )


def plan(people, options):
    needs = needs_of_many(people, 2026, ON)
    return needs, plan_agency(needs, lambda person: options, HOUR)


def test_everyone_complies_within_the_seats_and_the_engine_agrees():
    # 25 officers each owe 2 live firearms hours and some total hours.
    people = [officer(n, 12 + n % 4) for n in range(25)]
    options = [
        range_day("small", 10, 300),
        range_day("big", 20, 900),
        online("legal-2", 2),
        online("legal-4", 4),
        online("legal-1", 1),
    ]
    needs, found = plan(people, options)
    assert found.fully_planned == 25
    by_id = {s.id: s for s in people}
    for person, chosen in found.assignments.items():
        assert all(verify(by_id[person], needs[person], chosen).met.values())
    uses = {u.option.key: u for u in found.classes}
    for use in uses.values():
        assert use.seats_used <= use.option.seats
        assert use.run or use.seats_used == 0
    # 25 people fit only in both classes (10 + 20 seats).
    assert uses["small"].run and uses["big"].run


def test_it_runs_the_one_class_that_holds_everyone_when_that_is_cheaper():
    # Each owes 2 total hours and 2 live firearms hours: one range day closes both.
    people = [officer(n, 15) for n in range(8)]
    options = [range_day("a", 5, 500), range_day("b", 5, 500), range_day("c", 10, 600)]
    options.append(online("legal-8", 8))
    _, found = plan(people, options)
    assert [u.option.key for u in found.classes if u.run] == ["c"]
    assert found.cost == Decimal(600) + 8 * 2 * HOUR


def test_without_enough_seats_the_rest_are_told_what_stays_open():
    people = [officer(n, 14) for n in range(6)]
    options = [range_day("only", 4, 100), online("legal-8", 8)]
    _, found = plan(people, options)
    assert found.fully_planned == 4
    open_needs = {n.requirement.id for left in found.short.values() for n, _ in left}
    assert open_needs == {"firearms"}


def test_groups_the_master_cannot_tell_apart_are_one_block_and_plan_the_same():
    # The same needs, split into two groups by a kind that changes nothing here:
    # the master sees one block of 8, and the plan is what one group gives.
    people = [officer(n, 15) for n in range(8)]
    options = [range_day("a", 5, 500), range_day("c", 10, 600), online("legal-8", 8)]
    needs = needs_of_many(people, 2026, ON)
    groups = group_people(needs, lambda p: options, lambda p: int(p[1:]) % 2)
    add_candidates(groups, HOUR)
    blocks = merge_groups(groups, HOUR)
    assert (len(groups), len(blocks), blocks[0].size) == (2, 1, 8)
    split = plan_agency(needs, lambda p: options, HOUR, lambda p: int(p[1:]) % 2)
    whole = plan_agency(needs, lambda p: options, HOUR)
    assert (split.groups, whole.groups) == (2, 1)
    assert split.cost == whole.cost
    assert {p: [o.key for o in c] for p, c in split.assignments.items()} == {
        p: [o.key for o in c] for p, c in whole.assignments.items()
    }


@st.composite
def agencies(draw):
    """A few officers of random training, and random options, some of them live
    classes with few seats and a cost to run."""
    people = []
    for n in range(draw(st.integers(1, 5))):
        pid = f"p{n}"
        states = draw(st.sampled_from([["MO"], ["AL"], ["MO", "AL"]]))
        person = rules.Person(pid, "peace-officer", date(2015, 3, 1))
        lines = draw(st.lists(credit_lines(pid), max_size=6))
        licenses = [(person, mandates(s)) for s in states]
        people.append(subject_of(pid, licenses, lines, [], 2026, ON))
    offered = []
    for option in draw(option_lists()):
        if option.kind == OptionKind.LIVE_CLASS and draw(st.booleans()):
            option = dataclasses.replace(
                option,
                seats=draw(st.integers(1, 4)),
                session_cost=Decimal(draw(st.integers(0, 500))),
            )
        offered.append(option)
    return people, offered


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agency=agencies())
def test_the_agency_plan_keeps_the_seats_and_satisfies_the_engine(agency):
    people, offered = agency
    needs, found = plan(people, offered)
    by_id = {s.id: s for s in people}
    for person, chosen in found.assignments.items():
        verdict = verify(by_id[person], needs[person], chosen)
        still_open = {n.key for n, _ in found.short.get(person, [])}
        assert {k for k, ok in verdict.met.items() if not ok} <= still_open
    for use in found.classes:
        taking = sum(use.option in chosen for chosen in found.assignments.values())
        assert taking == use.seats_used <= use.option.seats
        assert use.run or not taking


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agency=agencies())
def test_with_seats_for_everyone_each_plan_is_the_cheapest_and_beats_greedy(agency):
    people, offered = agency
    unlimited = [dataclasses.replace(o, seats=None, session_cost=0) for o in offered]
    needs, found = plan(people, unlimited)
    for person, chosen in found.assignments.items():
        table = Table.of(needs[person], unlimited)
        cost = plan_cost(chosen, HOUR)
        assert cost == solve(needs[person], unlimited, HOUR, table=table).cost
        picked = greedy(table, HOUR)
        if not any(table.shortfall([table.options.index(o) for o in picked])):
            assert cost <= plan_cost(picked, HOUR)
