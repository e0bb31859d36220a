"""A Missouri auditor reads the state page, then drafts a raised annual total and
evaluates it against everyone in the state. Screenshots go to test-artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from muster.accounts.choices import Role
from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import Agency, Person
from muster.plans.tests.test_whatif import add_year, raised_total
from muster.test import make_person, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = "2026-11-20 12:00:00+00:00"
# (agency, hours each of its officers has for 2026)
STAFF = {
    ("Riverton Police Department", "riverton-pd"): [26, 24, 30, 12, 25],
    ("Oakdale County Sheriff's Office", "oakdale-so"): [28, 9, 10, 27],
    ("Cedar Falls Police Department", "cedar-falls-pd"): [],
}


def make_state() -> None:
    n = 0
    for (name, code), hours in STAFF.items():
        agency = Agency.objects.create(
            name=name, code=code, kind="police-department", state="MO"
        )
        for total in hours:
            n += 1
            person = make_person(f"Officer{n}", f"Number{n}", agency, attributes=())
            add_year(person, Decimal(total))
        if not hours:
            make_person("Pat", "Silent", agency, attributes=())
    refresh_standings(Person.objects.values_list("pk", flat=True))


def test_an_auditor_reads_the_state_and_evaluates_a_draft(
    live_server, page, sign_in, artifacts_dir
):
    with time_machine.travel(TODAY, tick=True):
        make_state()
        sign_in(make_user("sam", (Role.STATE_AUDITOR, "MO")))
        page.goto(f"{live_server.url}/states/mo/")
        assert page.get_by_role("heading", name="Missouri: every agency").is_visible()
        table = page.locator("#agency-table")
        assert "Cedar Falls Police Department" in table.text_content()
        assert page.locator("svg[aria-describedby=agency-table]").is_visible()
        assert "Cedar Falls" in page.locator("#not-reported").inner_text()
        page.screenshot(path=str(artifacts_dir / "state-overview.png"), full_page=True)

        page.get_by_role("link", name="What-if: draft a rule change").click()
        page.get_by_label("Mandate to change").select_option("us.mo.peace_officer")
        page.get_by_label("Title").fill("30 annual hours from 2026")
        page.get_by_role("button", name="Start from the shipped file").click()
        page.get_by_label("Mandate file (YAML)").fill(raised_total(30))
        page.get_by_role("button", name="Check and save").click()
        assert "Draft saved" in page.locator("ul.messages").inner_text()
        page.get_by_label("Year").select_option("2026")
        page.get_by_role("button", name="Evaluate the saved draft").click()
        summary = page.locator("#what-if-summary").inner_text()
        # 26, 24, 25, 28 and 27 hours met 24 but fall short of 30.
        assert summary.startswith("5 of 10 people change status"), summary
        assert page.locator("svg[aria-describedby=run-agencies]").is_visible()
        page.screenshot(path=str(artifacts_dir / "state-what-if.png"), full_page=True)
