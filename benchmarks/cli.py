"""Benchmark: `muster evaluate` on a state's CSV files against DuckDB reading the same files.

Writes a seeded people.csv and records.csv once into a temporary folder
(`statefiles.py`), then runs, alternately, as separate processes:
  1. `muster evaluate --jurisdiction MO --period 2021 --format csv` (every rule,
     every check of every cell, the whole output written to a file), and
  2. DuckDB (both cores) reading the same two CSV files and doing only the bare
     2021 sums and the 24/1/1/1 check per person,
and reports wall time (min/median/max), their ratio, and each process's peak RSS.

Run: .venv/bin/python benchmarks/cli.py            (10,000 people, 250,000 records)
     .venv/bin/python benchmarks/cli.py --full     (100,000 people, 2.5 M records)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import statefiles

MUSTER = Path(sys.executable).parent / "muster"
DUCKDB_SCRIPT = """
import sys, duckdb
people, records = sys.argv[1], sys.argv[2]
duckdb.sql(f'''
    SELECT p.id,
           COALESCE(SUM(CAST(r.hours AS DECIMAL(9, 2))), 0) >= 24
           AND COALESCE(SUM(CAST(r.hours AS DECIMAL(9, 2)))
                        FILTER (r.topics LIKE '%implicit-bias%'), 0) >= 1
           AND COALESCE(SUM(CAST(r.hours AS DECIMAL(9, 2)))
                        FILTER (r.topics LIKE '%de-escalation%'), 0) >= 1
           AND COALESCE(SUM(CAST(r.hours AS DECIMAL(9, 2)))
                        FILTER (r.topics LIKE '%racial-profiling%'), 0) >= 1 AS compliant
    FROM read_csv('{people}', all_varchar = true) p
    LEFT JOIN read_csv('{records}', all_varchar = true) r
      ON r.person = p.id AND (r.date LIKE '2021-%' OR r.date LIKE '%/2021')
    GROUP BY p.id
''').fetch_arrow_table()
"""


def run(argv: list[str], stdout, folder: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one process, measured by GNU time
    (a child's own rusage would start from this process's size at the fork)."""
    report = Path(folder) / "rss"
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(report), *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {done.stderr.decode()}")
    return elapsed, int(report.read_text().split()[-1]) * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--full", action="store_true", help="100,000 / 2.5 M")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--format", default="csv", choices=("csv", "table", "json"))
    args = parser.parse_args()
    if args.full:
        args.people, args.records = 100_000, 2_500_000

    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        people, records = statefiles.write_state(
            Path(folder), args.people, args.records
        )
        size = (people.stat().st_size + records.stat().st_size) / 2**20
        print(
            f"wrote {args.people:,} people and {args.records:,} records "
            f"({size:,.0f} MiB of CSV) in {time.perf_counter() - began:.1f} s"
        )
        muster_argv = [
            str(MUSTER), "evaluate", "--jurisdiction", "MO", "--period", "2021",
            "--people", str(people), "--records", str(records),
            "--as-of", "2022-06-01", "--format", args.format,
        ]  # fmt: skip
        duckdb_argv = [sys.executable, "-c", DUCKDB_SCRIPT, str(people), str(records)]
        output = Path(folder) / f"out.{args.format}"
        muster, duck = [], []
        for _ in range(args.repeat):  # alternately, so load falls on both alike
            with open(output, "wb") as out:
                muster.append(run(muster_argv, out, folder))
            duck.append(run(duckdb_argv, subprocess.DEVNULL, folder))
        with open(output, "rb") as written:
            rows = sum(1 for _ in written)

    import duckdb

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, CPython "
        f"{platform.python_version()}, duckdb {duckdb.__version__}; "
        f"muster wrote {rows:,} lines of {args.format}"
    )
    print()
    print("| process | min | median | max | peak RSS |")
    print("|---|---|---|---|---|")
    for name, found in (
        (f"muster evaluate --format {args.format}", muster),
        ("DuckDB reading both CSVs, bare 24/1/1/1 sums", duck),
    ):
        seconds = [s for s, _ in found]
        print(
            f"| {name} | {min(seconds):.2f} s | {statistics.median(seconds):.2f} s "
            f"| {max(seconds):.2f} s | {max(r for _, r in found) / 2**20:,.0f} MiB |"
        )
    ratio = statistics.median(s for s, _ in muster) / statistics.median(
        s for s, _ in duck
    )
    print(f"\nratio muster / DuckDB (median): {ratio:.2f} (target: at most 5)")


if __name__ == "__main__":
    main()
