"""LTI in Chromium: the test platform's pages (routed by Playwright) start the login,
answer the authorization request with a signed id_token and receive the deep-linking
answer, so the browser carries the state cookie and the form posts as it would
between a real LMS and Muster. Each Muster page on the way is checked with axe-core.
"""

from __future__ import annotations

import html
import json
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from muster.accounts.choices import Role
from muster.agencies.models import Agency, Employment
from muster.learning.tests.helpers import make_course
from muster.lti import actions, claims, views
from muster.lti.models import Identity, Launch, LoginState, ResourceLink
from muster.lti.tests.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    MEMBERSHIPS,
    STORAGE_FRAME,
    STORAGE_FRAME_PAGE,
    LtiPlatform,
    member,
)
from muster.test import make_person, make_user
from muster.tests.a11y import describe, require_axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_URL = ISSUER + "/deep-link-return"


def auto_post(action: str, fields: dict) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        f'<form id="f" method="post" action="{action}">{inputs}</form>'
        '<script>document.getElementById("f").submit()</script>'
    )


class Lms:
    """The platform's browser side: its launch page and its authorization endpoint;
    with `storage`, a course page that frames Muster beside its storage frame."""

    def __init__(self, page, live_server, storage=False, **claims_overrides) -> None:
        self.platform = LtiPlatform()
        self.live = live_server.url
        self.overrides = claims_overrides
        self.returned: list[dict] = []
        self.storage = {"lti_storage_target": STORAGE_FRAME} if storage else {}
        page.route(f"{ISSUER}/**", self.answer)

    def answer(self, route) -> None:
        request = route.request
        url = urlsplit(request.url)
        if url.path == "/course/7/framed":
            body = (
                f'<iframe name="{STORAGE_FRAME}" src="{ISSUER}/storage" hidden></iframe>'
                f'<iframe id="tool" title="Muster" src="{ISSUER}/course/7/launch"'
                ' width="900" height="700"></iframe>'
            )
        elif url.path == "/storage":
            body = STORAGE_FRAME_PAGE
        elif url.path == "/course/7/launch":
            body = auto_post(
                f"{self.live}/lti/login/",
                {"iss": ISSUER, "login_hint": "hint", "client_id": CLIENT_ID,
                 "target_link_uri": f"{self.live}/lti/launch/",
                 "lti_deployment_id": DEPLOYMENT_ID, **self.storage},
            )  # fmt: skip
        elif url.path == "/auth":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            # The launch repeats the target_link_uri its login was started for.
            target = {claims.TARGET_LINK_URI: f"{self.live}/lti/launch/"}
            token = self.platform.id_token(
                query["nonce"], **{**target, **self.overrides}
            )
            body = auto_post(
                query["redirect_uri"],
                {"id_token": token, "state": query["state"], **self.storage},
            )
        elif url.path == "/deep-link-return":
            self.returned.append(parse_qs(request.post_data))
            body = "<p id='done'>Back in the LMS</p>"
        else:
            route.fulfill(status=404, body="")
            return
        route.fulfill(status=200, content_type="text/html", body=body)


@pytest.fixture
def riverton(live_server):
    agency = Agency.objects.create(
        name="Riverton PD", code="riverton", kind="police-department", state="MO"
    )
    actions.rotate_key()
    course = make_course("use-of-force")
    return agency, course


def check_axe(page) -> None:
    found = serious_violations(page)
    assert not found, describe(found)


def test_a_learner_launches_from_the_lms_into_the_course(
    live_server, page, riverton, artifacts_dir
):
    require_axe()
    agency, course = riverton
    person = make_person("Bob", "Baker", agency)
    make_user("bob", (Role.OFFICER, agency), person=person)
    lms = Lms(page, live_server)
    platform = lms.platform.register_in_muster(agency)
    Identity.objects.create(platform=platform, subject="lms-user-bob", person=person)
    with lms.platform.serve():
        page.goto(f"{ISSUER}/course/7/launch")
        page.wait_for_url(f"{live_server.url}/learn/{course.slug}/")
    assert course.title in page.content()
    assert "bob" in page.locator("header .who").inner_text()
    assert Launch.objects.filter(identity__person=person).count() == 1
    check_axe(page)
    page.screenshot(path=artifacts_dir / "lti-launch-course.png")


def test_an_unlinked_learner_is_told_what_to_do(live_server, page, riverton):
    require_axe()
    agency, _ = riverton
    lms = Lms(page, live_server, sub="stranger")
    lms.platform.register_in_muster(agency)
    with lms.platform.serve():
        page.goto(f"{ISSUER}/course/7/launch")
        page.locator("#lti-unlinked").wait_for()
    check_axe(page)


