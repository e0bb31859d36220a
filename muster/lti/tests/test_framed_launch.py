"""Launches the LMS shows in a frame: no sign-in inside the frame (its session
cookie would not be sent there), the course offered in a new window by a
one-time token that Muster's own page posts there (a GET, or a post from any
other site, signs no one in); and, when the browser blocks the frame's state
cookie, the login started again in a window of its own."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.test import Client, override_settings

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
        token = self.continue_token(response)
        self.assert_framable(response)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn("_auth_user_id", self.client.session)  # not in the frame
        self.assertEqual(Launch.objects.count(), 1)

        window = Client()
        opened = self.open_window(token, window)
        self.assertRedirects(
            opened, "/learn/use-of-force/", fetch_redirect_response=False
        )
        self.assertEqual(window.get("/learn/use-of-force/").wsgi_request.user, self.bob)
        again = Client()
        self.assertContains(
            self.open_window(token, again), "already used", status_code=404
        )
        self.assertNotIn("_auth_user_id", again.session)

    def test_the_token_pushed_to_another_browser_signs_no_one_in(self) -> None:
        """Login CSRF: the attacker launches from their own LMS account, takes
        the token from the frame's page and pushes it to the victim's browser as
        a link, an image or a redirect (GETs), or in a form on another site. None
        of them signs the victim in; the attacker's own window still can."""
        query = self.login(self.client)
        token = self.continue_token(self.post_launch(self.client, query, **FRAME))
        state = LoginState.objects.get()
        victim = Client()
        pushed = [
            victim.get("/lti/continue/", {"token": token}),
            victim.get(f"/lti/continue/{token}/"),  # the link of old
            victim.get("/lti/continue/", {"token": token}, HTTP_SEC_FETCH_DEST="image"),
            victim.head("/lti/continue/", {"token": token}),
        ]
        self.assertEqual([r.status_code for r in pushed], [405, 404, 405, 405])
        self.assertContains(pushed[0], "only from the button", status_code=405)
        self.assertEqual(pushed[0]["Allow"], "POST")
        posted = {
            "no Origin": {},
            "another site": {"HTTP_ORIGIN": "https://attacker.example"},
            "another site, same Host": {
                "HTTP_ORIGIN": "https://attacker.example",
                "HTTP_SEC_FETCH_SITE": "cross-site",
            },
            "a sandboxed or stripped origin": {"HTTP_ORIGIN": "null"},
            "Muster's scheme changed": {"HTTP_ORIGIN": "https://testserver"},
            "a sibling host": {
                "HTTP_ORIGIN": "http://testserver",
                "HTTP_SEC_FETCH_SITE": "same-site",
            },
            "the browser says cross-site": {
                "HTTP_ORIGIN": "http://testserver",
                "HTTP_SEC_FETCH_SITE": "cross-site",
            },
        }
        for why, headers in posted.items():
            with self.subTest(why):
                response = victim.post("/lti/continue/", {"token": token}, **headers)
                self.assertContains(response, "only from its own page", status_code=403)
        self.assertNotIn("_auth_user_id", victim.session)
        state.refresh_from_db()
        self.assertIsNone(state.continued_at)  # none of them spent it
        self.assertRedirects(
            self.open_window(token),
            "/learn/use-of-force/",
            fetch_redirect_response=False,
        )

    def test_a_forged_or_missing_token_is_refused(self) -> None:
        for token in ("", "forged", "a:b:c"):
            with self.subTest(token=token):
                window = Client()
                response = self.open_window(token, window)
                self.assertContains(response, "expired", status_code=404)
                self.assertNotIn("_auth_user_id", window.session)

    def test_the_origin_a_proxy_shows_may_be_listed(self) -> None:
        """Behind a proxy that changes the Host, the browser's Origin is the one
        the operator lists in MUSTER_CSRF_TRUSTED_ORIGINS (exactly)."""
        query = self.login(self.client)
        token = self.continue_token(self.post_launch(self.client, query, **FRAME))
        public = {"HTTP_ORIGIN": "https://muster.example.org"}
        with override_settings(CSRF_TRUSTED_ORIGINS=["https://*.example.org"]):
            self.assertEqual(self.open_window(token, **public).status_code, 403)
        with override_settings(CSRF_TRUSTED_ORIGINS=["https://muster.example.org"]):
            self.assertRedirects(
                self.open_window(token, **public),
                "/learn/use-of-force/",
                fetch_redirect_response=False,
            )

    def test_the_new_window_token_lasts_two_minutes(self) -> None:
        query = self.login(self.client)
        token = self.continue_token(self.post_launch(self.client, query, **FRAME))
        self.clock.shift(121)
        self.assertContains(self.open_window(token), "expired", status_code=404)

    def test_the_launch_presentation_claim_says_frame_too(self) -> None:
        query = self.login(self.client)
        token = self.lms.id_token(
            query["nonce"],
            **{claims.LAUNCH_PRESENTATION: {"document_target": "iframe"}},
        )
        response = self.client.post(
            "/lti/launch/", {"id_token": token, "state": query["state"]}
        )
        self.continue_token(response)

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
