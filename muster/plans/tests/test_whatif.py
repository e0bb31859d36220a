"""What-if: a draft of a state's rules evaluated against every person of the state,
which reports who changes status and how many hours more are owed, and writes no
standing and no rule."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from muster import rules
from muster.accounts import access
from muster.accounts.choices import Role
from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import (
    Agency,
    CreditLine,
    Standing,
    StandingSummary,
    TrainingRecord,
)
from muster.audit.models import AuditEntry
from muster.plans import whatif
from muster.plans.models import MandateDraft, WhatIfRun
from muster.test import BaseTestCase, make_person, make_user

MANDATE = "us.mo.peace_officer"
TODAY = "2026-11-20 12:00:00+00:00"
TOTAL_ENTRY = """        hours: 24
        reference:
          title: 11 CSR 75-15.010(2)
          href: https://regulations.justia.com/states/missouri/title-11/division-75/chapter-15/section-11-csr-75-15-010
          source: regulation
          confidence: stated
"""


def raised_total(hours: int, starting: str = "2026-01-01") -> str:
    """The shipped Missouri file with a new dated value of the annual total."""
    text = whatif.shipped_text(MANDATE)
    assert text.count(TOTAL_ENTRY) == 1, "the shipped total's entry moved"
    entry = (
        f"      - from: {starting}\n"
        f"        hours: {hours}\n"
        "        reference:\n"
        "          title: Draft amendment to 11 CSR 75-15.010(2) (what-if)\n"
        "          href: https://dps.mo.gov/dir/programs/post/clee-training.php\n"
        "          source: regulation\n"
        "          confidence: stated\n"
    )
    return text.replace(TOTAL_ENTRY, TOTAL_ENTRY + entry)


def add_year(person, total: Decimal, on: date = date(2026, 4, 1)) -> None:
    """One approved-provider live class meeting every Missouri sub-minimum for an
    officer without traffic duty, `total` hours in all (at least 8)."""
    record = TrainingRecord.objects.create(
        person=person,
        agency=None,
        title=f"In-service {total} h",
        completed_on=on,
        provider_kind="approved-provider",
        delivery="live",
    )
    CreditLine.objects.create(record=record, hours=Decimal(2), area="legal")
    CreditLine.objects.create(
        record=record,
        hours=Decimal(2),
        area="interpersonal",
        topics=["implicit-bias", "de-escalation"],
    )
    CreditLine.objects.create(
        record=record, hours=total - 4, area="technical", topics=["firearms"]
    )


class WhatIfPagesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        clock = time_machine.travel(TODAY, tick=False)
        clock.start()
        self.addCleanup(clock.stop)
        self.url = "/states/mo/what-if/"
        self.client.force_login(self.sam)

    def start_draft(self) -> MandateDraft:
        response = self.client.post(
            self.url, {"new-mandate": MANDATE, "new-title": "30 hours from 2026"}
        )
        draft = MandateDraft.objects.get()
        self.assertRedirects(response, draft.get_absolute_url())
        return draft

    def save(self, draft, text: str):
        return self.client.post(
            draft.get_absolute_url(), {"save": "1", "title": draft.title, "text": text}
        )

    def evaluate(self, draft, year: int = 2026) -> WhatIfRun:
        response = self.client.post(
            draft.get_absolute_url(), {"run": "1", "year": str(year)}
        )
        run = draft.runs.latest("pk")
        self.assertRedirects(response, f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        return run

    def test_it_starts_a_draft_from_the_shipped_file_attributed_and_audited(self):
        draft = self.start_draft()
        self.assertEqual(draft.text, whatif.shipped_text(MANDATE))
        self.assertEqual((draft.created_by, draft.changed_by), (self.sam, self.sam))
        entry = AuditEntry.objects.get(action="mandate-draft.save")
        self.assertEqual(entry.actor, self.sam)
        self.assertEqual(entry.object_id, str(draft.pk))

    def test_it_refuses_a_draft_the_loader_refuses_naming_file_key_and_fix(self):
        draft = self.start_draft()
        broken = raised_total(30).replace(
            "          title: Draft amendment to 11 CSR 75-15.010(2) (what-if)\n"
            "          href: https://dps.mo.gov/dir/programs/post/clee-training.php\n"
            "          source: regulation\n"
            "          confidence: stated\n",
            "          title: Draft amendment\n",
        )
        response = self.save(draft, broken)
        self.assertEqual(response.status_code, 200)
        error = response.context["form"].errors["text"][0]
        self.assertIn("mandates/us/mo/peace_officer.yaml", error)
        self.assertIn("`requirements > total > values > 1 > reference > source`", error)
        self.assertIn("add `source:`, one of regulation", error)
        draft.refresh_from_db()
        self.assertEqual(draft.text, whatif.shipped_text(MANDATE))

    def test_it_refuses_a_draft_that_moves_the_mandate_to_another_state(self):
        draft = self.start_draft()
        moved = whatif.shipped_text(MANDATE).replace(
            "jurisdiction: MO", "jurisdiction: TN", 1
        )
        response = self.save(draft, moved)
        error = response.context["form"].errors["text"][0]
        self.assertIn("keep `jurisdiction: MO`", error)

    def test_an_unchanged_draft_changes_nobody(self):
        run = self.evaluate(self.start_draft())
        totals = run.result["totals"]
        self.assertEqual(totals["people"], 2)  # Bob and Charlie
        self.assertEqual((totals["status_changes"], totals["affected"]), (0, 0))
        self.assertEqual(totals["hours_before"], totals["hours_after"])
        self.assertEqual(run.result["changes"], [])

    def test_a_raised_total_lists_who_changes_per_agency_with_the_hours(self):
        dan = make_person("Dan", "Diaz", self.agency, attributes=())
        add_year(dan, Decimal(26))
        refresh_standings([dan.pk])
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        run = self.evaluate(draft)
        totals = run.result["totals"]
        # Dan met 24 with 26 hours and is 4 short of 30; Bob and Charlie (4 h of
        # 24) owe 6 hours more each but were deficient already.
        self.assertEqual(totals["status_changes"], 1)
        self.assertEqual(totals["affected"], 3)
        more = Decimal(totals["hours_after"]) - Decimal(totals["hours_before"])
        self.assertEqual(more, Decimal(4 + 6 + 6))
        riverton = next(a for a in run.result["agencies"] if a["code"] == "riverton-pd")
        self.assertEqual(riverton["status_changes"], 1)
        self.assertEqual(
            Decimal(riverton["hours_after"]) - Decimal(riverton["hours_before"]), 10
        )
        page = self.client.get(f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        self.assertContains(page, "1 of 3 people change status")
        self.assertContains(page, "Dan Diaz")
        self.assertContains(page, '<svg xmlns="http://www.w3.org/2000/svg"')
        self.assertContains(page, 'aria-describedby="run-agencies"')
        self.assertNotContains(page, "Millbrook")  # Tennessee's agency

    def test_the_csv_report_has_the_state_each_agency_and_each_person_changed(self):
        dan = make_person("Dan", "Diaz", self.agency, attributes=())
        add_year(dan, Decimal(26))
        refresh_standings([dan.pk])
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        run = self.evaluate(draft)
        response = self.client.get(
            f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/report.csv"
        )
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        kinds = [row["kind"] for row in rows]
        self.assertEqual(
            kinds, ["state", "agency", "agency", "person", "person", "person"]
        )
        self.assertEqual(rows[0]["hours_more"], "16.00")
        dan_row = next(row for row in rows if row["name"] == "Dan Diaz")
        self.assertEqual(
            (dan_row["status_before"], dan_row["status_after"], dan_row["hours_more"]),
            ("compliant", "at-risk", "4.00"),
        )

    def test_evaluating_writes_no_standing_and_changes_no_rule(self):
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        path = Path(rules.load_mandates().mandate(MANDATE).source)
        file_before = path.read_bytes()
        stored = list(Standing.objects.values().order_by("pk"))
        summaries = list(StandingSummary.objects.values().order_by("pk"))
        with CaptureQueriesContext(connection) as queries:
            self.evaluate(draft)
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if "agencies_standing" in q["sql"]
            and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        self.assertEqual(writes, [])
        self.assertEqual(list(Standing.objects.values().order_by("pk")), stored)
        self.assertEqual(
            list(StandingSummary.objects.values().order_by("pk")), summaries
        )
        self.assertEqual(path.read_bytes(), file_before)
        shipped = rules.load_mandates().mandate(MANDATE)
        total = next(r for r in shipped.requirements if r.id == "total")
        self.assertEqual([v.hours for v in total.values], [Decimal(24)])

    def test_a_run_of_an_earlier_text_says_so(self):
        draft = self.start_draft()
        run = self.evaluate(draft)
        self.save(draft, raised_total(30))
        page = self.client.get(f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        self.assertContains(page, "The draft has been changed since")

    def test_the_yaml_downloads_for_loading_as_a_dated_change(self):
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        response = self.client.get(f"/states/mo/what-if/{draft.pk}/draft.yaml")
        self.assertIn('filename="peace_officer.yaml"', response["Content-Disposition"])
        self.assertIn(b"hours: 30", response.content)

    def test_it_refuses_other_states_auditors_and_agency_roles(self):
        draft = self.start_draft()
        for user in (self.tess, self.alice, self.harold, self.bob):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
        self.client.force_login(self.tess)
        self.assertEqual(self.client.get("/states/tn/what-if/").status_code, 200)
        response = self.client.get(f"/states/tn/what-if/{draft.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_a_platform_administrator_may_draft_for_any_state(self):
        self.client.force_login(self.root)
        self.assertEqual(self.client.get(self.url).status_code, 200)


class RaisedHourValueTestCase(HypothesisTestCase):
    """Property: a raised annual total reports exactly the people below it, and an
    unchanged draft reports nobody."""

    def setUp(self) -> None:
        super().setUp()
        self.agency = Agency.objects.create(
            name="Riverton Police Department",
            code="riverton-pd",
            kind="police-department",
            state="MO",
        )
        self.auditor = make_user("sam", (Role.STATE_AUDITOR, "MO"))

    @given(
        hours=st.lists(st.integers(min_value=8, max_value=40), min_size=1, max_size=6),
        raised=st.integers(min_value=25, max_value=40),
    )
    def test_a_raised_total_reports_exactly_the_people_below_it(self, hours, raised):
        people = []
        for n, total in enumerate(hours):
            person = make_person(f"P{n}", f"Officer{n}", self.agency, attributes=())
            add_year(person, Decimal(total))
            people.append((person.pk, total))
        staff = access.state_people(self.auditor, "MO")
        agencies = access.state_agencies(self.auditor, "MO")
        day = date(2026, 11, 20)
        unchanged = whatif.load_draft(whatif.shipped_text(MANDATE), MANDATE)
        same = whatif.run("MO", unchanged, staff, agencies, 2026, day)
        self.assertEqual(same["changes"], [])
        draft = whatif.load_draft(raised_total(raised), MANDATE)
        result = whatif.run("MO", draft, staff, agencies, 2026, day)
        affected = {c["person"] for c in result["changes"]}
        self.assertEqual(affected, {pk for pk, total in people if total < raised})
        # Once the year is settled (after Missouri's 15 March grace), exactly those
        # who met 24 and fall short of the raised total turn deficient; during
        # the year a raised total may also put someone behind the pace sooner.
        settled = whatif.run("MO", draft, staff, agencies, 2026, date(2027, 6, 1))
        changed = {c["person"] for c in settled["changes"] if c["before"] != c["after"]}
        self.assertEqual(changed, {pk for pk, total in people if 24 <= total < raised})
        for change in result["changes"]:
            total = dict(people)[change["person"]]
            more = Decimal(change["hours_after"]) - Decimal(change["hours_before"])
            self.assertEqual(more, raised - max(total, 24))
