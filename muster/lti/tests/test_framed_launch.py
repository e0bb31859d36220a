"""Launches the LMS shows in a frame: no sign-in inside the frame (its session
cookie would not be sent there), the course offered in a new window by a
one-time link; and, when the browser blocks the frame's state cookie, the login
started again in a window of its own."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from muster.lti import claims
from muster.lti.models import Launch, LoginState
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER
from muster.lti.tests.test_deep_linking import SETTINGS

FRAME = {"HTTP_SEC_FETCH_DEST": "iframe"}
LOGIN = {
    "iss": ISSUER,
    "login_hint": "hint-bob",
    "target_link_uri": "http://testserver/lti/launch/",
    "lti_message_hint": "msg-1",
    "client_id": CLIENT_ID,
    "lti_deployment_id": DEPLOYMENT_ID,
}


class FramedLaunchTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_bob()

    def login(self, client: Client, params=None) -> dict:
        answer = client.post("/lti/login/", params or LOGIN)
        self.assertEqual(answer.status_code, 302)
        return {
            k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()
        }

    def post_launch(self, client: Client, query: dict, **headers):
        token = self.lms.id_token(query["nonce"])
        return client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"]}, **headers
        )

    def new_window_link(self, response) -> str:
        self.assertEqual(response.status_code, 200, response.content.decode()[:500])
        found = re.search(
            r'id="lti-new-window"[^>]*href="([^"]+)"', response.content.decode()
        )
        self.assertIsNotNone(found, response.content.decode()[:1500])
        return found[1].replace("&amp;", "&")

    def assert_framable(self, response) -> None:
        self.assertNotIn("X-Frame-Options", response)
        policy = response["Content-Security-Policy"]
        self.assertIn("frame-ancestors 'self' https:", policy)

    def test_a_framed_launch_offers_the_course_in_a_new_window_once(self) -> None:
        query = self.login(self.client)
        response = self.post_launch(self.client, query, **FRAME)
        url = self.new_window_link(response)
        self.assert_framable(response)
        self.assertNotIn("_auth_user_id", self.client.session)  # not in the frame
        self.assertEqual(Launch.objects.count(), 1)

        window = Client()
        opened = window.get(url)
        self.assertRedirects(
            opened, "/learn/use-of-force/", fetch_redirect_response=False
        )
        self.assertEqual(window.get("/learn/use-of-force/").wsgi_request.user, self.bob)
        again = Client().get(url)
        self.assertContains(again, "already used", status_code=404)
        self.assertNotIn("_auth_user_id", Client().session)

    def test_the_new_window_link_lasts_two_minutes(self) -> None:
        query = self.login(self.client)
        url = self.new_window_link(self.post_launch(self.client, query, **FRAME))
        self.clock.shift(121)
        self.assertContains(Client().get(url), "expired", status_code=404)

    def test_the_launch_presentation_claim_says_frame_too(self) -> None:
        query = self.login(self.client)
        token = self.lms.id_token(
            query["nonce"],
            **{claims.LAUNCH_PRESENTATION: {"document_target": "iframe"}},
        )
        response = self.client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"]}
        )
        self.assertIn("/lti/continue/", self.new_window_link(response))

    def test_without_the_state_cookie_the_login_starts_again_in_a_window(self) -> None:
        query = self.login(Client())  # the frame's cookie is never sent back
        frame = Client()
        response = self.post_launch(frame, query, **FRAME)
        url = self.new_window_link(response)
        self.assert_framable(response)
        self.assertTrue(url.startswith("/lti/login/?"))
        self.assertEqual(Launch.objects.count(), 0)
        self.assertFalse(LoginState.objects.filter(used_at__isnull=False).exists())

        window = Client()  # first-party there: the login and launch work
        answer = window.get(url)
        self.assertEqual(answer.status_code, 302)
        again = {
            k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()
        }
        self.assertEqual(again["lti_message_hint"], "msg-1")
        self.assertEqual(again["login_hint"], "hint-bob")
        opened = self.post_launch(window, again)
        self.assertRedirects(
            opened, "/learn/use-of-force/", fetch_redirect_response=False
        )

    def test_a_forged_state_without_a_cookie_is_still_refused(self) -> None:
        response = Client().post(
            "/lti/launch/", {"id_token": "x", "state": "forged"}, **FRAME
        )
        self.assertContains(response, "not the one this browser", status_code=400)
        self.assert_framable(response)

    def test_the_deep_linking_picker_shows_in_the_lms_dialog_frame(self) -> None:
        query = self.login(self.client)
        token = self.lms.id_token(
            query["nonce"],
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=[claims.INSTRUCTOR],
            resource_link=None,
            dl_settings=SETTINGS,
        )
        response = self.client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"]}, **FRAME
        )
        self.assertContains(response, 'id="lti-pick"')
        self.assert_framable(response)

    def test_a_top_level_launch_is_as_before(self) -> None:
        response, _, _ = self.lms.launch(self.client)
        self.assertRedirects(
            response, "/learn/use-of-force/", fetch_redirect_response=False
        )
