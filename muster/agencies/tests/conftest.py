"""Fixtures shared by the agencies tests."""

import pytest
import time_machine

from muster.agencies.tests.helpers import (
    add_de_escalation,
    add_missouri_2021_except_de_escalation,
    make_person,
)

# Pages judge "today"; tests pin it to a day late in a reporting year.
TODAY = "2026-11-27 12:00:00+00:00"


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def officer(db):
    """A Missouri peace officer licensed in 2015, compliant for 2021 (24 h)."""
    person = make_person()
    add_missouri_2021_except_de_escalation(person)
    add_de_escalation(person)
    return person


@pytest.fixture
def coordinator(django_user_model):
    """A platform administrator: sees every person, employed anywhere or not."""
    return django_user_model.objects.create_user(
        "alice", password="a-long-test-password", is_staff=True, is_superuser=True
    )
