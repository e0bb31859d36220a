"""End to end in Chromium: a Missouri officer closes the implicit-bias gap online.

Bob Baker, a licensed Missouri peace officer at Riverton PD, has every Missouri
CLEE minimum for the year except implicit bias. He signs in, follows the course
suggested for that gap on his home page, takes every lesson while seat time is
simulated by a test clock, passes the assessment, downloads his certificate, the
public /verify/<code>/ page confirms it, and his person page shows the Missouri
implicit-bias requirement met. Every page on the way is checked with axe-core
(no serious or critical violations). Screenshots go to test-artifacts/.

The test clock: the live server runs in a thread of this process, so
time_machine moves its clock too. Between heartbeats the test shifts the clock
30 seconds (the most one heartbeat may credit, muster/learning/seat.py) and posts
a heartbeat from the page, as the page's own script does; the server measures
the time from its clock. The shipped course content is loaded with
`manage.py load_courses`, so the test also proves the real course works.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pypdfium2
import pytest
import time_machine
from django.core.management import call_command

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, TrainingRecord
from muster.agencies.tests.helpers import add_record
from muster.catalog.models import Choice, Course
from muster.learning.models import Attempt, Certificate, Enrollment
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "implicit-bias-for-law-enforcement"
TITLE = "Implicit Bias for Law Enforcement"
# A weekday afternoon in the middle of a CLEE year.
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STEP_SECONDS = 30

HEARTBEAT = """async ([lesson, tab]) => {
  const meter = document.getElementById("seat-time");
  const body = new URLSearchParams({tab, visible: "visible", idle: "0", lesson});
  const response = await fetch(meter.dataset.heartbeatUrl, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: {"X-CSRFToken": meter.dataset.csrf},
  });
  return {status: response.status, data: await response.json()};
}"""


@pytest.fixture
def clock():
    """The server's clock, from START, running; `clock.shift(s)` jumps ahead."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def assert_accessible(page, name: str) -> None:
    found = serious_violations(page)
    assert not found, f"axe-core on the {name}:\n{describe(found)}"


def add_missouri_year_except_implicit_bias(person, day: date) -> None:
    """24 h covering every Missouri CLEE minimum of the year but implicit bias."""
    approved = {"provider_kind": "approved-provider"}
    add_record(person, day, ("4", "legal", []), title="Legal update", **approved)
    add_record(person, day, ("4", "technical", []), title="Traffic stops", **approved)
    add_record(
        person,
        day,
        ("2", "skill-development", ["firearms"]),
        title="Range day",
        provider_kind="in-service",
        delivery="live",
    )
    add_record(
        person,
        day,
        ("1", "skill-development", ["de-escalation"]),
        ("1", "interpersonal", ["racial-profiling"]),
        ("12", "interpersonal", []),
        title="In-service week",
        provider_kind="in-service",
    )


