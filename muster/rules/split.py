"""A population evaluated in parts at once, in threads, and put back together.

No rule reads across people (a person alone is a population of one), so the
people can be cut into ranges of rows, each range evaluated on its own with its
own credit lines and exemptions, and the per-person arrays joined end to end: the
result is the one a single evaluation of everyone gives, bit for bit
(`tests/test_split.py` holds the two together on generated populations).

The parts run in threads. The engine's work is NumPy over long arrays
(comparisons, `take`, `nonzero`, `bincount`), which releases the GIL while it
loops, so on free cores the parts run at once; nothing is copied between processes.
Each part copies only its own lines, and no more parts are in flight than there
are workers, so the extra memory is bounded by a fraction of the lines.

A large population (LARGE people or more) is cut by default into two parts per
core when the process may use more than one: on the quiet 2-core machine four
parts took 0.48 of one core's time at a million people (BENCHMARKS.md). On a
machine whose cores are busy with other work the threads only contend (four
parts took twice one core's time under a load of 7); `parts=1` keeps one piece.
Small populations stay whole: threads would cost more than they save. An
evaluation that keeps the explanation of every line (one person's page, the JSON
output) is never cut: it needs the lines of the whole population in one place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from muster.rules.columns import ExemptionRow, LinesTable, PeopleTable

if TYPE_CHECKING:
    from muster.rules.engine import PopulationResult

Evaluate = Callable[[PeopleTable, LinesTable, list[ExemptionRow]], "PopulationResult"]


def workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# People from which a population is cut by default (see the module's docstring).
LARGE = 200_000


def part_count(people: int, requested: int | None) -> int:
    """How many parts to cut `people` into: as many as `requested` (at most one
    per person); by default two per core for a large population, else one."""
    if requested is None:
        cores = workers()
        return 2 * cores if people >= LARGE and cores > 1 else 1
    return max(1, min(requested, people))


def evaluate_in_parts(
    people: PeopleTable,
    lines: LinesTable,
    exemptions: Sequence[ExemptionRow],
    count: int,
    evaluate: Evaluate,
) -> PopulationResult:
    """Evaluate `count` ranges of people with `evaluate`, then join the results.

    `evaluate` must keep no explanation (its per-line detail is not joined) and
    the mandate's cycles must be shared (per-person cycles are already evaluated
    in groups, each group's detail kept apart).
    """
    bounds = np.linspace(0, len(people), count + 1).astype(np.int64)
    ranges = [(int(a), int(b)) for a, b in zip(bounds, bounds[1:], strict=False)]

    def run(bounds: tuple[int, int]) -> _Part:
        first, last = bounds
        part_people, part_lines, part_exemptions, index = _cut(
            people, lines, exemptions, first, last
        )
        return _Part(first, index, evaluate(part_people, part_lines, part_exemptions))

    with ThreadPoolExecutor(max_workers=min(count, workers())) as pool:
        parts = list(pool.map(run, ranges))
    return _join(people, exemptions, parts)


def _cut(people, lines, exemptions, first: int, last: int):
    """People `first` to `last - 1`, their lines and exemptions, renumbered from 0;
    and each kept exemption's index in `exemptions`."""
    # Every column of people is a sequence by row (ids may be empty: it stays
    # so), or a dictionary of such columns (the other dates); earlier breaks are
    # keyed by row.
    part_people = PeopleTable(
        **{
            f.name: _rows(getattr(people, f.name), first, last)
            for f in fields(PeopleTable)
            if f.name != "earlier_breaks"
        },
        earlier_breaks={
            row - first: breaks
            for row, breaks in people.earlier_breaks.items()
            if first <= row < last
        },
    )
    person = lines.person
    if first == 0:
        inside = person < last
    else:
        inside = person >= first
        inside &= person < last
    rows = np.flatnonzero(inside)
    del inside
    part_lines = LinesTable(
        **{f.name: getattr(lines, f.name).take(rows) for f in fields(LinesTable)}
    )
    if first:
        part_lines.person -= np.int32(first)
    index = [i for i, e in enumerate(exemptions) if first <= e.person < last]
    part_exemptions = [
        replace(exemptions[i], person=exemptions[i].person - first) for i in index
    ]
    return part_people, part_lines, part_exemptions, index


def _rows(column, first: int, last: int):
    if isinstance(column, dict):
        return {name: values[first:last] for name, values in column.items()}
    return column[first:last]


@dataclass
class _Part:
    first: int  # the part's first person, as a row of the population
    exemptions: list[int]  # each of its exemptions' index in the population's
    result: PopulationResult


def _join(people, exemptions, parts: list[_Part]) -> PopulationResult:
    """The parts' results as the whole population's, in its order."""
    results = [part.result for part in parts]

    def joined(name: str, axis: int = 0) -> np.ndarray:
        return np.concatenate([getattr(r, name) for r in results], axis=axis)

    outcomes = [
        _join_value([r.outcomes[i] for r in results], parts)
        for i in range(len(results[0].outcomes))
    ]
    return replace(
        results[0],
        people=people,
        exemptions=list(exemptions),
        applies=joined("applies"),
        status=joined("status"),
        requirement_status=joined("requirement_status", axis=1),
        required=joined("required", axis=1),
        earned=joined("earned", axis=1),
        outcomes=outcomes,
        undated=_join_value([r.undated for r in results], parts),
    )


def _join_value(values: list[Any], parts: list[_Part]) -> Any:
    """One field of the parts' outcomes as the population's.

    Arrays run along a part's people and are joined end to end; dictionaries are
    keyed by a person's row (waivers, absences); dataclasses are joined field by
    field. Any other value is decided by the mandate and the period, so it is the
    same in every part, except what only a part with the people concerned fills
    in (a proration rule and its blocks): there the first part that has it gives
    it.
    """
    present = [v for v in values if v is not None]
    if not present:
        return None
    if len(present) != len(values):
        raise AssertionError("the parts disagree on what is in force")
    first = present[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(values)
    if isinstance(first, dict):
        keys = [key for found in values for key in found]
        if keys and all(isinstance(key, str) for key in keys):
            # Named per-person arrays (requirement id -> who lacks a date).
            return {
                name: _join_value([v[name] for v in values], parts)
                for name in dict.fromkeys(keys)
            }
        return _join_rows(values, parts)
    if not is_dataclass(first) or isinstance(first, type):
        return first
    template = next((v for v in values if getattr(v, "rule", 1) is not None), first)
    changes = {}
    for f in fields(first):
        found = [getattr(v, f.name) for v in values]
        if any(isinstance(v, np.ndarray | dict) or _is_record(v) for v in found):
            changes[f.name] = _join_value(found, parts)
        else:
            changes[f.name] = getattr(template, f.name)
    return replace(template, **changes)


def _is_record(value: Any) -> bool:
    return is_dataclass(value) and not isinstance(value, type)


def _join_rows(values: list[dict], parts: list[_Part]) -> dict:
    """Dictionaries keyed by a person's row, rows renumbered; lists in them are
    exemption indices, renumbered too (a count stays as it is)."""
    joined = {}
    for found, part in zip(values, parts, strict=True):
        for row, value in found.items():
            if isinstance(value, list):
                value = [part.exemptions[i] for i in value]
            joined[row + part.first] = value
    return joined
