"""The cheapest set of options closing a person's needs, as an integer program.

For each option `x` (0 or 1: take it or not) and each need `r`:

    sum(uncapped[o, r] * x[o]) + used[r] >= target[r]
    used[r] <= sum(capped[o, r] * x[o])          used[r] <= room[r]

where `uncapped[o, r]` is what option `o`'s lines count toward `r` outside any cap
and `capped[o, r]` what they count under the requirement's cap (AL's 6 online
hours), so capped hours count only up to the room the person has left. One line
counting toward several requirements (a course that is both implicit bias and
interpersonal, and inside the total) appears in each of their rows: that is the
double counting. Minimise the options' cost. Which line counts toward which
requirement is the engine's rule (`Requirement.counts_line`, `Cap.matches`);
delivery (live firearms), provider floors (MO 8 approved hours) and several
licenses are just more rows. Solved exactly by HiGHS.

`target[r]` is what is missing, or less when even every option together cannot
close it; taking every option reaches every target at once (more lines never
lower what counts), so the program is always feasible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from muster.plans.milp import INFINITY, Model
from muster.plans.needs import Need
from muster.plans.options import Option
from muster.rules.engine import cents
from muster.rules.mandate import Kind

BLOCKS_PER_RUN = 200
# How many programs `cheapest_many` solved, and how many of them it left to
# branch and bound (the benchmark prints it).
solved: dict[str, int] = {}

# A completion or qualification counts 100 (like an hour in hundredths), as in
# the engine's arrays.
UNIT = 100


class Counts(NamedTuple):
    """What one option would count toward one need, in hundredths (a tuple, so
    that rows of them hash and compare fast)."""

    uncapped: int = 0
    capped: int = 0

    @property
    def total(self) -> int:
        return self.uncapped + self.capped


def counts(option: Option, need: Need) -> Counts:
    """What a completion of `option` would count toward `need`, before the cap.

    An option counts only in the states where it is approved, and only when it
    can be completed inside the need's period (on or before its end).
    """
    period = need.period
    if need.jurisdiction not in option.accepted_in:
        return Counts()
    if not period.start <= option.on <= period.end:
        return Counts()
    uncapped = capped = 0
    for line in option.lines:
        if not need.requirement.counts_line(line):
            continue
        if need.requirement.kind != Kind.HOURS:
            uncapped += UNIT
        elif need.is_capped(line):
            capped += cents(line.hours)
        else:
            uncapped += cents(line.hours)
    return Counts(uncapped, capped)


def _known_column(known: dict, options: Sequence[Option], need: Need) -> list[Counts]:
    """What each of `options` counts toward `need`, asked of the rules once per
    requirement, state and period (the caps follow from requirement and period).

    `known` holds the options and the requirement it saw, so none is freed and
    their identities stay unique keys."""
    key = (id(options), id(need.requirement), need.jurisdiction, need.period)
    found = known.get(key)
    if found is None:
        column = [counts(option, need) for option in options]
        found = known[key] = (options, need.requirement, column)
    return found[2]


def missing_units(need: Need) -> int:
    return cents(need.missing) if need.is_hours else int(need.missing) * UNIT


def room_units(need: Need) -> int | None:
    return None if need.cap_room is None else cents(need.cap_room)


def counted(need: Need, chosen: Sequence[Counts]) -> int:
    """What `chosen` options together count toward `need` under its cap."""
    uncapped = capped = 0
    for a, b in chosen:
        uncapped += a
        capped += b
    if need.cap_room is None:
        return uncapped + capped
    return uncapped + min(capped, cents(need.cap_room))


@dataclass
class Table:
    """The options that count toward something, and what each counts where."""

    needs: list[Need]
    options: list[Option]
    counts: list[list[Counts]]  # [option][need]
    targets: list[int]

    @classmethod
    def of(
        cls,
        needs: Sequence[Need],
        options: Sequence[Option],
        known: dict | None = None,
    ) -> Table:
        """The options that count toward something.

        No option is dropped as "dominated" by an equal or better one: a plan
        may take both (two different four-hour courses count eight hours).
        `known` keeps what each option counts toward each requirement and period
        across the tables of one agency plan (it does not depend on the amount
        missing), so thousands of groups do not ask the engine's rules again."""
        if known is None:
            columns = [[counts(option, need) for option in options] for need in needs]
        else:
            columns = [_known_column(known, options, need) for need in needs]
        useful, rows = [], []
        for o, option in enumerate(options):
            row = [column[o] for column in columns]
            if any(a or b for a, b in row):
                useful.append(option)
                rows.append(row)
        targets = [
            min(missing_units(need), counted(need, [row[j] for row in rows]))
            for j, need in enumerate(needs)
        ]
        return cls(list(needs), useful, rows, targets)

    def reachable(self, kept: Sequence[int]) -> list[int]:
        """Each need's target when only the `kept` options may be taken."""
        return [
            min(target, counted(need, [self.counts[i][j] for i in kept]))
            for j, (need, target) in enumerate(
                zip(self.needs, self.targets, strict=True)
            )
        ]

    def shortfall(self, chosen: Sequence[int]) -> list[int]:
        """How far `chosen` (option indices) stays from each need's target."""
        return [
            max(0, self.targets[j] - counted(need, [self.counts[i][j] for i in chosen]))
            for j, need in enumerate(self.needs)
        ]

    def unclosable(self) -> list[tuple[Need, Decimal]]:
        """Needs no combination of options can close, with what stays missing."""
        found = []
        for need, target in zip(self.needs, self.targets, strict=True):
            left = missing_units(need) - target
            if left > 0:
                found.append((need, Decimal(left) / UNIT))
        return found


