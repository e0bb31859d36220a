"""Issue 15 ("The coordinator's first hour"), its high and medium items shown in
Chromium on the default demonstration world (`manage.py seed_demo`).

The demo takes some 13 s to load, so it is loaded once for this module: a
module-scoped fixture seeds it, starts its own live server and flushes the
database when the module ends. (pytest-django's `live_server` would flush the
database after every test.) The tests write only through the screens.

Items shown elsewhere, not repeated here: 3 (history entries carry a real
`<time datetime>`), 4 (the waiver form offers the person's requirements by name)
and 8 (the record form says live what a line counts toward), 9 (a date before
1950 and a negative score refused next to the field): test_browser_record_forms.py;
6 (every main page fits a 390 px phone, a course's approvals table included):
test_browser_phone.py. Screenshots go to test-artifacts/first-hour-*.png.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import date, timedelta
from pathlib import Path

import pypdfium2
import pytest
import requests
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from muster.accounts.models import User
from muster.agencies.models import (
    Agency,
    Exemption,
    Person,
    Qualification,
    TrainingRecord,
)
from muster.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.no_standings_check]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTH = "() => document.scrollingElement.scrollWidth"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo world as `make run` loads it, and a live server for it."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock():
        # pytest-django creates the test database only for a run with a test
        # marked django_db; this module has none (it must not flush per test).
        created = None
        database = connection.settings_dict
        if str(database["NAME"]) != str(database["TEST"]["NAME"]):
            created = setup_databases(
                verbosity=0, interactive=False, aliases={"default"}
            )
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=io.StringIO())
        with override_settings(MEDIA_ROOT=media):
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield {
                    "url": server.url,
                    "agency": Agency.objects.get(code="riverton-pd"),
                    "coordinator": User.objects.get(username="coordinator"),
                    "head": User.objects.get(username="head"),
                }
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
                call_command("flush", interactive=False, verbosity=0)
                if created is not None:
                    teardown_databases(created, verbosity=0)


@pytest.fixture(autouse=True)
def _database(django_db_blocker):
    """The tests read what the server wrote, outside any test transaction."""
    with django_db_blocker.unblock():
        yield


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def tab(browser, demo, user, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    context.add_cookies(
        [{"name": "sessionid", "value": session_cookie(user), "url": demo["url"]}]
    )
    return context, context.new_page()


def riverton_people(agency) -> list[Person]:
    return list(
        Person.objects.filter(employments__agency=agency, employments__ends_on=None)
        .distinct()
        .order_by("pk")
    )


def pdf_pages(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    return [page.get_textpage().get_text_range() for page in document]


def save_pdf_picture(content: bytes, path, index: int = 0) -> None:
    document = pypdfium2.PdfDocument(content)
    document[index].render(scale=1.3).to_pil().save(path)


# Item 1 ---------------------------------------------------------------------------


def test_an_approved_extension_moves_the_due_date_on_every_screen_and_export(
    demo, browser, artifacts_dir
):
    agency, url = demo["agency"], demo["url"]
    today = timezone.localdate()
    extended = date(today.year + 1, 2, 28)
    person = next(
        p
        for p in riverton_people(agency)
        if not p.exemptions.exists() and p.licenses.filter(jurisdiction="MO").exists()
    )
    name = f"{person.last_name}, {person.first_name}"

    # The coordinator proposes an extension of the whole mandate...
    context, page = tab(browser, demo, demo["coordinator"])
    page.goto(f"{url}/agencies/{agency.code}/people/{person.pk}/exemptions/new/")
    page.get_by_label("Kind").select_option("extension")
    page.locator("#id_starts_on").fill(f"{today.year}-01-01")
    page.locator("#id_ends_on").fill(extended.isoformat())
    page.get_by_label("Reason").fill("Medical leave, physician's note on file")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{url}/people/{person.pk}/")
    context.close()

    # ...and the agency head approves it on the approvals page.
    context, page = tab(browser, demo, demo["head"])
    page.goto(f"{url}/agencies/{agency.code}/approvals/")
    page.screenshot(
        path=artifacts_dir / "first-hour-head-approvals.png", full_page=True
    )
    exemption = Exemption.objects.get(person=person)
    form = page.locator(f"form[action$='/exemptions/{exemption.pk}/decide/']")
    form.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    context.close()
    exemption.refresh_from_db()
    assert exemption.approval == "approved"

    context, page = tab(browser, demo, demo["coordinator"])
    # The dashboard row, found by the name as the table writes it.
    page.goto(f"{url}/agencies/{agency.code}/?q={name}")
    row = page.locator("tbody tr", has_text=name)
    assert row.count() == 1
    due = row.locator("td[data-label=Due]").inner_text()
    assert extended.isoformat() in due or f"{extended:%b}" in due, due
    assert f"{today.year}-12-31" not in due
    page.screenshot(path=artifacts_dir / "first-hour-dashboard.png", full_page=True)

    # The person page.
    page.goto(f"{url}/people/{person.pk}/")
    dues = page.locator("p.due").all_inner_texts()
    assert f"Due {extended.day} February {extended.year}" in dues, dues
    assert not any(f"31 December {today.year}" in d for d in dues), dues

    # The compliance CSV and PDF.
    base = f"{url}/agencies/{agency.code}/exports"
    answer = page.request.get(f"{base}/compliance.csv")
    assert answer.ok
    lines = list(csv.DictReader(io.StringIO(answer.text())))
    mine = [
        line
        for line in lines
        if line[_column(lines, "license")]
        and (
            line[_column(lines, "last")] == person.last_name
            and line[_column(lines, "first")] == person.first_name
        )
    ]
    assert mine, "the person is not in the compliance CSV"
    assert {line[_column(lines, "due")] for line in mine} == {extended.isoformat()}
    answer = page.request.get(f"{base}/compliance.pdf")
    assert answer.ok
    text = "\n".join(pdf_pages(answer.body()))
    assert re.search(rf"{person.last_name}.*?{extended.isoformat()}", text, re.S), (
        "the extended due date is not beside the person in the PDF"
    )
    context.close()


def _column(lines: list[dict], word: str) -> str:
    return next(key for key in lines[0] if word in key.lower())


# Item 2 ---------------------------------------------------------------------------


def test_sixteen_training_saves_at_once_on_sqlite_all_succeed(demo):
    agency, url = demo["agency"], demo["url"]
    people = riverton_people(agency)[:16]
    cookie = session_cookie(demo["coordinator"])
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    forms = []
    for number, person in enumerate(people):
        session = requests.Session()
        session.cookies.set("sessionid", cookie)
        address = f"{url}/agencies/{agency.code}/people/{person.pk}/training/new/"
        token = CSRF.search(session.get(address).text).group(1)
        data = {
            "csrfmiddlewaretoken": token,
            "title": f"Concurrent save {number}",
            "completed_on": day,
            "provider_name": "Riverton PD",
            "provider_kind": "in-service",
            "delivery": "live",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "20",
            "lines-0-hours": "2",
            "lines-0-area": "legal",
        }
        forms.append((session, address, data))

    statuses: list[int] = []
    start = threading.Barrier(len(forms))

    def post(session, address, data) -> None:
        start.wait()
        answer = session.post(
            address, data=data, headers={"Referer": address}, allow_redirects=False
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=post, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] * 16, statuses
    assert (
        TrainingRecord.objects.filter(title__startswith="Concurrent save ").count()
        == 16
    )


def test_a_sign_out_racing_audit_writes_succeeds(demo):
    """A sign-out (its audit entry) while eight saves write theirs."""
    agency, url = demo["agency"], demo["url"]
    people = riverton_people(agency)[16:24]
    writer = requests.Session()
    writer.cookies.set("sessionid", session_cookie(demo["coordinator"]))
    leaving = requests.Session()
    leaving.cookies.set("sessionid", session_cookie(demo["head"]))
    jobs = []
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    for number, person in enumerate(people):
        address = f"{url}/agencies/{agency.code}/people/{person.pk}/training/new/"
        token = CSRF.search(writer.get(address).text).group(1)
        data = {
            "csrfmiddlewaretoken": token,
            "title": f"Racing save {number}",
            "completed_on": day,
            "provider_name": "Riverton PD",
            "provider_kind": "in-service",
            "delivery": "live",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "20",
            "lines-0-hours": "1",
            "lines-0-area": "technical",
        }
        jobs.append((writer, address, data))
    out = f"{url}/accounts/logout/"
    token = CSRF.search(leaving.get(out).text).group(1)
    jobs.insert(4, (leaving, out, {"csrfmiddlewaretoken": token}))
    before = AuditEntry.objects.filter(action="account.signout").count()

    statuses: dict[str, int] = {}
    start = threading.Barrier(len(jobs))

    def post(session, address, data) -> None:
        start.wait()
        answer = session.post(
            address, data=data, headers={"Referer": address}, allow_redirects=False
        )
        statuses[data.get("title", "sign-out")] = answer.status_code

    threads = [threading.Thread(target=post, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses.values()) == {302}, statuses
    assert AuditEntry.objects.filter(action="account.signout").count() == before + 1
    assert TrainingRecord.objects.filter(title__startswith="Racing save ").count() == 8


# Items 3, 4, 6, 7 on a demo person -------------------------------------------------


def test_a_demo_person_page_dates_history_fits_a_phone_and_links_the_transcript(
    demo, browser, artifacts_dir
):
    agency, url = demo["agency"], demo["url"]
    # Someone with history but no qualification and no waiver: empty tables.
    person = next(
        p
        for p in riverton_people(agency)
        if not p.qualifications.exists()
        and not p.exemptions.exists()
        and p.training_records.count() >= 5
    )
    context, page = tab(browser, demo, demo["coordinator"], PHONE)
    page.goto(f"{url}/people/{person.pk}/")
    assert page.evaluate(WIDTH) <= PHONE["width"]
    page.screenshot(
        path=artifacts_dir / "first-hour-empty-tables-phone.png", full_page=True
    )

    # Item 3: every history entry has a machine-readable date.
    stamps = page.locator("details.history time")
    assert stamps.count() > 0
    for value in stamps.evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))"):
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value or ""), value

    # Item 7: the transcript, from the person page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the transcript (PDF)").click()
    content = Path(download.value.path()).read_bytes()
    pages = pdf_pages(content)
    save_pdf_picture(content, artifacts_dir / "first-hour-transcript.png")
    assert "Riverton Police Department" in pages[0]
    assert f"page 1 of {len(pages)}" in pages[0].lower()
    text = "\n".join(pages)
    for key in ("skill-development", "approved-provider", "legislative-update"):
        assert key not in text, f"the transcript prints the key {key}"
    context.close()

    # Item 4: a Tennessee officer is offered Tennessee's requirements, not Missouri's.
    tennessean = Person.objects.filter(licenses__jurisdiction="TN").first()
    tn_agency = tennessean.employments.first().agency
    context, page = tab(browser, demo, User.objects.get(is_superuser=True))
    page.goto(f"{url}/agencies/{tn_agency.code}/people/{tennessean.pk}/exemptions/new/")
    offered = page.locator("#id_requirements label").all_inner_texts()
    assert offered
    assert not any("Skill development" in label for label in offered), offered
    context.close()


def test_the_compliance_pdf_numbers_pages_and_ends_with_a_certification(
    demo, browser, artifacts_dir
):
    agency, url = demo["agency"], demo["url"]
    context, page = tab(browser, demo, demo["coordinator"])
    page.goto(f"{url}/agencies/{agency.code}/exports/")
    page.screenshot(path=artifacts_dir / "first-hour-exports.png", full_page=True)
    with page.expect_download() as download:
        page.locator("a[href$='compliance.pdf']").first.click()
    content = Path(download.value.path()).read_bytes()
    pages = pdf_pages(content)
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text.lower(), text[-200:]
    assert "Certification" in pages[-1] and "Signature" in pages[-1]
    # No word breaks mid-way in the narrow columns ("Complian" / "t").
    text = "\n".join(pages)
    assert text.count("Complian") == text.count("Compliant") > 0
    assert not re.search(r"\bMO\s*\n\s*MO\d", text), "a license number wraps"
    save_pdf_picture(
        content, artifacts_dir / "first-hour-compliance.png", len(pages) - 1
    )
    context.close()


# Item 5 ---------------------------------------------------------------------------


def test_a_csv_with_doubled_quotes_and_quoted_commas_imports_exactly(
    demo, browser, artifacts_dir
):
    agency, url = demo["agency"], demo["url"]
    person = riverton_people(agency)[30]
    license = person.licenses.get(jurisdiction="MO")
    day = (timezone.localdate() - timedelta(days=4)).isoformat()
    content = (
        "License number,Course title,Date completed,Hours,Area,Provider\r\n"
        f'{license.number},"ALERRT ""Stop the Killing"" refresher",{day},4,'
        'Technical,"Three Rivers Training Center, Poplar Bluff, MO"\r\n'
    ).encode()
    context, page = tab(browser, demo, demo["coordinator"])
    page.goto(f"{url}/agencies/{agency.code}/import/training/")
    page.set_input_files(
        "input[name=file]",
        {"name": "history.csv", "mimeType": "text/csv", "buffer": content},
    )
    page.get_by_role("button", name="Upload and map columns").click()
    page.screenshot(
        path=artifacts_dir / "first-hour-import-mapping.png", full_page=True
    )
    page.set_viewport_size(PHONE)
    page.screenshot(
        path=artifacts_dir / "first-hour-import-mapping-phone.png", full_page=True
    )
    assert page.evaluate(WIDTH) <= PHONE["width"]
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Preview").click()
    page.screenshot(
        path=artifacts_dir / "first-hour-import-preview.png", full_page=True
    )
    page.locator("#confirm-import").click()
    page.locator("#import-done").wait_for()
    record = TrainingRecord.objects.get(person=person, completed_on=day)
    assert record.title == 'ALERRT "Stop the Killing" refresher'
    assert record.provider_name == "Three Rivers Training Center, Poplar Bluff, MO"
    assert [line.hours for line in record.credit_lines.all()] == [4]
    context.close()


# Item 9 ---------------------------------------------------------------------------


def test_make_up_outside_grace_and_a_second_identical_qualification_are_refused(
    demo, browser, artifacts_dir
):
    agency, url = demo["agency"], demo["url"]
    person = riverton_people(agency)[40]
    context, page = tab(browser, demo, demo["coordinator"])
    today = timezone.localdate()

    for year in (today.year - 3, 1990):
        page.goto(f"{url}/agencies/{agency.code}/people/{person.pk}/training/new/")
        page.get_by_label("Title").fill("Late make-up")
        page.locator("#id_completed_on").fill(today.isoformat())
        page.locator("#id_counts_for").fill(str(year))
        page.locator("#id_lines-0-hours").fill("2")
        page.locator("#id_lines-0-area").select_option("legal")
        page.get_by_role("button", name="Save training").click()
        error = page.locator("#id_counts_for_error")
        error.wait_for()
        assert str(year) in error.inner_text() or "grace" in error.inner_text()
    page.screenshot(
        path=artifacts_dir / "first-hour-make-up-refused.png", full_page=True
    )
    assert not TrainingRecord.objects.filter(title="Late make-up").exists()

    # The same range day entered twice: the second is refused.
    def enter_qualification() -> None:
        page.goto(
            f"{url}/agencies/{agency.code}/people/{person.pk}/qualifications/new/"
        )
        page.locator("#id_qualified_on").fill(today.isoformat())
        page.get_by_label("Weapon type").fill("Handgun")
        page.get_by_label("Course of fire").fill("Missouri POST handgun course")
        page.get_by_label("Score").fill("92")
        page.get_by_label("Result").select_option("pass")
        page.get_by_role("button", name="Save").click()

    enter_qualification()
    page.wait_for_url(f"{url}/people/{person.pk}/")
    before = Qualification.objects.filter(person=person).count()
    enter_qualification()
    error = page.locator("#id_qualified_on_error")
    error.wait_for()
    assert "already on file" in error.inner_text()
    page.screenshot(
        path=artifacts_dir / "first-hour-duplicate-refused.png", full_page=True
    )
    assert Qualification.objects.filter(person=person).count() == before
    context.close()


# Screens at both widths -----------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_key_screens_are_photographed(demo, browser, artifacts_dir, viewport):
    agency, url = demo["agency"], demo["url"]
    person = riverton_people(agency)[0]
    width = "phone" if viewport is PHONE else "desktop"
    context, page = tab(browser, demo, demo["coordinator"], viewport)
    screens = {
        "dashboard": f"/agencies/{agency.code}/",
        "person": f"/people/{person.pk}/",
        "training-new": f"/agencies/{agency.code}/people/{person.pk}/training/new/",
        "class-new": f"/agencies/{agency.code}/classes/new/",
        "approvals": f"/agencies/{agency.code}/approvals/",
        "audit": "/audit/",
    }
    wide = []
    for name, path in screens.items():
        answer = page.goto(url + path)
        assert answer.status == 200, (name, answer.status)
        page.screenshot(
            path=artifacts_dir / f"first-hour-{name}-{width}.png", full_page=True
        )
        if page.evaluate(WIDTH) > viewport["width"]:
            wide.append(name)
        # Choices in words: no Django "---------" placeholder.
        assert ">---------<" not in page.content(), name
    assert not wide, f"wider than the screen: {wide}"
    context.close()