def test_an_officer_closes_the_implicit_bias_gap_with_an_online_course(
    clock, live_server, page, sign_in, artifacts_dir, settings, tmp_path
):
    require_axe()
    settings.MEDIA_ROOT = tmp_path
    call_command("load_courses", verbosity=0)
    course = Course.objects.get(slug=SLUG)
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    bob = make_person("Bob", "Baker", agency)
    add_missouri_year_except_implicit_bias(bob, date(2026, 2, 10))
    user = make_user("bob", (Role.OFFICER, agency), person=bob)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    sign_in(user)
    url = live_server.url

    # Home: the one open requirement is implicit bias; the cheapest plan has this
    # course for it.
    page.goto(f"{url}/")
    gaps = page.locator("section.plan")
    assert "Implicit bias" in gaps.inner_text()
    page.screenshot(path=artifacts_dir / "course-01-home-gaps.png", full_page=True)
    assert_accessible(page, "officer home page")
    page.goto(f"{url}/people/{bob.pk}/")
    assert page.locator("tr", has_text="Implicit bias").locator(
        ".status"
    ).first.inner_text() not in ("met", "compliant")
    page.goto(f"{url}/")
    gaps.get_by_role("link", name=TITLE).click()

    # The catalog's course page says what the course counts toward for Bob.
    page.wait_for_url(f"{url}/courses/{SLUG}/")
    assert page.locator("h1").inner_text() == TITLE
    counts = page.locator("section.counts-toward").inner_text()
    assert "mplicit bias" in counts
    assert "DEMO-MO-IB-2021" in page.content()
    page.screenshot(path=artifacts_dir / "course-02-course-page.png", full_page=True)
    assert_accessible(page, "catalog course page")

    page.goto(f"{url}/courses/")
    assert page.get_by_role("link", name=TITLE).is_visible()
    page.screenshot(path=artifacts_dir / "course-03-catalog.png", full_page=True)
    assert_accessible(page, "catalog list")
    page.goto(f"{url}/courses/{SLUG}/")
    page.get_by_role("button", name="Start course").click()

    # Every lesson, with seat time passing on the server's clock.
    lessons = list(course.lessons.all())
    assert len(lessons) == 4
    page.wait_for_url(f"{url}/learn/{SLUG}/lessons/1/")
    enrollment = Enrollment.objects.get(person=bob, course=course)
    assert enrollment.jurisdiction == "MO"
    answer = {}
    for lesson in lessons:
        assert page.locator("#lesson-title").inner_text() == lesson.title
        assert page.locator("#lesson-body h2").count() >= 2
        if lesson.position == 1:
            assert_accessible(page, "lesson page")
            check = lesson.knowledge_checks.get()
            form = page.locator(f"#check-{check.pk}")
            right = check.choices.get(is_correct=True)
            form.get_by_label(right.text).check()
            form.get_by_role("button", name="Check answer").click()
            feedback = page.locator(f"#check-{check.pk}-feedback")
            assert feedback.inner_text().startswith("Correct.")
            page.screenshot(
                path=artifacts_dir / "course-04-lesson-check.png", full_page=True
            )
            assert_accessible(page, "lesson page with knowledge-check feedback")
        page.evaluate(HEARTBEAT, [str(lesson.position), "e2e"])
        for _ in range(lesson.minutes * 60 // STEP_SECONDS):
            clock.shift(STEP_SECONDS)
            answer = page.evaluate(HEARTBEAT, [str(lesson.position), "e2e"])
            assert answer["status"] == 200, answer
        if lesson == lessons[-1]:
            # The page's own script also beats (every 15 real seconds); on a slow
            # machine one of its beats may arrive marked idle and credit nothing.
            # A few more simulated minutes make up for that, and no more.
            for _ in range(10):
                if answer["data"]["is_met"]:
                    break
                clock.shift(STEP_SECONDS)
                answer = page.evaluate(HEARTBEAT, [str(lesson.position), "e2e"])
        page.locator("#next-lesson").click()
        following = lesson.position + 1
        if following <= len(lessons):
            # The knowledge check's "#check-<pk>" fragment survives the redirect.
            page.wait_for_url(re.compile(rf"/learn/{SLUG}/lessons/{following}/(#.*)?$"))
    # The lessons' minutes add up to the course's 60: the meter is full.
    assert answer["data"]["is_met"], answer
    assert answer["data"]["active_seconds"] <= course.required_seconds + 300
    enrollment.refresh_from_db()
    assert enrollment.active_seconds >= course.required_seconds

    # The final assessment: ten questions drawn from the bank, all answered right.
    page.wait_for_url(re.compile(rf"/learn/{SLUG}/assessment/(#.*)?$"))
    questions = page.locator("fieldset.question")
    assert questions.count() == 10
    page.screenshot(path=artifacts_dir / "course-05-assessment.png", full_page=True)
    assert_accessible(page, "assessment page")
    attempt = Attempt.objects.get(enrollment=enrollment, submitted_at__isnull=True)
    for item in attempt.questions:
        for choice in Choice.objects.filter(question_id=item["question"]):
            if choice.is_correct:
                page.locator(
                    f"input[name='q{item['question']}'][value='{choice.pk}']"
                ).check()
    page.locator("#submit-assessment").click()
    page.wait_for_url(re.compile(rf"/learn/{SLUG}/attempts/{attempt.pk}/(#.*)?$"))
    assert page.locator("#attempt-result").inner_text() == "Passed"
    assert page.locator("li.review-item.wrong").count() == 0
    page.screenshot(path=artifacts_dir / "course-06-passed.png", full_page=True)
    assert_accessible(page, "assessment review page")

    # One record, credited for Missouri: 1 h interpersonal with implicit bias.
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert page.locator("#certificate-code").inner_text() == certificate.code
    record = TrainingRecord.objects.get(enrollment=enrollment)
    assert [
        (str(line.hours), line.area, line.topics) for line in record.credit_lines.all()
    ] == [("1.00", "interpersonal", ["implicit-bias"])]

    # The certificate PDF downloads, and renders.
    with page.expect_download() as download_info:
        page.locator("#download-certificate").click()
    pdf_path = artifacts_dir / "course-07-certificate.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        pdf[0].render(scale=1.5).to_pil().save(
            artifacts_dir / "course-07-certificate.png"
        )
    finally:
        pdf.close()

    # Anyone can check the code: a browser with no session sees it valid.
    stranger = page.context.browser.new_context()
    try:
        public = stranger.new_page()
        public.goto(f"{url}/verify/{certificate.code}/")
        assert public.locator("#verify-status").inner_text() == "Valid"
        details = public.locator("#certificate-details").inner_text()
        assert "Bob Baker" in details and TITLE in details
        public.screenshot(path=artifacts_dir / "course-08-verify.png", full_page=True)
        assert_accessible(public, "certificate verification page")
    finally:
        stranger.close()

    # Back on his person page: Missouri's implicit-bias requirement is met.
    page.goto(f"{url}/people/{bob.pk}/")
    row = page.locator("tr", has_text="Implicit bias").first
    assert row.locator(".status").first.inner_text() == "met"
    assert TITLE in page.content()
    page.screenshot(path=artifacts_dir / "course-09-person-met.png", full_page=True)
    assert_accessible(page, "person page")
    assert refused == []


