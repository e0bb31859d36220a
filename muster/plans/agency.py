"""Which live classes an agency should schedule so that everyone can comply.

People whose needs are the same (same requirements, amounts, periods and cap
room: `Need.signature`) are the same problem, so they are planned as one group.
For each group a few candidate plans are solved exactly (`add_candidates`): the
cheapest with every option, the cheapest with each seat-limited class as the only
one, and the cheapest with none. The master program then decides
which classes to run and how many of each group take each candidate plan:

    minimise  Σ short[p]·n[g,p], then Σ session_cost[k]·run[k] + Σ cost[p]·n[g,p]
    so that   Σ_p n[g,p] = size[g]                      (everyone has a plan)
              Σ_{g,p ∋ k} n[g,p] ≤ seats[k]·run[k]      (seat limits)

Groups whose candidates look the same to it (shortfall, cost and classes, one
for one) are one block (`merge_groups`), so `g` above runs over blocks.
`short[p]` is what a candidate plan leaves missing: the master first leaves as
little missing as it can, then spends as little as it can. The
candidates are exact; choosing among them is exact too, though a better mix of
courses outside the candidates may exist when seats are tight (docs/plans.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from muster.plans.milp import Model
from muster.plans.needs import Need
from muster.plans.options import Option
from muster.plans.solver import Table, cheapest_many
from muster.rules.engine import cents

# How close to its optimum the master program is proven (a fraction): exactly,
# now that blocks of people it cannot tell apart keep it small.
MASTER_GAP = 0.0
# Seconds the last plan spent finding candidates and in the master (benchmarks).
timings: dict[str, float] = {}


@dataclass
class Group:
    """People with the same needs, and the candidate plans solved for them."""

    needs: list[Need]
    members: list[str]
    table: Table
    candidates: list[tuple[int, ...]] = field(default_factory=list)

    def cost(self, candidate: tuple[int, ...], hour_value: Decimal) -> int:
        """Cents."""
        return sum(cents(self.table.options[i].cost(hour_value)) for i in candidate)

    def short(self, candidate: tuple[int, ...]) -> int:
        return sum(self.table.shortfall(list(candidate)))


@dataclass
class ClassUse:
    """One seat-limited class: whether to run it and how many seats the plan fills."""

    option: Option
    run: bool
    seats_used: int


@dataclass
class AgencyPlan:
    """Classes to run, and each person's plan."""

    classes: list[ClassUse]
    assignments: dict[str, list[Option]]
    short: dict[str, list[tuple[Need, Decimal]]]  # what stays open, per person
    cost: Decimal
    groups: int

    @property
    def people(self) -> int:
        return len(self.assignments)

    @property
    def fully_planned(self) -> int:
        return sum(1 for person in self.assignments if not self.short.get(person))


def group_people(
    needs_by_person: dict[str, list[Need]],
    options_for: Callable[[str], Sequence[Option]],
    kind_of: Callable[[str], str] = lambda person: "",
) -> list[Group]:
    """Groups of people with the same needs and the same options (`kind_of` names
    what decides a person's options, such as their disciplines)."""
    groups: dict[tuple, Group] = {}
    known: dict = {}
    for person, needs in sorted(needs_by_person.items()):
        if not needs:
            continue
        key = (kind_of(person), tuple(sorted(n.signature() for n in needs)))
        if key not in groups:
            table = Table.of(needs, options_for(person), known)
            groups[key] = Group(needs, [], table)
        groups[key].members.append(person)
    return list(groups.values())


