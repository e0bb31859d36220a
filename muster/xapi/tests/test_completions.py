"""Completion statements become training records once their activity is mapped."""

from __future__ import annotations

from decimal import Decimal

from muster.agencies.choices import RecordSource
from muster.agencies.models import TrainingRecord
from muster.audit.models import AuditEntry
from muster.learning.tests.helpers import make_course
from muster.test import BaseTestCase
from muster.xapi.models import ActivityMapping
from muster.xapi.tests.helpers import LRS, make_lrs_client, statement

COMPLETED = {"id": "http://adlnet.gov/expapi/verbs/completed"}
ACTIVITY = "https://vendor.example/courses/de-escalation"


class CompletionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.page = f"/agencies/{self.agency.code}/xapi/"

    def send(self, **changes):
        changes.setdefault("verb", COMPLETED)
        changes.setdefault("result", {"duration": "PT2H", "completion": True})
        changes.setdefault("timestamp", "2026-03-05T10:00:00Z")
        response = self.lrs.post(statement(**changes))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()[0]

    def xapi_records(self):
        return TrainingRecord.objects.filter(source=RecordSource.XAPI)

    def test_an_unmapped_completion_waits_and_is_recorded_once_mapped(self) -> None:
        statement_id = self.send()
        self.assertFalse(self.xapi_records().exists())
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.page), ACTIVITY)
        mapping = ActivityMapping.objects.get(agency=self.agency, activity_id=ACTIVITY)
        self.assertEqual(mapping.name, "De-escalation")
        response = self.client.post(
            f"{self.page}activities/{mapping.pk}/",
            {"hours": "2", "area": "interpersonal", "topics": "de-escalation"},
        )
        self.assertEqual(response.status_code, 302)
        record = self.xapi_records().get()
        self.assertEqual(record.person, self.bob_person)
        self.assertEqual(record.agency, self.agency)
        self.assertEqual(str(record.completed_on), "2026-03-05")
        self.assertEqual(record.entered_by, self.alice)
        line = record.credit_lines.get()
        self.assertEqual((line.hours, line.area), (Decimal("2.00"), "interpersonal"))
        evidence = record.evidence.get()
        self.assertIn(statement_id.encode(), evidence.file.read())
        self.assertTrue(
            AuditEntry.objects.filter(
                action="training.create", object_id=str(record.pk)
            ).exists()
        )
        # Later completions of the mapped activity are recorded on arrival.
        self.send(timestamp="2026-06-05T10:00:00Z")
        problems = list(mapping.completions.values_list("problem", flat=True))
        self.assertEqual(self.xapi_records().count(), 2, problems)

    def test_a_course_mapping_credits_the_courses_state_hours(self) -> None:
        course = make_course()
        self.send()
        mapping = ActivityMapping.objects.get(agency=self.agency)
        self.client.force_login(self.alice)
        self.client.post(f"{self.page}activities/{mapping.pk}/", {"course": course.pk})
        line = self.xapi_records().get().credit_lines.get()
        self.assertEqual(
            (line.hours, line.topics), (Decimal("1.00"), ["implicit-bias"])
        )

    def test_statements_that_are_not_completions_make_no_record(self) -> None:
        self.send(result={"completion": True})  # completed without a duration
        self.send(verb={"id": "http://adlnet.gov/expapi/verbs/attempted"})
        self.assertFalse(ActivityMapping.objects.exists())

    def test_cmi5_satisfied_is_a_completion(self) -> None:
        self.send(verb={"id": "https://w3id.org/xapi/adl/verbs/satisfied"}, result={})
        self.assertTrue(ActivityMapping.objects.filter(activity_id=ACTIVITY).exists())

    def test_an_actor_who_is_not_on_staff_gets_no_record_and_a_reason(self) -> None:
        self.send(actor={"mbox": "mailto:charlie@example.org"})  # Oakdale's officer
        mapping = ActivityMapping.objects.get()
        self.client.force_login(self.alice)
        self.client.post(f"{self.page}activities/{mapping.pk}/", {"hours": "2"})
        self.assertFalse(self.xapi_records().exists())
        self.assertIn("No officer", mapping.completions.get().problem)

    def test_a_mapping_needs_a_course_or_hours(self) -> None:
        self.send()
        mapping = ActivityMapping.objects.get()
        self.client.force_login(self.alice)
        response = self.client.post(
            f"{self.page}activities/{mapping.pk}/", {"area": "technical"}
        )
        self.assertContains(response, "Choose a course, or give the hours")
        self.assertFalse(ActivityMapping.objects.get().is_mapped)

    def test_a_coordinator_creates_and_revokes_a_client(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(f"{self.page}clients/", {"name": "Range LMS"})
        secret = response.context["new_secret"]
        lrs = LRS(secret["client"].key, secret["secret"])
        self.assertEqual(lrs.get().status_code, 200)
        self.client.post(f"{self.page}clients/{secret['client'].pk}/revoke/")
        self.assertEqual(lrs.get().status_code, 401)
        self.assertNotEqual(secret["client"].secret_hash, secret["secret"])
