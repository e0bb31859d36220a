"""A cmi5 AU of this project's own played in Chromium with Muster as the LMS.

Launch (Launched, LaunchData) → the AU fetches its token and sends initialized
→ completed and passed → satisfied (block, course) → terminated → returnURL →
the player reloads onto the certificate: the record is there, the standing
changes. Content on http://127.0.0.1:<port>, Muster on http://localhost:<port>.
"""

from __future__ import annotations

import pytest
from django.test import Client

from muster.accounts.choices import Role
from muster.agencies.choices import RecordSource
from muster.agencies.models import Agency, TrainingRecord
from muster.learning.models import Enrollment
from muster.packages import cmi5
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import imported
from muster.packages.tests.test_browser import implicit_bias_status
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations
from muster.xapi.models import Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cmi5_au_launches_passes_and_credits_the_record(
    live_server, page, settings, tmp_path, artifacts_dir
):
    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    package = imported(fixtures.cmi5_au_zip())
    course = package.course
    course.seat_time_minutes = 0
    course.save()
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    before = implicit_bias_status(person)

    page.goto(f"{live_server.url}/learn/{course.slug}/")
    au = page.frame_locator("#package-frame")
    au.locator("#status").filter(has_text="initialized").wait_for()
    assert au.locator("#mode").inner_text() == "Normal"
    require_axe()
    found = serious_violations(page)
    assert not found, describe(found)
    page.screenshot(path=artifacts_dir / "package-player-cmi5.png")
    au.locator("#finish").click()
    page.locator("a.certificate-link").first.wait_for()

    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.is_complete
    record = TrainingRecord.objects.get(source=RecordSource.ONLINE_COURSE)
    assert enrollment.record == record
    rows = Statement.objects.filter(
        data__context__extensions__has_key=cmi5.SESSION_ID
    ).order_by("stored", "pk")
    verbs = [row.verb_id.rsplit("/", 1)[-1] for row in rows]
    assert verbs == [
        "launched", "initialized", "completed", "passed", "satisfied", "satisfied",
        "terminated",
    ]  # fmt: skip
    assert before == "missing" and implicit_bias_status(person) == "met"
    assert refused == []

    # The coordinator's registrations screen shows what happened, accessibly.
    coordinator = make_user("cora", (Role.COORDINATOR, agency))
    client.force_login(coordinator)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/agencies/{agency.code}/cmi5/{course.pk}/")
    page.locator("#cmi5-registrations").get_by_text("Complete").wait_for()
    assert "Satisfied" in page.locator("#cmi5-registrations").inner_text()
    found = serious_violations(page)
    assert not found, describe(found)

    # The AU's statements, from the course page's count, accessibly.
    page.get_by_label("the statements of").first.click()
    listing = page.locator("#cmi5-statements")
    listing.get_by_text("terminated").wait_for()
    text = listing.inner_text()
    for verb in ("launched", "initialized", "completed", "passed", "terminated"):
        assert verb in text
    assert "score 0.9 (scaled)" in text
    found = serious_violations(page)
    assert not found, describe(found)
    page.screenshot(path=artifacts_dir / "cmi5-au-statements.png")
