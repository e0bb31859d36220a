"""The suite's own stored-standings check (standings_check.py) catches what it is
for: app code that writes a row a standing depends on without refreshing it."""

from datetime import date
from decimal import Decimal

import pytest

from muster.agencies.models import Agency, CreditLine, Standing
from muster.agencies.tests import standings_check
from muster.test import make_person, make_record

# A write made from this file counts as app code (the check looks at the file of
# the innermost Muster frame, as it would for an action in agencies/actions.py).
APP_CODE = standings_check.MUSTER + "agencies/pretend_action.py"


@pytest.fixture
def agency(db):
    return Agency.objects.create(
        name="Riverton Police Department", code="riverton-pd", state="MO"
    )


def as_app_code(source: str, **names) -> None:
    exec(compile(source, APP_CODE, "exec"), names)


@pytest.mark.django_db
@pytest.mark.no_standings_check
def test_a_write_by_app_code_without_a_refresh_is_a_difference(agency):
    standings_check.state.update(enabled=True, compare=True, wrote=False)
    person = make_person("Bob", "Baker", agency)
    record = make_record(person, agency, hours="4")
    assert standings_check.state["pending"]
    # Hand-made rows are stored as an action would have stored them.
    assert standings_check.differences() == []
    stored = Standing.objects.get(person=person, year=2026)
    assert standings_check.state["wrote"] and not standings_check.state["pending"]
    # App code adds hours and forgets refresh_standings: the check says so.
    as_app_code(
        "CreditLine.objects.filter(record=record).update(hours=Decimal('12'))",
        CreditLine=CreditLine,
        record=record,
        Decimal=Decimal,
    )
    found = standings_check.differences()
    assert any(d.person_id == person.pk and d.year == 2026 for d in found), found
    assert Standing.objects.get(pk=stored.pk).requirements == stored.requirements
    standings_check.state.update(enabled=False, pending=False, wrote=False)


@pytest.mark.django_db
@pytest.mark.no_standings_check
def test_reading_standings_stores_rows_written_by_hand_first(agency):
    standings_check.state.update(enabled=True, compare=True, wrote=False)
    person = make_person("Bob", "Baker", agency)
    make_record(person, agency, hours="4", completed_on=date(2026, 3, 1))
    assert standings_check.state["pending"]
    # A read of stored standings by anyone (here app code) flushes first.
    found = {}
    as_app_code(
        "found['n'] = Standing.objects.filter(person=person).count()",
        Standing=Standing,
        person=person,
        found=found,
    )
    assert found["n"] > 0 and not standings_check.state["pending"]
    standings_check.state.update(enabled=False, pending=False, wrote=False)


def test_a_test_that_only_reads_is_not_compared(db):
    # pytest_runtest_setup resets `wrote`; nothing here writes.
    assert standings_check.state["compare"] in (True, False)
    assert not standings_check.state["wrote"]