@dataclass
class Plan:
    """The options chosen, their cost, and what stays open."""

    options: list[Option]
    cost: Decimal
    hour_value: Decimal
    needs: list[Need]
    unclosable: list[tuple[Need, Decimal]] = field(default_factory=list)

    @property
    def hours_away(self) -> Decimal:
        return sum((o.hours_away for o in self.options), Decimal(0))

    @property
    def fees(self) -> Decimal:
        return sum((o.fee + o.travel_cost for o in self.options), Decimal(0))

    @property
    def closes_everything(self) -> bool:
        return not self.unclosable


def plan_cost(options: Sequence[Option], hour_value: Decimal) -> Decimal:
    return sum((o.cost(hour_value) for o in options), Decimal(0))


def solve(
    needs: Sequence[Need],
    options: Sequence[Option],
    hour_value: Decimal,
    *,
    table: Table | None = None,
) -> Plan:
    """The cheapest options reaching every need's target (see the module text)."""
    table = table or Table.of(needs, options)
    chosen = cheapest(table, hour_value)
    picked = [table.options[i] for i in chosen]
    return Plan(
        picked,
        plan_cost(picked, hour_value),
        hour_value,
        list(needs),
        table.unclosable(),
    )


def cheapest(table: Table, hour_value: Decimal) -> list[int]:
    """Indices of the options in the cheapest selection reaching the targets."""
    return cheapest_many([table], hour_value)[0]


