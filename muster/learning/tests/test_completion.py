"""Completion: one record and one certificate, whatever happens twice."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TransactionTestCase

from muster.accounts.choices import Role
from muster.agencies.choices import Approval, Delivery, RecordSource
from muster.agencies.compliance import standing_for
from muster.agencies.models import Employment, TrainingRecord
from muster.audit.models import AuditEntry
from muster.learning import actions
from muster.learning.models import Attempt, Certificate, Enrollment
from muster.learning.tests.helpers import (
    ClockMixin,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import BaseTestCase, make_person, make_user


class CompletionTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        self.enrollment = ready_for_assessment(self.client, self.course, self.clock)
        self.url = f"/learn/{self.course.slug}/assessment/"
        self.client.get(self.url)
        self.attempt = Attempt.objects.get(enrollment=self.enrollment)

    def online_records(self):
        return TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE)

    def test_it_creates_a_credited_record_with_evidence(self) -> None:
        self.client.post(self.url, right_answers(self.attempt))
        record = self.online_records().get()
        self.assertEqual(record.person, self.bob_person)
        self.assertEqual(record.agency, self.agency)
        self.assertEqual(record.title, self.course.title)
        self.assertEqual(record.completed_on, date(2026, 3, 2))
        self.assertEqual(record.course_number, "DEMO-MO-IB-2021")
        self.assertEqual(record.provider_name, "Muster Academy")
        self.assertEqual(record.delivery, Delivery.ONLINE)
        self.assertEqual(record.approval, Approval.APPROVED)
        line = record.credit_lines.get()
        self.assertEqual(
            (line.hours, line.area, line.topics),
            (Decimal("1.00"), "interpersonal", ["implicit-bias"]),
        )
        evidence = record.evidence.get()
        log = evidence.file.read().decode()
        self.assertIn("active_seconds,3600", log)
        # The first heartbeat, then one every 30 s for the hour (helpers).
        self.assertEqual(log.count("\n2026-03-02T"), 121)
        self.enrollment.refresh_from_db()
        self.assertEqual(self.enrollment.record, record)
        self.assertTrue(AuditEntry.objects.filter(action="learning.complete").exists())
        self.assertTrue(AuditEntry.objects.filter(action="training.create").exists())

    def test_a_double_submit_creates_one_record_and_one_certificate(self) -> None:
        data = right_answers(self.attempt)
        for _ in range(3):
            self.client.post(self.url, data)
        self.assertEqual(self.online_records().count(), 1)
        self.assertEqual(Certificate.objects.count(), 1)

    def test_repeated_completion_calls_change_nothing(self) -> None:
        self.client.post(self.url, right_answers(self.attempt))
        certificate = Certificate.objects.get()
        for _ in range(3):
            actions.complete_enrollment(self.enrollment)
        self.assertEqual(self.online_records().count(), 1)
        self.assertEqual(Certificate.objects.get(), certificate)

    def test_completion_without_a_pass_earns_nothing(self) -> None:
        with self.assertRaisesMessage(actions.NotAllowed, "not been passed"):
            actions.complete_enrollment(self.enrollment)
        self.assertFalse(self.online_records().exists())

    def test_completion_without_seat_time_earns_nothing(self) -> None:
        Enrollment.objects.filter(pk=self.enrollment.pk).update(active_seconds=3599)
        Attempt.objects.filter(pk=self.attempt.pk).update(is_passed=True)
        with self.assertRaisesMessage(actions.NotAllowed, "seat time"):
            actions.complete_enrollment(self.enrollment)
        self.assertFalse(self.online_records().exists())

    def test_a_new_enrollment_cannot_join_an_open_one(self) -> None:
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            Enrollment.objects.create(
                person=self.bob_person, user=self.bob, course=self.course,
                jurisdiction="MO",
            )  # fmt: skip

    def test_a_second_certificate_for_one_enrollment_is_refused(self) -> None:
        from django.db import IntegrityError, transaction

        self.client.post(self.url, right_answers(self.attempt))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Certificate.objects.create(enrollment=self.enrollment, code="X")

    def test_the_missouri_implicit_bias_requirement_is_met_after(self) -> None:
        def implicit_bias_status() -> str:
            standing = standing_for(self.bob_person, 2026, date(2026, 3, 2))
            for mandate in standing[0].mandates:
                for requirement in mandate.result.requirements:
                    if requirement.id == "implicit-bias":
                        return requirement.status
            raise AssertionError("No implicit-bias requirement")

        self.assertEqual(implicit_bias_status(), "missing")
        self.client.post(self.url, right_answers(self.attempt))
        self.assertEqual(implicit_bias_status(), "met")
        response = self.client.get(f"/people/{self.bob_person.pk}/?year=2026")
        self.assertContains(response, self.course.title)

    def test_a_learner_with_no_current_employer_gets_a_record_without_agency(
        self,
    ) -> None:
        Employment.objects.filter(person=self.bob_person).update(
            ends_on=date(2026, 1, 1)
        )
        self.client.post(self.url, right_answers(self.attempt))
        self.assertIsNone(self.online_records().get().agency)


@pytest.mark.postgres
class ConcurrentCompletionTestCase(ClockMixin, TransactionTestCase):
    """Two tabs submit the same passed attempt at the same moment (PostgreSQL)."""

    def test_two_concurrent_completions_make_one_record(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("needs PostgreSQL row locks")
        from muster.agencies.models import Agency

        agency = Agency.objects.create(
            name="Riverton PD", code="riverton", kind="police-department", state="MO"
        )
        person = make_person("Bob", "Baker", agency)
        user = make_user("bob", (Role.OFFICER, agency), person=person)
        course = make_course()
        self.client.force_login(user)
        enrollment = ready_for_assessment(self.client, course, self.clock)
        self.client.get(f"/learn/{course.slug}/assessment/")
        attempt = Attempt.objects.get(enrollment=enrollment)
        Attempt.objects.filter(pk=attempt.pk).update(is_passed=True)
        barrier = threading.Barrier(4)
        errors = []

        def complete() -> None:
            try:
                barrier.wait()
                actions.complete_enrollment(enrollment)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=complete) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(
            TrainingRecord.objects.filter(source=RecordSource.ONLINE_COURSE).count(), 1
        )
        self.assertEqual(Certificate.objects.count(), 1)


class EvidenceEscapingTestCase(ClockMixin, BaseTestCase):
    """Issue 8.6: the seat-time evidence CSV never holds a live formula."""

    def test_learner_text_is_escaped_as_in_the_exports(self) -> None:
        from muster.learning.seat import seat_time_summary

        course = make_course()
        self.client.force_login(self.bob)
        enrollment = ready_for_assessment(self.client, course, self.clock)
        enrollment.heartbeats.update(tab='=HYPERLINK("http://evil.example","x")')
        log = seat_time_summary(enrollment)
        self.assertIn("""'=HYPERLINK(""http://evil.example"",""x"")""", log)
        self.assertNotIn(',"=HYPERLINK', log)