def test_the_axe_check_runs_under_the_strict_csp_and_reports_what_it_should(
    live_server, page
):
    """The accessibility check is not vacuous: on a real page, with Muster's
    Content Security Policy in force, axe-core loads and reports a missing alt
    text (critical) and a nameless button (critical), and nothing else serious."""
    require_axe()
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    response = page.goto(f"{live_server.url}/verify/NO-SUCH-CODE/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert serious_violations(page) == []
    page.evaluate(
        """() => {
          const img = document.createElement("img");
          img.src = "/static/none.png";
          const button = document.createElement("button");
          document.querySelector("main").append(img, button);
        }"""
    )
    found = {v["id"] for v in serious_violations(page)}
    assert found == {"image-alt", "button-name"}, found
    # axe-core was evaluated over the DevTools protocol: the page's policy, which
    # allows no inline script, refused nothing.
    assert refused == []


def test_every_shipped_course_and_lesson_passes_the_accessibility_check(
    live_server, page, sign_in, artifacts_dir, settings, tmp_path
):
    """Each course's catalog page and every one of its lessons, as a Missouri
    officer sees them, has no serious or critical axe-core violation."""
    require_axe()
    settings.MEDIA_ROOT = tmp_path
    call_command("load_courses", verbosity=0)
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    bob = make_person("Bob", "Baker", agency)
    sign_in(make_user("bob", (Role.OFFICER, agency), person=bob))
    url = live_server.url
    checked = 0
    for course in Course.objects.order_by("slug"):
        page.goto(f"{url}/courses/{course.slug}/")
        assert_accessible(page, f"course page of {course.slug}")
        page.get_by_role("button", name="Start course").click()
        page.wait_for_url(re.compile(rf"/learn/{course.slug}/lessons/1/$"))
        for lesson in course.lessons.all():
            page.goto(f"{url}/learn/{course.slug}/lessons/{lesson.position}/")
            assert page.locator("#lesson-title").inner_text() == lesson.title
            assert_accessible(page, f"lesson {lesson.position} of {course.slug}")
            checked += 1
    assert checked == sum(c.lessons.count() for c in Course.objects.all()) >= 33
    page.screenshot(path=artifacts_dir / "course-last-lesson.png", full_page=True)
