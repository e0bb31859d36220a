"""The agency dashboard and the person page: scoped by access, counts, filters, gaps."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from muster.agencies import actions
from muster.agencies.models import Employment, Exemption, TrainingRecord
from muster.agencies.tests.standings_check import flush
from muster.test import BaseTestCase, make_person, make_record

# Stored standings must match a fresh evaluation after each test here.
pytestmark = pytest.mark.standings_check


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class DashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/agencies/{self.agency.code}/"
        self.dora = make_person("Dora", "Done", self.agency)
        Employment.objects.filter(person=self.dora).update(unit="Traffic")
        for topic, area in (
            ("implicit-bias", "interpersonal"),
            ("de-escalation", "interpersonal"),
            ("racial-profiling", "interpersonal"),
            ("firearms", "skill-development"),
        ):
            make_record(self.dora, self.agency, hours="2", area=area, topics=(topic,))
        make_record(self.dora, self.agency, hours="4", area="legal")
        make_record(self.dora, self.agency, hours="12", area="technical")
        self.dora.training_records.update(provider_kind="approved-provider")

    def test_it_shows_counts_at_a_glance_for_the_coordinator(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "1 of 2 compliant; 1 at risk")
        self.assertContains(response, "Baker, Bob")
        self.assertContains(response, "Done, Dora")
        self.assertNotContains(response, "Chen, Charlie")
        self.assertContains(response, "Total CLEE hours")
        self.assertContains(response, "4/24")
        self.assertContains(response, "<progress")

    def test_it_counts_days_to_the_deadline(self) -> None:
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(self.url), '<td data-label="Due" class="num">34 days'
        )

    def test_it_filters_by_status_and_unit(self) -> None:
        self.client.force_login(self.alice)
        at_risk = self.client.get(self.url, {"status": "at-risk"})
        self.assertContains(at_risk, "Baker, Bob")
        self.assertNotContains(at_risk, "Done, Dora")
        traffic = self.client.get(self.url, {"unit": "Traffic"})
        self.assertContains(traffic, "Done, Dora")
        self.assertNotContains(traffic, "Baker, Bob")

    def test_it_answers_htmx_with_the_table_only(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"q": "bob"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, '<div id="board">')
        self.assertContains(response, "Baker, Bob")
        self.assertNotContains(response, "<html")

    def test_it_paginates(self) -> None:
        for n in range(55):
            make_person(f"P{n}", f"Extra{n:02d}", self.agency)
        self.client.force_login(self.alice)
        first = self.client.get(self.url)
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(self.client.get(self.url, {"page": 2}), "Page 2 of 2")

    def test_it_says_how_many_are_on_the_page_and_finds_names_as_shown(self) -> None:
        for n in range(55):
            make_person(f"P{n}", f"Extra{n:02d}", self.agency)
        make_person("Hector", "Castellano", self.agency)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Showing 1–50 of 58 people")
        found = self.client.get(self.url, {"q": "Castellano, Hector"})
        self.assertContains(found, "1 person shown (filtered from 58")
        self.assertContains(found, "Castellano, Hector")
        by_name = self.client.get(self.url, {"sort": "name", "q": "extra0"})
        body = by_name.content.decode()
        self.assertLess(body.index("Extra00, P0"), body.index("Extra09, P9"))

    def test_it_shows_last_year_and_refuses_a_year_not_kept(self) -> None:
        make_record(self.dora, self.agency, hours="24", completed_on=date(2025, 5, 1))
        self.client.force_login(self.alice)
        last_year = self.client.get(self.url, {"year": 2025})
        self.assertContains(last_year, '<option value="2025" selected>')
        self.assertContains(last_year, "2025 period")
        self.assertEqual(self.client.get(self.url, {"year": 2019}).status_code, 404)

    def test_it_counts_an_approved_exemption_but_not_a_proposed_one(self) -> None:
        exemption = Exemption.objects.create(
            person=self.bob_person,
            kind="waiver",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            reason="Military leave",
            agency=self.agency,
            approval="pending",
        )
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url), "1 exempt")
        actions.decide_exemption(actor=self.harold, exemption=exemption, approve=True)
        self.assertContains(self.client.get(self.url), "1 exempt")

    def test_it_counts_what_waits_for_approval_here_in_one_query(self) -> None:
        waiting = make_record(self.bob_person, self.agency)
        voided = make_record(self.bob_person, self.agency, area="legal")
        elsewhere = make_record(self.charlie_person, self.other_agency)
        TrainingRecord.objects.filter(
            pk__in=[waiting.pk, voided.pk, elsewhere.pk]
        ).update(approval="pending")
        TrainingRecord.objects.filter(pk=voided.pk).update(
            is_void=True, void_reason="Entered twice"
        )
        for person, agency in (
            (self.bob_person, self.agency),
            (self.charlie_person, self.other_agency),
        ):
            Exemption.objects.create(
                person=person,
                kind="waiver",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
                reason="Military leave",
                agency=agency,
                approval="pending",
            )
        self.client.force_login(self.alice)
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as read:
            page = self.client.get(self.url)
        # One pending record and one proposed waiver here; the voided record
        # and the other agency's two are not counted.
        self.assertContains(page, "Approvals (2 waiting)")
        counting = [q for q in read.captured_queries if "UNION ALL" in q["sql"]]
        self.assertEqual(len(counting), 1)
        self.client.force_login(self.dana)
        self.assertContains(
            self.client.get(f"/agencies/{self.other_agency.code}/"),
            "Approvals (2 waiting)",
        )

    def test_it_reads_the_whole_agency_in_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.alice)
        flush()  # store the hand-made rows' standings outside the counted request
        # The first request after signing in stores the session's refresh time
        # (muster/accounts/sessions.py); the next one within a minute does not.
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as with_two:
            self.assertContains(self.client.get(self.url), "1 of 2 compliant")
        for number in range(4):
            person = make_person(f"New{number}", "Hire", self.agency)
            make_record(person, self.agency)
            make_record(person, self.agency, area="legal")
        flush()
        with CaptureQueriesContext(connection) as with_six:
            self.assertContains(self.client.get(self.url), "1 of 6 compliant")
        self.assertEqual(len(with_six), len(with_two))

    def test_the_htmx_fragment_is_the_pages_board_read_with_fewer_queries(self):
        self.client.force_login(self.alice)
        self.client.get(self.url)  # the session's refresh time, stored once
        query = {"status": "at-risk", "sort": "name"}
        with CaptureQueriesContext(connection) as full:
            page = self.client.get(self.url, query).content.decode()
        with CaptureQueriesContext(connection) as fewer:
            fragment = self.client.get(self.url, query, HTTP_HX_REQUEST="true")
        fragment = fragment.content.decode()
        board = page[page.index('<div id="board">') :]
        self.assertTrue(fragment.startswith('<div id="board">'))
        self.assertEqual(board[: len(fragment)], fragment)
        self.assertIn("Baker, Bob", fragment)
        self.assertNotIn("Done, Dora", fragment)
        self.assertNotIn("<form", fragment)
        self.assertLess(len(fewer), len(full))

    def test_it_lets_heads_and_state_auditors_read(self) -> None:
        for user in (self.harold, self.sam, self.root):
            self.client.force_login(user)
            self.assertContains(self.client.get(self.url), "Baker, Bob")

    def test_it_hides_the_dashboard_from_other_agencies_and_officers(self) -> None:
        for user in (self.dana, self.charlie, self.bob, self.tess):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_offers_writing_only_to_coordinators(self) -> None:
        self.client.force_login(self.sam)
        self.assertNotContains(self.client.get(self.url), "Record a class")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Record a class")

    def test_it_links_imports_for_coordinators_and_reports_for_readers(self) -> None:
        imports = f"/agencies/{self.agency.code}/import/roster/"
        exports = f"/agencies/{self.agency.code}/exports/"
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertContains(page, imports)
        self.assertContains(page, exports)
        self.client.force_login(self.sam)
        page = self.client.get(self.url)
        self.assertNotContains(page, imports)
        self.assertContains(page, exports)


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class PersonPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = f"/people/{self.bob_person.pk}/"

    def test_it_says_what_is_missing_in_plain_words(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(
            response, "Total CLEE hours: 20 more hours needed by 31 December 2026."
        )
        self.assertContains(response, "De-escalation: 1 more hour needed by")
        self.assertContains(response, "11 CSR 75-15.010")
        self.assertContains(response, '<td class="num" data-label="Hours">4</td>')

    def test_it_lets_an_officer_read_only_their_own_page(self) -> None:
        self.client.force_login(self.bob)
        response = self.client.get(self.url)
        self.assertContains(response, "Report outside training")
        self.assertNotContains(response, ">Correct<")
        self.assertEqual(
            self.client.get(f"/people/{self.charlie_person.pk}/").status_code, 404
        )

    def test_it_hides_people_of_other_agencies(self) -> None:
        for user in (self.dana, self.charlie, self.tess):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_a_former_employers_own_records_without_totals(self) -> None:
        Employment.objects.filter(person=self.bob_person).update(
            ends_on=date(2026, 6, 30)
        )
        Employment.objects.create(
            person=self.bob_person, agency=self.other_agency, starts_on=date(2026, 7, 1)
        )
        make_record(self.bob_person, self.other_agency, title="Oakdale course")
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Patrol procedures")
        self.assertNotContains(response, "Oakdale course")
        self.assertNotContains(response, "Total CLEE hours")
        self.assertContains(response, "no longer works for your agency")

    def test_it_shows_voided_records_struck_through_with_history(self) -> None:
        actions.void_training(
            actor=self.alice, record=self.bob_record, reason="Duplicate entry"
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "<s>Patrol procedures</s>")
        self.assertContains(response, "Void: Duplicate entry")
        self.assertContains(response, "training.void by alice: Duplicate entry")

    def test_its_queries_do_not_grow_with_the_records(self) -> None:
        """The whole history is read once as rows and a page of records in full:
        a person with 60 records costs the page as many queries as one with 3."""
        self.client.force_login(self.alice)
        long = make_person("Lena", "Long", self.agency)
        for n in range(60):
            record = make_record(
                long,
                self.agency,
                completed_on=date(2026 - n % 3, 1 + n % 12, 1),
                title=f"Course {n}",
            )
            if n % 7 == 0:
                actions.void_training(actor=self.alice, record=record, reason="Typo")
        short = make_person("Sam", "Short", self.agency)
        for n in range(3):
            make_record(
                short,
                self.agency,
                completed_on=date(2026 - n % 2, 2, 1),
                title="Course",
            )
        for person in (short, long):  # the test's hand-written rows get refreshed
            self.client.get(f"/people/{person.pk}/")
        for query in ("", "?lines=all", "?page=2", "?year=2025&q=course"):
            counts = []
            for person in (short, long):
                with CaptureQueriesContext(connection) as queries:
                    response = self.client.get(f"/people/{person.pk}/{query}")
                self.assertEqual(response.status_code, 200)
                counts.append(len(queries))
            self.assertEqual(counts[0], counts[1], query)

    def test_it_pages_and_searches_the_years_records(self) -> None:
        for n in range(30):
            make_record(self.bob_person, self.agency, title=f"Refresher {n:02d}")
        self.client.force_login(self.alice)
        first = self.client.get(self.url).content.decode()
        second = self.client.get(f"{self.url}?page=2").content.decode()
        self.assertIn("Records 1&ndash;25 of 31", first)
        self.assertIn("Records 26&ndash;31 of 31", second)
        titles = {f"Refresher {n:02d}" for n in range(30)} | {"Patrol procedures"}
        for title in titles:
            # Every record is on exactly one of the two pages.
            self.assertEqual((f">{title}" in first) + (f">{title}" in second), 1)
        found = self.client.get(
            self.url, {"q": "refresher 1"}, headers={"HX-Target": "records-list"}
        ).content.decode()
        self.assertIn("Records 1&ndash;10 of 10 matching", found)
        self.assertNotIn("Patrol procedures", found)
        self.assertNotIn("<h1>", found)  # htmx asks for the list alone

    def test_it_explains_other_periods_lines_on_request(self) -> None:
        make_record(self.bob_person, self.agency, completed_on=date(2024, 5, 1))
        self.client.force_login(self.alice)
        line = "2024-05-01 4.00 h (Patrol procedures): not counted:"
        page = self.client.get(self.url).content.decode()
        self.assertIn("1 line from other periods", page)
        self.assertNotIn(line, page)
        self.assertIn(line, self.client.get(f"{self.url}?lines=all").content.decode())

    def test_its_transcript_counts_every_record_by_year(self) -> None:
        make_record(self.bob_person, self.agency, completed_on=date(2025, 5, 1))
        late = make_record(self.bob_person, self.agency, completed_on=date(2025, 6, 1))
        actions.void_training(actor=self.alice, record=late, reason="Wrong officer")
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(
            [
                (row.year, row.records, row.hours, row.other)
                for row in response.context["transcript"]
            ],
            [(2026, 1, Decimal(4), 0), (2025, 1, Decimal(4), 1)],
        )
