"""The check the test suite runs after every test that writes: stored standings
must equal a fresh evaluation (`verify_standings`).

App code must refresh standings itself, in each action. Test code often writes
rows by hand (`make_person`, `make_record`, `objects.create`), around the actions;
those writes are noted (the writing frame is in a test module) and the people's
standings are refreshed just before the next write by app code or the next
request, and at the end.
So a hand-made setting is stored as it was, and anything an action then changes
without refreshing shows as a difference. A test that tampers on purpose takes the
`no_standings_check` marker.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.signals import request_started
from django.db.models.signals import post_save, pre_save

MUSTER = str(Path(__file__).resolve().parents[2]) + "/"
HERE = str(Path(__file__).resolve())

pending: set[int] = set()
state = {"enabled": False, "flushing": False}


def _written_by_test_code() -> bool:
    """Whether the innermost Muster frame writing now (model methods aside) is
    test code."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        # A model's own method (`record.void()`) writes for whoever called it.
        if name.startswith(MUSTER) and name != HERE and not name.endswith("models.py"):
            return "/tests/" in name or name.endswith(("muster/test.py", "conftest.py"))
        frame = frame.f_back
    return False


def _person_of(instance) -> int | None:
    from muster.agencies.models import CreditLine, Person, TrainingRecord

    if isinstance(instance, Person):
        return instance.pk
    if isinstance(instance, CreditLine):
        return (
            TrainingRecord.objects.filter(pk=instance.record_id)
            .values_list("person_id", flat=True)
            .first()
        )
    return getattr(instance, "person_id", None)


def _noted(sender, instance, **kwargs) -> None:
    if state["enabled"] and not state["flushing"] and _written_by_test_code():
        person = _person_of(instance)
        if person is not None:
            pending.add(person)


def _before_app_write(sender, **kwargs) -> None:
    ready = pending and state["enabled"] and not state["flushing"]
    if ready and not _written_by_test_code():
        flush()


def _before_request(**kwargs) -> None:
    # Rows a test wrote by hand are stored before a page reads them, as an action
    # would have stored them.
    if pending and state["enabled"] and not state["flushing"]:
        flush()


def flush() -> None:
    """Refresh the standings of the people written by hand since the last flush."""
    from muster.agencies.compliance.standings import refresh_standings
    from muster.agencies.models import Person

    if not pending:
        return
    state["flushing"] = True
    try:
        existing = Person.objects.filter(pk__in=list(pending))
        refresh_standings(existing.values_list("pk", flat=True))
        pending.clear()
    finally:
        state["flushing"] = False


def connect() -> None:
    from muster.agencies.models import (
        CreditLine,
        Employment,
        Exemption,
        License,
        Person,
        Qualification,
        TrainingRecord,
    )

    for model in (
        Person,
        License,
        Employment,
        TrainingRecord,
        CreditLine,
        Qualification,
        Exemption,
    ):
        post_save.connect(_noted, sender=model, weak=False)
    pre_save.connect(_before_app_write, weak=False)
    request_started.connect(_before_request, weak=False)


def differences() -> list:
    """Flush, then every stored standing that differs (years stored per person)."""
    from muster.agencies.compliance.standings import verify_standings

    flush()
    return verify_standings(stored_years_only=True)


def install_teardown_check() -> None:
    """Run the check in Django's test-case teardown, before its rollback or flush
    (pytest-django's `db` fixture goes through the same teardown)."""
    from django.test import TestCase, TransactionTestCase

    for case in (TestCase, TransactionTestCase):
        original = case.__dict__["_fixture_teardown"]
        case._fixture_teardown = _checked(original)


def _checked(original):
    def _fixture_teardown(self):
        found = []
        try:
            if state["enabled"]:
                found = differences()
        finally:
            pending.clear()
            original(self)
        if found:
            listed = "\n".join(str(d) for d in found[:20])
            raise AssertionError(
                f"{len(found)} stored standings differ from a fresh evaluation after "
                f"this test; an action wrote without refresh_standings:\n{listed}"
            )

    return _fixture_teardown
