"""In Chromium, a coordinator records for one officer: the form says live what each
line counts toward, refuses impossible dates and scores next to the field, offers
waivers by requirement name, and the person page shows dated history and a
transcript to download. Screenshots go to test-artifacts/forms-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pypdfium2
import pytest
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, Exemption, Qualification, TrainingRecord
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riverton(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    bob = make_person("Bob", "Baker", agency)
    alice = make_user("alice", (Role.COORDINATOR, agency))
    return agency, bob, alice


def assert_accessible(page, name: str) -> None:
    found = serious_violations(page)
    assert not found, f"axe-core on the {name}:\n{describe(found)}"


def test_a_coordinator_records_with_live_counts_and_checks_next_to_fields(
    riverton, live_server, page, sign_in, artifacts_dir
):
    require_axe()
    agency, bob, alice = riverton
    sign_in(alice)
    url = live_server.url
    today = timezone.localdate()

    # Item 8: what the line will count toward, as it is typed (htmx).
    page.goto(f"{url}/agencies/{agency.code}/people/{bob.pk}/training/new/")
    page.get_by_label("Title").fill("Range day")
    page.locator("#id_completed_on").fill((today - timedelta(days=3)).isoformat())
    page.locator("#id_lines-0-hours").fill("2")
    page.locator("#id_lines-0-area").select_option("skill-development")
    hint = page.locator("#counts-toward .toward-hint")
    hint.wait_for()
    assert "Skill development - firearms (live)" in hint.inner_text()
    assert "Firearms skill development" in hint.inner_text()
    page.screenshot(path=artifacts_dir / "forms-counts-toward-hint.png", full_page=True)
    assert_accessible(page, "training form with the counts-toward hint")
    page.locator(".credit-line summary").first.click()
    page.locator("#id_lines-0-topics").get_by_label(
        "Firearms skill development (hours on the range or in firearms training)"
    ).check()
    page.wait_for_function(
        "() => !document.querySelector('#counts-toward .toward-hint')"
    )
    assert (
        "Skill development - firearms (live)"
        in page.locator("#counts-toward").inner_text()
    )

    # Item 9: a year typed wrong is refused next to its field; nothing is saved.
    page.locator("#id_completed_on").fill("1901-01-01")
    page.get_by_role("button", name="Save training").click()
    error = page.locator("#id_completed_on_error")
    error.wait_for()
    assert "before 1950" in error.inner_text()
    assert not TrainingRecord.objects.filter(title="Range day").exists()
    page.screenshot(path=artifacts_dir / "forms-date-refused.png", full_page=True)
    page.locator("#id_completed_on").fill((today - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save training").click()
    page.wait_for_url(f"{url}/people/{bob.pk}/")

    # Item 9: a negative score is refused next to the score.
    page.goto(f"{url}/agencies/{agency.code}/people/{bob.pk}/qualifications/new/")
    page.locator("#id_qualified_on").fill(today.isoformat())
    page.get_by_label("Weapon type").fill("Handgun")
    page.get_by_label("Score").fill("-50")
    page.get_by_label("Result").select_option("pass")
    page.get_by_role("button", name="Save").click()
    page.locator("#id_score_error").wait_for()
    assert not Qualification.objects.exists()
    page.screenshot(path=artifacts_dir / "forms-score-refused.png", full_page=True)

    # Item 4: a waiver names the person's requirements; exactly those apply.
    page.goto(f"{url}/agencies/{agency.code}/people/{bob.pk}/exemptions/new/")
    page.get_by_label("Kind").select_option("extension")
    page.locator("#id_starts_on").fill(f"{today.year}-01-01")
    page.locator("#id_ends_on").fill(f"{today.year + 1}-02-28")
    page.get_by_label("Reason").fill("Medical leave")
    page.get_by_label("Skill development - firearms (live)", exact=True).check()
    page.screenshot(path=artifacts_dir / "forms-waiver.png", full_page=True)
    assert_accessible(page, "waiver form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{url}/people/{bob.pk}/")
    assert Exemption.objects.get().requirements == ["firearms"]
    covers = page.locator("td[data-label=Covers]").inner_text()
    assert covers == "Skill development - firearms (live)"

    # Item 3: each history entry shows when it happened.
    page.locator("article.record details.history summary").first.click()
    stamp = page.locator("article.record details.history time").first
    assert stamp.get_attribute("datetime").startswith(today.isoformat()[:4])
    assert stamp.inner_text().startswith(str(today.year))

    # Item 7: the transcript is linked from the person page and downloads a PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the transcript (PDF)").click()
    path = artifacts_dir / "forms-transcript.pdf"
    download.value.save_as(path)
    document = pypdfium2.PdfDocument(str(path))
    text = document[0].get_textpage().get_text_range()
    assert "Riverton Police Department" in text and "Range day" in text
    document[0].render(scale=1.5).to_pil().save(artifacts_dir / "forms-transcript.png")
    page.screenshot(path=artifacts_dir / "forms-person-page.png", full_page=True)
