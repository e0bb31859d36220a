"""The lesson page's heartbeat script runs under the strict CSP and moves the meter."""

from __future__ import annotations

import pytest
from django.test import Client

from muster.accounts.choices import Role
from muster.agencies.models import Agency
from muster.learning.models import Enrollment, Heartbeat
from muster.learning.tests.helpers import make_course
from muster.test import make_person, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lesson_page_sends_visible_heartbeats(live_server, page, artifacts_dir):
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = make_course()
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )

    page.goto(f"{live_server.url}/learn/{course.slug}/")
    page.locator("#lesson-title").wait_for()
    assert page.locator("#seat-time-text").inner_text() == "0 of 60 minutes"
    enrollment = Enrollment.objects.get()
    for _ in range(50):
        if Heartbeat.objects.filter(enrollment=enrollment).exists():
            break
        page.wait_for_timeout(100)
    beat = Heartbeat.objects.get(enrollment=enrollment)
    assert beat.is_visible and not beat.is_idle and beat.lesson.position == 1
    assert refused == []
    page.screenshot(path=artifacts_dir / "learning-lesson.png", full_page=True)
