"""Deep Linking 2.0: an instructor picks a Muster course, the answer is signed and
posted back to the platform."""

from __future__ import annotations

import re

import jwt

from muster.lti import claims
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

RETURN_URL = ISSUER + "/deep-link-return"
SETTINGS = {
    "deep_link_return_url": RETURN_URL,
    "accept_types": ["ltiResourceLink"],
    "accept_presentation_document_targets": ["iframe", "window"],
    "data": "opaque-42",
}


class DeepLinkingTestCase(LtiTestCase):
    def request_picker(self, roles=(claims.INSTRUCTOR,)):
        response, _, _ = self.lms.launch(
            self.client,
            sub="lms-teacher",
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=list(roles),
            resource_link=None,
            dl_settings=SETTINGS,
        )
        return response

    def test_it_shows_the_open_courses_to_pick(self) -> None:
        response = self.request_picker()
        self.assertContains(response, 'id="lti-pick"')
        self.assertContains(response, self.course.title)

    def test_it_posts_a_signed_deep_linking_response_back(self) -> None:
        picker = self.request_picker()
        token = re.search(r'name="token" value="([^"]+)"', picker.content.decode())[1]
        answer = self.client.post(
            "/lti/deep-link/", {"token": token, "course": self.course.slug}
        )
        page = answer.content.decode()
        self.assertIn(f'action="{RETURN_URL}"', page)
        self.assertIn("lti/autopost.js", page)
        # The page's own CSP lets its form go to the platform, and only there.
        self.assertIn(f"form-action 'self' {ISSUER}", answer["Content-Security-Policy"])
        signed = re.search(r'name="JWT" value="([^"]+)"', page)[1]
        # The platform checks it against Muster's published JWKS, as it would.
        published = jwt.PyJWKSet.from_dict(self.client.get("/lti/jwks.json").json())
        key = published[jwt.get_unverified_header(signed)["kid"]]
        body = jwt.decode(signed, key.key, algorithms=["RS256"], audience=ISSUER)
        self.assertEqual(body["iss"], CLIENT_ID)
        self.assertEqual(body[claims.MESSAGE_TYPE], "LtiDeepLinkingResponse")
        self.assertEqual(body[claims.VERSION], "1.3.0")
        self.assertEqual(body[claims.DEPLOYMENT_ID], DEPLOYMENT_ID)
        self.assertEqual(body[claims.DL_DATA], "opaque-42")
        self.assertIn("nonce", body)
        self.assertEqual(
            body[claims.DL_CONTENT_ITEMS],
            [
                {
                    "type": "ltiResourceLink",
                    "title": self.course.title,
                    "url": "http://testserver/lti/launch/",
                    "custom": {"course": "use-of-force"},
                    "lineItem": {
                        "scoreMaximum": 100,
                        "label": self.course.title,
                        "resourceId": "use-of-force",
                    },
                }
            ],
        )

    def test_it_refuses_a_learner_asking_to_pick(self) -> None:
        response = self.request_picker(roles=[claims.LEARNER])
        self.assertContains(response, "Only an instructor", status_code=400)

    def test_it_refuses_a_forged_pick(self) -> None:
        response = self.client.post(
            "/lti/deep-link/", {"token": "forged", "course": self.course.slug}
        )
        self.assertContains(response, "expired", status_code=400)

    def test_it_refuses_a_request_without_a_return_url(self) -> None:
        response, _, _ = self.lms.launch(
            self.client,
            message_type=claims.DEEP_LINKING_REQUEST,
            roles=[claims.INSTRUCTOR],
            dl_settings={"accept_types": ["ltiResourceLink"]},
        )
        self.assertContains(response, "no deep_link_return_url", status_code=400)

    def answer(self, settings: dict) -> dict:
        picker, _, _ = self.lms.launch(
            self.client, sub="lms-teacher", roles=[claims.INSTRUCTOR],
            message_type=claims.DEEP_LINKING_REQUEST, resource_link=None,
            dl_settings=settings,
        )  # fmt: skip
        token = re.search(r'name="token" value="([^"]+)"', picker.content.decode())[1]
        page = self.client.post(
            "/lti/deep-link/", {"token": token, "course": self.course.slug}
        ).content.decode()
        signed = re.search(r'name="JWT" value="([^"]+)"', page)[1]
        body = jwt.decode(signed, options={"verify_signature": False})
        [item] = body[claims.DL_CONTENT_ITEMS]
        return item

    def test_no_line_item_goes_to_a_platform_that_takes_none(self) -> None:
        item = self.answer({**SETTINGS, "accept_lineitem": False})
        self.assertEqual(item["type"], "ltiResourceLink")
        self.assertNotIn("lineItem", item)

    def test_a_line_item_goes_where_it_is_taken_or_not_said(self) -> None:
        self.assertIn("lineItem", self.answer({**SETTINGS, "accept_lineitem": True}))
        self.assertIn("lineItem", self.answer(SETTINGS))
