"""Benchmark: the agency dashboard for 5,000 people with 25 training records each.

Builds a scratch SQLite database (migrations, then bulk inserts with a fixed seed),
refreshes every stored standing, signs a coordinator in through Django's test
client and times the dashboard page (first page, a filter, a search, a sort deep
in the pages, last year), each request right after a training recorded through the
action (so after a change; the page keeps nothing between requests), and the
action itself with its refresh. Prints a Markdown table for BENCHMARKS.md. Run: .venv/bin/python benchmarks/dashboard.py [--people N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["Patrol", "Traffic", "Investigations", "Jail", "Dispatch", "Command"]
AREAS = ["legal", "technical", "interpersonal", "skill-development"]
TOPICS = [
    [],
    [],
    [],
    ["implicit-bias"],
    ["de-escalation"],
    ["racial-profiling"],
    ["firearms"],
]
PROVIDERS = ["approved-provider", "in-service", "other"]


def set_up_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(people: int, records: int, seed: int):
    """One Missouri agency, `people` licensed officers, `records` records each."""
    from muster.accounts.choices import Role
    from muster.agencies.models import (
        Agency,
        CreditLine,
        Employment,
        License,
        Person,
        TrainingRecord,
    )
    from muster.test import make_user

    rng = random.Random(seed)
    agency = Agency.objects.create(
        name="Big City Police Department",
        code="big-city-pd",
        kind="police-department",
        state="MO",
    )
    Person.objects.bulk_create(
        Person(
            first_name=f"First{i}",
            last_name=f"Last{i:05d}",
            external_id=f"B{i:05d}",
            discipline="peace-officer",
        )
        for i in range(people)
    )
    persons = list(Person.objects.order_by("pk"))
    License.objects.bulk_create(
        License(
            person=p,
            jurisdiction="MO",
            discipline="peace-officer",
            licensed_on=date(1995, 1, 1) + timedelta(days=rng.randrange(10_000)),
            attributes=["traffic-enforcement"] if rng.random() < 0.7 else [],
        )
        for p in persons
    )
    Employment.objects.bulk_create(
        Employment(
            person=p, agency=agency, unit=rng.choice(UNITS), starts_on=date(2010, 1, 1)
        )
        for p in persons
    )
    first_day = date(2025, 1, 1)
    insert_rows(
        TrainingRecord(
            person=persons[0], agency=agency, title="", completed_on=first_day
        ),
        ("person_id", "title", "completed_on", "provider_kind"),
        (
            (
                p.pk,
                f"Course {n}",
                (first_day + timedelta(days=rng.randrange(695))).isoformat(),
                rng.choice(PROVIDERS),
            )
            for p in persons
            for n in range(records)
        ),
    )
    insert_rows(
        CreditLine(record_id=0, hours=Decimal(1), area="legal", topics=[]),
        ("record_id", "hours", "area", "topics"),
        (
            (
                pk,
                str(Decimal(rng.choice([1, 1, 2, 2, 4, 8])) / 2),
                rng.choice(AREAS),
                json.dumps(rng.choice(TOPICS)),
            )
            for pk in TrainingRecord.objects.values_list("pk", flat=True).iterator()
        ),
    )
    return agency, make_user("coordinator", (Role.COORDINATOR, agency))


def insert_rows(template, varying: tuple[str, ...], rows, batch: int = 20_000):
    """INSERT many rows of `template`'s model in one statement per batch, every
    column as in `template` but the `varying` ones (given already as the database
    stores them). Django's bulk_create prepares each value of each object in
    Python, most of the build's time at 500,000 rows; the rows are the same."""
    from django.db import connection, transaction

    model = type(template)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        field.pre_save(template, add=True)
    base = [
        field.get_db_prep_save(getattr(template, field.attname), connection)
        for field in fields
    ]
    where = [
        next(i for i, f in enumerate(fields) if f.attname == name) for name in varying
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    chunk = []
    with transaction.atomic(), connection.cursor() as cursor:
        for values in rows:
            row = list(base)
            for index, value in zip(where, values, strict=True):
                row[index] = value
            chunk.append(row)
            if len(chunk) == batch:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def add_history(person, agency, total: int, seed: int) -> None:
    """Give `person` `total` records in all, dated over the last eight years."""
    from muster.agencies.models import CreditLine, TrainingRecord

    rng = random.Random(seed)
    have = set(
        TrainingRecord.objects.filter(person=person).values_list("pk", flat=True)
    )
    first_day = date(2019, 1, 1)
    insert_rows(
        TrainingRecord(person=person, agency=agency, title="", completed_on=first_day),
        ("person_id", "title", "completed_on", "provider_kind"),
        (
            (
                person.pk,
                f"History {n}",
                (first_day + timedelta(days=rng.randrange(2900))).isoformat(),
                rng.choice(PROVIDERS),
            )
            for n in range(total - len(have))
        ),
    )
    new = TrainingRecord.objects.filter(person=person).exclude(pk__in=have)
    insert_rows(
        CreditLine(record_id=0, hours=Decimal(1), area="legal", topics=[]),
        ("record_id", "hours", "area", "topics"),
        (
            (pk, "1.00", rng.choice(AREAS), json.dumps(rng.choice(TOPICS)))
            for pk in new.values_list("pk", flat=True)
        ),
    )


def raw_sql_time(client, url, params, repeat: int) -> tuple[list[float], int]:
    """The reference: the request's own SQL, captured once and run again raw
    through the same connection (no ORM, no view, no template)."""
    from django.db import connection
    from django.test import override_settings

    connection.queries_log.clear()
    with override_settings(DEBUG=True):
        client.get(url, params)
        captured = [
            q["sql"]
            for q in connection.queries
            if q["sql"].startswith("SELECT") and "django_session" not in q["sql"]
        ]
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            start = time.perf_counter()
            for sql in captured:
                cursor.execute(sql)
                cursor.fetchall()
            times.append(time.perf_counter() - start)
    return times, len(captured)


def change_one(coordinator, agency, n: int, person=None) -> float:
    """Record one training for one officer through the action (which refreshes
    that officer's stored standings); returns how long the write took."""
    from muster.agencies import actions
    from muster.agencies.models import Person

    person = person or Person.objects.order_by("pk")[n % 50]
    start = time.perf_counter()
    actions.record_training(
        actor=coordinator,
        person=person,
        agency=agency,
        fields={
            "title": f"Change {n} of run {RUN}",
            "completed_on": date(2026, 3, 1) + timedelta(n),
        },
        lines=[{"hours": Decimal("1"), "area": "legal", "topics": []}],
    )
    return time.perf_counter() - start


def timed(
    client, url, params, repeat, coordinator, agency, writes, person=None
) -> list[float]:
    """Each request follows a change (cold: nothing kept between requests)."""
    times = []
    for _ in range(repeat):
        writes.append(change_one(coordinator, agency, len(writes), person))
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append(time.perf_counter() - start)
        CPU.setdefault(url + repr(params), []).append(time.process_time() - cpu)
        assert response.status_code == 200, response.status_code
    return times


# Told apart from an earlier run's changes on a reused database (--database).
RUN = time.strftime("%Y%m%d%H%M%S")

# CPU time of this process per request (Python and SQLite, which runs in it):
# less disturbed than wall time by other work on a shared machine.
CPU: dict[str, list[float]] = {}


def profile_requests(client, url, path: Path, repeat: int = 20) -> None:
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(url)
    profiler.disable()
    profiler.dump_stats(path)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--records", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--person-records",
        type=int,
        default=1000,
        help="records of the officer whose page is timed (0: no person page)",
    )
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file, migrated first; built once (when it holds no benchmark "
        "data yet) and reused on later runs with the same options (default: a new "
        "scratch file each run)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="also write a cProfile of 20 first-page requests to this file",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()

    scratch = args.database or (
        Path(tempfile.mkdtemp(prefix="muster-bench-")) / "bench.sqlite3"
    )
    set_up_django(scratch)
    from django.db import connection
    from django.test import Client, override_settings

    from muster.accounts.models import User
    from muster.agencies.compliance.standings import refresh_all
    from muster.agencies.models import Agency, Person

    built = refreshed = 0.0
    reused = Agency.objects.filter(code="big-city-pd").exists()
    if reused:
        agency = Agency.objects.get(code="big-city-pd")
        coordinator = User.objects.get(username="coordinator")
        someone = Person.objects.order_by("pk").last()
    else:
        start = time.perf_counter()
        agency, coordinator = build(args.people, args.records, args.seed)
        someone = Person.objects.order_by("pk").last()
        if args.person_records:
            add_history(someone, agency, args.person_records, args.seed)
        built = time.perf_counter() - start
        start = time.perf_counter()
        refresh_all()
        refreshed = time.perf_counter() - start
    client = Client()
    client.force_login(coordinator)
    url = f"/agencies/{agency.code}/"
    rows, writes = [], []
    # As a server process does after loading the application, before its first
    # request (muster/wsgi.py): without it, a full garbage collection now and
    # then walks every object of Django and the mandate library.
    from muster import serving

    serving.settle()
    # The benchmark measures the page, not the second factor.
    with override_settings(MUSTER_REQUIRE_MFA=False, ALLOWED_HOSTS=["*"]):
        client.get(url)  # warm up imports and the mandate library
        if args.profile:
            profile_requests(client, url, args.profile)
        for label, params in (
            ("first page (worst first)", {}),
            ("filtered: at risk, one unit", {"status": "at-risk", "unit": "Traffic"}),
            ("search by name", {"q": "Last01234, First1234"}),
            ("sorted by hours missing, page 40", {"sort": "missing", "page": 40}),
            ("last year", {"year": 2025}),
        ):
            rows.append(
                (
                    label,
                    timed(
                        client, url, params, args.repeat, coordinator, agency, writes
                    ),
                )
            )
        if args.person_records:
            page = f"/people/{someone.pk}/"
            client.get(page)
            label = f"person page, {args.person_records:,} records"
            rows.append(
                (
                    label,
                    timed(
                        client, page, {}, args.repeat, coordinator, agency, [], someone
                    ),
                )
            )
            person_raw, person_queries = raw_sql_time(client, page, {}, args.repeat)
        connection.queries_log.clear()
        with override_settings(DEBUG=True):
            client.get(url)
            queries = len(connection.queries)
        raw, raw_queries = raw_sql_time(client, url, {}, args.repeat)
    rows.append(("record one training (the action, with its refresh)", writes))
    rows.append((f"reference: the first page's {raw_queries} SELECTs run raw", raw))
    if args.person_records:
        rows.append(
            (
                f"reference: the person page's {person_queries} SELECTs run raw",
                person_raw,
            )
        )
    load_after = os.getloadavg()
    if reused:
        print(f"Reused {scratch} (built on an earlier run)\n")
    else:
        print(
            "Every standing refreshed (manage.py standings refresh) in "
            f"{refreshed:.1f} s\n"
        )

    print(
        f"{args.people} people x {args.records} records "
        f"({args.people * args.records} records, as many credit lines), "
        f"built in {built:.1f} s; {args.repeat} requests each; "
        f"{queries} SQL queries per request; each request follows a recorded training\n"
    )
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average (1, 5, 15 min) {load_before[0]:.2f} {load_before[1]:.2f} "
        f"{load_before[2]:.2f} before, {load_after[0]:.2f} {load_after[1]:.2f} "
        f"{load_after[2]:.2f} after\n"
    )
    cpu = list(CPU.values())
    print("| request | p50 | p95 | max | CPU p50 / p95 |")
    print("|---|---|---|---|---|")
    for index, (label, times) in enumerate(rows):
        spent = (
            f"{statistics.median(cpu[index]) * 1000:.0f} / "
            f"{percentile(cpu[index], 0.95) * 1000:.0f} ms"
            if index < len(cpu)
            else "—"
        )
        print(
            f"| {label} | {statistics.median(times) * 1000:.0f} ms "
            f"| {percentile(times, 0.95) * 1000:.0f} ms | {max(times) * 1000:.0f} ms "
            f"| {spent} |"
        )
    first = statistics.median(rows[0][1])
    print(
        f"\nFirst page / its own SQL run raw (p50): {first / statistics.median(raw):.1f}x"
    )
    if args.person_records:
        person = statistics.median(rows[5][1])
        print(
            "Person page / its own SQL run raw (p50): "
            f"{person / statistics.median(person_raw):.1f}x"
        )


if __name__ == "__main__":
    main()