def cheapest_many(
    tables: Sequence[Table],
    hour_value: Decimal,
    excluded: Sequence[set[int]] | None = None,
) -> list[list[int]]:
    """`cheapest` for many independent tables (each a block of one program: its
    optimum is the sum of theirs), leaving out each table's `excluded` options;
    the targets are then what the other options can reach.

    Thousands of small programs, and HiGHS spends more time starting a run
    than solving one of them, so most are solved by two linear programs over
    every block at once, each answer proven optimal:

    1. The relaxation (options may be taken in fractions). Its duals prove a
       lower bound for each block (`Relaxation`), rounded up to a multiple of the
       greatest common divisor of the block's costs in cents, since every plan
       costs such a multiple. A block whose relaxed answer is whole and costs no
       more than that bound is solved.
    2. For the others, the relaxation with each block's cost held to its bound
       and as many options taken as it allows: an answer in whole numbers
       there costs the bound, which no plan can beat.

    Every answer is checked again in exact arithmetic (it reaches each target,
    it costs no more than the bound). Only the blocks left go to branch and
    bound, a few hundred per run (it grows faster than the number of blocks).
    """
    left_out = list(excluded) if excluded else [set()] * len(tables)
    prices: dict[int, int] = {}
    programs = [
        _program(table, hour_value, out, prices)
        for table, out in zip(tables, left_out, strict=True)
    ]
    found: list[list[int] | None] = [None] * len(tables)
    model = Model()
    blocks = [program.add_to(model) for program in programs]
    relaxed = model.relaxation()
    bounds = [block.bound(relaxed) for block in blocks]
    for k, (table, block) in enumerate(zip(tables, blocks, strict=True)):
        found[k] = block.whole(table, relaxed.values, bounds[k])
    rest = [k for k, chosen in enumerate(found) if chosen is None]
    if rest:
        model = Model()
        blocks = [programs[k].add_to(model, most=bounds[k]) for k in rest]
        values = model.relaxation().values
        for k, block in zip(rest, blocks, strict=True):
            chosen = block.whole(tables[k], values, bounds[k])
            if chosen is not None:
                found[k] = block.without_free(tables[k], chosen)
    rest = [k for k, chosen in enumerate(found) if chosen is None]
    solved["branch and bound"] = solved.get("branch and bound", 0) + len(rest)
    solved["programs"] = solved.get("programs", 0) + len(tables)
    for first in range(0, len(rest), BLOCKS_PER_RUN):
        model = Model()
        batch = rest[first : first + BLOCKS_PER_RUN]
        blocks = [programs[k].add_to(model) for k in batch]
        values = model.solve()
        for k, block in zip(batch, blocks, strict=True):
            found[k] = block.chosen([round(values[v]) for v in block.take])
    return found  # type: ignore[return-value]


@dataclass
class _Program:
    """One table's program, its variables numbered from 0: first, for each set
    of identical options (`copies`), how many of them to take; then, per capped
    need, the capped hours that count."""

    copies: list[list[int]]
    prices: list[int]  # cents per copy, for each of the first variables
    targets: list[int]
    option_prices: dict[int, int]
    upper: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, list[int], list[float]]] = field(
        default_factory=list
    )

    def add_to(self, model: Model, most: int | None = None) -> _Block:
        """Add the program to `model`. With `most`, its cost is held to that
        many cents and it takes as many options as that allows."""
        first_variable, first_row = len(model.costs), len(model.rows)
        chosen = len(self.copies)
        for v, upper in enumerate(self.upper):
            if v >= chosen:
                model.variable(0.0, upper)
            elif most is None:
                model.variable(float(self.prices[v]), upper, integer=True)
            else:
                model.variable(-1.0, upper, integer=True)
        for lower, upper, indices, values in self.rows:
            model.row([first_variable + i for i in indices], values, lower, upper)
        take = list(range(first_variable, first_variable + chosen))
        if most is not None and take:
            model.row(take, [float(p) for p in self.prices], upper=most)
        return _Block(
            self,
            take,
            range(first_variable, len(model.costs)),
            range(first_row, len(model.rows)),
        )