def add_candidates(groups: Sequence[Group], hour_value: Decimal) -> None:
    """Every group's candidate plans: the cheapest with every option, the
    cheapest with no seat-limited class, and one plan per other class it could
    attend instead. Solved for all groups together (`cheapest_many`).

    One candidate per class lets the master gather people into few classes (two
    range days on different dates are often equally good for a person). Where a
    class counts at least as much toward every need as the one in the cheapest
    plan, swapping them is that class's candidate without another solve.
    """
    tables = [g.table for g in groups]
    limited = [
        {i for i, o in enumerate(t.options) if o.seats is not None} for t in tables
    ]
    best = cheapest_many(tables, hour_value)
    # Without seat-limited classes, a cheapest plan that uses none stays the
    # cheapest: only the others are solved again.
    using = [i for i, chosen in enumerate(best) if set(chosen) & limited[i]]
    none = list(best)
    solved = cheapest_many(
        [tables[i] for i in using], hour_value, [limited[i] for i in using]
    )
    for i, candidate in zip(using, solved, strict=True):
        none[i] = candidate
    pending: dict[str, list[int]] = {}
    for index, group in enumerate(groups):
        table, chosen = group.table, best[index]
        found = [tuple(chosen), tuple(none[index])]
        used = [i for i in chosen if i in limited[index]]
        for k in sorted(limited[index]):
            if used == [k]:
                continue
            if len(used) == 1 and _covers(table, k, used[0]):
                found.append(tuple(sorted(set(chosen) - {used[0]} | {k})))
            elif used:
                pending.setdefault(table.options[k].key, []).append(index)
        group.candidates = list(dict.fromkeys(found))
    for key, indices in pending.items():
        solved = cheapest_many(
            [tables[i] for i in indices],
            hour_value,
            [
                {j for j in limited[i] if tables[i].options[j].key != key}
                for i in indices
            ],
        )
        for i, candidate in zip(indices, solved, strict=True):
            if tuple(candidate) not in groups[i].candidates:
                groups[i].candidates.append(tuple(candidate))


def _covers(table: Table, k: int, j: int) -> bool:
    """Whether option `k` counts at least as much as option `j` toward every need."""
    return all(
        a.uncapped >= b.uncapped and a.capped >= b.capped
        for a, b in zip(table.counts[k], table.counts[j], strict=True)
    )


def plan_agency(
    needs_by_person: dict[str, list[Need]],
    options_for: Callable[[str], Sequence[Option]],
    hour_value: Decimal,
    kind_of: Callable[[str], str] = lambda person: "",
) -> AgencyPlan:
    """Classes to run and a plan for every person (see the module text)."""
    groups = group_people(needs_by_person, options_for, kind_of)
    started = time.perf_counter()
    add_candidates(groups, hour_value)
    timings["candidates"] = time.perf_counter() - started
    started = time.perf_counter()
    classes: dict[str, Option] = {
        o.key: o
        for g in groups
        for c in g.candidates
        for o in (g.table.options[i] for i in c)
        if o.seats is not None
    }
    blocks = merge_groups(groups, hour_value)
    # Lexicographic: first leave as little missing as possible, then, with that
    # much missing at most, spend as little as possible (two exact solves, so no
    # large penalty weight spoils the solver's arithmetic).
    least_short, _, _ = _master(blocks, classes, None)
    _, values, (run, take) = _master(blocks, classes, least_short)
    timings["master"] = time.perf_counter() - started
    return _read(blocks, classes, run, take, values, hour_value)


@dataclass
class Block:
    """Groups whose candidate plans look the same to the master: the same
    seat-limited classes, and the same shortfall and cost over the group's least,
    one for one. The master cannot tell their people apart, so it decides for all
    of them at once (an exact reduction: any split of a block's counts among its
    groups costs the same, over a constant per person, and fills the same seats).
    """

    # Per candidate position: (hundredths left missing over the least of the
    # candidates, cents over the cheapest, class keys).
    profile: tuple[tuple[int, int, tuple[str, ...]], ...]
    # Each group, with its candidate at each position of `profile`.
    groups: list[tuple[Group, list[tuple[int, ...]]]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(group.members) for group, _ in self.groups)


