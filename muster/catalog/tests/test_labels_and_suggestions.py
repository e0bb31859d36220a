"""People read labels, never internal keys; suggestions fit the officer's discipline."""

from datetime import date

import time_machine

from muster.agencies import compliance
from muster.agencies.compliance import words
from muster.agencies.models import Person
from muster.catalog.tests.factories import make_course
from muster.plans.people import plan_for
from muster.rules import load_mandates
from muster.rules.model import Allocation, CreditLine, LineExplanation
from muster.test import BaseTestCase, make_record

ON = date(2026, 6, 1)


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
class SuggestionsFitTheDisciplineTestCase(BaseTestCase):
    def standings(self):
        person = (
            type(self.bob_person)
            .objects.prefetch_related(*compliance.EVALUATION_PREFETCH)
            .get(pk=self.bob_person.pk)
        )
        return compliance.standing_for(person, 2026, ON)

    def setUp(self) -> None:
        super().setUp()
        credits = (("1", "skill-development", ("de-escalation",)),)
        self.corrections = make_course(
            "corrections-de-escalation",
            title="De-escalation in Corrections Settings",
            audience=("corrections", "peace-officer"),
            credits=credits,
        )
        self.patrol = make_course(
            "patrol-de-escalation", title="Patrol De-escalation", credits=credits
        )

    def test_a_patrol_officer_is_offered_the_patrol_course_only(self) -> None:
        person = Person.objects.prefetch_related(*compliance.EVALUATION_PREFETCH).get(
            pk=self.bob_person.pk
        )
        found = plan_for(person, self.standings(), ON)
        titles = [option.title for option in found.plan.options]
        self.assertIn("Patrol De-escalation", titles)
        self.assertNotIn("De-escalation in Corrections Settings", titles)

    def test_the_corrections_course_still_says_what_it_counts_toward(self) -> None:
        self.client.force_login(self.bob)
        page = self.client.get(self.corrections.get_absolute_url())
        self.assertContains(page, "for corrections officers, peace officers")
        self.assertNotContains(page, "for corrections, peace-officer")


class LabelsTestCase(BaseTestCase):
    def test_the_person_page_names_topics_by_their_labels(self) -> None:
        record = make_record(self.bob_person, self.agency)
        line = record.credit_lines.first()
        line.topics = ["implicit-bias"]
        line.save()
        self.client.force_login(self.alice)
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertContains(page, "(Implicit bias)")
        self.assertNotContains(page, "(implicit-bias)")
        self.assertContains(page, "has authority to enforce traffic laws")
        self.assertNotContains(page, "traffic-enforcement")

    def test_a_provider_refusal_is_explained_in_words(self) -> None:
        mandate = next(
            m
            for m in load_mandates().get("MO").mandates
            if m.id.endswith("peace_officer")
        )
        line = CreditLine(
            person="1", completed_on=date(2026, 3, 1), hours=2, provider="in-service"
        )
        reason = next(
            r for r in mandate.requirements if r.id == "approved-provider"
        ).counts.refusal(line)
        text = words.line_in_words(
            LineExplanation(
                line,
                counted=(Allocation("total", 2),),
                not_counted=(Allocation("approved-provider", 2, reason),),
            ),
            mandate,
        )
        self.assertIn("counted 2 h toward Total CLEE hours", text)
        self.assertIn(
            "not toward Hours from an approved provider: the provider is agency "
            "in-service; only hours from approved provider count",
            text,
        )
        self.assertNotIn("approved-provider", text)
