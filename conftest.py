"""Project-wide pytest set-up: gates for `postgres` and `browser` tests, a browser,
and the hypothesis profiles.

Locally, a test that cannot run here is skipped with its reason shown (`-ra`). On CI
(`CI=true`) the same test fails instead, so that a missing PostgreSQL server or
Chromium can never pass as green. A SQLite pass on CI deselects `postgres` tests:
`.ci/run` runs them in its PostgreSQL pass.

Property tests (hypothesis) try few examples by default, so that `make test`
stays quick; CI selects the thorough profile with HYPOTHESIS_PROFILE=ci (or
`--hypothesis-profile ci`). Tests set no example counts of their own, but for the
API fuzz (muster/api/tests/test_api_fuzz.py), whose every example is a whole
request across some twenty operations.
"""

from __future__ import annotations

import os
import pwd
import tempfile
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "test-artifacts"

# Examples are generated, not timed: no deadline, since a shared 2-core machine
# may pause any example. Database-backed fuzz tests build data per example.
SLOW_EXAMPLES = [HealthCheck.too_slow, HealthCheck.data_too_large]
hypothesis_settings.register_profile(
    "default", max_examples=30, deadline=None, suppress_health_check=SLOW_EXAMPLES
)
hypothesis_settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=SLOW_EXAMPLES,
    # A failure's reproduction blob in CI's log: @reproduce_failure replays it.
    print_blob=True,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def is_postgres_database() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


@cache
def postgres_problem() -> str | None:
    """Why the PostgreSQL server named by DATABASE_URL cannot be used, or None."""
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    where = f"{database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
    try:
        psycopg.connect(
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        return f"no PostgreSQL server answers at {where} ({error})"
    return None


@cache
def browser_problem() -> str | None:
    """Why Chromium cannot be driven here, or None."""
    if not CHROMIUM.exists():
        return (
            f"{CHROMIUM} is missing; install it with "
            "`apt-get install chromium` to run browser tests"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make venv installs it)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Hash test passwords quickly and leave MFA enrolment optional; tests of the
    real hasher and of forced enrolment override these."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests sign users in with force_login and no authenticator; tests of the
    # forced MFA enrolment turn this back on (muster/accounts/tests/test_mfa.py).
    settings.MUSTER_REQUIRE_MFA = False
    # Templates link static files by their plain names: the hashed names need a
    # manifest that only `collectstatic` writes (muster/tests/test_static_files.py
    # tests that path). WhiteNoise looks files up at each request instead of
    # listing STATIC_ROOT, which tests never fill.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.WHITENOISE_AUTOREFRESH = True
    # After every test that writes, stored standings must equal a fresh evaluation
    # (muster/agencies/tests/standings_check.py).
    from muster.agencies.tests import standings_check

    standings_check.connect()
    standings_check.install_teardown_check()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Test on an SQLite file (in /dev/shm when there is one), not in memory.

    With an in-memory database Django's live server shares the test's single
    connection between threads, and a page's background requests (seat-time
    heartbeats) racing the test's own queries break each other's transactions. A
    file gives every thread its own connection; the process id keeps parallel runs
    apart, and the file is removed when the run ends.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("sqlite3"):
        return
    folder = (
        Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    )
    database.setdefault("TEST", {})["NAME"] = str(
        folder / f"muster-test-{os.getpid()}.sqlite3"
    )
    # Longer than the settings' wait for another writer: the test machine may be
    # shared and slow.
    database.setdefault("OPTIONS", {})["timeout"] = 30


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup) -> None:
    """pytest-django's test database, made during the first test that asks for
    it; its migrations write tables standings depend on, which is not that test
    writing (muster/agencies/tests/standings_check.py)."""
    from muster.agencies.tests import standings_check

    standings_check.state["wrote"] = False


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = "PostgreSQL" if is_postgres_database() else "SQLite"
    browser = browser_problem() or f"Chromium at {CHROMIUM}"
    return [f"muster: database {database}; browser: {browser}; CI={in_ci()}"]


@cache
def server_restart_problem() -> str | None:
    """Why a PostgreSQL server of a test's own cannot be started here, or None."""
    from muster.tests.test_database_restart import postgres_bin

    if postgres_bin() is None:
        return "no PostgreSQL programs under /usr/lib/postgresql/*/bin (initdb)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no `postgres` user to run initdb"
    return None


def server_tests_selected() -> bool:
    return os.environ.get("MUSTER_SERVER_TESTS", "") == "1"


def refuse_borrowed_test_classes(items: list[pytest.Item]) -> None:
    """`from x.test_a import SomeTestCase` in test_b runs every test of SomeTestCase
    twice (it happened: the isolation matrix, 43 s, and an import test case).
    Subclass through the module (`test_a.SomeTestCase`) instead."""
    borrowed = sorted(
        {
            f"{item.module.__name__}: {item.cls.__module__}.{item.cls.__name__}"
            for item in items
            if getattr(item, "cls", None) is not None
            and item.cls.__module__ != item.module.__name__
        }
    )
    if borrowed:
        raise pytest.UsageError(
            "Test classes collected twice, once where they are imported: "
            + "; ".join(borrowed)
            + ". Import the module, not the class."
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """Leave `server_restart` tests out unless MUSTER_SERVER_TESTS=1 (.ci/run's own
    step); on CI, leave `postgres` tests out of a SQLite pass (.ci/run runs them
    later). Refuse a test class collected in a module other than its own."""
    refuse_borrowed_test_classes(items)
    if not server_tests_selected():
        slow = [item for item in items if item.get_closest_marker("server_restart")]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [i for i in items if not i.get_closest_marker("server_restart")]
    if not in_ci() or is_postgres_database():
        return
    postgres = [item for item in items if item.get_closest_marker("postgres")]
    if postgres:
        config.hook.pytest_deselected(items=postgres)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    from muster.agencies.tests import standings_check

    standings_check.state["enabled"] = not item.get_closest_marker("no_standings_check")
    standings_check.state["compare"] = os.environ.get("MUSTER_STANDINGS_CHECK") != "0"
    standings_check.state["wrote"] = False
    problem = None
    if item.get_closest_marker("postgres"):
        if not is_postgres_database():
            problem = "needs PostgreSQL: set DATABASE_URL=postgres://..."
        else:
            problem = postgres_problem()
    if problem is None and item.get_closest_marker("browser"):
        problem = browser_problem()
    if problem is None and item.get_closest_marker("server_restart"):
        problem = server_restart_problem()
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's), driven through Playwright's sync API."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which makes Django
    # refuse ORM calls from the test unless told that this is deliberate.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh browser tab with its own cookies."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save screenshots (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def sign_in(page, live_server):
    """Sign the browser tab in as a user by copying a session cookie from Django's
    test client, so that browser tests do not depend on the sign-in page's markup."""
    from django.test import Client

    def sign_in_as(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
        )

    return sign_in_as
