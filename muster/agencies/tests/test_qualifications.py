"""Correcting and voiding firearms qualifications: access, audit entries, the person
page and the engine, which stops counting a void qualification at once."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies import actions, compliance
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, Qualification
from muster.audit.log import history_for
from muster.test import BaseTestCase, make_person, make_user

VALID = {
    "qualified_on": "2026-10-02",
    "weapon_type": "Handgun",
    "course_of_fire": "MO POST day",
    "score": "88",
    "result": "pass",
    "instructor": "Sgt. Ruiz",
}


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class QualificationChangesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.qualification = Qualification.objects.create(
            person=self.bob_person,
            agency=self.agency,
            entered_by=self.alice,
            qualified_on=date(2026, 10, 2),
            weapon_type="Handgun",
            course_of_fire="MO POST day",
            score="92",
            result="pass",
            instructor="Sgt. Ruiz",
        )
        code, pk = self.agency.code, self.qualification.pk
        self.correct_url = f"/agencies/{code}/qualifications/{pk}/correct/"
        self.void_url = f"/agencies/{code}/qualifications/{pk}/void/"
        self.person_url = f"/people/{self.bob_person.pk}/"

    # Corrections

    def test_it_corrects_a_qualification_keeping_the_old_version(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.correct_url), 'value="Handgun"')
        response = self.client.post(
            self.correct_url, VALID | {"reason": "Score misread"}, follow=True
        )
        self.assertContains(response, "Correction saved")
        self.qualification.refresh_from_db()
        self.assertEqual(self.qualification.score, 88)
        entry = history_for(self.qualification).get(action="qualification.correct")
        self.assertEqual(entry.reason, "Score misread")
        self.assertEqual(entry.actor, self.alice)
        self.assertEqual(entry.before["score"], "92.00")
        self.assertEqual(entry.after["score"], "88.00")
        self.assertContains(
            self.client.get(self.person_url),
            "qualification.correct by alice: Score misread",
        )

    def test_a_correction_needs_a_reason_shown_next_to_the_field(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(self.correct_url, VALID | {"reason": " "})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="id_reason_error"')
        bad = self.client.post(self.correct_url, VALID | {"weapon_type": ""})
        self.assertContains(bad, 'id="id_weapon_type_error"')
        self.qualification.refresh_from_db()
        self.assertEqual(self.qualification.score, 92)
        self.assertFalse(history_for(self.qualification).exists())

    # Voids

    def test_it_voids_a_qualification_with_a_reason(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.post(self.void_url, {"reason": " "}), 'id="id_reason_error"'
        )
        self.client.post(self.void_url, {"reason": "Wrong officer"})
        self.qualification.refresh_from_db()
        self.assertTrue(self.qualification.is_void)
        self.assertEqual(self.qualification.void_reason, "Wrong officer")
        entry = history_for(self.qualification).get(action="qualification.void")
        self.assertEqual(entry.reason, "Wrong officer")
        self.assertFalse(entry.before["is_void"])
        self.assertTrue(entry.after["is_void"])
        page = self.client.get(self.person_url)
        self.assertContains(page, '<tr class="void">', html=False)
        self.assertContains(page, "Wrong officer")
        self.assertNotContains(page, self.void_url)
        self.assertEqual(self.client.get(self.void_url).status_code, 404)
        self.assertEqual(self.client.get(self.correct_url).status_code, 404)

    def test_voiding_twice_is_refused_with_a_clear_message(self) -> None:
        actions.void_qualification(
            actor=self.alice, qualification=self.qualification, reason="Wrong officer"
        )
        with pytest.raises(ValueError, match="already void"):
            actions.void_qualification(
                actor=self.alice, qualification=self.qualification, reason="Again"
            )
        with pytest.raises(ValueError, match="needs a reason"):
            actions.correct_qualification(
                actor=self.alice,
                qualification=self.qualification,
                fields={},
                reason="",
            )
        self.assertEqual(history_for(self.qualification).count(), 1)

    # Access

    def test_the_person_page_offers_correct_and_void_only_to_the_coordinator(
        self,
    ) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.person_url)
        self.assertContains(page, self.correct_url)
        self.assertContains(page, self.void_url)
        for user in (self.harold, self.sam, self.bob):
            self.client.force_login(user)
            page = self.client.get(self.person_url)
            self.assertContains(page, "Sgt. Ruiz")
            self.assertNotContains(page, self.correct_url)
            self.assertNotContains(page, self.void_url)

    def test_auditor_head_and_officer_cannot_write(self) -> None:
        for user in (self.harold, self.sam, self.bob, self.dana, self.charlie):
            self.client.force_login(user)
            for url, data in (
                (self.correct_url, VALID | {"reason": "x"}),
                (self.void_url, {"reason": "x"}),
            ):
                self.assertEqual(self.client.get(url).status_code, 404, user)
                self.assertEqual(self.client.post(url, data).status_code, 404, user)
        self.qualification.refresh_from_db()
        self.assertFalse(self.qualification.is_void)
        self.assertEqual(self.qualification.score, 92)
        self.assertFalse(history_for(self.qualification).exists())

    def test_another_agencys_qualification_is_a_404(self) -> None:
        charlies = Qualification.objects.create(
            person=self.charlie_person,
            agency=self.other_agency,
            qualified_on=date(2026, 5, 1),
            weapon_type="Rifle",
            result="pass",
        )
        self.client.force_login(self.alice)
        for code in (self.agency.code, self.other_agency.code):
            for action, data in (
                ("correct", VALID | {"reason": "x"}),
                ("void", {"reason": "x"}),
            ):
                url = f"/agencies/{code}/qualifications/{charlies.pk}/{action}/"
                self.assertEqual(self.client.get(url).status_code, 404, url)
                self.assertEqual(self.client.post(url, data).status_code, 404, url)
        # Alice's own qualification under Oakdale's code is refused too.
        own_elsewhere = self.void_url.replace(self.agency.code, self.other_agency.code)
        self.assertEqual(
            self.client.post(own_elsewhere, {"reason": "x"}).status_code, 404
        )
        charlies.refresh_from_db()
        self.assertFalse(charlies.is_void)
        self.assertFalse(history_for(charlies).exists())

    def test_a_coordinator_of_both_agencies_must_use_the_entering_agencys_code(
        self,
    ) -> None:
        both = make_user(
            "bea",
            (Role.COORDINATOR, self.agency),
            (Role.COORDINATOR, self.other_agency),
        )
        self.client.force_login(both)
        wrong = self.void_url.replace(self.agency.code, self.other_agency.code)
        self.assertEqual(self.client.post(wrong, {"reason": "x"}).status_code, 404)
        self.assertEqual(self.client.get(self.void_url).status_code, 200)

    def test_a_qualification_another_agency_entered_is_read_but_not_changed(
        self,
    ) -> None:
        # Bob qualified at Oakdale's range before joining: Riverton reads it, as his
        # current employer, but only Oakdale may correct or void it.
        oakdales = Qualification.objects.create(
            person=self.bob_person,
            agency=self.other_agency,
            qualified_on=date(2026, 3, 1),
            weapon_type="Shotgun",
            result="pass",
        )
        self.client.force_login(self.alice)
        page = self.client.get(self.person_url)
        self.assertContains(page, "Shotgun")
        for code in (self.agency.code, self.other_agency.code):
            url = f"/agencies/{code}/qualifications/{oakdales.pk}/void/"
            self.assertNotContains(page, url)
            self.assertEqual(self.client.post(url, {"reason": "x"}).status_code, 404)
        oakdales.refresh_from_db()
        self.assertFalse(oakdales.is_void)


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class AlabamaQualificationTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.al_agency = Agency.objects.create(
            name="Cullman Police Department",
            code="cullman-pd",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="AL",
        )
        self.avery = make_person("Avery", "Adams", self.al_agency, state="AL")
        self.coordinator = make_user("alma", (Role.COORDINATOR, self.al_agency))

    def firearms(self) -> str:
        [standing] = compliance.standing_for(self.avery, 2026, timezone.localdate())
        [mandate] = standing.mandates
        [requirement] = [
            r for r in mandate.result.requirements if r.id == "firearms-qualification"
        ]
        return requirement.status

    def test_voiding_the_only_pass_makes_the_qualification_missing(self) -> None:
        self.client.force_login(self.coordinator)
        new = f"/agencies/{self.al_agency.code}/people/{self.avery.pk}/qualifications/new/"
        self.client.post(new, VALID)
        qualification = Qualification.objects.get(person=self.avery)
        self.assertEqual(self.firearms(), "met")
        void = (
            f"/agencies/{self.al_agency.code}/qualifications/{qualification.pk}/void/"
        )
        response = self.client.post(void, {"reason": "Range card misfiled"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.firearms(), "missing")
