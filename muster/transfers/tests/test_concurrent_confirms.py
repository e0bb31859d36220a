"""Confirms and decisions made at the same moment (PostgreSQL, real row locks).

Each thread has its own database connection, as two web workers would; a barrier
lets them start together.
"""

import threading

import pytest
from django.db import connection
from django.test import TransactionTestCase

from muster.accounts.choices import Role
from muster.agencies.models import Agency, Employment, License, Person
from muster.tabular import read_table
from muster.test import make_person, make_user
from muster.transfers import actions
from muster.transfers.actions import CONCURRENT_WRITE, TransferClosed
from muster.transfers.models import ImportBatch, TransferRequest, TransferStatus
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    kept_by,
    roster_row,
)

pytestmark = pytest.mark.postgres

PEOPLE = 40


def run_together(*calls) -> list[Exception]:
    """Run each call in its own thread and connection; returns what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []

    def run(call) -> None:
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


class ConcurrentConfirmTestCase(TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
        self.agency = Agency.objects.create(
            name="Riverton PD", code="riverton", kind="police-department", state="MO"
        )
        self.other = Agency.objects.create(
            name="Oakdale SO", code="oakdale", kind="sheriff", state="MO"
        )
        self.alice = make_user("alice", (Role.COORDINATOR, self.agency))
        self.dana = make_user("dana", (Role.COORDINATOR, self.other))

    def batch(self, agency, rows) -> ImportBatch:
        data = csv_bytes(ROSTER_HEADER, rows)
        return actions.upload_batch(
            agency,
            "roster",
            "people.csv",
            data,
            read_table("people.csv", data).headers,
            actor=self.alice,
        )

    def test_two_batches_of_one_file_create_each_person_once(self) -> None:
        rows = [roster_row(i) for i in range(PEOPLE)]
        first, second = self.batch(self.agency, rows), self.batch(self.agency, rows)
        errors = run_together(
            lambda: actions.apply_batch(first, self.alice, kept_by(self.alice)),
            lambda: actions.apply_batch(second, self.alice, kept_by(self.alice)),
        )
        self.assertEqual(errors, [])
        self.assertEqual(Person.objects.count(), PEOPLE)
        self.assertEqual(License.objects.count(), PEOPLE)
        self.assertEqual(Employment.objects.count(), PEOPLE)
        summaries = sorted(
            (b.summary["create"], b.summary["unchanged"])
            for b in ImportBatch.objects.all()
        )
        # The second plans again once the first has committed: all unchanged.
        self.assertEqual(summaries, [(0, PEOPLE), (PEOPLE, 0)])

    def test_two_agencies_creating_one_license_leave_one_holder(self) -> None:
        """Different agencies do not wait for each other; the index decides."""
        rows = [roster_row(i) for i in range(PEOPLE)]
        mine, theirs = self.batch(self.agency, rows), self.batch(self.other, rows)
        errors = run_together(
            lambda: actions.apply_batch(mine, self.alice, kept_by(self.alice)),
            lambda: actions.apply_batch(theirs, self.dana, kept_by(self.dana)),
        )
        self.assertEqual(License.objects.count(), PEOPLE)
        self.assertEqual(Person.objects.count(), PEOPLE)
        # Either the second saw the first's people (and asked for transfers) or
        # it was refused whole, with words the coordinator can act on.
        self.assertTrue(all(CONCURRENT_WRITE in str(e) for e in errors), errors)
        applied = ImportBatch.objects.filter(applied_at__isnull=False).count()
        self.assertEqual(applied, 2 - len(errors))

    def test_two_decisions_at_once_only_one_wins(self) -> None:
        charlie = make_person("Charlie", "Chen", self.other)
        request = TransferRequest.objects.create(
            requesting_agency=self.agency,
            person=charlie,
            releasing_agency=self.other,
            license_state="MO",
            license_number=charlie.licenses.get().number,
            typed_first_name="C",
            typed_last_name="C",
            starts_on="2030-01-01",
            requested_by=self.alice,
        )
        errors = run_together(
            lambda: actions.approve_transfer(request, actor=self.dana),
            lambda: actions.decline_transfer(request, actor=self.dana, reason="No"),
            lambda: actions.withdraw_transfer(request, actor=self.alice, reason="x"),
        )
        self.assertEqual(len(errors), 2, errors)
        self.assertTrue(all(isinstance(e, TransferClosed) for e in errors), errors)
        request.refresh_from_db()
        jobs_here = Employment.objects.filter(person=charlie, agency=self.agency)
        self.assertEqual(
            jobs_here.count(), 1 if request.status == TransferStatus.APPROVED else 0
        )