def test_an_instructor_picks_a_course_and_the_lms_gets_it_signed(
    live_server, page, riverton, artifacts_dir
):
    require_axe()
    agency, course = riverton
    lms = Lms(
        page,
        live_server,
        sub="teacher",
        roles=[claims.INSTRUCTOR],
        message_type=claims.DEEP_LINKING_REQUEST,
        resource_link=None,
        dl_settings={
            "deep_link_return_url": RETURN_URL,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "d-1",
        },
    )
    lms.platform.register_in_muster(agency)
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security" in m.text else None,
    )
    with lms.platform.serve():
        page.goto(f"{ISSUER}/course/7/launch")
        page.locator("#lti-pick").wait_for()
        check_axe(page)
        page.screenshot(path=artifacts_dir / "lti-deep-link-picker.png")
        page.get_by_label(course.title).check()
        page.get_by_role("button", name="Add to the LMS course").click()
        page.locator("#done").wait_for()
    assert refused == []
    token = lms.returned[0]["JWT"][0]
    body = jwt.decode(token, options={"verify_signature": False})
    assert body[claims.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert body[claims.DL_DATA] == "d-1"
    assert body[claims.DL_CONTENT_ITEMS][0]["custom"] == {"course": course.slug}
    assert json.dumps(body)  # a JSON object, as the platform reads it


def test_a_coordinator_pulls_the_lms_roster_into_the_agency(
    live_server, page, riverton, sign_in, artifacts_dir
):
    require_axe()
    agency, course = riverton
    alice = make_user("alice", (Role.COORDINATOR, agency))
    lms = Lms(page, live_server)
    platform = lms.platform.register_in_muster(agency)
    lms.platform.members = [
        member("u-dora", "Dora", "Diaz", "dora@riverton.test"),
        member("u-eli", "Eli", "Evans", "eli@riverton.test"),
        member("u-fay", "Fay", "Ford"),
    ]
    ResourceLink.objects.create(
        platform=platform, deployment=platform.deployments.get(),
        resource_link_id="link-1", course=course, context_title="In-service 2026",
        memberships_url=MEMBERSHIPS,
    )  # fmt: skip
    sign_in(alice)
    with lms.platform.serve():
        page.goto(f"{live_server.url}/agencies/{agency.code}/lms-links/")
        check_axe(page)
        page.get_by_role("link", name="Sync roster").click()
        page.locator("#lti-roster").wait_for()
        check_axe(page)
        page.screenshot(path=artifacts_dir / "lti-roster-plan.png")
        page.get_by_label("Discipline").select_option(label="Peace officer")
        page.get_by_role("button", name="Sync roster").click()
        page.get_by_text("Roster synced: 3 create.").wait_for()
    names = set(
        Employment.objects.filter(agency=agency).values_list(
            "person__last_name", flat=True
        )
    )
    assert names == {"Diaz", "Evans", "Ford"}


def without_state_cookie(page, live_server) -> None:
    """Muster's login answered without its Set-Cookie: the state cookie never
    exists, as in a browser that blocks a framed site's cookies (Safari, Firefox
    and Chrome's third-party cookie blocking)."""

    def strip(route) -> None:
        answer = route.fetch(max_redirects=0)
        page.context.clear_cookies()  # the fetch kept them in the context's jar
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=answer, headers=headers)

    page.route(f"{live_server.url}/lti/login/**", strip)


@pytest.fixture
def framing_page(browser):
    """A tab of a Chromium that lets the LMS's (public) page frame Muster on
    localhost: Local Network Access would block a public page's frame from
    posting to a local address, which a real Muster is not."""
    from conftest import CHROMIUM, CHROMIUM_ARGS

    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--disable-features=LocalNetworkAccessChecks"],
        headless=True,
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()
    chromium.close()


def test_a_framed_launch_keeps_the_state_in_the_lms_storage_frame(
    live_server, framing_page, riverton, artifacts_dir
):
    page = framing_page
    agency, course = riverton
    person = make_person("Bob", "Baker", agency)
    make_user("bob", (Role.OFFICER, agency), person=person)
    lms = Lms(page, live_server, storage=True)
    platform = lms.platform.register_in_muster(agency)
    Identity.objects.create(platform=platform, subject="lms-user-bob", person=person)
    without_state_cookie(page, live_server)
    posts = []
    page.context.on(  # the context's: the new window's requests too
        "request",
        lambda r: (
            posts.append((urlsplit(r.url).path, r.headers))
            if r.method == "POST" and r.url.startswith(live_server.url)
            else None
        ),
    )
    fetch_sites = []
    checked = views._same_origin

    def same_origin(request):  # what Chromium said, as Muster read it
        fetch_sites.append(request.headers.get("Sec-Fetch-Site"))
        return checked(request)

    with (
        lms.platform.serve(),
        mock.patch("muster.lti.views._same_origin", same_origin),
    ):
        page.goto(f"{ISSUER}/course/7/framed")
        tool = page.frame_locator("#tool")
        link = tool.locator("#lti-new-window")
        link.wait_for()
        page.screenshot(path=artifacts_dir / "lti-storage-framed-launch.png")
        form = tool.locator("form#lti-continue")
        assert form.get_attribute("method") == "post"
        assert form.get_attribute("action") == "/lti/continue/"
        assert form.get_attribute("target") == "_blank"
        kept = page.frame(name=STORAGE_FRAME).evaluate("Object.keys(kept)")
        state = LoginState.objects.get()
        assert kept == [f"{live_server.url} muster_state_{state.state}"]
        assert [path for path, _ in posts] == [
            "/lti/login/", "/lti/launch/", "/lti/launch/storage/"
        ]  # fmt: skip
        assert all("lti_state" not in h.get("cookie", "") for _, h in posts)
        assert Launch.objects.filter(identity__person=person).count() == 1
        with page.expect_popup() as opened:
            link.click()
        window = opened.value
        window.wait_for_url(f"{live_server.url}/learn/{course.slug}/")
    assert "bob" in window.locator("header .who").inner_text()
    assert LoginState.objects.get().continued_at is not None
    # The new window's post, as Chromium sent it from Muster's framed page.
    path, headers = posts[-1]
    assert path == "/lti/continue/"
    assert headers["origin"] == live_server.url
    # Sec-Fetch-Site of the storage step and of the continue step.
    assert fetch_sites == ["same-origin", "same-origin"]


