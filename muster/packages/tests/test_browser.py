"""SCORM 1.2 and 2004 content played in Chromium: suspend, resume, pass, credit.

The package content is served from http://127.0.0.1:<port>, Muster from
http://localhost:<port>: two origins, as in production, so the session cookie
never reaches the content. The SCOs are this project's own fixtures
(muster/packages/tests/fixtures.py); no third-party sample package was
available from the registries this project may use.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from muster.accounts.choices import Role
from muster.agencies.choices import RecordSource
from muster.agencies.compliance import standing_for
from muster.agencies.models import Agency, TrainingRecord
from muster.learning.models import Enrollment
from muster.packages.models import CmiCommit, GlobalObjective, Package, SharedData
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import author, imported
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def implicit_bias_status(person) -> str:
    today = date.today()
    standing = standing_for(person, today.year, today)
    for mandate in standing[0].mandates:
        for requirement in mandate.result.requirements:
            if requirement.id == "implicit-bias":
                return requirement.status
    raise AssertionError("No implicit-bias requirement")


@pytest.mark.parametrize(
    "build",
    [fixtures.scorm12_zip, fixtures.scorm2004_zip],
    ids=["scorm12", "scorm2004"],
)
def test_a_package_plays_resumes_and_credits_the_record(
    build, live_server, page, settings, tmp_path, artifacts_dir
):
    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    package = imported(build())
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
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    assert sco.locator("#entry").inner_text() == "ab-initio"
    require_axe()
    found = serious_violations(page)
    assert not found, describe(found)
    sco.locator("#suspend-button").click()
    # The launcher tells the player the SCO finished; the player reloads it.
    page.wait_for_url(f"{live_server.url}/learn/{course.slug}/package/?after=terminate")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    sco.locator("#entry").filter(has_text="resume").wait_for()
    assert sco.locator("#suspend").inner_text() == "page=3"
    page.screenshot(path=artifacts_dir / f"package-player-{package.kind}.png")

    sco.locator("#pass").click()
    page.locator("a.certificate-link").first.wait_for()

    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.is_complete
    record = TrainingRecord.objects.get(source=RecordSource.ONLINE_COURSE)
    assert enrollment.record == record
    assert (
        CmiCommit.objects.filter(enrollment=enrollment, is_terminate=True).count() == 2
    )
    assert before == "missing" and implicit_bias_status(person) == "met"
    assert refused == []
    page.screenshot(path=artifacts_dir / f"package-{package.kind}.png", full_page=True)


def test_the_upload_page_names_problems_then_imports(
    live_server, page, settings, tmp_path, sign_in
):
    settings.MEDIA_ROOT = str(tmp_path)
    require_axe()
    sign_in(author())
    page.goto(f"{live_server.url}/authoring/packages/new/")
    files = fixtures.scorm12_files()
    files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
        ' href="sco/index.html">', ">"
    )
    broken = tmp_path / "broken.zip"
    broken.write_bytes(fixtures.build_zip(files))
    page.get_by_label("Package").set_input_files(str(broken))
    page.get_by_label("Credited hours").fill("2")
    page.get_by_role("button", name="Import package").click()
    assert (
        "<resource identifier='RES1'> has no href"
        in page.locator("#package-errors").inner_text()
    )
    found = serious_violations(page)
    assert not found, describe(found)
    good = tmp_path / "good.zip"
    good.write_bytes(fixtures.scorm12_zip())
    page.get_by_label("Package").set_input_files(str(good))
    page.get_by_label("Credited hours").fill("2")
    page.get_by_role("button", name="Import package").click()
    page.wait_for_url(f"{live_server.url}/authoring/de-escalation-basics/")
    assert Package.objects.get().course.title == "De-escalation Basics"


def test_a_lesson_in_a_window_of_its_own_finds_the_api_through_its_opener(
    live_server, page, settings, tmp_path
):
    """SCORM 2004 RTE 3.3.6.1: the API is found up the opener's parents too."""
    from muster.packages.tests.authoring_fixtures import popup_2004_zip

    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = imported(popup_2004_zip()).course
    course.seat_time_minutes = 0
    course.save()
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip

    page.goto(f"{live_server.url}/learn/{course.slug}/package/")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    with page.expect_popup() as opened:
        sco.locator("#open-lesson").click()
    lesson = opened.value
    lesson.locator("#found").filter(has_text="found").wait_for()
    lesson.locator("#pass").click()
    page.locator("a.certificate-link").first.wait_for()

    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.is_complete
    commit = CmiCommit.objects.filter(enrollment=enrollment, is_terminate=True).get()
    assert commit.data["cmi.success_status"] == "passed"


def test_a_shared_objective_satisfied_in_one_sco_is_read_by_the_next(
    live_server, page, settings, tmp_path
):
    """SN book 3.10: SCO 1 writes its primary objective to a global objective,
    which scorm-again hands SCO 2 in cmi.objectives at its launch; likewise a
    shared data store (adl.data)."""
    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    package = imported(fixtures.global_objectives_zip())
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
    page.goto(f"{live_server.url}/learn/{course.slug}/package/")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    sco.locator("#pass").click()
    # The player moves on to SCO 2, the first item not yet done.
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    shown = sco.locator("#objective-force-known")
    shown.wait_for()
    assert shown.inner_text() == "passed 0.9 completed"
    assert sco.locator("#objective-quiz-known").text_content() == "unknown  unknown"
    row = GlobalObjective.objects.get()
    assert (row.person, row.success_status) == (person, "passed")
    # 4th edition shared data: SCO 1 wrote adl.data, SCO 2 reads it.
    assert sco.locator("#shared").inner_text() == "radio code 10-4"
    assert SharedData.objects.get().store == "radio code 10-4"


