"""Benchmark: how fast the hostile workbooks of issue 8.3 are refused.

Builds, with zipfile by hand, the two files of the report at full size (one row
of 14 M inline cells; 25 M shared strings) and the same shapes just under the
zip limits, so that only the counting pass stops them. Times `read_table` with
the default limits, and, for comparison, openpyxl reading a legitimate sheet of
as many cells as the limit allows. Prints a Markdown table for BENCHMARKS.md.
No database is needed. Run: .venv/bin/python benchmarks/hostile_imports.py
[--rows N] (the legitimate sheet's rows, 10,000 by default)
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from muster.tabular import Limits, TableError, read_table  # noqa: E402
from muster.tabular.tests import hostile  # noqa: E402


def refuse(data: bytes, limits: Limits | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        read_table("hostile.xlsx", data, limits)
    except TableError as error:
        return time.perf_counter() - started, error.problem.message
    raise SystemExit("a hostile file was accepted")


def legitimate(say, rows: int) -> None:
    """A real roster workbook: the checks' cost next to openpyxl's read."""
    import io

    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    sheet.append([f"Column {i}" for i in range(14)])
    for row in range(rows):
        sheet.append([f"Value {row}-{i}" for i in range(14)])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    started = time.perf_counter()
    raw = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    read = sum(1 for _ in raw.worksheets[0].iter_rows(values_only=True))
    bare = time.perf_counter() - started
    started = time.perf_counter()
    table = read_table("roster.xlsx", data)
    checked = time.perf_counter() - started
    assert len(table.rows) == read - 1 == rows
    say(
        f"\nA legitimate {rows:,} x 14 workbook ({len(data) / 1e6:.2f} MB): openpyxl "
        f"alone {bare:.2f} s, read_table with every check {checked:.2f} s "
        f"({checked / bare:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    cases = [
        (
            "one row of 14 M inline cells",
            lambda: hostile.workbook(
                hostile.sheet(hostile.one_row_of_inline_cells(14_000_000))
            ),
        ),
        (
            "25 M shared strings",
            lambda: hostile.workbook(
                hostile.sheet(hostile.text_rows([["a"]])),
                hostile.shared_strings(25_000_000),
            ),
        ),
        (
            "510,000 varied cells (under the zip limits)",
            lambda: hostile.workbook(hostile.sheet(hostile.numbered_cells(510_000))),
        ),
        (
            "510,000 varied shared strings (under the zip limits)",
            lambda: hostile.workbook(
                hostile.sheet(hostile.text_rows([["a"]])),
                hostile.varied_shared_strings(510_000),
            ),
        ),
    ]
    print(f"Python {platform.python_version()}; {platform.machine()}; default limits")
    print("| file | size on disk | refused in | message |")
    print("|---|---|---|---|")
    for label, build in cases:
        data = build()
        seconds, message = refuse(data)
        print(f"| {label} | {len(data) / 1e6:.2f} MB | {seconds:.2f} s | {message} |")
    legitimate(print, args.rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak RSS of the whole run (building included): {peak:.0f} MB")


if __name__ == "__main__":
    main()
