"""A person's plan on the pages: the cheapest choice, its cost, and why each course."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from unittest import mock

import time_machine

from muster.agencies import compliance
from muster.agencies.models import License, Person
from muster.catalog.tests.factories import make_course
from muster.plans import people
from muster.plans.models import Offering, OfferingCredit
from muster.plans.people import plan_for
from muster.test import BaseTestCase
from muster.transfers.tests.population import varied_staff

ON = date(2026, 6, 1)


def make_offering(title, credits, *, agency=None, held_on=date(2026, 9, 12), **kw):
    offering = Offering.objects.create(
        kind=kw.pop("kind", "live-class"),
        title=title,
        agency=agency,
        held_on=held_on,
        seat_hours=sum(Decimal(h) for h, _, _ in credits),
        states=kw.pop("states", ["MO"]),
        **kw,
    )
    for hours, area, topics in credits:
        OfferingCredit.objects.create(
            offering=offering, hours=Decimal(hours), area=area, topics=list(topics)
        )
    return offering


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
class PersonPlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        make_course(
            "bias-and-calm",
            title="Bias and Calm",
            hours="2",
            credits=(("2", "interpersonal", ("implicit-bias", "de-escalation")),),
        )
        make_course("bias-basics", title="Bias Basics")
        self.range_day = make_offering(
            "Range day",
            [("4", "skill-development", ("firearms",))],
            agency=self.agency,
            provider_kind="in-service",
        )
        make_offering(
            "Oakdale range day",
            [("2", "skill-development", ("firearms",))],
            agency=self.other_agency,
        )
        self.legal = make_offering(
            "Legal update (approved provider)",
            [
                ("7", "legal", ()),
                ("1", "legal", ("racial-profiling",)),
                ("8", "technical", ()),
                ("6", "interpersonal", ()),
            ],
            kind="external",
            provider_kind="approved-provider",
            fee=Decimal(250),
            agency=None,
        )
        self.url = f"/people/{self.bob_person.pk}/plan/"

    def plan(self, person=None):
        person = Person.objects.prefetch_related(*compliance.EVALUATION_PREFETCH).get(
            pk=(person or self.bob_person).pk
        )
        return plan_for(person, compliance.standing_for(person, 2026, ON), ON)

    def test_the_plan_takes_one_course_for_two_topics_and_the_live_range_day(self):
        found = self.plan()
        titles = sorted(o.title for o in found.plan.options)
        self.assertEqual(
            titles, ["Bias and Calm", "Legal update (approved provider)", "Range day"]
        )
        # Another agency's class is not offered to Bob.
        self.assertNotIn("Oakdale range day", titles)
        self.assertEqual(found.still_open, [])

    def test_the_engine_says_why_each_course_is_in_it(self):
        found = self.plan()
        reasons = dict((o.title, [r.text() for r in rs]) for o, rs in found.rows)
        self.assertIn("Implicit bias 2 h", reasons["Bias and Calm"])
        self.assertIn("De-escalation 2 h", reasons["Bias and Calm"])
        self.assertIn("Skill development - firearms (live) 4 h", reasons["Range day"])

    def test_the_cost_counts_hours_away_and_fees(self):
        found = self.plan()
        # 2 + 4 + 22 hours at $45, and the $250 fee.
        self.assertEqual(found.plan.cost, Decimal(28 * 45 + 250))

    def test_the_page_shows_the_plan_its_cost_and_reasons(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url, {"hour_value": "10"})
        self.assertContains(page, "Cheapest way to close the gaps")
        self.assertContains(page, "Range day")
        self.assertContains(page, "$530.00")  # 28 h at $10, and $250
        self.assertContains(page, "De-escalation 2 h")

    def test_a_bad_hour_value_is_refused_by_name(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url, {"hour_value": "-3"})
        self.assertContains(page, "Ensure this value is greater than or equal to 0")

    def test_the_person_page_and_the_officers_home_show_the_plan(self):
        self.client.force_login(self.bob)
        self.assertContains(self.client.get("/"), "Bias and Calm")
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertContains(page, "Cheapest way to close the gaps")
        self.assertNotContains(page, "greedy")

    def test_what_nothing_can_close_is_said(self):
        self.range_day.delete()
        found = self.plan()
        self.assertEqual(
            [n.label for n in found.still_open], ["Skill development - firearms (live)"]
        )
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Still open with this plan")

    def test_another_agencys_officer_has_no_plan_page_for_bob(self):
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_an_officer_in_two_states_gets_one_plan_for_both(self):
        License.objects.create(
            person=self.bob_person,
            jurisdiction="AL",
            discipline="peace-officer",
            number="AL1",
            licensed_on=date(2015, 6, 1),
        )
        self.legal.states = ["MO", "AL"]
        self.legal.save()
        found = self.plan()
        states = {n.jurisdiction for n in found.closes}
        self.assertEqual(states, {"MO", "AL"})
        legal = next(r for o, r in found.rows if o.title.startswith("Legal"))
        self.assertIn("AL", {reason.need.jurisdiction for reason in legal})


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
class AgencyPlanTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.range_day = make_offering(
            "Proposed range day",
            [("2", "skill-development", ("firearms",)), ("22", "technical", ())],
            agency=self.agency,
            provider_kind="approved-provider",
            seats=20,
            session_cost=Decimal(400),
            is_scheduled=False,
        )
        make_course(
            "bias-and-calm",
            title="Bias and Calm",
            hours="2",
            credits=(
                ("1", "legal", ("racial-profiling",)),
                ("1", "interpersonal", ("implicit-bias", "de-escalation")),
            ),
        )
        self.url = f"/agencies/{self.agency.code}/plan/"

    def test_the_coordinator_sees_which_class_to_run_and_each_persons_plan(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertContains(page, "Proposed range day")
        self.assertContains(page, "<strong>Run</strong>", html=True)
        self.assertContains(page, "1 of 20")
        self.assertContains(page, "Bob Baker")
        self.assertNotContains(page, "Charlie")

    def test_a_proposed_class_is_not_offered_to_a_person_on_their_own(self):
        person = Person.objects.prefetch_related(*compliance.EVALUATION_PREFETCH).get(
            pk=self.bob_person.pk
        )
        found = plan_for(person, compliance.standing_for(person, 2026, ON), ON)
        self.assertNotIn("Proposed range day", [o.title for o in found.plan.options])

    def test_another_agency_cannot_read_it(self):
        self.client.force_login(self.dana)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        csv_url = f"/agencies/{self.agency.code}/plan.csv"
        self.assertEqual(self.client.get(csv_url).status_code, 404)

    def test_the_plan_downloads_as_a_spreadsheet_of_classes_and_people(self):
        self.client.force_login(self.alice)
        response = self.client.get(f"/agencies/{self.agency.code}/plan.csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        range_day = next(r for r in rows if r["kind"] == "class")
        self.assertEqual(
            (range_day["title_or_name"], range_day["run"], range_day["seats_filled"]),
            ("Proposed range day", "yes", "1"),
        )
        bob = next(r for r in rows if r["title_or_name"] == "Bob Baker")
        self.assertIn("Proposed range day", bob["courses_and_classes"])
        self.assertNotIn("Charlie", response.content.decode("utf-8-sig"))

    def test_it_reads_each_persons_mandates_without_evaluating_them_in_turn(self):
        """The agency plan takes each person's licenses and the mandates that
        apply (`compliance.mandates_held`) instead of evaluating each person
        (`standing_for`): the same engine inputs for a staff of every state and
        history, and so the same plan, byte for byte, as the spreadsheet."""
        varied_staff(self.agency, 24, seed=5)
        staff = Person.objects.filter(employments__agency=self.agency)
        staff = staff.prefetch_related(*compliance.EVALUATION_PREFETCH)
        for person in staff:
            evaluated = people.subject_from(
                person, compliance.standing_for(person, ON.year, ON), ON
            )
            self.assertEqual(people.subject_of_person(person, ON), evaluated, person)
        self.client.force_login(self.alice)
        csv_url = f"/agencies/{self.agency.code}/plan.csv?hour_value=30"
        with mock.patch.object(compliance, "standing_for") as one_by_one:
            batch = self.client.get(csv_url)
        one_by_one.assert_not_called()

        def as_before(person, on):
            standings = compliance.standing_for(person, on.year, on)
            return people.subject_from(person, standings, on)

        with mock.patch.object(people, "subject_of_person", as_before):
            before = self.client.get(csv_url)
        self.assertEqual(batch.status_code, 200)
        self.assertEqual(batch.content, before.content)
        self.assertGreater(batch.content.decode().count("\nperson,"), 5)
