"""Set up the load test's database: `python benchmarks/load/prepare.py OUT.json`.

Needs DATABASE_URL pointing at a PostgreSQL database of its own (run.sh makes
`muster_load`); migrates it, then adds one agency with LEARNERS officers enrolled
in a short online course (seat time already met, attempts unlimited, no wait
between them, so every learner may answer again and again) and COORDINATORS
coordinators with an authenticator (the MFA rule lets them in). Sign-ins are
written as session cookies to OUT.json: the load is on the pages, not the
password hashing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

# Before Django starts: without DATABASE_URL this would migrate and fill the
# development database (var/muster.sqlite3), so it refuses instead.
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("out", type=Path, help="where to write the sessions (JSON)")
arguments = parser.parse_args()
if not os.environ.get("DATABASE_URL"):
    sys.exit("prepare.py: set DATABASE_URL to the load test's own database")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "muster.settings")

import django  # noqa: E402

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from muster.accounts.choices import Role  # noqa: E402
from muster.agencies.models import Agency  # noqa: E402
from muster.catalog.tests.factories import make_course  # noqa: E402
from muster.learning.models import Enrollment  # noqa: E402
from muster.test import make_person, make_record, make_user  # noqa: E402


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main(out: Path, learners: int, coordinators: int) -> None:
    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="Load Test PD", code="load-pd", state="MO")
    course = make_course(
        "load-course",
        provider=agency,
        seat_time_minutes=0,
        max_attempts=10_000,
        retry_wait_minutes=0,
    )
    people, learner_sessions = [], []
    for n in range(learners):
        person = make_person(f"Learner{n}", "Load", agency)
        make_record(person, agency, hours="8")
        user = make_user(f"learner{n}", (Role.OFFICER, agency), person=person)
        Enrollment.objects.create(
            person=person, user=user, course=course, jurisdiction="MO"
        )
        people.append(person.pk)
        learner_sessions.append(session_for(user))
    coordinator_sessions = []
    for n in range(coordinators):
        user = make_user(f"coordinator{n}", (Role.COORDINATOR, agency))
        Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "load"}
        )
        coordinator_sessions.append(session_for(user))
    out.write_text(
        json.dumps(
            {
                "cookie": settings.SESSION_COOKIE_NAME,
                "agency": agency.code,
                "course": course.slug,
                "people": people,
                "learners": learner_sessions,
                "coordinators": coordinator_sessions,
                "prepared_on": str(date.today()),
            }
        )
    )


if __name__ == "__main__":
    main(
        arguments.out,
        int(os.environ.get("LEARNERS", "200")),
        int(os.environ.get("COORDINATORS", "20")),
    )
