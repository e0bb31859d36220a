"""A coordinator imports a roster of 12, records a class for all of them, and sees
the dashboard counts change. Screenshots go to test-artifacts/.

The browser is signed in by the `sign_in` fixture (conftest.py), which copies a
session cookie from Django's test client, so the test does not depend on the sign-in
page's markup.
"""

from datetime import date, timedelta

import pytest

from muster.accounts.choices import Role
from muster.agencies.models import Agency, Person, TrainingRecord
from muster.test import make_user
from muster.transfers.tests.helpers import ROSTER_HEADER, csv_bytes, roster_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A class that meets every Missouri requirement for an officer without traffic duty.
CLASS_LINES = [
    ("8", "legal", ["legislative-update"]),
    ("8", "interpersonal", ["implicit-bias", "de-escalation"]),
    ("8", "technical", ["firearms"]),
]


def import_roster(page, base: str) -> None:
    rows = [roster_row(i, Email="") for i in range(1, 13)]
    page.goto(f"{base}/import/roster/")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "roster.csv",
            "mimeType": "text/csv",
            "buffer": csv_bytes(ROSTER_HEADER, rows),
        },
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Preview").click()
    assert "12 to create" in page.locator("#import-counts").inner_text()
    page.locator("#confirm-import").click()
    assert "12 created" in page.locator("#import-done").inner_text()


def record_class(page, base: str, on: date) -> None:
    page.goto(f"{base}/classes/new/")
    page.fill("input[name=title]", "Annual in-service day")
    page.fill("input[name=completed_on]", on.isoformat())
    page.fill("input[name=provider_name]", "Three Rivers Regional Training Center")
    page.select_option("select[name=provider_kind]", "approved-provider")
    for i, (hours, area, topics) in enumerate(CLASS_LINES):
        page.fill(f"input[name=lines-{i}-hours]", hours)
        page.select_option(f"select[name=lines-{i}-area]", area)
        page.locator(f"input[name=lines-{i}-topics]").first.evaluate(
            "e => e.closest('details').open = true"
        )
        for topic in topics:
            page.check(f"input[name=lines-{i}-topics][value={topic}]")
    attendees = page.locator("input[name=attendees]")
    assert attendees.count() == 12
    for i in range(12):
        attendees.nth(i).check()
    page.get_by_role("button", name="Check the names").click()
    page.get_by_role("button", name="Save for these 12 people").click()


def test_a_coordinator_imports_a_roster_records_a_class_and_sees_counts_change(
    live_server, page, sign_in, artifacts_dir
):
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind="police-department",
        state="MO",
    )
    alice = make_user("alice", (Role.COORDINATOR, agency))
    sign_in(alice)
    base = f"{live_server.url}/agencies/{agency.code}"

    import_roster(page, base)
    assert Person.objects.count() == 12
    page.goto(f"{base}/")
    before = page.locator(".glance").inner_text()
    assert "0 of 12" in before, before

    record_class(page, base, date.today() - timedelta(days=1))
    page.wait_for_url(f"{base}/")
    assert TrainingRecord.objects.count() == 12
    after = page.locator(".glance").inner_text()
    assert "12 of 12 compliant" in after, after
    page.screenshot(path=artifacts_dir / "import-dashboard.png", full_page=True)

    page.get_by_role("link", name="Import1, Pat1").first.click()
    assert "Annual in-service day" in page.content()
    page.screenshot(path=artifacts_dir / "import-person.png", full_page=True)