def test_a_framed_launch_the_storage_frame_does_not_confirm_is_not_opened(
    live_server, framing_page, riverton
):
    page = framing_page
    agency, _ = riverton
    lms = Lms(page, live_server, storage=True)
    lms.platform.register_in_muster(agency)
    without_state_cookie(page, live_server)

    def forgetful(route) -> None:  # a storage frame that keeps nothing
        route.fulfill(status=200, content_type="text/html", body="<p>storage</p>")

    page.route(f"{ISSUER}/storage", forgetful)
    with lms.platform.serve():
        page.goto(f"{ISSUER}/course/7/framed")
        tool = page.frame_locator("#tool")
        tool.locator("#lti-storage-failed").wait_for()
        href = tool.locator("#lti-new-window").get_attribute("href")
    assert href.startswith("/lti/login/?")
    assert Launch.objects.count() == 0
    assert LoginState.objects.get().used_at is None


def framed_bob(page, live_server, riverton):
    """Bob, linked to the test platform, whose course page frames Muster beside
    its storage frame (a framed login's redirect is not routed by Playwright)."""
    agency, course = riverton
    person = make_person("Bob", "Baker", agency)
    make_user("bob", (Role.OFFICER, agency), person=person)
    lms = Lms(page, live_server, storage=True)
    platform = lms.platform.register_in_muster(agency)
    Identity.objects.create(platform=platform, subject="lms-user-bob", person=person)
    return lms, course


def test_the_token_pushed_to_another_browser_signs_no_one_in(
    live_server, framing_page, riverton
):
    """Login CSRF in a real browser: the attacker launches from their own LMS
    account in their own browser, reads the token off the frame's page and
    pushes it to the victim's as an image, a link opened and a form their site
    posts. The victim's browser stays signed out; the attacker's button still
    works, once."""
    page = framing_page
    lms, course = framed_bob(page, live_server, riverton)
    with lms.platform.serve():
        page.goto(f"{ISSUER}/course/7/framed")
        tool = page.frame_locator("#tool")
        tool.locator("#lti-new-window").wait_for()
    token = tool.locator("form#lti-continue input[name=token]").get_attribute("value")
    target = f"{live_server.url}/lti/continue/"
    pushed = f"{target}?token={token}"
    # On http, as the test server is: from an https page Chromium would upgrade
    # the image and the link to https://localhost (a real Muster is https).
    attacker = "http://attacker.example"
    victim = page.context.browser.new_context()
    sent = []

    def attacker_site(route) -> None:
        path = urlsplit(route.request.url).path
        bodies = {
            "/img": f'<img alt="" src="{pushed}">',
            "/link": f'<a id="go" href="{pushed}">prize</a>',
            "/form": auto_post(target, {"token": token}),
        }
        route.fulfill(status=200, content_type="text/html", body=bodies[path])

    victim.route(f"{attacker}/**", attacker_site)
    victim.on(
        "request",
        lambda r: sent.append(r.method) if r.url.startswith(target) else None,
    )
    tab = victim.new_page()
    tab.goto(f"{attacker}/img")
    tab.goto(f"{attacker}/link")
    with tab.expect_navigation(url=pushed):
        tab.click("#go")
    assert "only from the button" in tab.content()
    tab.goto(f"{attacker}/form")
    tab.wait_for_url(target)
    assert "only from its own page" in tab.content()
    tab.goto(f"{live_server.url}/learn/{course.slug}/")
    assert "/accounts/login/" in tab.url  # signed out
    assert "sessionid" not in {c["name"] for c in victim.cookies()}
    victim.close()
    # Each reached Muster (the image's 405 then blocked by Chromium's ORB).
    assert sent == ["GET", "GET", "POST"]
    assert LoginState.objects.get().continued_at is None
    with page.expect_popup() as opened:
        tool.locator("#lti-new-window").click()
    opened.value.wait_for_url(f"{live_server.url}/learn/{course.slug}/")
