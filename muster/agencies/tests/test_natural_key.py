"""A training record's natural key: the same training is recorded once.

Person, completion date, course (number and title), hours and source identify a
training; among live records (not void, not rejected) the database holds each
key once, so a repeated form post, class entry or import adds nothing.
"""

import shutil
import tempfile
import threading
from datetime import date
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import TransactionTestCase, override_settings

from muster.accounts.choices import Role
from muster.agencies import actions
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, TrainingRecord
from muster.agencies.tests.test_recording import training_data
from muster.audit.log import history_for
from muster.test import BaseTestCase, make_person, make_record, make_user
from muster.transfers import actions as imports
from muster.transfers import training
from muster.transfers.tests.helpers import csv_bytes, kept_by

DAY = date(2026, 11, 20)
MEDIA = tempfile.mkdtemp(prefix="muster-test-media-")
FIELDS = {"title": "Crisis intervention", "completed_on": DAY}
LINES = [{"hours": "8", "area": "interpersonal", "topics": []}]


def record(actor, person, agency, **fields):
    return actions.record_training(
        actor=actor,
        person=person,
        agency=agency,
        fields={**FIELDS, **fields},
        lines=LINES,
    )


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class NaturalKeyTestCase(BaseTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.new_url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        )

    def test_the_form_refuses_an_exact_duplicate_naming_the_record(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.new_url, training_data())
        first = TrainingRecord.objects.get(title="Crisis intervention refresher")
        response = self.client.post(self.new_url, training_data())
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "Bob Baker already has this training recorded: Crisis intervention "
            f"refresher (2026-11-20) with 8.00 h, entered on 2026-11-27 "
            f"(record #{first.pk}).",
        )
        self.assertEqual(TrainingRecord.objects.filter(title=first.title).count(), 1)

    def test_other_hours_a_voided_or_a_rejected_record_free_the_key(self) -> None:
        first = record(self.alice, self.bob_person, self.agency)
        with self.assertRaises(actions.DuplicateTraining):
            record(
                self.alice, self.bob_person, self.agency, title=" crisis  INTERVENTION"
            )
        other_hours = actions.record_training(
            actor=self.alice,
            person=self.bob_person,
            agency=self.agency,
            fields=FIELDS,
            lines=[{"hours": "4", "area": "interpersonal"}],
        )
        actions.void_training(actor=self.alice, record=first, reason="Typed twice")
        again = record(self.alice, self.bob_person, self.agency)
        self.assertEqual(again.natural_key, first.natural_key)
        self.assertNotEqual(other_hours.natural_key, first.natural_key)

    def test_a_correction_into_a_duplicate_is_refused(self) -> None:
        record(self.alice, self.bob_person, self.agency)
        other = record(self.alice, self.bob_person, self.agency, title="Other")
        with self.assertRaises(actions.DuplicateTraining):
            actions.correct_training(
                actor=self.alice,
                record=other,
                fields={"title": "Crisis intervention"},
                lines=LINES,
                reason="Wrong title",
            )
        other.refresh_from_db()
        self.assertEqual(other.title, "Other")

    def test_a_class_entered_twice_saves_nothing_the_second_time(self) -> None:
        carol = make_person("Carol", "Cruz", self.agency)
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/classes/new/"
        data = training_data(attendees=[self.bob_person.pk, carol.pk], confirm="1")
        self.client.post(url, data)
        response = self.client.post(url, data)
        self.assertContains(response, "Nothing was saved. Bob Baker already has")
        records = TrainingRecord.objects.filter(title="Crisis intervention refresher")
        self.assertEqual(records.count(), 2)
        # Each attendee's entry says whose record and which course.
        labels = {history_for(r).get().object_label for r in records}
        self.assertEqual(
            labels,
            {
                "Bob Baker: Crisis intervention refresher (2026-11-20)",
                "Carol Cruz: Crisis intervention refresher (2026-11-20)",
            },
        )

    def test_an_import_confirmed_twice_reports_the_rows_already_recorded(self) -> None:
        data = training_file(self.bob_person)
        first = imports.upload_batch(
            self.agency, "training", "t.csv", data, HEADER, actor=self.alice
        )
        second = imports.upload_batch(
            self.agency, "training", "t.csv", data, HEADER, actor=self.alice
        )
        # The second batch was planned before the first was confirmed.
        plan = imports.plan_batch(second, kept_by(self.alice))
        self.assertEqual(plan.count("create"), 1)
        self.assertEqual(
            imports.apply_batch(first, self.alice, kept_by(self.alice))["create"], 1
        )
        counts = training.apply_training(
            self.agency, plan, actor=self.alice, reason="second"
        )
        self.assertEqual((counts["create"], counts["already_recorded"]), (0, 1))
        self.assertEqual(TrainingRecord.objects.filter(source="import").count(), 1)

    def test_the_migration_keys_old_records_and_leaves_repeats_unkeyed(self) -> None:
        # Fixtures save rows outside the actions, like records from before the key.
        first = self.bob_record
        repeat = make_record(self.bob_person, self.agency)
        other = make_record(self.bob_person, self.agency, title="Other")
        migration = import_module(
            "muster.agencies.migrations.0003_training_natural_key"
        )
        migration.fill_natural_keys(apps, None)
        keys = dict(TrainingRecord.objects.values_list("pk", "natural_key"))
        self.assertEqual(keys[first.pk], first.compute_natural_key(first.total_hours))
        self.assertIsNone(keys[repeat.pk])
        self.assertEqual(keys[other.pk], other.compute_natural_key(other.total_hours))


HEADER = ["License number", "Course title", "Completion date", "Hours"]


def training_file(person) -> bytes:
    number = person.licenses.get().number
    return csv_bytes(HEADER, [[number, "Implicit bias", "2025-04-02", "2"]])


@pytest.mark.postgres
class ParallelConfirmTestCase(TransactionTestCase):
    """Two batches of the same file confirmed at the same moment (PostgreSQL)."""

    def test_two_parallel_confirms_record_each_row_once(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: SQLite has one writer at a time")
        agency = Agency.objects.create(
            name="Riverton PD",
            code="riverton",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="MO",
        )
        people = [make_person(f"P{i}", "Officer", agency) for i in range(30)]
        alice = make_user("alice", (Role.COORDINATOR, agency))
        rows = [
            [p.licenses.get().number, f"Course {n}", "2025-04-02", "2"]
            for p in people
            for n in range(10)
        ]
        data = csv_bytes(HEADER, rows)
        batches = [
            imports.upload_batch(agency, "training", "t.csv", data, HEADER, actor=alice)
            for _ in range(2)
        ]
        barrier = threading.Barrier(2)
        results, errors = [], []

        def confirm(batch) -> None:
            try:
                barrier.wait()
                results.append(imports.apply_batch(batch, alice, kept_by(alice)))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=confirm, args=(b,)) for b in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(TrainingRecord.objects.count(), 300)
        # The second confirm waits on the agency's lock, then re-plans against
        # what the first wrote: its rows are unchanged or already recorded.
        self.assertEqual(
            sorted(
                (r["create"], r["unchanged"] + r["already_recorded"]) for r in results
            ),
            [(0, 300), (300, 0)],
        )
