"""A license's own dates (first appointment in the role, the latest break in
service) reach the engine on the person page and in stored standings alike."""

from datetime import date

import pytest
import time_machine
from django.db import IntegrityError

from muster.agencies import compliance
from muster.agencies.compliance import figures
from muster.agencies.models import License
from muster.agencies.tests.helpers import make_person
from muster.test import BaseTestCase


def test_a_texas_chief_owes_the_new_chief_program_from_the_appointment(db):
    chief = make_person(
        state="TX",
        discipline="chief",
        licensed_on=date(2010, 1, 1),
        appointed_on=date(2022, 3, 15),
    )
    (result,) = compliance.evaluate_person(chief, "TX", 2023, date(2024, 3, 16))
    program = result.requirement("new-chief-program")
    assert program.status == "missing"
    assert program.period.start == date(2022, 3, 15)
    assert program.period.due_on == date(2024, 3, 15)
    (standing,) = [
        s
        for s in figures.evaluate_figures([chief.pk], [2023])[0]
        if s.mandate_id == result.mandate
    ]
    stored = {r["id"] for r in standing.requirements}
    assert "new-chief-program" in stored


def test_a_texas_chief_without_the_date_is_told_to_enter_it(db):
    chief = make_person(state="TX", discipline="chief", licensed_on=date(2010, 1, 1))
    (result,) = compliance.evaluate_person(chief, "TX", 2023, date(2024, 3, 16))
    assert "new-chief-program" not in {r.id for r in result.requirements}
    assert any(
        "no date of first appointment as chief recorded" in n for n in result.notes
    )


def test_a_florida_officer_without_a_certification_date_is_told_to_enter_it(db):
    officer = make_person(state="FL", licensed_on=None)
    (result,) = compliance.evaluate_person(officer, "FL", 2024, date(2025, 1, 1))
    assert result.status == "not-encoded"
    assert any(
        "no certification date recorded: enter it to evaluate" in w
        for w in result.warnings
    )
    assert not any("NO RULES ENCODED" in w for w in result.warnings)


def test_a_mississippi_officer_back_after_a_break_owes_the_refresher(db):
    officer = make_person(
        state="MS",
        licensed_on=date(2015, 1, 1),
        separated_on=date(2022, 9, 30),
        returned_on=date(2024, 10, 1),
    )
    (result,) = compliance.evaluate_person(officer, "MS", 2025, date(2026, 1, 31))
    assert result.requirement("refresher-skills-law").status == "missing"
    assert result.requirement("refresher-course").status == "not-applicable"


def test_a_florida_officer_back_after_more_than_four_years_owes_the_equivalency_of_training(
    db,
):
    officer = make_person(
        state="FL",
        licensed_on=date(2010, 3, 1),
        separated_on=date(2021, 1, 1),
        returned_on=date(2025, 6, 1),
    )
    (result,) = compliance.evaluate_person(officer, "FL", 2025, date(2026, 1, 31))
    proficiency = result.requirement("eot-proficiency")
    assert proficiency.status == "missing"
    assert proficiency.period.start == date(2021, 1, 1)
    assert proficiency.period.due_on == date(2025, 6, 1)
    assert result.requirement("eot-exam").status == "missing"
    assert result.requirement("basic-recruit-academy").status == "not-applicable"
    (standing,) = [
        s
        for s in figures.evaluate_figures([officer.pk], [2025])[0]
        if s.mandate_id == result.mandate
    ]
    assert {"eot-proficiency", "eot-exam"} <= {r["id"] for r in standing.requirements}


def test_a_break_cannot_end_before_it_starts(db):
    with pytest.raises(IntegrityError):
        make_person(
            state="MS", separated_on=date(2024, 10, 1), returned_on=date(2022, 9, 30)
        )


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class PersonPageTestCase(BaseTestCase):
    def test_the_person_page_says_to_enter_a_missing_certification_date(self) -> None:
        License.objects.create(
            person=self.bob_person, jurisdiction="FL", discipline="peace-officer"
        )
        self.client.force_login(self.alice)
        page = self.client.get(f"/people/{self.bob_person.pk}/")
        self.assertContains(
            page, "no certification date recorded: enter it to evaluate"
        )
        self.assertNotContains(page, "NO RULES ENCODED for the period")

    def test_the_person_page_shows_the_florida_reactivation_steps_and_their_sources(
        self,
    ) -> None:
        License.objects.create(
            person=self.bob_person,
            jurisdiction="FL",
            discipline="peace-officer",
            licensed_on=date(2010, 3, 1),
            separated_on=date(2021, 1, 1),
            returned_on=date(2025, 6, 1),
        )
        self.client.force_login(self.alice)
        page = self.client.get(f"/people/{self.bob_person.pk}/")
        self.assertContains(page, "Equivalency of Training, high-liability proficiency")
        self.assertContains(page, "FDLE Equivalency of Training (previously certified")
        self.assertContains(page, "State Officer Certification Examination passed")
