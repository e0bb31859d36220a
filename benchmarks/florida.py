"""Benchmark: a seeded synthetic Florida evaluated against its own-date cycles.

Florida's four years run from each officer's certification and its reactivation
window from each officer's own break in service, so the engine groups people by
the phase of their own cycles before evaluating each group (`engine.py`,
`_evaluate_by_phase`). This times the whole batch evaluation, and the part of
it spent outside the groups' evaluations (grouping, slicing, merging), for N
officers certified from 1985 to 2025 (a few percent back after a break) with M
lines over the years evaluated. Prints a Markdown table for BENCHMARKS.md.

Run: .venv/bin/python benchmarks/florida.py [--people N --lines M --repeat R]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import date

import numpy as np

from muster.rules import engine, load_mandates
from muster.rules.columns import Codebook, LinesTable, PeopleTable, day_number
from muster.rules.engine import evaluate_population

YEAR = 2025
AS_OF = date(2026, 6, 1)
DISCIPLINES = ["peace-officer", "corrections", "reserve", "chief"]
DISCIPLINE_WEIGHTS = [0.7, 0.22, 0.05, 0.03]
HOURS = np.array([100, 200, 400, 400, 800, 1600], dtype=np.int64)


def generate(people: int, lines: int, seed: int, breaks: float = 0.03):
    """Officers certified 1985-2025, `breaks` of them back after a break of up
    to ten years returning 2022-2026; lines over 2020-2026."""
    rng = np.random.default_rng(seed)
    book = Codebook.from_vocabulary()
    for discipline in DISCIPLINES:
        book.code(book.disciplines, discipline)
    licensed = rng.integers(
        day_number(date(1985, 1, 1)),
        day_number(date(2025, 12, 31)),
        size=people,
        dtype=np.int32,
    )
    back = rng.random(people) < breaks
    returned = np.where(
        back,
        rng.integers(
            day_number(date(2022, 1, 1)), day_number(date(2026, 6, 1)), size=people
        ),
        -1,
    ).astype(np.int32)
    separated = np.where(
        back, returned - rng.integers(30, 3650, size=people), -1
    ).astype(np.int32)
    no_day = np.iinfo(np.int32).min
    population = PeopleTable(
        ids=[],
        discipline=rng.choice(
            len(DISCIPLINES), size=people, p=DISCIPLINE_WEIGHTS
        ).astype(np.int16),
        licensed_on=licensed,
        attributes=np.zeros(people, dtype=np.uint64),
        dates={
            "returned_on": np.where(back, returned, no_day).astype(np.int32),
            "separated_on": np.where(back, separated, no_day).astype(np.int32),
        },
    )
    topic_bits = np.array(
        [0] * 6
        + [1 << book.topics.index(t) for t in ("use-of-force", "officer-wellness")],
        dtype=np.uint64,
    )
    first, last = day_number(date(2020, 1, 1)), day_number(date(2026, 5, 31))
    records = LinesTable(
        person=rng.integers(0, people, size=lines, dtype=np.int32),
        completed_on=rng.integers(first, last + 1, size=lines, dtype=np.int32),
        centihours=rng.choice(HOURS, size=lines),
        area=np.full(lines, -1, dtype=np.int8),
        topics=rng.choice(topic_bits, size=lines),
        delivery=rng.integers(0, len(book.deliveries), size=lines, dtype=np.int8),
        provider=rng.integers(0, len(book.providers), size=lines, dtype=np.int8),
        result=np.zeros(lines, dtype=np.int8),
        counts_for=np.zeros(lines, dtype=np.int16),
    )
    return population, records, book


def timed(run, repeat: int) -> tuple[list[float], list[float]]:
    """Wall time of each run, and of each the part spent outside the groups'
    evaluations (`_Evaluator.run`): the grouping, the slicing of the columns
    into groups and the merge of their results."""
    inside = [0.0]
    evaluate_group = engine._Evaluator.run

    def counted(self):
        began = time.perf_counter()
        try:
            return evaluate_group(self)
        finally:
            inside[0] += time.perf_counter() - began

    engine._Evaluator.run = counted
    timings, outside = [], []
    try:
        for _ in range(repeat):
            inside[0] = 0.0
            began = time.perf_counter()
            run()
            timings.append(time.perf_counter() - began)
            outside.append(timings[-1] - inside[0])
    finally:
        engine._Evaluator.run = evaluate_group
    return timings, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mandate = load_mandates().mandate("us.fl.officer")
    population, records, book = generate(args.people, args.lines, args.seed)

    def whole():
        return evaluate_population(
            population, records, mandate, year=YEAR, as_of=AS_OF, codebook=book
        )

    result = whole()
    evaluation, grouping = timed(whole, args.repeat)
    print(
        f"{args.people:,} Florida officers, {args.lines:,} lines, {YEAR} "
        f"(as of {AS_OF}); {len(result.groups):,} phase groups; "
        f"{platform.processor() or platform.machine()}"
    )
    print(f"statuses: {result.counts()}")
    print("| step | min | median | max |")
    print("|---|---|---|---|")
    for name, timings in (
        ("batch evaluation", evaluation),
        ("of which outside the groups' evaluations", grouping),
    ):
        print(
            f"| {name} | {min(timings):.2f} s | {statistics.median(timings):.2f} s | "
            f"{max(timings):.2f} s |"
        )


if __name__ == "__main__":
    main()
