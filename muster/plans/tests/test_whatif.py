"""What-if: a draft of a state's rules evaluated against every person of the state,
which reports who changes status and how many hours more are owed, and writes no
standing and no rule."""

from __future__ import annotations

import csv
import io
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
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
from muster.test import BaseTestCase, make_person, make_user, run_queued_tasks

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


class WhatIfBase(BaseTestCase):
    """Sam, Missouri's auditor, on 20 November 2026; helpers (no tests)."""

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


class WhatIfPagesTestCase(WhatIfBase):
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


NEW_FILE = """\
id: us.mo.mental_health
jurisdiction: MO
title: Missouri peace officer mental-health training (proposal)
regulator: Missouri POST Program
status: unverified
last_checked: 2026-11-01
applies_to:
  - disciplines: [peace-officer]
reference:
  title: Draft rule on mental-health training (what-if)
  href: https://dps.mo.gov/dir/programs/post/clee-training.php
  source: agency-page
  confidence: unconfirmed
cycles:
  annual:
    label: CLEE year
    months: 12
    anchor: 2017-01-01
requirements:
  mental-health:
    label: Persons with mental illness
    cycle: annual
    kind: hours
    counts: {topics: [mental-health]}
    values:
      - from: 2026-01-01
        hours: 3
        applies_within: true
        reference:
          title: Draft rule, section 1 (what-if)
          href: https://dps.mo.gov/dir/programs/post/clee-training.php
          source: agency-page
          confidence: unconfirmed
"""


class NewMandateFileTestCase(WhatIfBase):
    """A draft may add a mandate file no shipped file is: evaluated beside them."""

    new_url = "/states/mo/what-if/new-file/"

    def test_the_new_file_starts_as_a_skeleton_the_loader_refuses_until_filled(self):
        page = self.client.get(self.new_url)
        self.assertContains(page, "id: us.mo.new_requirement")
        skeleton = page.context["form"]["text"].initial
        response = self.client.post(
            self.new_url,
            {"file_name": "new_requirement", "title": "New", "text": skeleton},
        )
        self.assertEqual(response.status_code, 200)
        error = response.context["form"].errors["text"][0]
        self.assertIn("mandates/us/mo/new_requirement.yaml", error)
        self.assertEqual(MandateDraft.objects.count(), 0)

    def test_a_shipped_file_name_or_another_state_is_refused(self):
        response = self.client.post(
            self.new_url,
            {"file_name": "peace_officer", "title": "x", "text": NEW_FILE},
        )
        self.assertIn(
            "is a shipped file", response.context["form"].errors["file_name"][0]
        )
        moved = NEW_FILE.replace("jurisdiction: MO", "jurisdiction: TN")
        response = self.client.post(
            self.new_url, {"file_name": "mental_health", "title": "x", "text": moved}
        )
        self.assertTrue(response.context["form"].errors["text"])
        self.assertEqual(MandateDraft.objects.count(), 0)

    def test_a_new_requirement_is_owed_by_everyone_it_applies_to(self):
        library = rules.load_mandates()
        shipped_ids = [m.id for m in library.get("MO").mandates]
        response = self.client.post(
            self.new_url,
            {"file_name": "mental_health", "title": "Mental health", "text": NEW_FILE},
        )
        draft = MandateDraft.objects.get()
        self.assertRedirects(response, draft.get_absolute_url())
        self.assertEqual(draft.mandate_id, "us.mo.mental_health")
        run = self.evaluate(draft)
        self.assertEqual((run.status, run.error), ("done", ""))
        totals = run.result["totals"]
        # Bob and Charlie (Missouri peace officers) each owe 3 new hours.
        more = Decimal(totals["hours_after"]) - Decimal(totals["hours_before"])
        self.assertEqual((totals["people"], totals["affected"], more), (2, 2, 6))
        row = next(
            r for r in run.result["requirements"] if r["id"].startswith("us.mo.mental")
        )
        self.assertEqual((row["before"], row["after"]), ("0.00", "6.00"))
        # The rules in force are as shipped: no file, no mandate.
        self.assertFalse(whatif.draft_path(draft.mandate_id).exists())
        self.assertEqual(
            [m.id for m in rules.load_mandates().get("MO").mandates], shipped_ids
        )
        download = self.client.get(f"/states/mo/what-if/{draft.pk}/draft.yaml")
        self.assertIn('filename="mental_health.yaml"', download["Content-Disposition"])

    def test_other_states_auditors_cannot_write_one(self):
        self.client.force_login(self.tess)
        self.assertEqual(self.client.get(self.new_url).status_code, 404)
        response = self.client.post(
            self.new_url,
            {"file_name": "mental_health", "title": "x", "text": NEW_FILE},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(MandateDraft.objects.count(), 0)


class HostileNewFileTestCase(WhatIfBase):
    """An attacker's drafts: a name that walks out of the state's folder, YAML
    that multiplies itself, a huge text. Each is refused on the form, nothing is
    saved, and the rules in force stay as shipped."""

    new_url = "/states/mo/what-if/new-file/"

    def post(self, name: str, text: str):
        return self.client.post(
            self.new_url, {"file_name": name, "title": "x", "text": text}
        )

    def assert_nothing_written(self, shipped_ids) -> None:
        self.assertEqual(MandateDraft.objects.count(), 0)
        mandates = rules.load_mandates().get("MO").mandates
        self.assertEqual([m.id for m in mandates], shipped_ids)

    def test_names_that_leave_the_folder_are_refused(self):
        shipped_ids = [m.id for m in rules.load_mandates().get("MO").mandates]
        for name in ("../tx/peace_officer", "..", "a/b", "x.yaml", "Mental", "a\\b"):
            text = NEW_FILE.replace("us.mo.mental_health", f"us.mo.{name}")
            response = self.post(name, text)
            self.assertEqual(response.status_code, 200, name)
            self.assertIn("file_name", response.context["form"].errors, name)
        self.assert_nothing_written(shipped_ids)

    def test_an_id_naming_another_place_is_refused(self):
        shipped_ids = [m.id for m in rules.load_mandates().get("MO").mandates]
        for other in ("us.tx.mental_health", "us.mo.peace_officer", "us.mo.x.y"):
            text = NEW_FILE.replace("us.mo.mental_health", other)
            response = self.post("mental_health", text)
            self.assertIn("text", response.context["form"].errors, other)
        self.assert_nothing_written(shipped_ids)

    def test_self_multiplying_yaml_is_refused_quickly(self):
        shipped_ids = [m.id for m in rules.load_mandates().get("MO").mandates]
        lists = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)
        ]
        merges = ["m0: &m0 {k: v}"] + [
            f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 4)}]}}"
            for i in range(1, 30)
        ]
        for bomb in (lists, merges):
            text = NEW_FILE + "x-bomb:\n" + "".join(f"  {line}\n" for line in bomb)
            started = time.monotonic()
            response = self.post("mental_health", text)
            self.assertLess(time.monotonic() - started, 5)
            error = response.context["form"].errors["text"][0]
            self.assertIn("expands", error)
        looped = NEW_FILE + "x-loop: &loop [*loop]\n"
        error = self.post("mental_health", looped).context["form"].errors["text"][0]
        self.assertIn("contains itself", error)
        self.assert_nothing_written(shipped_ids)

    def test_a_huge_text_is_refused_with_its_size(self):
        text = NEW_FILE + "# " + "x" * 250_000 + "\n"
        response = self.post("mental_health", text)
        self.assertIn("at most", str(response.context["form"].errors["text"]))
        self.assertEqual(MandateDraft.objects.count(), 0)


