"""Self-reports: coordinators are emailed when one waits, the officer when it is
decided; the coordinator sees provider kind and delivery, and can fix the hours
and topics before approving."""

import shutil
import tempfile

import time_machine
from django.core import mail
from django.test import override_settings

from muster.agencies.models import TrainingRecord
from muster.agencies.tests.test_recording import pdf, training_data
from muster.test import BaseTestCase

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA = tempfile.mkdtemp(prefix="muster-test-media-")


@override_settings(TASKS=IMMEDIATE, MEDIA_ROOT=MEDIA)
@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class SelfReportReviewTestCase(BaseTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.alice.email = "alice@riverton.example.org"
        self.alice.save()
        self.bob_person.email = "bob@riverton.example.org"
        self.bob_person.save()
        self.client.force_login(self.bob)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                "/my/training/new/",
                training_data(provider_kind="out-of-state", evidence=pdf()),
            )
        self.record = TrainingRecord.objects.get(title="Crisis intervention refresher")
        self.approvals = f"/agencies/{self.agency.code}/approvals/"

    def test_the_coordinators_are_told_a_self_report_waits(self) -> None:
        (message,) = mail.outbox
        self.assertEqual(message.to, ["alice@riverton.example.org"])
        self.assertIn("Bob Baker", message.subject)
        self.assertIn("Out-of-state, federal or other organisation", message.body)
        self.assertNotIn("out-of-state", message.body)

    def test_the_queue_shows_provider_kind_and_delivery(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.approvals)
        self.assertContains(page, "Out-of-state, federal or other organisation")
        self.assertContains(page, "Live (in person or live virtual)")
        self.assertContains(page, f"/training/{self.record.pk}/correct/")

    def test_the_coordinator_fixes_the_topics_then_approves(self) -> None:
        self.client.force_login(self.alice)
        fixed = training_data(
            hours="2", reason="Certificate shows 2 h of de-escalation"
        ) | {"lines-0-area": "skill-development"}
        response = self.client.post(f"/training/{self.record.pk}/correct/", fixed)
        self.assertRedirects(response, self.approvals)
        self.record.refresh_from_db()
        self.assertEqual(self.record.approval, "pending")
        line = self.record.credit_lines.get()
        self.assertEqual((line.hours, line.area), (2, "skill-development"))
        mail.outbox.clear()
        review = f"/agencies/{self.agency.code}/training/{self.record.pk}/review/"
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review, {"decision": "approve", "note": ""})
        (message,) = mail.outbox
        self.assertEqual(message.to, ["bob@riverton.example.org"])
        self.assertIn("approved", message.subject)
        self.assertIn("now count", message.body)

    def test_the_officer_is_told_of_a_rejection_and_why(self) -> None:
        self.client.force_login(self.alice)
        mail.outbox.clear()
        review = f"/agencies/{self.agency.code}/training/{self.record.pk}/review/"
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review, {"decision": "reject", "note": "No certificate"})
        (message,) = mail.outbox
        self.assertIn("not approved", message.subject)
        self.assertIn("No certificate", message.body)

    def test_a_refused_review_sends_nothing(self) -> None:
        self.client.force_login(self.alice)
        mail.outbox.clear()
        review = f"/agencies/{self.agency.code}/training/{self.record.pk}/review/"
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review, {"decision": "reject", "note": ""})
        self.assertEqual(mail.outbox, [])
