"""A coordinator opens the agency dashboard, reads a status and opens the person.

The browser is signed in by the `sign_in` fixture (conftest.py), which copies a
session cookie from Django's test client, so these tests do not depend on the sign-in
page's markup.
"""

import re
from datetime import date

import pytest
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies.models import Agency, Employment
from muster.agencies.tests.helpers import add_record, make_person
from muster.test import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_coordinator_from_the_dashboard_to_a_person(
    live_server, page, sign_in, artifacts_dir
):
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind="police-department",
        state="MO",
    )
    alice = make_user("alice", (Role.COORDINATOR, agency))
    person = make_person(first_name="Carol", last_name="Behind")
    Employment.objects.create(person=person, agency=agency, starts_on=date(2015, 6, 1))
    add_record(person, date(2019, 3, 1), ("4", "legal", []), title="Legal update")
    sign_in(alice)

    page.goto(f"{live_server.url}/agencies/{agency.code}/")
    row = page.locator("tr", has_text="Behind, Carol")
    # Nothing on file for this year: behind, whatever the day.
    assert row.locator(".status").first.inner_text() in ("at risk", "deficient")
    page.screenshot(path=artifacts_dir / "dashboard.png", full_page=True)

    # The filters update the table in place (htmx), under the strict CSP.
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    page.select_option("#f-status", "compliant")
    page.get_by_text("Nobody matches these filters.").wait_for()
    assert "status=compliant" in page.url
    page.select_option("#f-status", "")
    page.get_by_text("1 person shown").wait_for()
    assert refused == []
    row = page.locator("tr", has_text="Behind, Carol")

    row.get_by_role("link", name="Behind, Carol").click()
    page.wait_for_url(f"{live_server.url}/people/{person.pk}/")
    assert page.locator("h1").inner_text() == "Carol Behind"
    # The requirement's own cell (another requirement's note may name it too).
    assert page.get_by_role("cell", name=re.compile(r"^De-escalation")).is_visible()
    page.screenshot(path=artifacts_dir / "person-page.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/agencies/{agency.code}/")
    page.screenshot(path=artifacts_dir / "dashboard-phone.png", full_page=True)


def test_a_coordinator_records_a_class_for_12_and_the_counts_change(
    live_server, page, sign_in, artifacts_dir
):
    # The server judges "today" in UTC (TIME_ZONE), which may differ from the
    # machine's local date; a completion after the server's today is refused.
    today = timezone.localdate()
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind="police-department",
        state="MO",
    )
    alice = make_user("alice", (Role.COORDINATOR, agency))
    for n in range(12):
        person = make_person(first_name=f"Officer{n:02d}", last_name=f"Class{n:02d}")
        Employment.objects.create(
            person=person, agency=agency, starts_on=date(2015, 6, 1)
        )
        # Every Missouri minimum for the year except one hour of de-escalation.
        add_record(
            person,
            today,
            ("4", "legal", []),
            ("4", "technical", []),
            ("2", "skill-development", ["firearms"]),
            ("1", "interpersonal", ["implicit-bias"]),
            ("12", "interpersonal", []),
            title="In-service week",
            provider_kind="approved-provider",
        )
    sign_in(alice)

    dashboard = f"{live_server.url}/agencies/{agency.code}/"
    page.goto(dashboard)
    assert page.locator(".glance").inner_text().startswith("0 of 12 compliant")

    page.get_by_role("link", name="Record a class").click()
    page.get_by_label("Title").fill("De-escalation refresher")
    page.locator("#id_completed_on").fill(today.isoformat())
    page.get_by_label("Provider kind").select_option("approved-provider")
    page.locator("#id_lines-0-hours").fill("1")
    page.locator("#id_lines-0-area").select_option("interpersonal")
    page.locator(".credit-line summary").first.click()
    page.locator("#id_lines-0-topics").get_by_label("De-escalation", exact=True).check()
    page.get_by_label("Find on the roster").fill("Class1")
    assert page.locator("[data-roster-list] label:visible").count() == 2
    page.get_by_label("Find on the roster").fill("")
    for box in page.locator("[data-roster-list] input[type=checkbox]").all():
        box.check()
    assert page.locator("[data-roster-count]").inner_text() == "12"
    page.screenshot(path=artifacts_dir / "class-entry.png", full_page=True)
    page.get_by_role("button", name="Check the names").click()
    # The review step lists every person ticked before anything is saved.
    page.get_by_role("heading", name="12 attendees").wait_for()
    assert page.locator("ol.review-names li").count() == 12
    page.screenshot(path=artifacts_dir / "class-review.png", full_page=True)
    page.get_by_role("button", name="Save for these 12 people").click()

    page.wait_for_url(dashboard)
    assert "Class saved for 12 attendees." in page.content()
    assert page.locator(".glance").inner_text().startswith("12 of 12 compliant")
    page.screenshot(path=artifacts_dir / "dashboard-after-class.png", full_page=True)
