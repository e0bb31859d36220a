"""Dynamic Registration 1.0 against the test platform, and Muster's key rotation."""

from __future__ import annotations

import jwt
import pytest

from muster.audit.models import AuditEntry
from muster.lti import actions, claims, keys
from muster.lti.models import Platform
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

CONFIG = ISSUER + "/.well-known/openid-configuration"


class DynamicRegistrationTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        Platform.objects.all().delete()
        self.client.force_login(self.alice)
        self.url = (
            f"/lti/register/?openid_configuration={CONFIG}"
            "&registration_token=reg-token-1"
        )

    def start(self):
        page = self.client.get(self.url)
        self.assertContains(page, 'id="lti-register"')
        return page.context["form"].initial["ticket"]

    def test_it_registers_the_platform_for_the_chosen_agency(self) -> None:
        ticket = self.start()
        done = self.client.post(
            self.url,
            {"agency": self.agency.pk, "name": "County LMS", "ticket": ticket},
        )
        self.assertContains(done, "lti/close.js")
        platform = Platform.objects.get()
        self.assertEqual(
            (platform.agency, platform.issuer, platform.client_id, platform.jwks_url),
            (self.agency, ISSUER, CLIENT_ID, ISSUER + "/jwks"),
        )
        self.assertTrue(platform.is_dynamic)
        self.assertEqual(
            list(platform.deployments.values_list("deployment_id", flat=True)),
            [DEPLOYMENT_ID],
        )
        sent = self.lms.registrations[0]
        self.assertEqual(sent["initiate_login_uri"], "http://testserver/lti/login/")
        self.assertEqual(sent["redirect_uris"], ["http://testserver/lti/launch/"])
        self.assertEqual(sent["jwks_uri"], "http://testserver/lti/jwks.json")
        self.assertEqual(sent["token_endpoint_auth_method"], "private_key_jwt")
        self.assertIn(claims.SCOPE_SCORE, sent["scope"].split())
        self.assertIn(claims.SCOPE_NRPS, sent["scope"].split())
        messages = sent[claims.TOOL_CONFIGURATION]["messages"]
        self.assertIn(claims.DEEP_LINKING_REQUEST, [m["type"] for m in messages])
        self.assertTrue(
            AuditEntry.objects.filter(action="lti-platform.register").exists()
        )

    def test_it_refuses_an_agency_the_user_does_not_write_for(self) -> None:
        ticket = self.start()
        response = self.client.post(
            self.url, {"agency": self.other_agency.pk, "name": "X", "ticket": ticket}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("agency", response.context["form"].errors)
        self.assertEqual(Platform.objects.count(), 0)
        self.assertEqual(self.lms.registrations, [])

    def test_it_refuses_a_configuration_speaking_for_another_site(self) -> None:
        self.lms._configuration = lambda: (200, {
            "issuer": "https://other.example.test", "authorization_endpoint": "a",
            "token_endpoint": "b", "jwks_uri": "c", "registration_endpoint": "d",
        })  # fmt: skip
        response = self.client.get(self.url)
        self.assertContains(response, "not an https address", status_code=400)
        self.assertEqual(Platform.objects.count(), 0)

    def test_it_refuses_a_configuration_missing_endpoints(self) -> None:
        self.lms._configuration = lambda: (200, {"issuer": ISSUER})
        response = self.client.get(self.url)
        self.assertContains(response, "lacks authorization_endpoint", status_code=400)

    def test_it_refuses_a_registration_the_platform_rejects(self) -> None:
        ticket = self.start()
        self.lms.registration_token = "another"
        response = self.client.post(
            self.url, {"agency": self.agency.pk, "name": "X", "ticket": ticket}
        )
        self.assertContains(response, "answered 401", status_code=400)
        self.assertEqual(Platform.objects.count(), 0)

    def test_an_officer_cannot_register_a_platform(self) -> None:
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class KeyRotationTestCase(LtiTestCase):
    def test_a_new_key_signs_while_the_old_one_stays_published(self) -> None:
        new = actions.rotate_key()
        published = self.client.get("/lti/jwks.json").json()["keys"]
        self.assertEqual([k["kid"] for k in published], [new.kid, self.tool_key.kid])
        self.assertEqual(
            {(k["kty"], k["alg"], k["use"]) for k in published},
            {("RSA", "RS256", "sig")},
        )
        self.assertNotIn("d", published[0])  # the public half only
        token = keys.sign({"x": 1})
        self.assertEqual(jwt.get_unverified_header(token)["kid"], new.kid)

    def test_a_retired_key_leaves_the_jwks(self) -> None:
        new = actions.rotate_key()
        actions.retire_key(self.tool_key)
        published = self.client.get("/lti/jwks.json").json()["keys"]
        self.assertEqual([k["kid"] for k in published], [new.kid])

    def test_the_last_published_key_cannot_be_retired(self) -> None:
        with pytest.raises(ValueError, match="only published key"):
            actions.retire_key(self.tool_key)
        self.assertEqual(len(keys.jwks()["keys"]), 1)