def test_a_scos_navigation_request_is_followed(live_server, page, settings, tmp_path):
    """RTE 4.4.2: the SCO's adl.nav.request reaches Muster with its terminate
    commit; choice opens its target, suspendAll leaves and later resumes; its
    adl.nav.request_valid answers by the manifest's sequencing."""
    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = imported(fixtures.nav_zip()).course
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/learn/{course.slug}/package/")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    assert sco.locator("#sco-name").inner_text() == "A"
    # RTE 4.4.3: adl.nav.request_valid as the manifest's rules judge it (flow
    # on: A may continue; nothing comes before A).
    frame = next(f for f in page.frames if "nav/index.html" in f.url)

    def valid(name: str) -> str:
        return frame.evaluate(
            f"() => findAPI(window).GetValue('adl.nav.request_valid.{name}')"
        )

    assert valid("continue") == "true"
    assert valid("previous") == "false"
    assert valid("choice.{target=C}") == "true"
    sco.locator("#nav-choice-c").click()
    page.wait_for_url(f"{live_server.url}/learn/{course.slug}/package/?after=terminate")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    sco.locator("#sco-name").filter(has_text="C").wait_for()
    sco.locator("#nav-suspend-all").click()
    page.locator("#package-left").wait_for()
    last = CmiCommit.objects.latest("pk")
    assert last.data["adl.nav.request"] == "suspendAll"
    page.goto(f"{live_server.url}/learn/{course.slug}/package/")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    assert sco.locator("#sco-name").inner_text() == "C"
    # Resumed: the SCO's own interactions and objectives are given back.
    assert sco.locator("#restored").inner_text() == "1 q-radio true obj-radio passed"


def test_the_record_page_and_the_list_of_parts_pass_axe(
    live_server, page, settings, tmp_path
):
    """The learner's page of objectives and interactions, and the player after a
    SCO left the course (no content framed), checked with axe-core."""
    import json

    from muster.packages import launch

    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    require_axe()
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = imported(fixtures.global_objectives_zip()).course
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    enrollment = Enrollment.objects.get(person=person)
    token = launch.new_token(
        enrollment.pk, course.package.items.first().pk, "http://testserver"
    )
    client.post(
        f"/package-content/{token}/commit/",
        json.dumps({
            "cmi.score.scaled": "0.9",
            "cmi.objectives.0.id": "quiz-local", "cmi.objectives.0.success_status": "passed",
            "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
            "cmi.interactions.0.learner_response": "b", "cmi.interactions.0.result": "correct",
            "adl.nav.request": "exitAll", "muster_terminate": True,
        }),
        content_type="text/plain",
        HTTP_HOST=f"127.0.0.1:{port}",
    )  # fmt: skip
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/learn/{course.slug}/package/record/")
    assert "q1" in page.locator("table.interactions").inner_text()
    assert "urn:muster:obj:force" in page.locator("#shared-objectives").inner_text()
    found = serious_violations(page)
    assert not found, describe(found)
    page.goto(f"{live_server.url}/learn/{course.slug}/package/?after=terminate")
    page.locator("#package-left").wait_for()
    found = serious_violations(page)
    assert not found, describe(found)


def test_a_request_the_sequencing_refuses_is_explained_and_nothing_opens(
    live_server, page, settings, tmp_path
):
    """SN book: without flow="true" (the default is false) a SCO's continue is
    refused; the player says why and frames nothing, a part its rules disable is
    listed without a link, and a choice the rules allow still opens (axe-checked)."""
    from muster.packages.tests.test_sequencing import manifest, pre

    settings.MEDIA_ROOT = str(tmp_path)
    port = live_server.url.rsplit(":", 1)[1]
    settings.PACKAGE_CONTENT_ORIGIN = f"http://127.0.0.1:{port}"
    require_axe()
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    person = make_person("Bob", "Baker", agency)
    bob = make_user("bob", (Role.OFFICER, agency), person=person)
    course = imported(fixtures.nav_zip(manifest(b=pre("disabled", "always")))).course
    client = Client()
    client.force_login(bob)
    client.post(f"/learn/{course.slug}/enroll/")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/learn/{course.slug}/package/")
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    assert sco.locator("#sco-name").inner_text() == "A"
    sco.locator("#nav-continue").click()
    page.wait_for_url(f"{live_server.url}/learn/{course.slug}/package/?after=terminate")
    refused = page.locator("#package-refused")
    refused.wait_for()
    assert "does not move to the next part" in refused.inner_text()
    assert page.locator("#package-frame").count() == 0
    assert CmiCommit.objects.latest("pk").data["adl.nav.request"] == "continue"
    part_b = page.locator("#package-items li.item-unavailable")
    assert "Part B" in part_b.inner_text()
    assert part_b.locator("a").count() == 0
    found = serious_violations(page)
    assert not found, describe(found)
    # Choice is on (the default): the learner's pick of C opens it.
    page.locator("#package-items a", has_text="Part C").click()
    sco = page.frame_locator("#package-frame").frame_locator("#sco")
    sco.locator("#sco-name").filter(has_text="C").wait_for()
