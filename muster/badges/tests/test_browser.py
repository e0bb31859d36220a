"""An officer downloads a badge from the certificate page (and its embedded-proof
form from the verify page); the verify page checks each, valid then revoked."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from muster.accounts.choices import Role
from muster.agencies.models import Agency
from muster.learning import actions as learning_actions
from muster.learning.models import Attempt, Certificate
from muster.learning.tests.helpers import (
    START,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_downloads_a_badge_and_the_verify_page_checks_it(
    live_server, page, sign_in, artifacts_dir, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    bob = make_user(
        "bob", (Role.OFFICER, agency), person=make_person("Bob", "Baker", agency)
    )
    course = make_course()
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(bob)
        ready_for_assessment(client, course, clock)
        client.get(f"/learn/{course.slug}/assessment/")
        attempt = Attempt.objects.get()
        client.post(f"/learn/{course.slug}/assessment/", right_answers(attempt))
    certificate = Certificate.objects.get()

    sign_in(bob)
    page.goto(f"{live_server.url}/learn/{course.slug}/attempts/{attempt.pk}/")
    with page.expect_download() as download:
        page.click("#download-badge")
    badge = tmp_path / download.value.suggested_filename
    download.value.save_as(badge)
    assert badge.name == f"badge-{certificate.code}.jwt"

    page.goto(f"{live_server.url}/verify/{certificate.code}/")
    assert page.locator("#badge-qr").evaluate("img => img.naturalWidth") > 0
    page.set_input_files("#badge-file", str(badge))
    page.click("#check-badge")
    assert page.locator("#badge-verdict").inner_text() == "Valid"
    assert "Implicit Bias" in page.locator("#badge-details").inner_text()
    page.screenshot(path=artifacts_dir / "badge-valid.png", full_page=True)

    # The same badge with an embedded eddsa-rdfc-2022 proof, from the verify page.
    page.goto(f"{live_server.url}/verify/{certificate.code}/")
    with page.expect_download() as download:
        page.click("#download-badge-proof")
    proved = tmp_path / download.value.suggested_filename
    download.value.save_as(proved)
    assert proved.name == f"badge-{certificate.code}.proof.json"
    page.set_input_files("#badge-file", str(proved))
    page.click("#check-badge")
    assert page.locator("#badge-verdict").inner_text() == "Valid"

    learning_actions.revoke_certificate(
        actor=bob, certificate=certificate, reason="Issued in error"
    )
    for downloaded in (badge, proved):
        page.goto(f"{live_server.url}/verify/")
        page.set_input_files("#badge-file", str(downloaded))
        page.click("#check-badge")
        assert page.locator("#badge-verdict").inner_text() == "Revoked"
    page.screenshot(path=artifacts_dir / "badge-revoked.png", full_page=True)


def test_the_learners_badge_pages_pass_axe(
    live_server, page, sign_in, artifacts_dir, tmp_path, settings
) -> None:
    """Every page that offers the badge partial (badges/_downloads.html), as the
    officer sees it: no serious or critical axe-core violation, the QR code drawn."""
    require_axe()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = make_course()
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(bob)
        ready_for_assessment(client, course, clock)
        client.get(f"/learn/{course.slug}/assessment/")
        attempt = Attempt.objects.get()
        client.post(f"/learn/{course.slug}/assessment/", right_answers(attempt))
    certificate = Certificate.objects.get()

    sign_in(bob)
    pages = {
        "assessment result": f"/learn/{course.slug}/attempts/{attempt.pk}/",
        "course page": f"/learn/{course.slug}/",
        "own records": reverse("agencies:person", args=[person.pk])
        + f"?year={START.year}",
        "verify page": f"/verify/{certificate.code}/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        if name == "own records":
            page.locator("details.badge summary").click()  # folded under the record
        qr = page.locator("img.badge-qr").first
        assert qr.evaluate("img => img.naturalWidth") > 0, name
        assert page.locator("a.badge-download").count() == 3, name
        found = serious_violations(page)
        assert not found, f"axe-core on the {name}:\n{describe(found)}"
        page.screenshot(path=artifacts_dir / f"badge-{name.replace(' ', '-')}.png")
