"""Benchmark: evaluate a seeded synthetic nation against Missouri's 2021 CLEE rules.

Generates N people and M credit lines over 2020-2021 as columns, then times
  1. Muster's batch evaluation (every requirement, exemptions, statuses), on one
     core (`parts=1`) and as the engine chooses by default (a large population
     in two parts per core, in threads), and
  2. DuckDB doing only the bare aggregation (hours per person and category, then the
     24 / 1 / 1 / 1 checks), the reference for what the hardware allows,
and one person's evaluation with its explanation. Prints a Markdown table for
BENCHMARKS.md. Run: .venv/bin/python benchmarks/nation.py [--people N --lines M]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc
from datetime import date

import missouri_reference
import numpy as np

from muster.rules import CreditLine, Person, evaluate, load_mandates, split
from muster.rules.columns import Codebook, LinesTable, PeopleTable, day_number
from muster.rules.engine import OVERALL_STATUS, evaluate_population

YEAR = 2021
AS_OF = date(2022, 6, 1)
DISCIPLINES = ["peace-officer", "telecommunicator", "corrections", "chief"]
DISCIPLINE_WEIGHTS = [0.8, 0.08, 0.1, 0.02]
HOURS = np.array([25, 50, 100, 100, 200, 200, 400, 800], dtype=np.int64)


def generate(people: int, lines: int, seed: int):
    """A seeded synthetic nation: columns only, as a state system would export them."""
    rng = np.random.default_rng(seed)
    book = Codebook.from_vocabulary()
    for discipline in DISCIPLINES:
        book.code(book.disciplines, discipline)
    traffic = book.code(book.attributes, "traffic-enforcement")
    start = day_number(date(1990, 1, 1))
    population = PeopleTable(
        ids=[],  # row numbers are the ids; a million strings are not needed here
        discipline=rng.choice(
            len(DISCIPLINES), size=people, p=DISCIPLINE_WEIGHTS
        ).astype(np.int16),
        licensed_on=rng.integers(
            start, day_number(date(2022, 1, 1)), size=people, dtype=np.int32
        ),
        attributes=(rng.random(people) < 0.7).astype(np.uint64) << np.uint64(traffic),
        # The letter each last name is filed under, A to Z in turn (the
        # `columns.surname_letter` codes 1-26), so that a cycle staggered by
        # surname (Illinois's three-year period) places everyone; taken from the
        # row, not the generator, so the other columns stay as they were.
        surnames=(np.arange(people) % 26 + 1).astype(np.int8),
    )
    topic_bits = np.array(
        [0] * 12
        + [
            1 << book.topics.index(t)
            for t in ("implicit-bias", "de-escalation", "racial-profiling", "firearms")
        ],
        dtype=np.uint64,
    )
    first, last = day_number(date(2020, 1, 1)), day_number(date(2021, 12, 31))
    records = LinesTable(
        person=rng.integers(0, people, size=lines, dtype=np.int32),
        completed_on=rng.integers(first, last + 1, size=lines, dtype=np.int32),
        centihours=rng.choice(HOURS, size=lines),
        area=rng.integers(-1, len(book.areas), size=lines, dtype=np.int8),
        topics=rng.choice(topic_bits, size=lines),
        delivery=rng.integers(0, len(book.deliveries), size=lines, dtype=np.int8),
        provider=rng.integers(0, len(book.providers), size=lines, dtype=np.int8),
        result=np.zeros(lines, dtype=np.int8),
        counts_for=np.where(rng.random(lines) < 0.01, 2020, 0).astype(np.int16),
    )
    return population, records, book


def mandate():
    return load_mandates().mandate("us.mo.peace_officer")


def muster_statuses(population, records, book, parts=None):
    """Statuses for everyone; `parts=1` in one piece, None as the engine chooses
    (a large population in two parts per core, in threads)."""
    return evaluate_population(
        population,
        records,
        mandate(),
        year=YEAR,
        as_of=AS_OF,
        codebook=book,
        parts=parts,
    ).status


def peak_memory(population, records, book) -> int:
    """Bytes allocated at the peak of one evaluation, beyond the input columns."""
    tracemalloc.start()
    muster_statuses(population, records, book)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def duckdb_connection(population, records):
    import duckdb
    import pyarrow as pa

    connection = duckdb.connect()
    connection.execute(f"PRAGMA threads={os.cpu_count()}")
    connection.register(
        "lines",
        pa.table(
            {
                "person": records.person,
                "completed_on": records.completed_on,
                "centihours": records.centihours,
                "area": records.area,
                "topics": records.topics.astype(np.int64),
                "delivery": records.delivery,
                "provider": records.provider,
                "counts_for": records.counts_for,
            }
        ),
    )
    connection.register(
        "people",
        pa.table(
            {
                "row": np.arange(len(population), dtype=np.int32),
                "discipline": population.discipline,
                "licensed_on": population.licensed_on,
                "attributes": population.attributes.astype(np.int64),
            }
        ),
    )
    return connection


def bare_query(book) -> str:
    """Only the 2021 sums and the 24/1/1/1 check: what the hardware allows."""
    bit = {
        t: 1 << book.topics.index(t)
        for t in ("implicit-bias", "de-escalation", "racial-profiling")
    }
    first, last = day_number(date(YEAR, 1, 1)), day_number(date(YEAR, 12, 31))
    return f"""
        SELECT person,
               SUM(centihours) >= 2400
               AND SUM(CASE WHEN topics & {bit["implicit-bias"]} <> 0
                            THEN centihours ELSE 0 END) >= 100
               AND SUM(CASE WHEN topics & {bit["de-escalation"]} <> 0
                            THEN centihours ELSE 0 END) >= 100
               AND SUM(CASE WHEN topics & {bit["racial-profiling"]} <> 0
                            THEN centihours ELSE 0 END) >= 100 AS compliant
        FROM lines
        WHERE completed_on BETWEEN {first} AND {last}
        GROUP BY person
    """


def polars_frames(population, records):
    import polars as pl

    people = pl.DataFrame(
        {
            "row": np.arange(len(population), dtype=np.int32),
            "discipline": population.discipline,
            "licensed_on": population.licensed_on,
            "attributes": population.attributes.astype(np.int64),
        }
    )
    lines = pl.DataFrame(
        {
            "person": records.person,
            "completed_on": records.completed_on,
            "centihours": records.centihours,
            "area": records.area,
            "topics": records.topics.astype(np.int64),
            "delivery": records.delivery,
            "provider": records.provider,
            "counts_for": records.counts_for,
        }
    )
    return people, lines


def timed(run, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        timings.append(time.perf_counter() - began)
    return timings


def time_one_person(runs: int = 2000):
    """One officer, 25 lines over two years, evaluated with the full explanation."""
    mandate = load_mandates().mandate("us.mo.peace_officer")
    person = Person(
        "P1", "peace-officer", date(2012, 5, 1), frozenset({"traffic-enforcement"})
    )
    areas = ["legal", "technical", "interpersonal", "skill-development", None]
    lines = [
        CreditLine(
            "P1",
            date(2020 + i % 2, 1 + i % 12, 1 + i % 27),
            (i % 4) + 1,
            area=areas[i % 5],
            topics=frozenset({"firearms"} if i % 7 == 0 else ()),
            provider="approved-provider" if i % 3 == 0 else "in-service",
        )
        for i in range(25)
    ]
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        result = evaluate(person, lines, mandate, year=YEAR, as_of=AS_OF)
        _ = [line.text() for line in result.lines]
        timings.append(time.perf_counter() - began)
    return timings


def row(name: str, timings: list[float], reference: list[float]) -> str:
    ratio = statistics.median(timings) / statistics.median(reference)
    return (
        f"| {name} | {min(timings):.2f} s | {statistics.median(timings):.2f} s | "
        f"{max(timings):.2f} s | {ratio:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=25_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    began = time.perf_counter()
    population, records, book = generate(args.people, args.lines, args.seed)
    generated = time.perf_counter() - began
    size = sum(getattr(records, f).nbytes for f in records.__dataclass_fields__)
    print(
        f"generated {args.people:,} people and {args.lines:,} lines "
        f"({size / 2**20:,.0f} MiB of columns) in {generated:.1f} s"
    )

    connection = duckdb_connection(population, records)
    bare, full = bare_query(book), missouri_reference.sql(book)
    people_frame, lines_frame = polars_frames(population, records)

    # The three full implementations must agree on everyone before any timing.
    ours = muster_statuses(population, records, book, parts=1)
    assert np.array_equal(ours, muster_statuses(population, records, book))
    theirs = connection.execute(full).fetchnumpy()["status"]
    polars = missouri_reference.polars_statuses(people_frame, lines_frame, book)
    assert np.array_equal(ours, theirs), "DuckDB SQL and Muster disagree"
    assert np.array_equal(ours, polars), "Polars and Muster disagree"
    counts = np.bincount(ours, minlength=len(OVERALL_STATUS))

    # Interleaved, so that load from other processes falls on all alike.
    keys = ("muster", "parts", "bare", "sql", "pl")
    times: dict[str, list[float]] = {k: [] for k in keys}
    for _ in range(args.repeat):
        times["muster"] += timed(
            lambda: muster_statuses(population, records, book, parts=1), 1
        )
        times["parts"] += timed(lambda: muster_statuses(population, records, book), 1)
        times["bare"] += timed(lambda: connection.execute(bare).fetchnumpy(), 1)
        times["sql"] += timed(lambda: connection.execute(full).fetchnumpy(), 1)
        times["pl"] += timed(
            lambda: missouri_reference.polars_statuses(people_frame, lines_frame, book),
            1,
        )
    peak = peak_memory(population, records, book)
    single = time_one_person()

    import duckdb
    import polars as pl

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"numpy {np.__version__}, duckdb {duckdb.__version__}, polars {pl.__version__}"
    )
    print(
        "statuses (same from Muster, DuckDB SQL and Polars):",
        dict(zip(OVERALL_STATUS, counts.tolist(), strict=True)),
    )
    print()
    print("| measure | min | median | max | median / DuckDB bare |")
    print("|---|---|---|---|---|")
    default = split.part_count(len(population), None)
    print(row("Muster engine, one core (`parts=1`)", times["muster"], times["bare"]))
    print(
        row(
            f"Muster engine, the default ({default} parts on this machine)",
            times["parts"],
            times["bare"],
        )
    )
    print(row("DuckDB bare aggregation (24/1/1/1)", times["bare"], times["bare"]))
    print(row("DuckDB SQL, full MO 2021 rules", times["sql"], times["bare"]))
    print(row("Polars, full MO 2021 rules", times["pl"], times["bare"]))
    for name in ("sql", "pl"):
        for ours in ("muster", "parts"):
            ratio = statistics.median(times[ours]) / statistics.median(times[name])
            print(f"Muster ({ours}) / {name}: {ratio:.2f} (median)")
    print(f"Muster peak extra memory: {peak / 2**20:,.0f} MiB")
    print(
        f"one person with explanation: min {min(single) * 1000:.3f} ms, median "
        f"{statistics.median(single) * 1000:.3f} ms, p99 "
        f"{sorted(single)[int(len(single) * 0.99)] * 1000:.3f} ms"
    )


if __name__ == "__main__":
    main()
