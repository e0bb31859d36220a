"""The documented backup and restore (docs/deploy.md), done for real on PostgreSQL.

`pg_dump` the database in custom format, `pg_restore` it into a new, empty
database, and `manage.py audit verify` against the restored copy: the audit chain
must be whole there, and a change made behind the application's back in the
copy must be caught.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from muster.agencies.actions import record_training
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, TrainingRecord
from muster.audit.models import AuditEntry
from muster.audit.records import log_created
from muster.test import make_person

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def client_env() -> dict[str, str]:
    """The environment that points PostgreSQL's own tools at the test server."""
    database = connection.settings_dict
    env = dict(os.environ)
    env |= {
        "PGHOST": database["HOST"] or "127.0.0.1",
        "PGPORT": str(database["PORT"] or 5432),
        "PGUSER": database["USER"] or "postgres",
    }
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def audit_verify(env: dict[str, str], database: str) -> subprocess.CompletedProcess:
    url = (
        f"postgres://{env['PGUSER']}:{env.get('PGPASSWORD', '')}"
        f"@{env['PGHOST']}:{env['PGPORT']}/{database}"
    )
    return run(
        sys.executable, "manage.py", "audit", "verify", env=env | {"DATABASE_URL": url}
    )


@pytest.fixture
def restored_name():
    """A database name of this test's own, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    env = client_env()
    run("dropdb", "--if-exists", name, env=env)
    yield name
    run("dropdb", "--if-exists", name, env=env)


def test_a_dump_restores_into_a_fresh_database_whose_audit_chain_verifies(
    tmp_path, restored_name
):
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    bob = make_person("Bob", "Baker", agency)
    # The person and their license and job, written as the demo data is: each with
    # its creation entry, so the audit covers every legal record in the dump.
    log_created([bob], reason="test data")
    log_created(list(bob.licenses.all()), reason="test data")
    log_created(list(bob.employments.all()), reason="test data")
    for n in range(3):
        record_training(
            actor=None,
            person=bob,
            agency=agency,
            fields={
                "title": f"Patrol procedures {n}",
                "completed_on": date(2026, 3, 1),
            },
            lines=[{"hours": Decimal(4), "area": "technical", "topics": []}],
        )
    entries = AuditEntry.objects.count()
    env = client_env()
    dump = tmp_path / "muster.dump"

    dumped = run(
        "pg_dump", "--format=custom", "--no-owner", f"--file={dump}",
        connection.settings_dict["NAME"], env=env,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    created = run("createdb", restored_name, env=env)
    assert created.returncode == 0, created.stderr
    restored = run(
        "pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}",
        str(dump), env=env,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr

    verified = audit_verify(env, restored_name)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"Audit trail intact: {entries} entries" in verified.stdout
    assert "6 records" in verified.stdout
    counted = run(
        "psql", "-At", f"--dbname={restored_name}", "-c",
        f"SELECT count(*) FROM {TrainingRecord._meta.db_table}", env=env,
    )  # fmt: skip
    assert counted.stdout.strip() == "3"

    # The same check catches a record of the trail changed in the copy.
    tampered = run(
        "psql", "-At", f"--dbname={restored_name}", "-c",
        f"UPDATE {AuditEntry._meta.db_table} SET reason = 'edited' "
        "WHERE sequence = 2",
        env=env,
    )  # fmt: skip
    assert tampered.returncode == 0, tampered.stderr
    broken = audit_verify(env, restored_name)
    assert broken.returncode != 0
    assert "Audit trail BROKEN" in broken.stderr
