"""Benchmark: the compliance report of a year whose standings are not stored (an
ExportJob's work), for an agency of 2,000 people of every state and history.

Builds a scratch SQLite database (migrations, then `varied_staff` with a fixed
seed: licenses in ten encoded states and one not, every discipline, breaks,
lapses, waivers and extensions, 0 to 29 records each over eight years), then
times, side by side in one process, the rows made person by person through the
person page's engine (`compliance.standing_for`, what the job did before) and
in one batch (`exports.compliance_rows`, `compliance.judge_people`), checks the
two CSV files are the same bytes, and prints a Markdown table for BENCHMARKS.md.
Run: .venv/bin/python benchmarks/exports.py [--people N] [--year Y]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def set_up_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed(run, repeat: int) -> tuple[list[float], object]:
    times, answer = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - start)
    return times, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file holding no benchmark data yet, migrated first "
        "(default: a new scratch file)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        set_up_django(args.database or Path(scratch) / "bench.sqlite3")
        from django.utils import timezone

        from muster.agencies.compliance.figures import kept_years
        from muster.agencies.models import Agency, CreditLine, Person
        from muster.tabular.escape import csv_bytes
        from muster.transfers import exports
        from muster.transfers.tests.population import per_person_rows, varied_staff

        today = timezone.localdate()
        year = args.year or kept_years(today)[0] - 1
        agency = Agency.objects.create(
            name="Varied County", code="varied", kind="sheriff", state="MO"
        )
        start = time.perf_counter()
        varied_staff(agency, args.people, seed=2026)
        built = time.perf_counter() - start
        people = Person.objects.all()

        def csv(rows) -> bytes:
            return csv_bytes(exports.COMPLIANCE_HEADER, [r.cells() for r in rows])

        old, old_rows = timed(
            lambda: per_person_rows(people, agency, year, today), args.repeat
        )
        new, new_rows = timed(
            lambda: exports.compliance_rows(people, agency, year, today), args.repeat
        )
        same = csv(old_rows) == csv(new_rows)
        old_p50, new_p50 = statistics.median(old), statistics.median(new)
        print(
            f"{args.people} people, {CreditLine.objects.count()} credit lines, "
            f"report of {year} on {today} (built in {built:.1f} s); "
            f"{len(new_rows)} rows; same bytes: {same}; "
            f"{platform.python_version()}, {os.cpu_count()} cores"
        )
        print()
        print(f"| path | median of {args.repeat} | min |")
        print("| --- | --- | --- |")
        print(
            f"| person by person (`standing_for`) | {old_p50:.2f} s | {min(old):.2f} s |"
        )
        print(f"| one batch (`judge_people`) | {new_p50:.2f} s | {min(new):.2f} s |")
        print()
        print(f"speed-up: {old_p50 / new_p50:.1f}x")
        if not same:
            sys.exit("The two paths disagree.")


if __name__ == "__main__":
    main()
