"""Benchmark: CPU time of the person page (1,000 records), request by request.

Wall time on a shared machine is mostly waiting for a core; the CPU time of the
process (`time.process_time`: Python and SQLite, which runs inside it) and the
number of Python calls (cProfile) move far less with other work. Builds a small
scratch database with `dashboard.py`'s builders (300 people × 25 records, the
last with a 1,000-record history, standings refreshed), does what a server
process does before its first request (`muster/serving.py`, when the code has
it), then times REPEAT requests for the person page, each after a training
recorded through the action, and counts the Python calls of 10 more.
Run: .venv/bin/python benchmarks/person_page.py [--repeat 40] [--freeze]
(`--freeze` freezes the garbage collector's view the same way in code that has
no `muster/serving.py`, to compare the code alone).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import dashboard as bench

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--freeze", action="store_true")
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file holding no benchmark data yet, migrated first "
        "(default: a new scratch file)",
    )
    args = parser.parse_args()
    bench.set_up_django(
        args.database or Path(tempfile.mkdtemp(prefix="muster-person-")) / "db.sqlite3"
    )
    from django.test import Client, override_settings

    from muster.agencies.compliance.standings import refresh_all
    from muster.agencies.models import Person

    agency, coordinator = bench.build(args.people, 25, args.seed)
    someone = Person.objects.order_by("pk").last()
    bench.add_history(someone, agency, args.records, args.seed)
    refresh_all()
    if (ROOT / "muster" / "serving.py").exists():
        from muster import serving

        serving.settle()
        settled = "muster.serving.settle()"
    elif args.freeze:
        from muster import rules

        rules.load_mandates()
        gc.collect()
        gc.freeze()
        settled = "gc.freeze() here"
    else:
        settled = "nothing frozen"
    client = Client()
    client.force_login(coordinator)
    page = f"/people/{someone.pk}/"
    cpu, wall = [], []
    with override_settings(MUSTER_REQUIRE_MFA=False, ALLOWED_HOSTS=["*"]):
        client.get(page)
        for n in range(args.repeat):
            bench.change_one(coordinator, agency, n, someone)
            start, used = time.perf_counter(), time.process_time()
            assert client.get(page).status_code == 200
            cpu.append(time.process_time() - used)
            wall.append(time.perf_counter() - start)
        profiler = cProfile.Profile()
        for n in range(args.repeat, args.repeat + 10):
            bench.change_one(coordinator, agency, n, someone)
            profiler.enable()
            client.get(page)
            profiler.disable()
        raw, queries = bench.raw_sql_time(client, page, {}, 20)
    calls = pstats.Stats(profiler).total_calls / 10

    def ms(values, share):
        return f"{bench.percentile(values, share) * 1000:.0f}"

    print(
        f"person page, {args.records:,} records ({settled}), {args.repeat} requests: "
        f"CPU p50 {ms(cpu, 0.5)} / p95 {ms(cpu, 0.95)} / max {ms(cpu, 1)} ms; "
        f"wall p50 {ms(wall, 0.5)} / p95 {ms(wall, 0.95)} ms; its {queries} SELECTs "
        f"raw p50 {statistics.median(raw) * 1000:.1f} ms; {calls:,.0f} Python calls "
        f"per request; load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
