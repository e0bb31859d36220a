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

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from muster.plans.milp import Model
from muster.plans.needs import Need
from muster.plans.options import Option
from muster.rules.engine import cents
from muster.rules.mandate import Kind

BLOCKS_PER_RUN = 200

# A completion or qualification counts 100 (like an hour in hundredths), as in
# the engine's arrays.
UNIT = 100


@dataclass(frozen=True)
class Counts:
    """What one option would count toward one need, in hundredths."""

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


def missing_units(need: Need) -> int:
    return cents(need.missing) if need.is_hours else int(need.missing) * UNIT


def room_units(need: Need) -> int | None:
    return None if need.cap_room is None else cents(need.cap_room)


def counted(need: Need, chosen: Sequence[Counts]) -> int:
    """What `chosen` options together count toward `need` under its cap."""
    uncapped = sum(c.uncapped for c in chosen)
    capped = sum(c.capped for c in chosen)
    room = room_units(need)
    return uncapped + (capped if room is None else min(capped, room))


@dataclass
class Table:
    """The options that count toward something, and what each counts where."""

    needs: list[Need]
    options: list[Option]
    counts: list[list[Counts]]  # [option][need]
    targets: list[int]

    @classmethod
    def of(cls, needs: Sequence[Need], options: Sequence[Option]) -> Table:
        """The options that count toward something.

        No option is dropped as "dominated" by an equal or better one: a plan
        may take both (two different four-hour courses count eight hours)."""
        useful, rows = [], []
        for option in options:
            row = [counts(option, need) for need in needs]
            if any(c.total for c in row):
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
    """`cheapest` for many independent tables in one solve (each a block of one
    program: its optimum is the sum of theirs), leaving out each table's
    `excluded` options; the targets are then what the other options can reach.

    One solve for many small programs, because HiGHS spends more time starting
    a run than solving one person's program.
    """
    found: list[list[int]] = []
    # A few hundred blocks per run: one run is cheaper than many, but branch and
    # bound over thousands of blocks at once grows faster than their number.
    for first in range(0, len(tables), BLOCKS_PER_RUN):
        model = Model()
        blocks = []
        for k in range(first, min(first + BLOCKS_PER_RUN, len(tables))):
            left_out = excluded[k] if excluded else set()
            blocks.append(_add_block(model, tables[k], hour_value, left_out))
        values = model.solve() if model.costs else []
        found += [
            [i for i, variable in block.items() if values[variable] > 0.5]
            for block in blocks
        ]
    return found


def _add_block(
    model: Model, table: Table, hour_value: Decimal, left_out: set[int]
) -> dict[int, int]:
    """Add one table's program to `model`; returns option index -> variable."""
    kept = [i for i in range(len(table.options)) if i not in left_out]
    targets = table.targets if not left_out else table.reachable(kept)
    if not any(targets):
        return {}
    # Cents, so that the objective is a whole number and ties are exact.
    take = {
        i: model.binary(float(cents(table.options[i].cost(hour_value)))) for i in kept
    }
    for j, need in enumerate(table.needs):
        target = targets[j]
        if target <= 0:
            continue
        terms = [(take[i], table.counts[i][j].uncapped) for i in kept]
        terms = [(v, c) for v, c in terms if c]
        capped = [(take[i], table.counts[i][j].capped) for i in kept]
        capped = [(v, c) for v, c in capped if c]
        if capped:
            room = room_units(need)
            used = model.variable(0.0, float(room) if room is not None else 1e18)
            model.row(
                [used] + [v for v, _ in capped],
                [1.0] + [-float(c) for _, c in capped],
                upper=0.0,
            )
            terms.append((used, 1))
        model.row([v for v, _ in terms], [float(c) for _, c in terms], lower=target)
    return take
