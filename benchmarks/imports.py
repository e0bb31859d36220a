"""Benchmark: importing 10,000 roster rows and 10,000 training rows.

Builds a scratch database (SQLite unless DATABASE_URL is set), then times, for a
roster CSV of N people and a training CSV of N records (one per person): the
preview (read, parse, check, match) and the confirmed import (preview again inside
the transaction, then write people, licenses, employments or records with one
audit entry per created row), and the same roster imported a second time (all
rows unchanged, nothing written). Prints a Markdown table for BENCHMARKS.md.
Run: .venv/bin/python benchmarks/imports.py [--rows N] [--verify]
With --verify, `manage.py standings verify` runs on the database afterwards and the
script exits 1 if any stored standing differs (a CI step in .ci/run).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def set_up_django(database: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def roster(n: int) -> bytes:
    header = [
        "First name",
        "Last name",
        "License number",
        "Discipline",
        "Licensed on",
        "Rank",
        "Badge",
        "Email",
        "Hire date",
    ]
    return as_csv(
        header,
        [
            [
                f"First{i}",
                f"Last{i}",
                f"MO{i:07d}",
                "peace-officer",
                "2015-06-01",
                "Patrol officer",
                f"B{i}",
                f"p{i}@example.org",
                "06/01/2015",
            ]
            for i in range(n)
        ],
    )


def training(n: int) -> bytes:
    header = [
        "License number",
        "Course title",
        "Completed on",
        "Hours",
        "Area",
        "Topics",
        "Provider kind",
        "Course number",
    ]
    return as_csv(
        header,
        [
            [
                f"MO{i:07d}",
                "Legal update",
                "2025-03-01",
                "4",
                "legal",
                "legislative-update",
                "approved-provider",
                "C-1",
            ]
            for i in range(n)
        ],
    )


def timed(label: str, function) -> tuple[str, float, object]:
    start = time.perf_counter()
    result = function()
    return label, time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--verify", action="store_true", help="then run `manage.py standings verify`"
    )
    args = parser.parse_args()
    rows = args.rows
    verified = ""
    with tempfile.TemporaryDirectory() as scratch:
        set_up_django(Path(scratch) / "bench.sqlite3")
        from django.db import connection

        from muster.accounts import access
        from muster.accounts.choices import Role
        from muster.accounts.models import RoleGrant, User
        from muster.agencies.models import Agency
        from muster.transfers import actions
        from muster.transfers.models import ImportBatch

        agency = Agency.objects.create(
            name="Bench PD", code="bench-pd", kind="police-department", state="MO"
        )
        user = User.objects.create_user("bench")
        RoleGrant.objects.create(user=user, role=Role.COORDINATOR, agency=agency)
        # What the import's view passes: the shared details this user may not change.
        kept = partial(access.kept_fields_of, user)

        def batch(kind: str, data: bytes) -> ImportBatch:
            headers = actions.read_upload("f.csv", data).headers
            return actions.upload_batch(
                agency, kind, "f.csv", data, headers, actor=user
            )

        results = []
        for label, kind, data in (
            ("roster, first import", "roster", roster(rows)),
            ("roster, same file again (all unchanged)", "roster", roster(rows)),
            ("training history", "training", training(rows)),
        ):
            b = batch(kind, data)
            name, preview, plan = timed(
                "preview", lambda b=b: actions.plan_batch(b, kept)
            )
            assert not plan.problems, plan.problems[:3]
            name, apply, counts = timed(
                "apply", lambda b=b: actions.apply_batch(b, user, kept)
            )
            results.append((label, preview, apply, counts))
        if args.verify:
            from django.core.management import call_command

            from muster.agencies.models import Person, Standing

            start = time.perf_counter()
            call_command("standings", "verify")  # CommandError (exit 1) if any differ
            verified = (
                f"`standings verify`: clean for {Person.objects.count():,} people "
                f"({Standing.objects.count():,} standings) in "
                f"{time.perf_counter() - start:.1f} s"
            )

    print(
        f"{rows:,} rows; {connection.vendor}; Python {platform.python_version()}; "
        f"{platform.machine()}"
    )
    print("| import | preview | confirm (re-check + write) | result |")
    print("|---|---|---|---|")
    for label, preview, apply, counts in results:
        print(f"| {label} | {preview:.2f} s | {apply:.2f} s | {counts} |")
    if verified:
        print(f"\n{verified}")


if __name__ == "__main__":
    main()