@dataclass
class _Block:
    """A program inside a model: the variables of its options, and where its
    variables and rows are."""

    program: _Program
    take: list[int]
    variables: range
    rows: range

    def chosen(self, counts: Sequence[int]) -> list[int]:
        return sorted(
            i
            for copies, n in zip(self.program.copies, counts, strict=True)
            for i in copies[:n]
        )

    def reaches(self, table: Table, chosen: Sequence[int]) -> bool:
        return all(
            counted(need, [table.counts[i][j] for i in chosen]) >= target
            for j, (need, target) in enumerate(
                zip(table.needs, self.program.targets, strict=True)
            )
        )

    def bound(self, relaxed) -> int:
        """A lower bound on the cost of any plan, in cents, from the relaxation's
        duals, rounded up to a multiple of the costs' greatest common divisor."""
        if not self.take:
            return 0
        step = math.gcd(*self.program.prices) or 1
        proven = relaxed.bound(self.variables, self.rows)
        # A thousandth of a cent below what floating point computed: safe.
        return max(0, math.ceil((proven - 1e-3) / step)) * step

    def whole(self, table, values, bound: int) -> list[int] | None:
        """The options of a whole-number answer that reaches every target at no
        more than `bound` cents (then optimal), else None."""
        counts = [values[v] for v in self.take]
        if any(abs(c - round(c)) > 1e-6 for c in counts):
            return None
        counts = [round(c) for c in counts]
        cost = sum(p * n for p, n in zip(self.program.prices, counts, strict=True))
        chosen = self.chosen(counts)
        if cost > bound or not self.reaches(table, chosen):
            return None
        return chosen

    def without_free(self, table: Table, chosen: list[int]) -> list[int]:
        """Drop options costing nothing that the plan does not need (taking as
        many options as the cost allows may take a free one for nothing)."""
        kept = list(chosen)
        for i in sorted(chosen, reverse=True):
            rest = [j for j in kept if j != i]
            if self.program.option_prices[i] == 0 and self.reaches(table, rest):
                kept = rest
        return kept


def _program(
    table: Table, hour_value: Decimal, left_out: set[int], prices: dict[int, int]
) -> _Program:
    """The table's program without the `left_out` options (see `_Program`);
    `prices` keeps each option's cost in cents across the tables of one call."""
    kept = [i for i in range(len(table.options)) if i not in left_out]
    targets = table.targets if not left_out else table.reachable(kept)
    if not any(targets):
        return _Program([], [], targets, {})
    # Options counting the same toward every need at the same cost (eight range
    # days on different dates, all inside the period) are one integer variable,
    # how many of them to take: the same program with fewer variables for
    # branch and bound to tell apart. Unlimited ones come first, so a plan
    # takes a seat-limited class only when nothing else the same will do.
    # Cents, so that the objective is a whole number and ties are exact.
    price = {}
    for i in kept:
        option = table.options[i]
        if id(option) not in prices:
            prices[id(option)] = cents(option.cost(hour_value))
        price[i] = prices[id(option)]
    alike: dict[tuple, list[int]] = {}
    for i in sorted(kept, key=lambda i: (table.options[i].seats is not None, i)):
        alike.setdefault((tuple(table.counts[i]), price[i]), []).append(i)
    copies = list(alike.values())
    program = _Program(
        copies,
        [price[c[0]] for c in copies],
        targets,
        price,
        [float(len(c)) for c in copies],
    )
    firsts = [c[0] for c in copies]
    for j, need in enumerate(table.needs):
        target = targets[j]
        if target <= 0:
            continue
        # No option counts for more than the target (nor, under the cap, more
        # than the room): the same whole-number solutions, since one copy taken
        # reaches the target either way, and a much tighter relaxation for
        # branch and bound.
        room = room_units(need)
        ceiling = target if room is None else min(target, room)
        terms = [
            (v, min(table.counts[i][j].uncapped, target)) for v, i in enumerate(firsts)
        ]
        terms = [(v, c) for v, c in terms if c]
        capped = [
            (v, min(table.counts[i][j].capped, ceiling)) for v, i in enumerate(firsts)
        ]
        capped = [(v, c) for v, c in capped if c]
        if capped:
            used = len(program.upper)
            program.upper.append(float(ceiling))
            program.rows.append(
                (
                    -INFINITY,
                    0.0,
                    [used] + [v for v, _ in capped],
                    [1.0] + [-float(c) for _, c in capped],
                )
            )
            terms.append((used, 1))
        program.rows.append(
            (
                float(target),
                INFINITY,
                [v for v, _ in terms],
                [float(c) for _, c in terms],
            )
        )
    return program
