"""PostgreSQL restarted and stopped under traffic (issue 13.2): requests fail
cleanly (503 with Retry-After, never a 500 or a hang), nothing accepted is lost,
and the site recovers by itself once the database is back.

The test runs a PostgreSQL server of its own (initdb in a temporary folder, a
port of its own on 127.0.0.1, as the `postgres` user when run by root), so that
restarting it disturbs no other database on the machine. gunicorn serves it
with the deployed settings (MUSTER_DEBUG off, persistent connections), and a
learner's heartbeats and a coordinator's dashboard keep arriving while the
server is restarted (`pg_ctl restart -m fast`, which ends every connection as a
crash or an upgrade does), then stopped for a while and started again.

Slow (about a minute: a new cluster, its migrations, a server), so it is left
out of `make test`; .ci/run runs it in a step of its own with
MUSTER_SERVER_TESTS=1 (conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
WAIT = 90  # seconds any step may take on a loaded machine

pytestmark = pytest.mark.server_restart


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian's layout)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, seconds: float = WAIT) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


@dataclass
class OwnPostgres:
    """A throwaway PostgreSQL cluster: start, stop, restart, query."""

    bin: Path
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/muster"

    def run(self, *command: str) -> subprocess.CompletedProcess:
        argv = [str(self.bin / command[0]), *command[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(
            argv, check=True, capture_output=True, text=True, timeout=WAIT
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c fsync=off"
        )
        self.run(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", options, "-w", "-t", str(WAIT), *extra,
        )  # fmt: skip

    def sql(self, statement: str, database: str = "muster") -> str:
        return self.run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            "-d", database, "-At", "-c", statement,
        ).stdout.strip()  # fmt: skip


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[OwnPostgres]:
    bin = postgres_bin()
    assert bin is not None  # conftest.py fails or skips before this
    folder = Path(tempfile.mkdtemp(prefix="muster-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = OwnPostgres(bin, folder, free_port())
    server.run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust",
               "--no-sync", "-E", "UTF8")  # fmt: skip
    server.pg_ctl("start")
    try:
        server.sql("CREATE DATABASE muster", database="postgres")
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # stopped already
            server.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


def deployed_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="muster.settings",
        MUSTER_DEBUG="0",
        MUSTER_SECRET_KEY="restart-test-only-not-secret",
        MUSTER_ALLOWED_HOSTS="127.0.0.1",
        MUSTER_SECURE_COOKIES="0",
        MUSTER_SSL_REDIRECT="0",
        # Connections kept between requests: the case a restart breaks.
        MUSTER_DB_CONN_MAX_AGE="60",
        **extra,
    )
    return env


@dataclass
class Site:
    base: str
    agency: str
    course: str
    learner: requests.Session
    coordinator: requests.Session


@pytest.fixture(scope="module")
def site(own_postgres: OwnPostgres) -> Iterator[Site]:
    env = deployed_env(own_postgres.url, LEARNERS="1", COORDINATORS="1")
    prepared = own_postgres.folder / "prepared.json"
    subprocess.run(
        [sys.executable, "benchmarks/load/prepare.py", str(prepared)],
        cwd=ROOT, env=env, check=True, timeout=WAIT * 3,
    )  # fmt: skip
    # The deployed settings link hashed static files: `make serve` collects them.
    if not (ROOT / "var" / "static" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT, env=env, check=True, timeout=WAIT * 3,
        )  # fmt: skip
    port = free_port()
    log = open(own_postgres.folder / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "muster.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={
            **env,
            "MUSTER_BIND": f"127.0.0.1:{port}",
            "MUSTER_WEB_WORKERS": "2",
            "MUSTER_WEB_THREADS": "2",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/health/"), "gunicorn to answer")
        data = json.loads(prepared.read_text())
        sessions = []
        for key in ("learners", "coordinators"):
            session = requests.Session()
            session.cookies.set(data["cookie"], data[key][0])
            sessions.append(session)
        site = Site(base, data["agency"], data["course"], *sessions)
        # The lesson page sets the CSRF cookie the heartbeats send back.
        lesson = site.learner.get(f"{base}/learn/{site.course}/lessons/1/", timeout=30)
        assert lesson.status_code == 200, lesson.text[:500]
        yield site
    finally:
        server.terminate()
        server.wait(WAIT)
        log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


@dataclass
class Answer:
    kind: str
    status: int  # 0: no HTTP answer at all
    retry_after: str | None
    text: str
    seconds: float


def heartbeat(site: Site) -> Answer:
    return _timed(
        "heartbeat",
        lambda: site.learner.post(
            f"{site.base}/learn/{site.course}/heartbeat/",
            {"tab": "t1", "visible": "visible", "idle": "0", "lesson": "1"},
            headers={
                "X-CSRFToken": site.learner.cookies.get("csrftoken", ""),
                "Referer": site.base + "/",
            },
            timeout=WAIT,
            allow_redirects=False,
        ),
    )


def dashboard(site: Site) -> Answer:
    return _timed(
        "dashboard",
        lambda: site.coordinator.get(
            f"{site.base}/agencies/{site.agency}/", timeout=WAIT, allow_redirects=False
        ),
    )


def _timed(kind: str, send) -> Answer:
    start = time.monotonic()
    try:
        response = send()
    except requests.RequestException as error:
        return Answer(kind, 0, None, repr(error), time.monotonic() - start)
    return Answer(
        kind,
        response.status_code,
        response.headers.get("Retry-After"),
        response.text,
        time.monotonic() - start,
    )


def accepted(answer: Answer) -> bool:
    """A heartbeat the server answered as credited."""
    return answer.status == 200 and "active_seconds" in answer.text


def assert_clean(answers: list[Answer]) -> None:
    """Every answer is a success or a clean 'try again' (503 + Retry-After)."""
    for answer in answers:
        assert answer.status in (200, 503), (answer.kind, answer.status, answer.text)
        if answer.status == 503:
            assert answer.retry_after == "30", answer
            assert "cannot reach its database" in answer.text, answer.text[:300]


def stored_heartbeats(own_postgres: OwnPostgres) -> int:
    return int(own_postgres.sql("SELECT count(*) FROM learning_heartbeat"))


def warm_up(site: Site, threads: int = 4) -> None:
    """Requests from several threads at once, so that every server thread holds
    a database connection of its own (kept: MUSTER_DB_CONN_MAX_AGE)."""
    answers: list[Answer] = []

    def send() -> None:
        for _ in range(3):
            answers.extend([heartbeat(site), dashboard(site)])

    senders = [threading.Thread(target=send) for _ in range(threads)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(WAIT)
    assert [a.status for a in answers] == [200] * len(answers)


def test_after_a_restart_no_request_fails_on_a_connection_kept_from_before(
    own_postgres: OwnPostgres, site: Site
) -> None:
    warm_up(site)
    own_postgres.pg_ctl("restart", "-m", "fast")
    # Every kept connection died with the server; each is checked before a
    # request reuses it (CONN_HEALTH_CHECKS), so none of these fails.
    after = [heartbeat(site) for _ in range(4)] + [dashboard(site) for _ in range(4)]
    assert [a.status for a in after] == [200] * 8, [a.text[:200] for a in after]


def test_a_restart_under_traffic_fails_cleanly_loses_nothing_and_recovers(
    own_postgres: OwnPostgres, site: Site
) -> None:
    warm_up(site)
    before = stored_heartbeats(own_postgres)
    # Traffic from another thread while the server restarts under it.
    during: list[Answer] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            during.append(heartbeat(site))
            during.append(dashboard(site))

    sender = threading.Thread(target=traffic)
    sender.start()
    try:
        time.sleep(1)
        own_postgres.pg_ctl("restart", "-m", "fast")
        time.sleep(2)
    finally:
        stop.set()
        sender.join(WAIT)
    assert during
    assert_clean(during)
    assert max(a.seconds for a in during) < 30, "a request hung on the restart"

    after = [heartbeat(site) for _ in range(3)] + [dashboard(site) for _ in range(3)]
    assert [a.status for a in after] == [200] * 6, [a.text[:200] for a in after]

    # Nothing the server said it credited is missing; a heartbeat answered 503
    # may still have been stored if the database went away after its commit.
    beats = [a for a in during + after if a.kind == "heartbeat"]
    credited = sum(accepted(a) for a in beats)
    refused = sum(a.status == 503 for a in beats)
    stored = stored_heartbeats(own_postgres) - before
    assert credited <= stored <= credited + refused


def test_while_the_database_is_down_every_request_says_so_and_then_it_recovers(
    own_postgres: OwnPostgres, site: Site
) -> None:
    assert heartbeat(site).status == 200
    own_postgres.pg_ctl("stop", "-m", "fast")
    try:
        down = [heartbeat(site), dashboard(site), heartbeat(site), dashboard(site)]
        health = requests.get(site.base + "/health/", timeout=WAIT)
    finally:
        own_postgres.pg_ctl("start")
    assert [a.status for a in down] == [503] * 4, [a.text[:200] for a in down]
    assert_clean(down)
    assert max(a.seconds for a in down) < 10
    assert health.status_code == 503
    assert health.json()["checks"]["database"] != "ok"

    wait_for(lambda: dashboard(site).status == 200, "the site to recover", 30)
    assert [heartbeat(site).status, dashboard(site).status] * 2 == [200, 200] * 2
