"""The check the test suite runs after every test that writes: stored standings
must equal a fresh evaluation (`verify_standings`).

App code must refresh standings itself, in each action. Test code often writes
rows by hand (`make_person`, `make_record`, `objects.create`, `.update()`, raw
SQL), around the actions. Such a write (an INSERT, UPDATE or DELETE on a table a
standing depends on, whose innermost Muster frame is a test module) is noted, and
everyone's standings are refreshed just before the next write by app code, the
next read of stored standings, the next request, and the end of the test. So a
hand-made setting is stored as it was, and anything an action changes afterwards
without refreshing shows as a difference.

The comparison runs after every test that wrote to a table a standing depends on
or to the standings themselves; a test that only reads costs nothing. It covers
the people in the test database, which are the test's own (each test's rows are
rolled back or flushed). A test may opt out with the `no_standings_check` marker
and a reason; MUSTER_STANDINGS_CHECK=0 turns the comparison off for a run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from django.core.signals import request_started
from django.db.backends.utils import CursorWrapper

MUSTER = str(Path(__file__).resolve().parents[2]) + "/"
HERE = str(Path(__file__).resolve())
WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
SOURCES = re.compile(
    r'"?agencies_(person|license|employment|trainingrecord|creditline'
    r'|qualification|exemption)"?\b',
    re.IGNORECASE,
)
STANDINGS = re.compile(r'"?agencies_standing(summary)?"?\b', re.IGNORECASE)

# enabled: hand writes are tracked and stored (every test, unless it opts out);
# compare: the test's teardown runs the comparison if the test wrote (`wrote`);
# pending: a hand write not stored yet.
state = {
    "enabled": False,
    "compare": False,
    "flushing": False,
    "pending": False,
    "wrote": False,
}


def _by_test_code() -> bool:
    """Whether the innermost Muster frame running now (model methods aside) is
    test code."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        # A model's own method (`record.void()`) writes for whoever called it.
        if name.startswith(MUSTER) and name != HERE and not name.endswith("models.py"):
            return "/tests/" in name or name.endswith(("muster/test.py", "conftest.py"))
        frame = frame.f_back
    return False


def _seen(sql) -> None:
    if not state["enabled"] or state["flushing"] or not isinstance(sql, str):
        return
    if not WRITE.match(sql):
        # Whoever reads stored standings reads them as an action would have
        # stored the rows written by hand.
        if state["pending"] and STANDINGS.search(sql):
            flush()
        return
    head = sql[:200]
    if SOURCES.search(head) or STANDINGS.search(head):
        state["wrote"] = True
    if _by_test_code():
        if SOURCES.search(head):
            state["pending"] = True
    elif state["pending"]:
        flush()


def _watched(method):
    def execute(self, sql, *args, **kwargs):
        _seen(sql)
        return method(self, sql, *args, **kwargs)

    return execute


def _before_request(**kwargs) -> None:
    # Rows a test wrote by hand are stored before a page reads them, as an action
    # would have stored them.
    if state["pending"] and state["enabled"] and not state["flushing"]:
        flush()


def flush() -> None:
    """Refresh everyone's standings after rows were written by hand."""
    from muster.agencies.compliance.standings import refresh_standings
    from muster.agencies.models import Person

    if not state["pending"]:
        return
    state["flushing"] = True
    try:
        refresh_standings(Person.objects.values_list("pk", flat=True))
        state["pending"] = False
    finally:
        state["flushing"] = False


def connect() -> None:
    CursorWrapper.execute = _watched(CursorWrapper.execute)
    CursorWrapper.executemany = _watched(CursorWrapper.executemany)
    request_started.connect(_before_request, weak=False)


def differences() -> list:
    """Flush, then every stored standing that differs (years stored per person)."""
    from django.db import connection

    from muster.agencies.compliance.standings import verify_standings

    # A test that ends inside a broken transaction (it expected an integrity
    # error) can run no query; there is nothing committed to check either.
    if connection.needs_rollback:
        return []
    flush()
    return verify_standings(stored_years_only=True)


def install_teardown_check() -> None:
    """Run the check in Django's test-case teardown, before its rollback or flush
    (pytest-django's `db` fixture goes through the same teardown)."""
    from django.test import TestCase, TransactionTestCase

    for case in (TestCase, TransactionTestCase):
        original = case.__dict__["_fixture_teardown"]
        case._fixture_teardown = _checked(original)
    # Rows a class writes once (`setUpTestData`) are stored inside the class's
    # transaction, not the first test's, which is rolled back.
    set_up_class = TestCase.__dict__["setUpClass"].__func__

    def setUpClass(cls):
        set_up_class(cls)
        if state["enabled"] and state["pending"] and not state["flushing"]:
            flush()

    TestCase.setUpClass = classmethod(setUpClass)


def _checked(original):
    def _fixture_teardown(self):
        found = []
        try:
            if state["enabled"] and state["compare"] and state["wrote"]:
                found = differences()
        finally:
            state["pending"] = False
            state["wrote"] = False
            original(self)
        if found:
            listed = "\n".join(str(d) for d in found[:20])
            raise AssertionError(
                f"{len(found)} stored standings differ from a fresh evaluation after "
                f"this test; an action wrote without refresh_standings:\n{listed}"
            )

    return _fixture_teardown
