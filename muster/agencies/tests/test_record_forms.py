"""The recording forms refuse what cannot be a real record, next to the field:
days before 1950 or after today, make-up outside a make-up window, negative scores,
a range day entered twice, a waiver of a requirement the person does not owe.
History entries show when each change was made."""

import time_machine
from django.core.exceptions import ValidationError

from muster.agencies import actions
from muster.agencies.models import Exemption, Qualification, TrainingRecord
from muster.agencies.tests.test_recording import training_data
from muster.test import BaseTestCase


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class TrainingDatesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        )
        self.client.force_login(self.alice)
        self.before = TrainingRecord.objects.count()

    def assert_refused(self, data: dict, field: str, message: str) -> None:
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'id="id_{field}_error"')
        self.assertContains(response, message)
        self.assertEqual(TrainingRecord.objects.count(), self.before)

    def test_it_refuses_a_completion_before_1950(self) -> None:
        self.assert_refused(
            training_data(completed_on="1901-01-01"),
            "completed_on",
            "This date is before 1950; check the year.",
        )

    def test_it_refuses_a_start_before_1950(self) -> None:
        self.assert_refused(
            training_data(started_on="1949-12-31"),
            "started_on",
            "This date is before 1950",
        )

    def test_it_refuses_make_up_for_1990(self) -> None:
        self.assert_refused(
            training_data(completed_on="2026-02-01", counts_for="1990"),
            "counts_for",
            "Bob Baker&#x27;s rules allow no make-up for 1990",
        )

    def test_it_refuses_make_up_completed_after_the_grace_window(self) -> None:
        # Missouri's make-up window for 2025 closes on 15 March 2026.
        self.assert_refused(
            training_data(completed_on="2026-06-01", counts_for="2025"),
            "counts_for",
            "Make-up for 2025 ends on 15 March 2026",
        )

    def test_it_refuses_make_up_for_a_year_before_1950(self) -> None:
        self.assert_refused(
            training_data(completed_on="2026-02-01", counts_for="1901"),
            "counts_for",
            "1901 is before 1950",
        )

    def test_it_saves_make_up_inside_the_grace_window(self) -> None:
        self.client.post(
            self.url, training_data(completed_on="2026-03-01", counts_for="2025")
        )
        record = TrainingRecord.objects.get(title="Crisis intervention refresher")
        self.assertEqual(record.counts_for, 2025)

    def test_the_recording_action_refuses_a_day_before_1950_too(self) -> None:
        fields = {"title": "Typo", "completed_on": "1901-01-01"}
        with self.assertRaisesMessage(ValidationError, "before 1950"):
            actions.record_training(
                actor=self.alice,
                person=self.bob_person,
                agency=self.agency,
                fields=fields,
                lines=[{"hours": 1, "area": "legal", "topics": []}],
            )
        self.assertEqual(TrainingRecord.objects.count(), self.before)


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class QualificationChecksTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}"
            "/qualifications/new/"
        )
        self.data = {
            "qualified_on": "2026-05-01",
            "weapon_type": "Handgun",
            "course_of_fire": "MO POST handgun",
            "score": "92",
            "result": "pass",
            "instructor": "Range officer",
        }
        self.client.force_login(self.alice)

    def test_it_refuses_a_negative_score(self) -> None:
        response = self.client.post(self.url, self.data | {"score": "-50"})
        self.assertContains(response, 'id="id_score_error"')
        self.assertContains(response, "A score cannot be negative.")
        self.assertFalse(Qualification.objects.exists())

    def test_it_refuses_a_qualification_before_1950(self) -> None:
        response = self.client.post(
            self.url, self.data | {"qualified_on": "1901-01-01"}
        )
        self.assertContains(response, 'id="id_qualified_on_error"')
        self.assertFalse(Qualification.objects.exists())

    def test_it_refuses_the_same_range_day_twice(self) -> None:
        self.client.post(self.url, self.data)
        again = self.client.post(self.url, self.data | {"weapon_type": "handgun "})
        self.assertContains(again, 'id="id_qualified_on_error"')
        self.assertContains(again, "already on file")
        self.assertEqual(Qualification.objects.count(), 1)
        # Another weapon the same day is a separate qualification.
        self.client.post(self.url, self.data | {"weapon_type": "Patrol rifle"})
        self.assertEqual(Qualification.objects.count(), 2)

    def test_the_action_refuses_the_same_range_day_twice(self) -> None:
        fields = {
            "qualified_on": self.data["qualified_on"],
            "weapon_type": "Handgun",
            "course_of_fire": "MO POST handgun",
            "result": "pass",
        }
        record = {"actor": self.alice, "person": self.bob_person, "agency": self.agency}
        actions.record_qualification(**record, fields=fields)
        with self.assertRaisesMessage(ValidationError, "already on file"):
            actions.record_qualification(**record, fields=fields)
        self.assertEqual(Qualification.objects.count(), 1)


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class ExemptionRequirementsTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/exemptions/new/"
        )
        self.data = {
            "kind": "extension",
            "starts_on": "2026-01-01",
            "ends_on": "2027-02-28",
            "reason": "Medical leave",
        }
        self.client.force_login(self.alice)

    def test_it_offers_the_persons_requirements_by_name(self) -> None:
        page = self.client.get(self.url)
        self.assertContains(page, 'value="firearms"')
        self.assertContains(page, "Skill development - firearms (live)")
        self.assertContains(page, "Missouri")

    def test_it_refuses_a_requirement_the_person_does_not_owe(self) -> None:
        response = self.client.post(self.url, self.data | {"requirements": "firarms"})
        self.assertContains(response, 'id="id_requirements_error"')
        self.assertContains(
            response, "firarms is not one of this person&#x27;s requirements."
        )
        self.assertFalse(Exemption.objects.exists())

    def test_it_applies_exactly_the_ticked_requirements(self) -> None:
        self.client.post(
            self.url, self.data | {"requirements": ["firearms", "implicit-bias"]}
        )
        exemption = Exemption.objects.get()
        self.assertEqual(sorted(exemption.requirements), ["firearms", "implicit-bias"])


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class HistoryDatesTestCase(BaseTestCase):
    def test_each_history_entry_shows_when_it_happened(self) -> None:
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        self.client.post(url, training_data())
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertContains(page, '<time datetime="2026-11-27T12:00:00+00:00">')
        self.assertContains(page, "2026-11-27 12:00</time>")
        self.assertNotContains(page, '<time datetime="">')


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class OfficerHomeTestCase(BaseTestCase):
    def test_the_officers_home_shows_their_status_per_mandate(self) -> None:
        self.client.force_login(self.bob)
        home = self.client.get("/")
        self.assertContains(
            home, "Missouri peace officer continuing law enforcement education"
        )
        self.assertContains(home, '<span class="status status-at-risk">at risk</span>')
        self.assertContains(home, "Due 31 December 2026")
        self.assertContains(home, "Total CLEE hours: 20 more hours needed")
