"""Simultaneous writes through a real server: none fails, none is lost, the chain holds.

A live server (one thread per request, each with its own database connection)
takes many requests released at the same instant: coordinators saving training,
officers' seat-time heartbeats, a sign-out. On SQLite this is what the settings'
immediate transactions, write-ahead log and busy timeout are for: without them,
most of these requests answer 500 "database is locked" (issue 15.2). The same
tests run on PostgreSQL, where row locks and the audit chain's advisory lock do
that work.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, TrainingRecord
from muster.audit.models import AuditEntry
from muster.audit.verify import verify_chain
from muster.learning.models import Enrollment, Heartbeat
from muster.learning.tests.helpers import make_course
from muster.test import make_person, make_user

SAVES = 16


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Report a redirect's own status rather than following it."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


class Browser:
    """One signed-in user's cookies, for plain HTTP requests from any thread."""

    def __init__(self, base_url: str, user) -> None:
        client = Client()
        client.force_login(user)
        self.base_url = base_url
        # Django accepts a form token equal to the unmasked cookie secret.
        self.csrf = secrets.token_hex(16)
        self.cookie = (
            f"sessionid={client.cookies['sessionid'].value}; csrftoken={self.csrf}"
        )

    def encode(self, data: dict) -> bytes:
        """A form's body, with this browser's CSRF token."""
        return urllib.parse.urlencode(
            data | {"csrfmiddlewaretoken": self.csrf}, doseq=True
        ).encode()

    def request_head(self, method: str, path: str, length: int) -> bytes:
        """The raw HTTP/1.1 head of a form request, for a socket of one's own."""
        host = urllib.parse.urlsplit(self.base_url).netloc
        return (
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {self.cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
        ).encode()

    def post(self, path: str, data: dict) -> int:
        """POST a form and return the status code (a redirect is not followed)."""
        request = urllib.request.Request(
            self.base_url + path,
            data=self.encode(data),
            headers={"Cookie": self.cookie},
        )
        try:
            with OPENER.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def all_at_once(calls: list) -> list[int]:
    """Run every call in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def training_form(hours: str = "2") -> dict:
    yesterday = timezone.localdate() - timedelta(days=1)
    return {
        "title": "Crisis intervention refresher",
        "completed_on": yesterday.isoformat(),
        "provider_name": "Missouri Sheriffs' Association",
        "provider_kind": "approved-provider",
        "delivery": "live",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-hours": hours,
        "lines-0-area": "interpersonal",
    }


@pytest.fixture
def agency() -> Agency:
    return Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )


def save_training(browser: Browser, agency: Agency, person) -> callable:
    path = f"/agencies/{agency.code}/people/{person.pk}/training/new/"
    return lambda: browser.post(path, training_form())


# Opens the default (no DATABASE_URL) database at another path, as a web server would.
PRAGMAS = """
import json, sys
import django
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    found = {
        name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }
print(json.dumps(found | {"transaction_mode": connection.transaction_mode}))
"""


def test_the_default_sqlite_database_is_set_up_for_a_web_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "muster.settings"
    found = subprocess.run(
        [sys.executable, "-c", PRAGMAS, str(tmp_path / "web.sqlite3")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(found.stdout) == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": 20_000,  # milliseconds
        "transaction_mode": "IMMEDIATE",
    }


@pytest.mark.django_db(transaction=True)
def test_it_saves_sixteen_simultaneous_training_records(live_server, agency):
    people = [make_person(f"Officer{n}", f"Number{n}", agency) for n in range(SAVES)]
    alice = make_user("alice", (Role.COORDINATOR, agency))
    browser = Browser(live_server.url, alice)
    entries_before = AuditEntry.objects.count()

    statuses = all_at_once([save_training(browser, agency, p) for p in people])

    assert statuses == [302] * SAVES  # each redirected to the person's page
    assert TrainingRecord.objects.filter(person__in=people).count() == SAVES
    assert AuditEntry.objects.count() >= entries_before + SAVES
    report = verify_chain()
    assert report.is_intact, report.problems


@pytest.mark.django_db(transaction=True)
def test_a_sign_out_racing_heartbeats_and_saves_succeeds(live_server, agency):
    course = make_course()
    officers = []
    for n in range(6):
        person = make_person(f"Learner{n}", f"Number{n}", agency)
        user = make_user(f"learner{n}", (Role.OFFICER, agency), person=person)
        client = Client()
        client.force_login(user)
        client.post(f"/learn/{course.slug}/enroll/")
        officers.append(Browser(live_server.url, user))
    beat = {"tab": "tab-1", "visible": "visible", "idle": "0", "lesson": "1"}
    heartbeats = [
        (lambda b=b: b.post(f"/learn/{course.slug}/heartbeat/", beat))
        for b in officers
        for _ in range(2)  # two tabs each
    ]
    alice = make_user("alice", (Role.COORDINATOR, agency))
    people = [make_person(f"Officer{n}", f"Number{n}", agency) for n in range(3)]
    saves = [save_training(Browser(live_server.url, alice), agency, p) for p in people]
    harold = make_user("harold", (Role.AGENCY_HEAD, agency))
    harold_browser = Browser(live_server.url, harold)

    statuses = all_at_once(
        [lambda: harold_browser.post("/accounts/logout/", {}), *heartbeats, *saves]
    )

    assert statuses == [302] + [200] * len(heartbeats) + [302] * len(saves)
    assert AuditEntry.objects.filter(action="account.signout", actor=harold).exists()
    assert Heartbeat.objects.count() == len(heartbeats)
    assert Enrollment.objects.filter(heartbeats__isnull=False).distinct().count() == 6
    assert TrainingRecord.objects.filter(person__in=people).count() == len(saves)
    report = verify_chain()
    assert report.is_intact, report.problems