def merge_groups(groups: Sequence[Group], hour_value: Decimal) -> list[Block]:
    """The groups as blocks of identical candidate profiles (see `Block`)."""
    blocks: dict[tuple, Block] = {}
    for group in groups:
        described = sorted(
            (
                (
                    group.short(c),
                    group.cost(c, hour_value),
                    tuple(
                        sorted(
                            group.table.options[i].key
                            for i in c
                            if group.table.options[i].seats is not None
                        )
                    ),
                ),
                c,
            )
            for c in group.candidates
        )
        # Relative to the block's least shortfall and least cost: every person
        # takes exactly one candidate, so a constant per person changes every
        # choice's objective alike (it is added back when the plan is read).
        least_short = min(short for (short, _, _), _ in described)
        least_cost = min(cost for (_, cost, _), _ in described)
        profile = tuple(
            (short - least_short, cost - least_cost, keys)
            for (short, cost, keys), _ in described
        )
        block = blocks.setdefault(profile, Block(profile))
        block.groups.append((group, [c for _, c in described]))
    return list(blocks.values())


def _master(blocks, classes, short_limit):
    """Solve the master program: minimise what is left missing (`short_limit`
    None), or the cost with at most `short_limit` hundredths left missing."""
    by_cost = short_limit is not None
    model = Model()
    run = {
        key: model.binary(float(cents(o.session_cost)) if by_cost else 0.0)
        for key, o in classes.items()
    }
    take: dict[tuple[int, int], int] = {}
    shorts: list[tuple[int, int]] = []
    users: dict[str, list[int]] = {key: [] for key in classes}
    for bi, block in enumerate(blocks):
        size = block.size
        for ci, (short, cost, keys) in enumerate(block.profile):
            # With nothing to be left missing, a plan that leaves something is
            # simply unavailable (a bound, not a row over every group's plans).
            upper = 0 if short and short_limit == 0 else size
            take[bi, ci] = model.variable(
                cost if by_cost else short, upper, integer=True
            )
            if short:
                shorts.append((take[bi, ci], short))
            # Nobody takes a class that does not run: n[b,p] <= size[b]·run[k].
            # Implied by the seat rows, but stated per plan it makes the
            # relaxation tight, which lets the solver prove the optimum quickly.
            for key in keys:
                users[key].append(take[bi, ci])
                model.row([take[bi, ci], run[key]], [1.0, -float(size)], upper=0.0)
        variables = [take[bi, ci] for ci in range(len(block.profile))]
        model.row(variables, [1.0] * len(variables), lower=size, upper=size)
    for key, option in classes.items():
        model.row(
            users[key] + [run[key]],
            [1.0] * len(users[key]) + [-float(option.seats)],
            upper=0.0,
        )
    if by_cost and shorts and short_limit:
        model.row(
            [v for v, _ in shorts], [float(u) for _, u in shorts], upper=short_limit
        )
    values = model.solve(symmetry=True, gap=MASTER_GAP)
    least = round(sum(values[v] * u for v, u in shorts))
    return least, values, (run, take)


def _read(blocks, classes, run, take, values, hour_value) -> AgencyPlan:
    assignments: dict[str, list[Option]] = {}
    short: dict[str, list[tuple[Need, Decimal]]] = {}
    seats = dict.fromkeys(classes, 0)
    cost = Decimal(0)
    for bi, block in enumerate(blocks):
        counts = [round(values[take[bi, ci]]) for ci in range(len(block.profile))]
        for ci, (_, _, keys) in enumerate(block.profile):
            for key in keys:
                seats[key] += counts[ci]
        # The block's counts, handed out to its groups' people in order.
        places = iter(ci for ci, count in enumerate(counts) for _ in range(count))
        for group, candidates in block.groups:
            for person in group.members:
                candidate = candidates[next(places)]
                options = [group.table.options[i] for i in candidate]
                left = group.table.shortfall(list(candidate))
                open_ = [
                    (need, Decimal(units) / 100)
                    for need, units in zip(group.needs, left, strict=True)
                    if units
                ] + group.table.unclosable()
                assignments[person] = options
                if open_:
                    short[person] = open_
                cost += sum((o.cost(hour_value) for o in options), Decimal(0))
    uses = [
        ClassUse(option, values[run[key]] > 0.5, seats[key])
        for key, option in classes.items()
    ]
    cost += sum((u.option.session_cost for u in uses if u.run), Decimal(0))
    groups = sum(len(block.groups) for block in blocks)
    return AgencyPlan(uses, assignments, short, cost, groups)
