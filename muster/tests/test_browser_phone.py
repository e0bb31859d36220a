"""Every main page fits a 390 px phone, passes axe-core, and is photographed.

One agency with data on every page (records with history, a qualification, a
waiver, a self-report waiting, a certificate), then each page in turn at 390 px:
the document may not scroll sideways (`scrollWidth <= 390`), axe-core finds no
serious or critical violation, and a full-page screenshot goes to
test-artifacts/phone-*.png for a person to look at. Failures are collected and
reported together, so one run names every page that does not fit.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from muster.accounts.choices import Role
from muster.agencies import actions
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency, Exemption, Qualification
from muster.agencies.tests.helpers import add_record
from muster.catalog.models import Course
from muster.learning.models import Certificate, Enrollment
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SLUG = "implicit-bias-for-law-enforcement"


@pytest.fixture
def office(settings, tmp_path):
    """Riverton PD with a coordinator, a head, an officer with a full record, a
    state auditor and an administrator."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_courses", verbosity=0)
    agency = Agency.objects.create(
        name="Riverton Police Department",
        code="riverton-pd",
        kind=AgencyKind.POLICE_DEPARTMENT,
        state="MO",
    )
    today = timezone.localdate()
    bob = make_person("Bob", "Baker", agency)
    alice = make_user("alice", (Role.COORDINATOR, agency))
    record = add_record(
        bob,
        today - timedelta(days=20),
        ("4", "legal", ["legislative-update"]),
        ("2", "skill-development", ["firearms"]),
        title="Annual in-service with a rather long title for a narrow screen",
        agency=agency,
        provider_kind="approved-provider",
        provider_name="Missouri Sheriffs' Association Training Academy",
        course_number="MO-2026-000114",
    )
    actions.correct_training(
        actor=alice,
        record=record,
        fields={"title": record.title + " (corrected)"},
        lines=[{"hours": 6, "area": "legal", "topics": ["legislative-update"]}],
        reason="The sign-in sheet shows six hours of legal update",
    )
    Qualification.objects.create(
        person=bob,
        agency=agency,
        qualified_on=today - timedelta(days=10),
        weapon_type="Handgun",
        course_of_fire="Missouri POST handgun qualification course",
        score=92,
        result="pass",
        instructor="Range master Dana Delgado",
    )
    Exemption.objects.create(
        person=bob,
        agency=agency,
        kind="extension",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year + 1, 2, 28),
        reason="Medical leave, physician's note on file",
        requirements=["firearms"],
    )
    user_bob = make_user("bob", (Role.OFFICER, agency), person=bob)
    actions.self_report_training(
        actor=user_bob,
        agency=agency,
        fields={
            "title": "Crisis intervention team conference, regional session",
            "completed_on": today - timedelta(days=5),
            "provider_kind": "out-of-state",
            "provider_name": "National Crisis Intervention Association",
        },
        lines=[
            {"hours": 3, "area": "interpersonal", "topics": ["crisis-intervention"]}
        ],
    )
    course = Course.objects.get(slug=SLUG)
    enrollment = Enrollment.objects.create(
        person=bob,
        user=user_bob,
        course=course,
        jurisdiction="MO",
        last_lesson=course.lessons.first(),
    )
    certificate = Certificate.objects.create(
        enrollment=enrollment, code="ABCD-EFGH-JKLM-NPQR"
    )
    return {
        "agency": agency,
        "bob": bob,
        "record": record,
        "alice": alice,
        "officer": user_bob,
        "harold": make_user("harold", (Role.AGENCY_HEAD, agency)),
        "sam": make_user("sam", (Role.STATE_AUDITOR, "MO")),
        "root": make_user("root", is_superuser=True),
        "certificate": certificate,
        "course": course,
    }


def pages_for(office) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of each main page, by the user who opens it."""
    code, bob = office["agency"].code, office["bob"].pk
    record = office["record"].pk
    slug = office["course"].slug
    return {
        "alice": [
            ("dashboard", f"/agencies/{code}/"),
            ("person", f"/people/{bob}/"),
            ("training-new", f"/agencies/{code}/people/{bob}/training/new/"),
            ("training-correct", f"/training/{record}/correct/"),
            ("training-void", f"/training/{record}/void/"),
            ("qualification-new", f"/agencies/{code}/people/{bob}/qualifications/new/"),
            ("exemption-new", f"/agencies/{code}/people/{bob}/exemptions/new/"),
            ("class-new", f"/agencies/{code}/classes/new/"),
            ("person-new", f"/agencies/{code}/people/new/"),
            ("person-edit", f"/agencies/{code}/people/{bob}/edit/"),
            ("approvals", f"/agencies/{code}/approvals/"),
            ("import-roster", f"/agencies/{code}/import/roster/"),
            ("import-training", f"/agencies/{code}/import/training/"),
            ("exports", f"/agencies/{code}/exports/"),
            ("courses", "/courses/"),
            ("course", f"/courses/{slug}/"),
            ("security", "/accounts/2fa/"),
            ("not-found", "/no/such/page/"),
        ],
        "officer": [
            ("officer-home", "/"),
            ("officer-person", f"/people/{bob}/"),
            ("self-report", "/my/training/new/"),
            ("learn-course", f"/learn/{slug}/"),
            ("lesson", f"/learn/{slug}/lessons/1/"),
            ("assessment", f"/learn/{slug}/assessment/"),
        ],
        "harold": [("head-approvals", f"/agencies/{code}/approvals/")],
        "sam": [("auditor-home", "/"), ("audit", "/audit/")],
        "root": [("admin-audit", "/audit/"), ("authoring", "/authoring/")],
        None: [
            ("verify-lookup", "/verify/"),
            ("verify-valid", f"/verify/{office['certificate'].code}/"),
            ("verify-unknown", "/verify/AAAA-BBBB-CCCC-DDDD/"),
            ("sign-in", "/accounts/login/"),
        ],
    }


# Pages that are meant to say "not found"; every other page must open (200).
NOT_FOUND = {"not-found": 404, "verify-unknown": 404}
WIDTH = "() => document.scrollingElement.scrollWidth"
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > limit + 1)
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
}"""


def test_every_main_page_fits_a_390_px_phone(
    office, browser, live_server, artifacts_dir
):
    require_axe()
    problems: list[str] = []
    for who, pages in pages_for(office).items():
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        if who is not None:
            _sign_in(context, live_server, office[who])
        for name, path in pages:
            response = page.goto(live_server.url + path)
            status = response.status if response else None
            if status != NOT_FOUND.get(name, 200):
                problems.append(f"{name} ({path}): HTTP {status}")
                continue
            page.screenshot(path=artifacts_dir / f"phone-{name}.png", full_page=True)
            width = page.evaluate(WIDTH)
            if width > PHONE["width"]:
                widest = ", ".join(page.evaluate(WIDEST))
                problems.append(f"{name} ({path}): {width} px wide ({widest})")
            found = serious_violations(page)
            if found:
                problems.append(f"{name} ({path}): axe-core\n{describe(found)}")
        context.close()
    assert not problems, "\n".join(problems)


def _sign_in(context, live_server, user) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url}]
    )
