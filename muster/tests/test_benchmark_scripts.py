"""The benchmark scripts still run against today's code.

CI runs `benchmarks/imports.py --rows 10000 --verify` as a gate of its own (the
stored standings are verified after a large import); a change to the import
actions' signatures once broke it with the suite green. Every script of
`benchmarks/` (and the load test's set-up and count) runs here at a tiny size,
in a process of its own as a person or CI runs it, so such a break fails the
suite. Most scripts also check themselves (the engine against DuckDB and
Polars, the batch export against the person-by-person one): those checks must
pass too. The figures are not judged: speed lives in BENCHMARKS.md.

Migrating a new SQLite file costs several seconds of CPU, so the database
scripts start from one migrated file, the suite's own test database when it is
SQLite (copied per script; they migrate it again, which finds nothing to do).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

ROOT = Path(__file__).resolve().parents[2]


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def succeeded(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    return done.stdout


@pytest.fixture(scope="session")
def migrated(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    """A migrated SQLite file holding no data: the suite's own test database
    copied when it is SQLite (already migrated for the other tests, and empty
    between them; the tests using it are marked django_db so that pytest-django
    makes it), else a new file migrated here."""
    from django.db import connection

    template = tmp_path_factory.mktemp("benchmarks") / "migrated.sqlite3"
    test_database = connection.settings_dict.get("TEST", {}).get("NAME")
    if (
        connection.vendor == "sqlite"
        and connection.settings_dict["NAME"] == test_database
    ):
        with django_db_blocker.unblock():
            connection.ensure_connection()
            with closing(sqlite3.connect(template)) as copy:
                connection.connection.backup(copy)
        with closing(sqlite3.connect(template)) as copy:
            held = sum(
                copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("agencies_agency", "agencies_person", "accounts_user")
            )
        if not held:
            return template
        template.unlink()  # a test's data left in it: start from nothing
    succeeded(
        run_script(
            "manage.py",
            "migrate",
            "--no-input",
            "--verbosity",
            "0",
            DATABASE_URL=f"sqlite:///{template}",
        )  # fmt: skip
    )
    return template


@pytest.fixture
def database(migrated, tmp_path) -> Path:
    copy = tmp_path / "bench.sqlite3"
    shutil.copyfile(migrated, copy)
    return copy


@pytest.mark.django_db
def test_import_benchmark_runs_and_standings_verify_clean(database):
    # As CI runs it: the scratch database comes from DATABASE_URL when set.
    out = succeeded(
        run_script(
            "benchmarks/imports.py",
            "--rows",
            "25",
            "--verify",
            DATABASE_URL=f"sqlite:///{database}",
        )
    )
    assert "| roster, first import |" in out
    assert "'create': 25" in out
    assert "`standings verify`: clean for 25 people" in out


def test_nation_benchmark_engine_agrees_with_duckdb_and_polars():
    # 25 lines a person, as the full run: a mix of statuses for the three
    # implementations to agree on (the script asserts they do).
    out = succeeded(
        run_script(
            "benchmarks/nation.py",
            "--people",
            "400",
            "--lines",
            "10000",
            "--repeat",
            "1",
        )  # fmt: skip
    )
    found = re.search(
        r"statuses \(same from Muster, DuckDB SQL and Polars\): (.*)", out
    )
    statuses = ast.literal_eval(found.group(1))
    assert sum(statuses.values()) == 400
    assert statuses["compliant"] and statuses["deficient"] and statuses["exempt"]
    assert "| Polars, full MO 2021 rules |" in out
    assert "one person with explanation:" in out


def test_florida_benchmark_groups_people_by_their_own_cycles():
    out = succeeded(
        run_script(
            "benchmarks/florida.py",
            "--people",
            "300",
            "--lines",
            "3000",
            "--repeat",
            "1",
        )  # fmt: skip
    )
    groups = int(re.search(r"; ([\d,]+) phase groups;", out).group(1))
    statuses = ast.literal_eval(re.search(r"statuses: (.*)", out).group(1))
    # Certified from 1985 to 2025: people in several phases of their cycles.
    assert groups > 1, out
    assert sum(statuses.values()) == 300, out
    assert "| of which outside the groups' evaluations |" in out


def test_cli_benchmark_runs_muster_evaluate_and_duckdb():
    out = succeeded(
        run_script(
            "benchmarks/cli.py", "--people", "40", "--records", "400", "--repeat", "1"
        )  # fmt: skip
    )
    # A header and one line per (person, requirement) row at least.
    lines = int(re.search(r"muster wrote ([\d,]+) lines of csv", out).group(1))
    assert lines > 40
    assert "ratio muster / DuckDB (median):" in out


def test_plans_benchmark_solves_and_agrees_with_the_engine():
    out = succeeded(run_script("benchmarks/plans.py", "--people", "20"))
    assert re.search(r"20 people fully planned, cost \$[\d,]+\.\d\d", out), out
    assert re.search(r"engine agrees for \d+ distinct plans", out), out


def test_hostile_imports_benchmark_refuses_every_hostile_file():
    out = succeeded(run_script("benchmarks/hostile_imports.py", "--rows", "50"))
    assert out.count("more than the limit of 100 MB") == 2
    assert "more than 500,000 cells" in out
    assert "more than 500,000 shared strings" in out
    assert "A legitimate 50 x 14 workbook" in out


@pytest.mark.django_db
def test_dashboard_benchmark_serves_every_page(database):
    out = succeeded(
        run_script(
            "benchmarks/dashboard.py",
            "--people",
            "12",
            "--records",
            "3",
            "--repeat",
            "1",
            "--person-records",
            "30",
            "--database",
            str(database),
        )  # fmt: skip
    )
    assert "12 people x 3 records" in out
    assert "| person page, 30 records |" in out
    assert "Person page / its own SQL run raw (p50):" in out


@pytest.mark.django_db
def test_person_page_benchmark_runs(database):
    out = succeeded(
        run_script(
            "benchmarks/person_page.py",
            "--people",
            "5",
            "--records",
            "30",
            "--repeat",
            "1",
            "--database",
            str(database),
        )  # fmt: skip
    )
    assert "person page, 30 records (muster.serving.settle()), 1 requests" in out


@pytest.mark.django_db
def test_whatif_benchmark_runs_and_the_state_page_answers(database):
    out = succeeded(
        run_script(
            "benchmarks/whatif.py",
            "--people",
            "10",
            "--records",
            "3",
            "--repeat",
            "1",
            "--database",
            str(database),
        )  # fmt: skip
    )
    # Raising the annual total to 30 h leaves every officer owing more.
    assert "10 people, " in out and ", 10 owe more" in out


@pytest.mark.django_db
def test_export_benchmark_batch_and_person_by_person_agree(database):
    out = succeeded(
        run_script(
            "benchmarks/exports.py",
            "--people",
            "12",
            "--repeat",
            "1",
            "--database",
            str(database),
        )  # fmt: skip
    )
    assert "same bytes: True" in out
    assert "| path | median of 1 | min |" in out


@pytest.mark.django_db
def test_load_test_prepare_and_count(database, tmp_path):
    prepared, counts = tmp_path / "prepared.json", tmp_path / "counts.json"
    url = f"sqlite:///{database}"
    succeeded(
        run_script(
            "benchmarks/load/prepare.py",
            str(prepared),
            DATABASE_URL=url,
            LEARNERS="2",
            COORDINATORS="1",
        )  # fmt: skip
    )
    sessions = json.loads(prepared.read_text())
    assert len(sessions["learners"]) == 2 and len(sessions["coordinators"]) == 1
    assert sessions["agency"] == "load-pd" and len(sessions["people"]) == 2

    # Nothing accepted, nothing stored: clean. One heartbeat accepted but not
    # in the database: lost, and the script fails.
    counts.write_text(json.dumps({"heartbeats": 0, "attempts": 0}))
    clean = json.loads(
        succeeded(run_script("benchmarks/load/count.py", str(counts), DATABASE_URL=url))
    )
    assert clean["lost"] == {"heartbeats": 0, "attempts": 0}
    counts.write_text(json.dumps({"heartbeats": 1, "attempts": 0}))
    lost = run_script("benchmarks/load/count.py", str(counts), DATABASE_URL=url)
    assert lost.returncode == 1
    assert json.loads(lost.stdout)["lost"]["heartbeats"] == 1


def test_load_test_prepare_refuses_the_development_database(tmp_path):
    done = run_script("benchmarks/load/prepare.py", str(tmp_path / "out.json"))
    assert done.returncode == 1
    assert "set DATABASE_URL" in done.stderr
    assert not (tmp_path / "out.json").exists()


def locustfile_constants() -> dict[str, object]:
    """The locustfile's patterns and roster, read from its source: importing it
    would start locust's gevent patching inside the test process."""
    tree = ast.parse((ROOT / "benchmarks/load/locustfile.py").read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
            if isinstance(value, ast.Call) and getattr(value.func, "attr", "") == (
                "compile"
            ):
                found[name] = re.compile(ast.literal_eval(value.args[0]))
            elif name == "ROSTER":
                found[name] = ast.literal_eval(value)
    return found


@pytest.mark.django_db
def test_the_load_tests_requests_find_what_they_look_for(client):
    """What each locust user does, on the data prepare.py makes: the lesson page
    names the heartbeat interval, a heartbeat is accepted (counted), the
    assessment page holds an attempt and a CSRF token and answering it redirects
    to the attempt (counted), the coordinator's pages answer. A page changed
    under the load test would otherwise make it count nothing, silently."""
    from allauth.mfa.models import Authenticator

    from muster.accounts.choices import Role
    from muster.agencies.models import Agency
    from muster.catalog.tests.factories import make_course
    from muster.learning.models import Enrollment
    from muster.test import make_person, make_record, make_user

    patterns = locustfile_constants()
    agency = Agency.objects.create(name="Load Test PD", code="load-pd", state="MO")
    course = make_course("load-course", provider=agency, seat_time_minutes=0,
                         max_attempts=10_000, retry_wait_minutes=0)  # fmt: skip
    person = make_person("Learner0", "Load", agency)
    make_record(person, agency, hours="8")
    learner = make_user("learner0", (Role.OFFICER, agency), person=person)
    Enrollment.objects.create(
        person=person, user=learner, course=course, jurisdiction="MO"
    )
    coordinator = make_user("coordinator0", (Role.COORDINATOR, agency))
    Authenticator.objects.create(
        user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "load"}
    )

    client.force_login(learner)
    lesson = client.get(f"/learn/{course.slug}/lessons/1/")
    assert lesson.status_code == 200
    assert patterns["INTERVAL"].search(lesson.content.decode())
    beat = client.post(
        f"/learn/{course.slug}/heartbeat/",
        {"tab": "t1", "visible": "visible", "idle": "0", "lesson": "1"},
    )
    assert beat.status_code == 200 and b"active_seconds" in beat.content
    page = client.get(f"/learn/{course.slug}/assessment/").content.decode()
    attempt = patterns["ATTEMPT"].search(page)
    assert attempt and patterns["CSRF"].search(page)
    answer = client.post(
        f"/learn/{course.slug}/assessment/", {"attempt": attempt.group(1)}
    )
    assert answer.status_code == 302 and "/attempts/" in answer["Location"]

    client.force_login(coordinator)
    upload = f"/agencies/{agency.code}/import/roster/"
    first = client.get(upload)
    assert first.status_code == 200 and patterns["CSRF"].search(first.content.decode())
    assert client.get(f"/agencies/{agency.code}/").status_code == 200
    assert client.get(f"/people/{person.pk}/").status_code == 200
    roster = SimpleUploadedFile("roster.csv", patterns["ROSTER"].encode())
    assert client.post(upload, {"file": roster}).status_code < 400
