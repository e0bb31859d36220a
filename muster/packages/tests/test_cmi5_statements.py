"""The coordinator's list of one AU's statements in a registration (cmi5 9.3:
"the LMS MUST record and provide reporting for all statements"), read through
the LRS's own query (muster.xapi.query), a page at a time."""

from __future__ import annotations

from unittest import mock

from django.test import Client

from muster.packages import cmi5, cmi5_report
from muster.packages.tests.test_cmi5 import EXPERIENCED, CoordinatorTestCase
from muster.xapi import query


class StatementListTests(CoordinatorTestCase):
    def url(self, position: int = 1, code: str | None = None) -> str:
        code = code or self.agency.code
        return f"/agencies/{code}/cmi5/statements/{self.enrollment.pk}/{position}/"

    def session(self):
        params, token = self.started(1)
        self.run_session(
            params,
            token,
            self.defined(params, cmi5.INITIALIZED),
            self.defined(
                params, cmi5.COMPLETED, {"completion": True, "duration": "PT5S"}
            ),
            self.allowed(params),
        )
        return params

    def test_9_3_the_aus_statements_and_the_lmss_oldest_first(self) -> None:
        self.session()
        response = self.coordinator_client.get(self.url(1))
        self.assertEqual(response.status_code, 200)
        lines = response.context["page"].lines
        self.assertEqual(
            [(line.verb, line.by_au) for line in lines],
            [
                ("launched", False),
                ("initialized", True),
                ("completed", True),
                # A verb without a display is shown by its IRI.
                (EXPERIENCED, True),
            ],
        )
        self.assertEqual(lines[2].result, "complete, duration PT5S")
        self.assertContains(response, "Muster (LMS)")
        self.assertEqual(response.context["page"].more, "")
        # The other AU, never launched, has none; the course page links to both.
        self.assertEqual(
            self.coordinator_client.get(self.url(2)).context["page"].lines, []
        )
        course_page = self.coordinator_client.get(
            f"/agencies/{self.agency.code}/cmi5/{self.course.pk}/"
        )
        self.assertContains(course_page, self.url(1))
        self.assertContains(course_page, self.url(2))

    def test_9_3_the_list_is_paged_by_the_lrss_more_token(self) -> None:
        self.session()
        with mock.patch.object(cmi5_report, "STATEMENTS_PER_PAGE", 3):
            first = self.coordinator_client.get(self.url(1))
            more = first.context["page"].more
            self.assertTrue(more)
            self.assertContains(first, 'id="cmi5-statements-next"')
            second = self.coordinator_client.get(self.url(1), {"more": more})
        self.assertEqual(
            [line.verb for line in first.context["page"].lines],
            ["launched", "initialized", "completed"],
        )
        self.assertEqual(
            [line.verb for line in second.context["page"].lines], [EXPERIENCED]
        )
        self.assertEqual(second.context["page"].more, "")
        self.assertContains(second, "First page")

    def test_a_more_token_of_another_query_is_refused(self) -> None:
        self.session()
        # A token the LRS gave for the agency's whole list (GET /xapi/statements).
        _, more = query.find_statements(self.agency, query.Filters(limit=1))
        response = self.coordinator_client.get(self.url(1), {"more": more})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "another list of statements", status_code=400)
        forged = self.coordinator_client.get(self.url(1), {"more": "forged"})
        self.assertEqual(forged.status_code, 400)

    def test_a_head_reads_and_another_agency_gets_404(self) -> None:
        self.session()
        head = Client()
        head.force_login(self.harold)
        self.assertEqual(head.get(self.url(1)).status_code, 200)
        dana = Client()
        dana.force_login(self.dana)
        self.assertEqual(dana.get(self.url(1)).status_code, 404)
        other = self.url(1, code=self.other_agency.code)
        self.assertEqual(dana.get(other).status_code, 404)
        self.assertEqual(self.client.get(self.url(1)).status_code, 404)  # the learner
        self.assertEqual(self.coordinator_client.get(self.url(9)).status_code, 404)
