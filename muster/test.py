"""The shared test cast, so permission tests read like prose.

Alice coordinates training at Riverton PD (Missouri); Bob is an officer there and
signs in as himself; Harold heads Riverton PD. Charlie is an officer at Oakdale
Sheriff's Office, coordinated by Dana. Sam audits Missouri for the state; Tess
audits Tennessee. Root is a platform administrator.
"""

from __future__ import annotations

import io
import signal
from datetime import date
from decimal import Decimal
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from muster.accounts.choices import Role
from muster.accounts.models import RoleGrant, User
from muster.agencies.choices import AgencyKind, Discipline
from muster.agencies.models import (
    Agency,
    CreditLine,
    Employment,
    License,
    Person,
    TrainingRecord,
)

PASSWORD = "correct horse battery staple 7"


def make_person(
    first: str,
    last: str,
    agency: Agency,
    *,
    state: str = "MO",
    attributes: tuple[str, ...] = ("traffic-enforcement",),
    discipline: str = Discipline.PEACE_OFFICER,
    hired_on: date = date(2015, 6, 1),
) -> Person:
    """A licensed person employed by `agency` since `hired_on`."""
    person = Person.objects.create(
        first_name=first,
        last_name=last,
        discipline=discipline,
        email=f"{first.lower()}@example.org",
    )
    License.objects.create(
        person=person,
        jurisdiction=state,
        discipline=discipline,
        number=f"{state}{person.pk:06d}",
        licensed_on=hired_on,
        attributes=list(attributes),
    )
    Employment.objects.create(person=person, agency=agency, starts_on=hired_on)
    return person


def make_user(
    username: str,
    *grants: tuple,
    person: Person | None = None,
    is_superuser: bool = False,
) -> User:
    """A user with `grants`, each (role, agency) or (Role.STATE_AUDITOR, "MO")."""
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        person=person,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    for role, scope in grants:
        if role == Role.STATE_AUDITOR:
            RoleGrant.objects.create(user=user, role=role, state=scope)
        else:
            RoleGrant.objects.create(user=user, role=role, agency=scope)
    return user


def make_record(
    person: Person,
    agency: Agency | None,
    *,
    hours: str = "4",
    completed_on: date = date(2026, 3, 1),
    area: str = "technical",
    topics: tuple[str, ...] = (),
    title: str = "Patrol procedures",
) -> TrainingRecord:
    record = TrainingRecord.objects.create(
        person=person,
        agency=agency,
        title=title,
        completed_on=completed_on,
    )
    CreditLine.objects.create(
        record=record, hours=Decimal(hours), area=area, topics=list(topics)
    )
    return record


class BaseTestCase(TestCase):
    """Two agencies, their people and users, each with the roles in the docstring."""

    def setUp(self) -> None:
        super().setUp()
        self.agency = Agency.objects.create(
            name="Riverton Police Department",
            code="riverton-pd",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="MO",
        )
        self.other_agency = Agency.objects.create(
            name="Oakdale County Sheriff's Office",
            code="oakdale-so",
            kind=AgencyKind.SHERIFF,
            state="MO",
        )
        self.tn_agency = Agency.objects.create(
            name="Millbrook Police Department",
            code="millbrook-pd",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="TN",
        )
        self.bob_person = make_person("Bob", "Baker", self.agency)
        self.charlie_person = make_person("Charlie", "Chen", self.other_agency)
        self.alice = make_user("alice", (Role.COORDINATOR, self.agency))
        self.harold = make_user("harold", (Role.AGENCY_HEAD, self.agency))
        self.bob = make_user("bob", (Role.OFFICER, self.agency), person=self.bob_person)
        self.dana = make_user("dana", (Role.COORDINATOR, self.other_agency))
        self.charlie = make_user(
            "charlie", (Role.OFFICER, self.other_agency), person=self.charlie_person
        )
        self.sam = make_user("sam", (Role.STATE_AUDITOR, "MO"))
        self.tess = make_user("tess", (Role.STATE_AUDITOR, "TN"))
        self.root = make_user("root", is_superuser=True)
        self.bob_record = make_record(self.bob_person, self.agency)
        self.charlie_record = make_record(self.charlie_person, self.other_agency)


def run_queued_tasks() -> None:
    """Run every queued task once, in this process, as `manage.py task_worker --batch`.

    The worker closes "old" database connections between tasks; inside a test's
    transaction that would close the test's own connection (on PostgreSQL), so it is
    left open. The worker also installs its own SIGINT/SIGTERM/SIGQUIT handlers,
    which call sys.exit: left in place they would make the pytest-xdist process exit
    (or raise inside a garbage-collector callback) on the next such signal, so the
    handlers from before are put back.
    """
    handlers = {
        number: signal.getsignal(number)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections"
        ):
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
