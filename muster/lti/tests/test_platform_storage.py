"""LTI platform storage (1EdTech "OIDC Login with LTI Client Side postMessages",
"LTI postMessage Storage"): a platform that names a storage frame in
`lti_storage_target` keeps the login's state for Muster, so that a framed launch
is verified without the state cookie. The browser half (the postMessages) is in
test_browser.py; here, what the server answers and refuses."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from django.test import Client

from muster.lti import claims
from muster.lti.launch import STATE_COOKIE, STORAGE_KEY_PREFIX
from muster.lti.models import Launch, LoginState
from muster.lti.tests.helpers import SAME_ORIGIN, LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER
from muster.lti.tests.test_deep_linking import SETTINGS

STORAGE = {"lti_storage_target": "lti-storage"}


def page_config(response) -> dict:
    found = re.search(
        r'<script id="lti-storage" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, response.content.decode()[:1500]
    return json.loads(found[1])


FRAME = {"HTTP_SEC_FETCH_DEST": "iframe"}
LOGIN = {
    "iss": ISSUER,
    "login_hint": "hint-bob",
    "target_link_uri": "http://testserver/lti/launch/",
    "client_id": CLIENT_ID,
    "lti_deployment_id": DEPLOYMENT_ID,
}


class PlatformStorageTests(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link_bob()

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

    def storage_login(self, client: Client) -> dict:
        """The login page that puts the state in the LMS's frame; its config."""
        response = client.post("/lti/login/", {**LOGIN, **STORAGE}, **FRAME)
        self.assertEqual(response.status_code, 200)
        self.assert_framable(response)
        self.assertIn("no-store", response["Cache-Control"])
        return page_config(response)

    def query_of(self, config: dict) -> dict:
        return {k: v[0] for k, v in parse_qs(urlsplit(config["next"]).query).items()}

    def framed_launch(self, query: dict, token=None) -> tuple[Client, object]:
        """The platform's launch posted in a frame whose cookie is not sent."""
        frame = Client()
        token = token or self.lms.id_token(query["nonce"])
        response = frame.post(
            "/lti/launch/",
            {"id_token": token, "state": query["state"], **STORAGE},
            **FRAME,
        )
        return frame, response

    def storage_step(self, client: Client, token, state, stored, **headers):
        return client.post(
            "/lti/launch/storage/",
            {"id_token": token, "state": state, "stored": stored, **STORAGE},
            **{**FRAME, **headers},
        )

    def test_the_login_puts_the_state_in_the_lms_frame_then_goes_on(self) -> None:
        client = Client()
        config = self.storage_login(client)
        state = LoginState.objects.get()
        self.assertEqual(
            config,
            {
                "action": "put",
                "frame": "lti-storage",
                "origin": "https://lms.example.test",
                "key": STORAGE_KEY_PREFIX + state.state,
                "value": state.state,
                "next": config["next"],
            },
        )
        query = self.query_of(config)
        self.assertTrue(config["next"].startswith("https://lms.example.test/auth?"))
        self.assertEqual(query["state"], state.state)
        self.assertEqual(query["nonce"], state.nonce)
        # The cookie is set as well: where the browser sends it, it is enough.
        self.assertEqual(client.cookies[STATE_COOKIE].value, state.state)
        self.assertNotIn("lti_storage_target", state.login_params)

    def test_a_storage_target_that_is_no_frame_name_is_ignored(self) -> None:
        response = Client().post(
            "/lti/login/", {**LOGIN, "lti_storage_target": "x' onload='y"}
        )
        self.assertEqual(response.status_code, 302)

    def test_a_framed_launch_without_cookie_first_asks_the_lms_frame(self) -> None:
        query = self.query_of(self.storage_login(Client()))
        before = self.written()
        _, response = self.framed_launch(query)
        self.assertEqual(response.status_code, 200)
        self.assert_framable(response)
        self.assertIn("no-store", response["Cache-Control"])
        config = page_config(response)
        self.assertEqual(config["action"], "get")
        self.assertEqual(config["key"], STORAGE_KEY_PREFIX + query["state"])
        self.assertEqual(config["origin"], "https://lms.example.test")
        self.assertContains(response, 'action="/lti/launch/storage/"')
        self.assertContains(response, f'name="state" value="{query["state"]}"')
        # Its way out if the LMS does not answer: the login in a window of its own.
        self.assertContains(
            response, 'id="lti-new-window" class="button" href="/lti/login/?'
        )
        self.assertEqual(self.written(), before)  # nothing verified or recorded yet

    def test_the_state_from_the_lms_frame_verifies_the_launch_in_the_frame(
        self,
    ) -> None:
        query = self.query_of(self.storage_login(Client()))
        token = self.lms.id_token(query["nonce"])
        frame, _ = self.framed_launch(query, token)
        response = self.storage_step(
            frame, token, query["state"], query["state"], **SAME_ORIGIN
        )
        ticket = self.continue_token(response)
        self.assert_framable(response)
        self.assertEqual(Launch.objects.count(), 1)
        self.assertIsNotNone(LoginState.objects.get().used_at)
        self.assertRedirects(
            self.open_window(ticket),
            "/learn/use-of-force/",
            fetch_redirect_response=False,
        )
        # The state is spent: the same post again is refused.
        again = self.storage_step(
            Client(), token, query["state"], query["state"], **SAME_ORIGIN
        )
        self.assertContains(again, "already used", status_code=400)
        self.assertEqual(Launch.objects.count(), 1)

    def test_the_deep_linking_picker_works_in_the_frame_without_cookie(self) -> None:
        query = self.query_of(self.storage_login(Client()))
        token = self.lms.id_token(
            query["nonce"],
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=[claims.INSTRUCTOR],
            resource_link=None,
            dl_settings=SETTINGS,
        )
        frame, _ = self.framed_launch(query, token)
        response = self.storage_step(
            frame, token, query["state"], query["state"], **SAME_ORIGIN
        )
        self.assertContains(response, 'id="lti-pick"')
        self.assert_framable(response)

    def test_the_storage_step_only_from_musters_own_page(self) -> None:
        query = self.query_of(self.storage_login(Client()))
        token = self.lms.id_token(query["nonce"])
        before = self.written()
        forged = [
            {},  # no Origin: not a browser's same-origin post
            {"HTTP_ORIGIN": "https://attacker.example"},
            {"HTTP_ORIGIN": "null"},
            {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "cross-site"},
        ]
        for headers in forged:
            with self.subTest(headers=headers):
                response = self.storage_step(
                    Client(), token, query["state"], query["state"], **headers
                )
                self.assertContains(response, "must come from Muster", status_code=403)
                self.assert_framable(response)
        self.assertEqual(self.written(), before)

    def test_the_storage_step_needs_the_state_the_lms_frame_kept(self) -> None:
        query = self.query_of(self.storage_login(Client()))
        token = self.lms.id_token(query["nonce"])
        before = self.written()
        for stored in ("", "another-state", "é"):
            with self.subTest(stored=stored):
                response = self.storage_step(
                    Client(), token, query["state"], stored, **SAME_ORIGIN
                )
                self.assertContains(response, "does not hold", status_code=400)
        # Another login's state, kept by the frame, does not open this one.
        other = self.query_of(self.storage_login(Client()))
        response = self.storage_step(
            Client(), token, other["state"], other["state"], **SAME_ORIGIN
        )
        self.assertContains(response, "nonce", status_code=400)
        self.assertEqual(self.written(), before)

    def test_with_the_cookie_the_launch_needs_no_storage_step(self) -> None:
        client = Client()
        query = self.query_of(self.storage_login(client))
        response = client.post(
            "/lti/launch/",
            {
                "id_token": self.lms.id_token(query["nonce"]),
                "state": query["state"],
                **STORAGE,
            },
            **FRAME,
        )
        self.continue_token(response)
        self.assertEqual(Launch.objects.count(), 1)

    def test_an_unknown_state_with_a_storage_target_is_refused(self) -> None:
        _, response = self.framed_launch({"nonce": "n", "state": "forged"})
        self.assertContains(response, "not the one this browser", status_code=400)
