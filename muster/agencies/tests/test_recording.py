"""Recording training: single and class entry, corrections, voids, self-reports,
qualifications and exemptions, with access checks, audit entries and live status."""

import shutil
import tempfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from muster.agencies.models import Evidence, Exemption, Qualification, TrainingRecord
from muster.audit.log import history_for
from muster.test import BaseTestCase, make_person

# Stored standings must match a fresh evaluation after each test here.
pytestmark = pytest.mark.standings_check

MEDIA = tempfile.mkdtemp(prefix="muster-test-media-")


def training_data(hours: str = "8", **fields) -> dict:
    """A valid single-entry form post with one credit line."""
    data = {
        "title": "Crisis intervention refresher",
        "started_on": "",
        "completed_on": "2026-11-20",
        "provider_name": "Missouri Sheriffs' Association",
        "provider_kind": "approved-provider",
        "course_number": "MO-2026-114",
        "delivery": "live",
        "result": "",
        "counts_for": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "3",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-hours": hours,
        "lines-0-area": "interpersonal",
        "lines-0-topics": ["de-escalation"],
    }
    return data | fields


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", "application/pdf")


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class RecordingTestCase(BaseTestCase):
    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self) -> None:
        super().setUp()
        self.new_url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        )
        self.dashboard = f"/agencies/{self.agency.code}/"

    # Single entry

    def test_it_records_training_and_the_status_changes_at_once(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.dashboard), "4/24")
        response = self.client.post(
            self.new_url, training_data(evidence=pdf()), follow=True
        )
        self.assertContains(response, "Training saved for Bob Baker.")
        self.assertContains(
            response, "Total CLEE hours: 12 more hours needed by 31 December 2026."
        )
        self.assertContains(self.client.get(self.dashboard), "12/24")
        record = TrainingRecord.objects.get(title="Crisis intervention refresher")
        self.assertEqual(record.agency, self.agency)
        self.assertEqual(record.entered_by, self.alice)
        self.assertEqual(record.evidence.count(), 1)
        entry = history_for(record).get()
        self.assertEqual(entry.action, "training.create")
        self.assertEqual(entry.after["credit_lines"][0]["topics"], ["de-escalation"])

    def test_the_person_page_reads_every_history_in_one_query(self) -> None:
        self.client.force_login(self.alice)
        url = f"/people/{self.bob_person.pk}/"
        self.client.post(self.new_url, training_data())
        with CaptureQueriesContext(connection) as with_one:
            self.assertContains(self.client.get(url), "History (1 change)", count=1)
        for number in range(3):
            self.client.post(self.new_url, training_data(title=f"Course {number}"))
        with CaptureQueriesContext(connection) as with_four:
            self.assertContains(self.client.get(url), "History (1 change)", count=4)
        self.assertEqual(len(with_four), len(with_one))

    def test_it_shows_errors_next_to_the_field(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            self.new_url,
            training_data(title="", started_on="2026-12-01", **{"lines-0-hours": ""}),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_title_error"')
        self.assertContains(response, "The start cannot be after the completion.")
        self.assertContains(response, "Enter the hours for this line.")
        self.assertFalse(TrainingRecord.objects.filter(title="").exists())

    def test_it_refuses_training_or_a_qualification_dated_after_today(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            self.new_url, training_data(completed_on="2026-11-28")
        )
        self.assertContains(response, 'id="id_completed_on_error"')
        self.assertContains(response, "This date is in the future")
        url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/qualifications/new/"
        data = {
            "qualified_on": "2026-11-28",
            "weapon_type": "Handgun",
            "result": "pass",
        }
        self.assertContains(self.client.post(url, data), 'id="id_qualified_on_error"')
        self.client.post(self.new_url, training_data(completed_on="2026-11-27"))
        self.assertEqual(
            TrainingRecord.objects.filter(title__contains="Crisis").count(), 1
        )
        self.assertFalse(Qualification.objects.exists())

    def test_it_refuses_a_line_without_hours_and_a_bad_upload(self) -> None:
        self.client.force_login(self.alice)
        data = training_data(evidence=SimpleUploadedFile("x.exe", b"MZ"))
        data.update({"lines-0-hours": "", "lines-0-area": "", "lines-0-topics": []})
        response = self.client.post(self.new_url, data)
        self.assertContains(response, "Enter the hours of at least one credit line.")
        self.assertContains(response, "Upload a PDF or a photo")

    def test_it_lets_only_a_coordinator_of_a_current_employer_record(self) -> None:
        for user in (self.dana, self.sam, self.harold, self.bob, self.charlie):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.new_url).status_code, 404)
            self.assertEqual(
                self.client.post(self.new_url, training_data()).status_code, 404
            )
        other = f"/agencies/{self.agency.code}/people/{self.charlie_person.pk}/training/new/"
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(other).status_code, 404)
        self.assertEqual(TrainingRecord.objects.count(), 2)

    # Class entry

    def test_it_records_a_class_for_every_attendee_with_the_sheet(self) -> None:
        carol = make_person("Carol", "Cruz", self.agency)
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/classes/new/"
        self.assertContains(self.client.get(url), "Cruz, Carol")
        data = training_data(
            attendees=[self.bob_person.pk, carol.pk],
            sheet=pdf("sign-in.pdf"),
            confirm="1",
        )
        response = self.client.post(url, data, follow=True)
        self.assertContains(response, "Class saved for 2 attendees.")
        records = TrainingRecord.objects.filter(title="Crisis intervention refresher")
        self.assertEqual(records.count(), 2)
        names = set(Evidence.objects.filter(record__in=records).values_list("file"))
        self.assertEqual(len(names), 1)
        for record in records:
            self.assertEqual(record.source, "classroom")
            self.assertEqual(
                history_for(record).get().reason, "Class entry: 2 attendees"
            )

    def test_a_class_is_saved_only_once_the_names_are_confirmed(self) -> None:
        carol = make_person("Carol", "Cruz", self.agency)
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/classes/new/"
        data = training_data(attendees=[self.bob_person.pk, carol.pk])
        review = self.client.post(url, data)
        self.assertContains(review, "Check before saving")
        self.assertContains(review, "Baker, Bob")
        self.assertContains(review, "Cruz, Carol")
        self.assertContains(review, "Save for these 2 people")
        carried = f'<input type="hidden" name="attendees" value="{carol.pk}">'
        self.assertContains(review, carried)
        self.assertContains(review, 'name="sheet"')
        self.assertFalse(TrainingRecord.objects.filter(title=data["title"]).exists())
        back = self.client.post(url, data | {"edit": "1"})
        self.assertContains(back, "Check the names")
        self.assertFalse(TrainingRecord.objects.filter(title=data["title"]).exists())
        self.client.post(url, data | {"confirm": "1"})
        self.assertEqual(TrainingRecord.objects.filter(title=data["title"]).count(), 2)

    def test_it_refuses_a_class_without_attendees_or_with_outsiders(self) -> None:
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/classes/new/"
        self.assertContains(
            self.client.post(url, training_data()), "This field is required."
        )
        response = self.client.post(
            url, training_data(attendees=[self.charlie_person.pk])
        )
        self.assertContains(response, "Select a valid choice.")
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(url).status_code, 404)

    # Corrections and voids

    def test_it_corrects_a_record_keeping_the_old_version(self) -> None:
        self.client.force_login(self.alice)
        url = f"/training/{self.bob_record.pk}/correct/"
        self.assertContains(self.client.get(url), 'value="Patrol procedures"')
        missing_reason = self.client.post(url, training_data(hours="6"))
        self.assertContains(missing_reason, 'id="id_reason_error"')
        self.client.post(url, training_data(hours="6", reason="Hours were 6, not 4"))
        self.bob_record.refresh_from_db()
        self.assertEqual(self.bob_record.total_hours, 6)
        entry = history_for(self.bob_record).get(action="training.correct")
        self.assertEqual(entry.reason, "Hours were 6, not 4")
        self.assertEqual(entry.before["title"], "Patrol procedures")
        self.assertEqual(entry.before["credit_lines"][0]["hours"], "4.00")
        self.assertEqual(entry.after["credit_lines"][0]["hours"], "6.00")
        page = self.client.get(f"/people/{self.bob_person.pk}/")
        self.assertContains(page, "training.correct by alice: Hours were 6, not 4")

    def test_it_voids_a_record_with_a_reason_and_stops_counting_it(self) -> None:
        self.client.force_login(self.alice)
        url = f"/training/{self.bob_record.pk}/void/"
        self.assertContains(
            self.client.post(url, {"reason": " "}), "This field is required."
        )
        self.client.post(url, {"reason": "Entered for the wrong officer"})
        self.bob_record.refresh_from_db()
        self.assertTrue(self.bob_record.is_void)
        self.assertContains(self.client.get(self.dashboard), "0/24")
        entry = history_for(self.bob_record).get(action="training.void")
        self.assertEqual(entry.reason, "Entered for the wrong officer")
        self.assertFalse(entry.before["is_void"])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_lets_only_the_entering_agency_correct_or_void(self) -> None:
        for user in (self.dana, self.sam, self.harold, self.bob):
            self.client.force_login(user)
            for action in ("correct", "void"):
                url = f"/training/{self.bob_record.pk}/{action}/"
                self.assertEqual(self.client.get(url).status_code, 404, user)
        self.assertEqual(len(history_for(self.bob_record)), 0)

    # Self-reported training and approval

    def test_an_officer_reports_training_that_counts_once_approved(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.post(
            "/my/training/new/", training_data(evidence=pdf()), follow=True
        )
        self.assertContains(response, "counts once approved")
        record = TrainingRecord.objects.get(title="Crisis intervention refresher")
        self.assertEqual((record.approval, record.source), ("pending", "self-reported"))
        self.assertEqual(record.agency, self.agency)

        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.dashboard), "4/24")
        queue = self.client.get(f"/agencies/{self.agency.code}/approvals/")
        self.assertContains(queue, "Crisis intervention refresher")
        review = f"/agencies/{self.agency.code}/training/{record.pk}/review/"
        self.client.post(review, {"decision": "approve", "note": ""})
        record.refresh_from_db()
        self.assertEqual(
            (record.approval, record.reviewed_by), ("approved", self.alice)
        )
        self.assertContains(self.client.get(self.dashboard), "12/24")
        self.assertTrue(history_for(record).filter(action="training.approve").exists())

    def test_a_rejection_needs_a_note_and_only_the_coordinator_reviews(self) -> None:
        self.client.force_login(self.bob)
        no_proof = self.client.post("/my/training/new/", training_data())
        self.assertContains(no_proof, 'id="id_evidence_error"')
        self.client.post("/my/training/new/", training_data(evidence=pdf()))
        record = TrainingRecord.objects.get(approval="pending")
        review = f"/agencies/{self.agency.code}/training/{record.pk}/review/"
        for user in (self.bob, self.sam, self.dana, self.harold):
            self.client.force_login(user)
            self.assertEqual(
                self.client.post(review, {"decision": "approve"}).status_code, 404
            )
        self.client.force_login(self.alice)
        response = self.client.post(
            review, {"decision": "reject", "note": ""}, follow=True
        )
        self.assertContains(response, "Say why, so the officer can fix it.")
        self.client.post(review, {"decision": "reject", "note": "No certificate"})
        record.refresh_from_db()
        self.assertEqual(
            (record.approval, record.review_note), ("rejected", "No certificate")
        )

    def test_people_without_a_person_cannot_self_report(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/my/training/new/").status_code, 404)

    # Qualifications

    def test_it_records_a_qualification(self) -> None:
        url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/qualifications/new/"
        self.client.force_login(self.alice)
        data = {
            "qualified_on": "2026-10-02",
            "weapon_type": "Handgun",
            "course_of_fire": "MO POST day",
            "score": "92",
            "result": "pass",
            "instructor": "Sgt. Ruiz",
        }
        self.assertContains(
            self.client.post(url, data | {"weapon_type": ""}),
            'id="id_weapon_type_error"',
        )
        self.client.post(url, data)
        qualification = Qualification.objects.get()
        self.assertEqual(qualification.entered_by, self.alice)
        self.assertEqual(
            history_for(qualification).get().action, "qualification.create"
        )
        self.assertContains(
            self.client.get(f"/people/{self.bob_person.pk}/"), "Sgt. Ruiz"
        )
        self.client.force_login(self.sam)
        self.assertEqual(self.client.post(url, data).status_code, 404)

    # Exemptions

    def test_a_coordinator_proposes_and_the_head_approves_an_exemption(self) -> None:
        url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/exemptions/new/"
        )
        data = {
            "kind": "waiver",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "reason": "Military leave",
        }
        self.client.force_login(self.alice)
        bad = self.client.post(url, data | {"ends_on": "2025-01-01", "reason": ""})
        self.assertContains(bad, "An exemption cannot end before it starts.")
        self.assertContains(bad, 'id="id_reason_error"')
        self.client.post(url, data)
        exemption = Exemption.objects.get()
        self.assertEqual(
            (exemption.approval, exemption.proposed_by), ("pending", self.alice)
        )
        self.assertNotContains(self.client.get(self.dashboard), "1 exempt")

        decide = f"/agencies/{self.agency.code}/exemptions/{exemption.pk}/decide/"
        self.assertEqual(
            self.client.post(decide, {"decision": "approve"}).status_code, 404
        )
        self.client.force_login(self.harold)
        self.assertContains(
            self.client.get(f"/agencies/{self.agency.code}/approvals/"),
            "Military leave",
        )
        self.client.post(decide, {"decision": "approve", "note": ""})
        exemption.refresh_from_db()
        self.assertEqual(
            (exemption.approval, exemption.approved_by), ("approved", self.harold)
        )
        self.assertContains(self.client.get(self.dashboard), "1 exempt")
        actions = list(history_for(exemption).values_list("action", flat=True))
        self.assertEqual(actions, ["exemption.propose", "exemption.approve"])

    # Evidence

    def test_it_serves_evidence_only_to_those_who_read_the_record(self) -> None:
        self.client.force_login(self.alice)
        self.client.post(self.new_url, training_data(evidence=pdf()))
        evidence = Evidence.objects.get()
        url = f"/evidence/{evidence.pk}/"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"%PDF-1.4 test")
        for user in (self.dana, self.charlie, self.tess):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