class QueuedWhatIfTestCase(WhatIfBase):
    """A state larger than MUSTER_WHAT_IF_INLINE waits for the task queue."""

    def queue(self, draft) -> WhatIfRun:
        with (
            self.settings(MUSTER_WHAT_IF_INLINE=1),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(
                draft.get_absolute_url(), {"run": "1", "year": "2026"}
            )
        run = draft.runs.get()
        self.assertRedirects(response, f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        return run

    def work(self) -> None:
        run_queued_tasks()

    def test_the_page_follows_a_queued_run_until_its_figures_are_in(self):
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        run = self.queue(draft)
        self.assertEqual((run.status, run.result), ("queued", {}))
        task = DBTaskResult.objects.get(task_path__endswith="evaluate_what_if")
        self.assertEqual(task.args_kwargs["args"], [run.pk])
        url = f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "Waiting for a task worker")
        self.assertContains(page, 'hx-trigger="every 3s"')
        self.assertEqual(self.client.get(url + "report.csv").status_code, 404)
        self.assertEqual(self.client.get(url + "chart.svg").status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="what-if.run").exists())
        self.work()
        run.refresh_from_db()
        self.assertEqual(run.status, "done")
        # Bob and Charlie owe 6 hours more each.
        totals = run.result["totals"]
        more = Decimal(totals["hours_after"]) - Decimal(totals["hours_before"])
        self.assertEqual((totals["people"], more), (2, 12))
        entry = AuditEntry.objects.get(action="what-if.run")
        self.assertEqual((entry.actor, entry.object_id), (self.sam, str(run.pk)))
        polled = self.client.get(url, HTTP_HX_REQUEST="true")
        self.assertEqual((polled.status_code, polled["HX-Refresh"]), (204, "true"))
        self.assertContains(self.client.get(url), "0 of 2 people change status")
        chart = self.client.get(url + "chart.svg")
        self.assertEqual(chart["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertIn(b"Riverton", chart.content)

    def test_a_queued_run_evaluates_the_text_it_was_asked_for(self):
        draft = self.start_draft()
        self.save(draft, raised_total(30))
        run = self.queue(draft)
        self.save(draft, raised_total(40))
        self.work()
        run.refresh_from_db()
        totals = run.result["totals"]
        more = Decimal(totals["hours_after"]) - Decimal(totals["hours_before"])
        self.assertEqual(more, 12)  # 30 hours, not 40
        page = self.client.get(f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        self.assertContains(page, "The draft has been changed since")

    def test_a_run_whose_text_no_longer_loads_says_why(self):
        draft = self.start_draft()
        run = self.queue(draft)
        WhatIfRun.objects.filter(pk=run.pk).update(text="id: [")
        self.work()
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")
        page = self.client.get(f"/states/mo/what-if/{draft.pk}/runs/{run.pk}/")
        self.assertContains(page, "Failed")
        self.assertContains(page, "peace_officer.yaml")

    def test_only_the_states_auditors_see_a_queued_run(self):
        draft = self.start_draft()
        run = self.queue(draft)
        for user in (self.tess, self.alice, self.bob):
            self.client.force_login(user)
            for state in ("mo", "tn"):
                url = f"/states/{state}/what-if/{draft.pk}/runs/{run.pk}/"
                self.assertEqual(self.client.get(url).status_code, 404)
                polled = self.client.get(url, HTTP_HX_REQUEST="true")
                self.assertEqual(polled.status_code, 404)


class DatedValueFormTestCase(WhatIfBase):
    """The form writes a dated value into the YAML; the loader checks it."""

    def add(self, draft, **changes):
        data = {
            "add_value": "1",
            "value-requirement": "total",
            "value-starts": "2026-01-01",
            "value-hours": "30",
            "value-title": 'Draft amendment "A" to 11 CSR 75-15.010(2)',
            "value-href": "https://dps.mo.gov/dir/programs/post/clee-training.php",
            "value-source": "regulation",
            "value-confidence": "stated",
        }
        data.update({f"value-{k}": v for k, v in changes.items()})
        return self.client.post(draft.get_absolute_url(), data)

    def test_it_adds_the_value_after_the_last_one_keeping_the_rest(self):
        draft = self.start_draft()
        page = self.client.get(draft.get_absolute_url())
        self.assertContains(page, "Add a dated value")
        self.assertContains(page, '<option value="total">Total CLEE hours (total)')
        response = self.add(draft)
        self.assertRedirects(response, draft.get_absolute_url())
        draft.refresh_from_db()
        # After the total's one value, every other line as it was.
        entry = (
            "      - from: 2026-01-01\n"
            "        hours: 30\n"
            "        reference:\n"
            '          title: "Draft amendment \\"A\\" to 11 CSR 75-15.010(2)"\n'
            '          href: "https://dps.mo.gov/dir/programs/post/clee-training.php"\n'
            "          source: regulation\n"
            "          confidence: stated\n"
        )
        shipped = whatif.shipped_text(MANDATE)
        self.assertEqual(draft.text, shipped.replace(TOTAL_ENTRY, TOTAL_ENTRY + entry))
        mandate = whatif.load_draft(draft.text, MANDATE)
        total = next(r for r in mandate.requirements if r.id == "total")
        self.assertEqual([v.hours for v in total.values], [24, 30])
        self.assertEqual(
            total.values[1].citation.title, 'Draft amendment "A" to 11 CSR 75-15.010(2)'
        )
        # The same figures as the YAML edit of the same value.
        run = self.evaluate(draft)
        more = Decimal(run.result["totals"]["hours_after"]) - Decimal(
            run.result["totals"]["hours_before"]
        )
        self.assertEqual(more, 12)

    def test_a_value_shared_through_an_anchor_is_refused_with_the_reason(self):
        draft = self.start_draft()
        response = self.add(draft, requirement="technical", hours="3")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "YAML anchor", response.context["value_form"].non_field_errors()[0]
        )
        draft.refresh_from_db()
        self.assertEqual(draft.text, whatif.shipped_text(MANDATE))

    def test_a_value_the_loader_refuses_is_not_saved(self):
        draft = self.start_draft()
        response = self.add(draft, starts="2010-01-01")
        errors = response.context["value_form"].non_field_errors()
        self.assertTrue(errors and "peace_officer.yaml" in errors[0], errors)
        draft.refresh_from_db()
        self.assertEqual(draft.text, whatif.shipped_text(MANDATE))
