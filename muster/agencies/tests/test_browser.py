"""A coordinator signs in, reads a status on the home page and opens the person."""

from datetime import date

import pytest

from muster.agencies.tests.helpers import add_record, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_coordinator_from_the_home_page_to_a_person(
    live_server, page, django_user_model, artifacts_dir
):
    django_user_model.objects.create_user(
        "alice", password="a-long-test-password", is_staff=True
    )
    person = make_person(first_name="Carol", last_name="Behind")
    add_record(person, date(2019, 3, 1), ("4", "legal", []), title="Legal update")

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "a-long-test-password")
    page.click("input[type=submit]")

    page.wait_for_url(f"{live_server.url}/")
    row = page.locator("tr", has_text="Behind, Carol")
    # Nothing on file for this year: behind, whatever the day.
    assert row.locator(".status").first.inner_text() == "at-risk"

    row.get_by_role("link", name="Behind, Carol").click()
    page.wait_for_url(f"{live_server.url}/people/{person.pk}/")
    assert page.locator("h1").inner_text() == "Carol Behind"
    assert page.get_by_role("cell", name="De-escalation").is_visible()
    page.screenshot(path=artifacts_dir / "person-page.png", full_page=True)
