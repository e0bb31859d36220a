"""catalog.recommend: which courses count toward which open requirements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import time_machine
from django.test import TestCase

from muster import rules
from muster.agencies import compliance
from muster.agencies.models import Person
from muster.catalog.recommend import (
    CourseCredit,
    Gap,
    contributions,
    counts_toward_text,
    open_gaps,
)
from muster.catalog.tests.factories import make_course
from muster.plans.people import plan_for
from muster.test import BaseTestCase

ON = date(2026, 6, 1)
PERIOD = rules.Period(date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31))


def requirement(jurisdiction: str, requirement_id: str):
    mandate = rules.load_mandates().get(jurisdiction).mandates[0]
    return next(r for r in mandate.requirements if r.id == requirement_id)


def gap(requirement_id: str, missing: str = "1", state: str = "MO") -> Gap:
    return Gap(
        jurisdiction=state,
        state_name={"MO": "Missouri", "AL": "Alabama"}[state],
        discipline="peace-officer",
        requirement=requirement(state, requirement_id),
        label=requirement(state, requirement_id).label,
        missing=Decimal(missing),
        period=PERIOD,
    )


def credit(hours="1", area="interpersonal", topics=("implicit-bias",), state="MO"):
    return CourseCredit(state, Decimal(hours), area, frozenset(topics))


class ContributionsTestCase(TestCase):
    def test_a_topic_line_counts_toward_that_topic_and_its_area(self):
        found = contributions(
            [gap("implicit-bias"), gap("interpersonal", "2"), gap("legal", "2")],
            [credit()],
            ON,
        )
        self.assertEqual(
            [(c.gap.label, c.amount) for c in found],
            [("Implicit bias", 1), ("Interpersonal perspectives", 1)],
        )
        self.assertEqual(
            counts_toward_text(found),
            ["Implicit bias 1 h, Interpersonal perspectives 1 h — Missouri 2026"],
        )

    def test_it_counts_no_more_than_is_missing(self):
        found = contributions([gap("total", "0.5")], [credit(hours="2")], ON)
        self.assertEqual(found[0].amount, Decimal("0.5"))

    def test_credit_in_another_state_counts_for_nothing(self):
        self.assertEqual(
            contributions([gap("implicit-bias")], [credit(state="AL")], ON), []
        )

    def test_the_requirements_own_delivery_rule_refuses_online_hours(self):
        # Missouri's firearms hours must be live; an online course cannot give them.
        found = contributions(
            [gap("firearms")],
            [credit(area="skill-development", topics=("firearms",))],
            ON,
        )
        self.assertEqual(found, [])

    def test_a_provider_restricted_requirement_takes_approved_provider_hours(self):
        approved = contributions([gap("approved-provider")], [credit()], ON)
        other = contributions(
            [gap("approved-provider")],
            [CourseCredit("MO", Decimal(1), "legal", frozenset(), "in-service")],
            ON,
        )
        self.assertEqual(len(approved), 1)
        self.assertEqual(other, [])

    def test_a_capped_requirement_says_so(self):
        found = contributions([gap("total", "4", "AL")], [credit(state="AL")], ON)
        self.assertTrue(found[0].is_capped)
        self.assertIn("online hours capped", found[0].text())

    def test_a_closed_period_takes_nothing(self):
        self.assertEqual(
            contributions([gap("implicit-bias")], [credit()], date(2027, 6, 1)), []
        )


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
class PersonCoversTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bias = make_course("bias-basics", title="Bias Basics")
        self.telecom = make_course(
            "dispatch-bias", title="Dispatch Bias", audience=("telecommunicator",)
        )
        make_course("draft-bias", title="Draft Bias", is_published=False)
        make_course("future-bias", title="Future Bias", release_on=date(2027, 1, 1))

    def standings(self):
        person = (
            type(self.bob_person)
            .objects.prefetch_related(
                "licenses",
                "exemptions",
                "qualifications",
                "training_records__credit_lines",
            )
            .get(pk=self.bob_person.pk)
        )
        return compliance.standing_for(person, 2026, date(2026, 6, 1))

    def test_the_plan_takes_available_courses_written_for_the_officer(self):
        person = Person.objects.prefetch_related(*compliance.EVALUATION_PREFETCH).get(
            pk=self.bob_person.pk
        )
        found = plan_for(person, self.standings(), ON)
        titles = [option.title for option in found.plan.options]
        self.assertIn("Bias Basics", titles)
        self.assertNotIn("Dispatch Bias", titles)
        self.assertNotIn("Draft Bias", titles)
        self.assertIn("De-escalation", [n.label for n in found.still_open])

    def test_open_gaps_leave_out_met_requirements(self):
        labels = [g.label for g in open_gaps(self.standings())]
        self.assertIn("Implicit bias", labels)
        self.assertNotIn("Technical studies", labels)

    def test_the_person_page_shows_the_course_for_the_gap(self):
        self.client.force_login(self.bob)
        response = self.client.get(f"/people/{self.bob_person.pk}/")
        self.assertContains(response, "Cheapest way to close the gaps")
        self.assertContains(response, self.bias.get_absolute_url())
        self.assertNotContains(response, "Draft Bias")
        self.assertNotContains(response, "Future Bias")

    def test_the_officers_home_shows_it_too(self):
        self.client.force_login(self.bob)
        self.assertContains(self.client.get("/"), "Bias Basics")
