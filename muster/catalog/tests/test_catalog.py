"""The catalog pages: /courses/ and /courses/<slug>/."""

from __future__ import annotations

from datetime import date

import time_machine

from muster.catalog.models import CourseApproval
from muster.catalog.tests.factories import make_course
from muster.test import BaseTestCase


@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
class CatalogTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bias = make_course(
            "bias-basics", title="Bias Basics", description="About **prejudice**."
        )
        self.legal = make_course(
            "legal-update",
            title="Legal Update 2026",
            hours="2",
            credits=(("2", "legal", ("legislative-update",)),),
        )
        self.dispatch = make_course(
            "dispatch-calm",
            title="Calm Dispatch",
            audience=("telecommunicator",),
            credits=(("1", "interpersonal", ()),),
            state="TN",
        )
        self.coming = make_course(
            "coming-soon", title="Coming Soon", release_on=date(2026, 9, 1)
        )
        self.retired = make_course(
            "old-course", title="Old Course", retire_on=date(2026, 1, 1)
        )
        self.draft = make_course("draft", title="Draft Course", is_published=False)

    def titles(self, query: str = "") -> list[str]:
        self.client.force_login(self.bob)
        response = self.client.get("/courses/" + query)
        self.assertEqual(response.status_code, 200)
        return [course.title for course in response.context["courses"]]

    def test_browsing_needs_a_sign_in(self):
        response = self.client.get("/courses/")
        self.assertRedirects(response, "/accounts/login/?next=/courses/", 302, 200)
        self.assertEqual(self.client.get("/courses/bias-basics/").status_code, 302)

    def test_it_lists_published_courses_and_hides_retired_and_drafts(self):
        self.assertEqual(
            self.titles(),
            ["Bias Basics", "Calm Dispatch", "Coming Soon", "Legal Update 2026"],
        )

    def test_it_searches_title_summary_and_description(self):
        self.assertEqual(self.titles("?q=prejudice"), ["Bias Basics"])
        self.assertEqual(self.titles("?q=update+2026+summary"), ["Legal Update 2026"])

    def test_it_filters_by_topic_hours_state_and_audience(self):
        self.assertEqual(
            self.titles("?topic=legislative-update"), ["Legal Update 2026"]
        )
        self.assertNotIn("Legal Update 2026", self.titles("?hours=1"))
        self.assertEqual(self.titles("?state=TN"), ["Calm Dispatch"])
        self.assertEqual(self.titles("?audience=telecommunicator"), ["Calm Dispatch"])

    def test_the_state_filter_needs_an_approval_in_force(self):
        CourseApproval.objects.filter(course=self.dispatch).update(
            valid_until=date(2025, 12, 31)
        )
        self.assertEqual(self.titles("?state=TN"), [])

    def test_a_bad_filter_shows_an_error_next_to_it(self):
        self.client.force_login(self.bob)
        response = self.client.get("/courses/?state=XX")
        self.assertContains(response, "Select a valid choice")

    def test_the_course_page_shows_description_lessons_and_approvals(self):
        self.client.force_login(self.alice)
        response = self.client.get("/courses/bias-basics/")
        self.assertContains(response, "<strong>prejudice</strong>", html=True)
        self.assertContains(response, "Intro")
        self.assertContains(response, "DEMO-MO-bias-basics")
        self.assertContains(response, "1 h interpersonal perspectives (Implicit bias)")
        # Alice has no person: no start button, no "counts toward".
        self.assertNotContains(response, "Start course")

    def test_it_tells_the_officer_what_the_course_counts_toward(self):
        self.client.force_login(self.bob)
        response = self.client.get("/courses/bias-basics/")
        self.assertContains(
            response,
            "Counts toward: Implicit bias 1 h, Interpersonal perspectives 1 h, "
            "Total CLEE hours 1 h, Hours from an approved provider 1 h — Missouri 2026",
        )
        self.assertContains(response, "Start course")
        self.assertContains(response, 'action="/learn/bias-basics/enroll/"')

    def test_a_course_credited_elsewhere_counts_toward_nothing(self):
        self.client.force_login(self.bob)
        response = self.client.get("/courses/dispatch-calm/")
        self.assertContains(response, "would not close any of your open requirements")
        self.assertContains(response, "No state where you hold a license")
        self.assertNotContains(response, "Start course")

    def test_a_scheduled_course_shows_its_month_and_cannot_be_started(self):
        self.client.force_login(self.bob)
        response = self.client.get("/courses/coming-soon/")
        self.assertContains(response, "Coming September 2026")
        self.assertNotContains(response, "Start course")
        list_page = self.client.get("/courses/")
        self.assertContains(list_page, "coming September 2026")

    def test_retired_and_draft_courses_are_not_found(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/courses/old-course/").status_code, 404)
        self.assertEqual(self.client.get("/courses/draft/").status_code, 404)
