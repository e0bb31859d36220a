"""Benchmark: a what-if run (a raised Missouri annual total) against a state of
5,000 officers with 25 training records each, and the state page that follows.

Builds the scratch database of benchmarks/dashboard.py (one Missouri agency), then
times `plans.whatif.run` (the two population evaluations and the comparison, as
the draft page's "Evaluate" does before storing the run) and the state page read
from stored standings. Run: .venv/bin/python benchmarks/whatif.py [--people N]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from dashboard import build, set_up_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--records", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file holding no benchmark data yet, migrated first "
        "(default: a new scratch file)",
    )
    args = parser.parse_args()
    set_up_django(
        args.database
        or Path(tempfile.mkdtemp(prefix="muster-bench-")) / "bench.sqlite3"
    )
    from django.test import Client, override_settings

    from muster.accounts import access
    from muster.accounts.choices import Role
    from muster.agencies.compliance.standings import refresh_all
    from muster.plans import whatif
    from muster.test import make_user

    build(args.people, args.records, args.seed)
    refresh_all()
    auditor = make_user("auditor", (Role.STATE_AUDITOR, "MO"))
    people = access.state_people(auditor, "MO")
    agencies = access.state_agencies(auditor, "MO")
    from muster.plans.tests.test_whatif import MANDATE, raised_total

    draft = whatif.load_draft(raised_total(30), MANDATE)
    times, result = [], {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = whatif.run("MO", draft, people, agencies, 2026, date(2026, 11, 20))
        times.append(time.perf_counter() - start)
    client = Client()
    client.force_login(auditor)
    pages = []
    with override_settings(MUSTER_REQUIRE_MFA=False, ALLOWED_HOSTS=["*"]):
        client.get("/states/mo/")
        for _ in range(args.repeat):
            start = time.perf_counter()
            assert client.get("/states/mo/").status_code == 200
            pages.append(time.perf_counter() - start)
    totals = result["totals"]
    print(f"{platform.processor() or platform.machine()}, {args.people} people")
    print("| what | median | runs |")
    print("| --- | --- | --- |")
    print(
        f"| what-if run (raise to 30 h) | {statistics.median(times):.2f} s | {len(times)} |"
    )
    print(
        f"| state page (stored standings) | {statistics.median(pages):.2f} s | {len(pages)} |"
    )
    print(
        f"{totals['people']} people, {totals['status_changes']} change status, "
        f"{totals['affected']} owe more"
    )


if __name__ == "__main__":
    main()
