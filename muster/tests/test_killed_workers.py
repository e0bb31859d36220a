"""Processes killed with kill -9 mid-job, as an out-of-memory kill or a crash does
(issue 13.2): nothing is lost, nothing is done twice.

- The task worker dies while it talks to the mail server. The task stays RUNNING
  in the queue and its log row was never committed; the next `task_worker` on the
  host sees the dead process, puts the task back, and every email goes out once.
- A gunicorn worker dies while it reads a coordinator's form. The master starts
  another; the half-sent request saved nothing, the next one saves once, and the
  audit chain holds.

Both run the real commands as subprocesses against the test database (SQLite
file or PostgreSQL), so the kill is a real SIGKILL of a real process.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psutil
import pytest
from aiosmtpd.controller import Controller
from allauth.mfa.models import Authenticator
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from muster.accounts.choices import Role
from muster.agencies.models import TrainingRecord
from muster.audit.verify import verify_chain
from muster.health.orphans import requeue_orphans, this_worker_id
from muster.reminders import tasks
from muster.reminders.models import ReminderSent
from muster.test import make_person, make_user
from muster.tests.test_concurrent_writes import Browser, agency, training_form

__all__ = ["agency"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 3
WAIT = 60  # seconds any step may take on a loaded machine


def database_url() -> str:
    """The test database as a DATABASE_URL, for the subprocesses."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
    return (
        env
        | {
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "muster.settings",
            "PYTHONPATH": str(ROOT),
        }
        | extra
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class MailServer:
    """A local SMTP server that can hold the first conversation mid-way.

    While `holding` is set, the first RCPT is not answered: the worker is inside
    send_mail, before the message exists. A message counts as delivered only once
    its DATA is in, as with a real server.
    """

    def __init__(self) -> None:
        self.delivered: list[tuple[str, ...]] = []
        self.holding = threading.Event()
        self.held = threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.holding.is_set():
            self.held.set()
            while self.holding.is_set():
                await asyncio.sleep(0.05)
            return "421 closing"  # the client is gone by now
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered.append(tuple(envelope.rcpt_tos))
        return "250 Message accepted"

    def env(self) -> dict[str, str]:
        return {
            "MUSTER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "MUSTER_EMAIL_HOST": "127.0.0.1",
            "MUSTER_EMAIL_PORT": str(self.port),
            "MUSTER_EMAIL_USE_TLS": "false",
        }


@pytest.fixture
def mail_server():
    server = MailServer()
    server.controller.start()
    yield server
    server.holding.clear()
    server.controller.stop()


def task_worker(env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "task_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def with_email(person):
    person.email = f"{person.first_name.lower()}@example.org"
    person.save(update_fields=["email"])
    return person


def enqueue_reminders(people) -> None:
    deadline = date(2026, 12, 31)
    for person in people:
        tasks.send_reminder.enqueue(
            person.pk,
            "us.mo.peace-officer",
            "Missouri POST continuing education",
            "2026-01-01",
            deadline.isoformat(),
            "30",
            ["1 h implicit bias"],
        )


@pytest.mark.django_db(transaction=True)
def test_a_task_worker_killed_mid_email_loses_none_and_sends_each_once(
    agency, mail_server
):
    people = [
        with_email(make_person(f"Officer{n}", f"Number{n}", agency))
        for n in range(PEOPLE)
    ]
    enqueue_reminders(people)
    env = subprocess_env(**mail_server.env())
    mail_server.holding.set()

    first = task_worker(env)
    try:
        assert mail_server.held.wait(WAIT), "the worker never reached the mail server"
        first.send_signal(signal.SIGKILL)
        first.wait(WAIT)
    finally:
        first.kill()
    running = DBTaskResult.objects.running()
    assert running.count() == 1  # the task it held, orphaned
    assert ReminderSent.objects.count() == 0  # its log row was never committed
    assert mail_server.delivered == []
    mail_server.holding.clear()

    second = task_worker(env, "--batch")
    output, _ = second.communicate(timeout=WAIT)
    assert second.returncode == 0, output
    assert "Put back 1 task(s)" in output

    assert sorted(mail_server.delivered) == sorted((p.email,) for p in people)
    assert ReminderSent.objects.count() == PEOPLE
    statuses = DBTaskResult.objects.values_list("status", flat=True)
    assert list(statuses) == [TaskResultStatus.SUCCESSFUL] * PEOPLE


@pytest.mark.django_db(transaction=True)
def test_a_task_run_again_after_its_email_went_out_sends_nothing_more(
    agency, mail_server
):
    """A task put back after its email was committed (the worker died just after)."""
    person = with_email(make_person("Dana", "Ruiz", agency))
    enqueue_reminders([person])
    env = subprocess_env(**mail_server.env())
    done = task_worker(env, "--batch")
    assert done.communicate(timeout=WAIT)[0] is not None and done.returncode == 0
    DBTaskResult.objects.update(status=TaskResultStatus.READY)  # as if put back

    again = task_worker(env, "--batch")
    output, _ = again.communicate(timeout=WAIT)
    assert again.returncode == 0, output
    assert mail_server.delivered == [(person.email,)]
    assert ReminderSent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_only_tasks_of_dead_or_long_silent_workers_are_put_back(agency, settings):
    settings.MUSTER_TASK_ORPHAN_AFTER = 900
    enqueue_reminders([with_email(make_person("Dana", "Ruiz", agency))] * 4)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()
    now = timezone.now()
    holders = {
        "alive here": (this_worker_id(), now - timedelta(hours=2)),
        "dead here": (f"{host}:{dead.pid}", now),
        "other host, recent": ("elsewhere:1", now - timedelta(minutes=5)),
        "other host, silent": ("elsewhere:2", now - timedelta(minutes=20)),
    }
    by_name = {}
    for task, (name, (worker, started)) in zip(
        DBTaskResult.objects.order_by("enqueued_at"), holders.items(), strict=True
    ):
        task.status, task.worker_ids, task.started_at = "RUNNING", [worker], started
        task.save()
        by_name[name] = str(task.id)
    if psutil.pid_exists(dead.pid):
        pytest.fail("the dead process's id was reused before the check")

    requeued = set(requeue_orphans())

    assert requeued == {by_name["dead here"], by_name["other host, silent"]}
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert {str(t.id) for t in ready} == requeued


def gunicorn(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--threads",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def workers_of(master: subprocess.Popen) -> list[int]:
    return [child.pid for child in psutil.Process(master.pid).children()]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /health/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_web_worker_killed_mid_request_saves_nothing_and_is_replaced(agency):
    person = make_person("Dana", "Ruiz", agency)
    alice = make_user("alice", (Role.COORDINATOR, agency))
    # The server runs the deployed settings, where a coordinator must have a second
    # factor; the session is made directly, as the other live-server tests do.
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "unused"}
    )
    port = free_port()
    env = subprocess_env(MUSTER_DEBUG="true", MUSTER_ALLOWED_HOSTS="127.0.0.1")
    server = gunicorn(env, port)
    try:
        wait_for(lambda: answers(port), "gunicorn to answer")
        browser = Browser(f"http://127.0.0.1:{port}", alice)
        path = f"/agencies/{agency.code}/people/{person.pk}/training/new/"
        (worker,) = workers_of(server)

        # Headers and half the form: the worker waits inside the request for the rest.
        body = browser.encode(training_form())
        half = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        half.sendall(
            browser.request_head("POST", path, len(body)) + body[: len(body) // 2]
        )
        time.sleep(0.5)
        os.kill(worker, signal.SIGKILL)
        assert half.recv(4096) == b""  # the connection dies with the worker
        half.close()

        wait_for(lambda: workers_of(server) not in ([], [worker]), "a new worker")
        wait_for(lambda: answers(port), "the new worker to answer")
        assert TrainingRecord.objects.filter(person=person).count() == 0

        assert browser.post(path, training_form()) == 302
        assert TrainingRecord.objects.filter(person=person).count() == 1
        report = verify_chain()
        assert report.is_intact, report.problems
    finally:
        server.terminate()
        server.wait(WAIT)
