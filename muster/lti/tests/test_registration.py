"""Dynamic Registration 1.0 against the test platform, and Muster's key rotation."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import quote, urlsplit

import jwt
import pytest
from django.core.management import call_command
from django.utils.html import escape

from muster.audit.models import AuditEntry
from muster.lti import actions, claims, keys, registration
from muster.lti.models import Platform
from muster.lti.tests.helpers import LtiTestCase
from muster.lti.tests.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ISSUER,
    PUBLIC_ADDRESS,
    fake_dns,
)

CONFIG = ISSUER + "/.well-known/openid-configuration"


class DynamicRegistrationTestCase(LtiTestCase):
    def setUp(self) -> None:
        super().setUp()
        Platform.objects.all().delete()
        # Alice copies Riverton's registration URL; the LMS opens it later, in its
        # own frame, where Alice's Muster session is not sent.
        self.client.force_login(self.alice)
        page = self.client.get(f"/agencies/{self.agency.code}/lms-links/")
        found = re.search(r'id="lti-register-url">([^<]+)<', page.content.decode())
        self.register_url = urlsplit(found[1]).path
        self.client.logout()
        self.query = f"?openid_configuration={CONFIG}&registration_token=reg-token-1"

    def start(self):
        page = self.client.get(self.register_url + self.query)
        self.assertContains(page, 'id="lti-register"')
        self.assertIn(f"frame-ancestors {ISSUER}", page["Content-Security-Policy"])
        self.assertNotIn("X-Frame-Options", page)
        return page.context["form"].initial

    def submit(self, **changes):
        values = {**self.start(), "name": "County LMS", **changes}
        return self.client.post(self.register_url, values)

    def test_it_registers_the_platform_for_the_urls_agency(self) -> None:
        done = self.submit()
        self.assertContains(done, "lti/close.js")
        platform = Platform.objects.get()
        self.assertEqual(
            (platform.agency, platform.issuer, platform.client_id, platform.jwks_url),
            (self.agency, ISSUER, CLIENT_ID, ISSUER + "/jwks"),
        )
        self.assertEqual(
            (platform.auth_login_url, platform.auth_token_url, platform.name),
            (ISSUER + "/auth", ISSUER + "/token", "County LMS"),
        )
        self.assertTrue(platform.is_dynamic)
        self.assertEqual(
            list(platform.deployments.values_list("deployment_id", flat=True)),
            [DEPLOYMENT_ID],
        )
        entry = AuditEntry.objects.filter(action="lti-platform.register").last()
        self.assertEqual(entry.actor_id, self.alice.pk)

    def test_it_sends_the_tool_configuration(self) -> None:
        self.submit()
        sent = self.lms.registrations[0]
        self.assertEqual(sent["initiate_login_uri"], "http://testserver/lti/login/")
        self.assertEqual(sent["redirect_uris"], ["http://testserver/lti/launch/"])
        self.assertEqual(sent["jwks_uri"], "http://testserver/lti/jwks.json")
        self.assertEqual(sent["token_endpoint_auth_method"], "private_key_jwt")
        self.assertEqual(sent["response_types"], ["id_token"])
        self.assertEqual(sent["grant_types"], ["implicit", "client_credentials"])
        self.assertIn(claims.SCOPE_SCORE, sent["scope"].split())
        self.assertIn(claims.SCOPE_NRPS, sent["scope"].split())
        tool = sent[claims.TOOL_CONFIGURATION]
        self.assertEqual(tool["domain"], "testserver")
        self.assertIn(
            claims.DEEP_LINKING_REQUEST, [m["type"] for m in tool["messages"]]
        )

    def test_it_refuses_a_forged_registration_url(self) -> None:
        response = self.client.get("/lti/register/forged-token/" + self.query)
        self.assertContains(response, "not valid", status_code=404)
        self.assertEqual(self.lms.registrations, [])

    def test_it_refuses_once_the_user_no_longer_writes_for_the_agency(self) -> None:
        self.alice.role_grants.update(revoked_at=self.alice.date_joined)
        response = self.client.get(self.register_url + self.query)
        self.assertContains(response, "no longer valid", status_code=404)

    def test_it_refuses_a_configuration_speaking_for_another_site(self) -> None:
        self.lms._configuration = lambda: (200, {
            "issuer": "https://other.example.test", "authorization_endpoint": "a",
            "token_endpoint": "b", "jwks_uri": "c", "registration_endpoint": "d",
        })  # fmt: skip
        response = self.client.get(self.register_url + self.query)
        self.assertContains(response, "not an https address", status_code=400)
        self.assertEqual(Platform.objects.count(), 0)

    def test_it_refuses_a_configuration_missing_endpoints(self) -> None:
        self.lms._configuration = lambda: (200, {"issuer": ISSUER})
        response = self.client.get(self.register_url + self.query)
        self.assertContains(response, "lacks authorization_endpoint", status_code=400)

    def test_it_refuses_a_registration_the_platform_rejects(self) -> None:
        entries = AuditEntry.objects.count()
        response = self.submit(registration_token="another")
        self.assertContains(response, "answered HTTP 401", status_code=400)
        self.assertEqual(Platform.objects.count(), 0)
        self.assertEqual(AuditEntry.objects.count(), entries)

    def test_it_fetches_no_internal_address_and_echoes_nothing(self) -> None:
        """Anyone holding the registration URL names the configuration URL: an
        internal one is refused before any connection (muster/outbound.py)."""
        names = {
            "lms.example.test": PUBLIC_ADDRESS,
            "intranet.example.test": "10.0.0.8",
        }
        for config, reason in [
            (
                "http://169.254.169.254/latest/meta-data/",
                "169.254.169.254 is a link-local",
            ),
            ("https://127.0.0.1/.well-known/openid-configuration", "loopback"),
            ("https://[::1]/.well-known/openid-configuration", "::1 is a loopback"),
            ("https://[fd00::1]/x", "unique local"),
            ("https://intranet.example.test/x", "10.0.0.8 is a private"),
            ("file:///etc/passwd", "only http and https"),
        ]:
            with self.subTest(config), fake_dns(names):
                sent = len(self.lms.requests)
                response = self.client.get(
                    self.register_url + f"?openid_configuration={quote(config)}"
                )
                self.assertContains(response, reason, status_code=400)
                self.assertContains(response, escape(config), status_code=400)
                self.assertEqual(len(self.lms.requests), sent)
        self.assertEqual(Platform.objects.count(), 0)

    def test_it_refuses_a_configuration_naming_internal_endpoints(self) -> None:
        good = self.lms._configuration()[1]
        for name in ("jwks_uri", "token_endpoint", "registration_endpoint"):
            with self.subTest(name):
                self.lms._configuration = lambda name=name: (
                    200, {**good, name: "http://169.254.169.254/latest/"}
                )  # fmt: skip
                response = self.client.get(self.register_url + self.query)
                self.assertContains(response, f"gives {name}", status_code=400)
                self.assertContains(response, "link-local", status_code=400)
        self.assertEqual(self.lms.registrations, [])

    def test_what_the_platform_answers_is_not_echoed(self) -> None:
        self.lms._configuration = lambda: (500, {"internal": "db-password=hunter2"})
        response = self.client.get(self.register_url + self.query)
        self.assertContains(response, f"{CONFIG} answered HTTP 500.", status_code=400)
        self.assertNotContains(response, "hunter2", status_code=400)

    def test_a_redirect_to_cloud_metadata_is_not_followed(self) -> None:
        for metadata, reason in [
            ("https://169.254.169.254/latest/meta-data/", "link-local"),
            ("http://169.254.169.254/latest/meta-data/", "from https to http"),
        ]:
            with self.subTest(metadata):
                sent = len(self.lms.requests)
                self.lms._configuration = lambda m=metadata: (
                    302,
                    None,
                    {"Location": m},
                )
                response = self.client.get(self.register_url + self.query)
                self.assertContains(response, reason, status_code=400)
                # One request, to the platform's own address; none to the metadata.
                self.assertEqual(
                    [r.address for r in self.lms.requests[sent:]], [PUBLIC_ADDRESS]
                )

    def test_an_officer_gets_no_registration_url(self) -> None:
        self.client.force_login(self.bob)
        page = self.client.get(f"/agencies/{self.agency.code}/lms-links/")
        self.assertEqual(page.status_code, 404)

    def configuration(self, **changes):
        base = self.lms._configuration()[1]
        self.lms._configuration = lambda: (200, {**base, **changes})

    def test_a_platform_without_private_key_jwt_is_refused(self) -> None:
        self.configuration(
            token_endpoint_auth_methods_supported=["client_secret_basic"]
        )
        page = self.client.get(self.register_url + self.query)
        self.assertContains(page, "without private_key_jwt", status_code=400)
        self.assertEqual(self.lms.registrations, [])

    def test_a_platform_not_signing_with_rs256_is_refused(self) -> None:
        self.configuration(id_token_signing_alg_values_supported=["ES256"])
        page = self.client.get(self.register_url + self.query)
        self.assertContains(page, "without RS256", status_code=400)

    def test_only_the_scopes_the_platform_supports_are_asked_for(self) -> None:
        self.configuration(
            scopes_supported=["openid", claims.SCOPE_SCORE, claims.SCOPE_NRPS]
        )
        self.submit()
        sent = self.lms.registrations[0]["scope"].split()
        self.assertEqual(sent, [claims.SCOPE_SCORE, claims.SCOPE_NRPS])

    def test_deep_linking_is_not_asked_of_a_platform_not_offering_it(self) -> None:
        platform_config = {
            "product_family_code": "example-lms",
            "messages_supported": [{"type": claims.RESOURCE_LINK_REQUEST}],
        }
        self.configuration(**{claims.PLATFORM_CONFIGURATION: platform_config})
        self.submit()
        tool = self.lms.registrations[0][claims.TOOL_CONFIGURATION]
        self.assertEqual(
            [m["type"] for m in tool["messages"]], [claims.RESOURCE_LINK_REQUEST]
        )

    def test_all_is_asked_of_a_platform_listing_nothing(self) -> None:
        config = registration.PlatformConfiguration(ISSUER, "a", "b", "c", "d", "", "x")
        sent = registration.tool_configuration("https://m.test", {
            "login": "/l", "launch": "/la", "jwks": "/j"}, config)  # fmt: skip
        self.assertEqual(len(sent["scope"].split()), len(registration.SCOPES))
        self.assertEqual(len(sent[claims.TOOL_CONFIGURATION]["messages"]), 2)


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


class KeyCommandTestCase(LtiTestCase):
    def test_the_command_rotates_and_retires_the_older_keys(self) -> None:
        out = StringIO()
        call_command("lti_rotate_key", "--retire-old", stdout=out)
        published = [k["kid"] for k in keys.jwks()["keys"]]
        self.assertEqual(len(published), 1)
        self.assertNotIn(self.tool_key.kid, published)
        self.assertIn(f"Retired {self.tool_key.kid}.", out.getvalue())


class PlatformAdminTestCase(LtiTestCase):
    def test_an_admin_edit_is_audited(self) -> None:
        self.client.force_login(self.root)
        url = f"/admin/lti/platform/{self.platform.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update({
            "agency": self.agency.pk, "name": "Renamed LMS", "is_active": "on",
            "deployments-TOTAL_FORMS": "0", "deployments-INITIAL_FORMS": "0",
        })  # fmt: skip
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.filter(action="lti-platform.update").get()
        self.assertEqual(entry.after["name"], "Renamed LMS")

    def test_an_internal_jwks_or_token_url_is_a_field_error(self) -> None:
        self.client.force_login(self.root)
        url = f"/admin/lti/platform/{self.platform.pk}/change/"
        form = self.client.get(url).context["adminform"].form
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update({
            "agency": self.agency.pk, "is_active": "on",
            "deployments-TOTAL_FORMS": "0", "deployments-INITIAL_FORMS": "0",
            "jwks_url": "http://169.254.169.254/latest/meta-data/",
            "auth_token_url": "https://[fd00::10]/token",
        })  # fmt: skip
        entries = AuditEntry.objects.count()
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("169.254.169.254 is a link-local", errors["jwks_url"][0])
        self.assertIn("unique local", errors["auth_token_url"][0])
        self.platform.refresh_from_db()
        self.assertEqual(self.platform.jwks_url, ISSUER + "/jwks")
        self.assertEqual(AuditEntry.objects.count(), entries)
