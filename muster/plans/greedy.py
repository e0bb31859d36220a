"""The greedy choice the planner replaced, kept as a yardstick for tests and benchmarks.

Repeatedly take the option closing the most of what is still missing per dollar,
until every target is reached. It is not shown to anyone: the property tests and
the benchmark check that the exact plan (`solver.solve`) never costs more.
"""

from __future__ import annotations

from decimal import Decimal

from muster.plans.options import Option
from muster.plans.solver import Table


def greedy(table: Table, hour_value: Decimal) -> list[Option]:
    chosen: list[int] = []
    left = table.shortfall(chosen)
    while any(left):
        best = None
        for i, option in enumerate(table.options):
            if i in chosen:
                continue
            after = table.shortfall(chosen + [i])
            closed = sum(left) - sum(after)
            if closed <= 0:
                continue
            # Per dollar; a free option that helps comes first.
            cost = option.cost(hour_value)
            key = (-(Decimal(closed) / cost) if cost else Decimal("-Infinity"), i)
            if best is None or key < best[0]:
                best = (key, i, after)
        if best is None:
            break
        chosen.append(best[1])
        left = best[2]
    return [table.options[i] for i in chosen]
