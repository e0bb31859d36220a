"""Open Badges 3.0 credentials of certificates, checked by an independent verifier."""

from __future__ import annotations

import json

import jwt
import pytest
from django.test import override_settings

from muster.audit.choices import Action
from muster.audit.models import AuditEntry
from muster.badges import actions
from muster.badges.keys import b64url, new_key_pair
from muster.badges.models import IssuerKey
from muster.badges.tests import independent
from muster.learning import actions as learning_actions
from muster.learning.models import Attempt, Certificate
from muster.learning.tests.helpers import (
    ClockMixin,
    make_course,
    ready_for_assessment,
    right_answers,
)
from muster.test import BaseTestCase


@override_settings(BADGE_ORIGIN="https://testserver")
class BadgeTestCase(ClockMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.course = make_course()
        self.client.force_login(self.bob)
        ready_for_assessment(self.client, self.course, self.clock)
        url = f"/learn/{self.course.slug}/assessment/"
        self.client.get(url)
        self.client.post(url, right_answers(Attempt.objects.get()))
        self.certificate = Certificate.objects.get()
        self.client.logout()
        self.badge_url = f"/verify/{self.certificate.code}/badge.jwt"

    def fetch(self, url: str) -> bytes:
        """What a stranger's HTTP GET of `url` would get (offline: the test client)."""
        assert url.startswith("https://testserver/"), url
        response = self.client.get(url.removeprefix("https://testserver"))
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    def download(self) -> str:
        response = self.client.get(self.badge_url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vc+jwt")
        return response.content.decode("ascii")

    def revoke(self) -> None:
        learning_actions.revoke_certificate(
            actor=self.alice, certificate=self.certificate, reason="Answers shared"
        )


class CredentialTestCase(BadgeTestCase):
    def test_it_verifies_independently_with_course_hours_and_approval(self) -> None:
        claims = independent.verify(self.download(), self.fetch)
        achievement = claims["credentialSubject"]["achievement"]
        self.assertEqual(achievement["name"], self.course.title)
        self.assertEqual(claims["credentialSubject"]["creditsEarned"], 1.0)
        self.assertEqual(achievement["otherIdentifier"][0]["identifier"][:2], "MO")
        self.assertEqual(
            claims["credentialSubject"]["identifier"][0]["identityHash"],
            self.bob.person.get_full_name(),
        )
        self.assertEqual(
            claims["issuer"]["id"], "did:web:testserver:issuers:muster-academy"
        )

    def test_it_describes_its_issuer_and_the_evidence_of_the_credit(self) -> None:
        provider = self.course.provider
        provider.email = "training@academy.example"
        provider.save()
        claims = independent.verify(self.download(), self.fetch)
        issuer = claims["issuer"]
        self.assertEqual(issuer["description"], "State agency, Missouri.")
        self.assertEqual(
            issuer["address"],
            {
                "type": ["Address"],
                "addressRegion": "Missouri",
                "addressCountryCode": "US",
            },
        )
        self.assertEqual(issuer["email"], "training@academy.example")
        [evidence] = claims["evidence"]
        enrollment = self.certificate.enrollment
        self.assertIn(
            f"{enrollment.active_seconds // 60} minutes", evidence["narrative"]
        )
        self.assertIn("final assessment passed.", evidence["narrative"])
        # Not the course's pass mark, which may be edited after the officer passed.
        self.assertNotIn("pass mark", evidence["narrative"])
        # Nothing Muster does not hold is made up: no alignment without an
        # official address of the state's approval, no image, no score.
        achievement = claims["credentialSubject"]["achievement"]
        self.assertNotIn("alignment", achievement)
        self.assertNotIn("image", claims)
        attempt = Attempt.objects.get()
        self.assertNotIn(f"{attempt.correct} of", evidence["narrative"])

    def test_it_meets_the_open_badges_schema(self) -> None:
        claims = jwt.decode(self.download(), options={"verify_signature": False})
        validator = independent.jsonschema_rs.validator_for(independent.SCHEMA)
        self.assertEqual(list(validator.iter_errors(claims)), [])
        del claims["credentialSubject"]["achievement"]["criteria"]
        self.assertFalse(validator.is_valid(claims))

    def test_a_changed_field_fails_the_signature(self) -> None:
        header, payload, signature = self.download().split(".")
        claims = json.loads(jwt.utils.base64url_decode(payload))
        claims["credentialSubject"]["creditsEarned"] = 40.0
        forged = b64url(json.dumps(claims).encode())
        with pytest.raises(independent.Failed, match="Signature"):
            independent.verify(f"{header}.{forged}.{signature}", self.fetch)

    def test_a_credential_signed_with_another_key_fails(self) -> None:
        token = self.download()
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        stranger = IssuerKey(agency=self.course.provider, key_id="key-1")
        stranger.public_key, stranger.private_key = new_key_pair()
        from muster.badges.keys import private_key

        forged = jwt.encode(claims, private_key(stranger), "EdDSA", headers=header)
        with pytest.raises(independent.Failed, match="Signature"):
            independent.verify(forged, self.fetch)

    def test_a_revoked_certificate_fails_even_as_an_earlier_download(self) -> None:
        token = self.download()
        self.revoke()
        with pytest.raises(independent.Revoked):
            independent.verify(token, self.fetch)

    def test_the_loader_serves_only_shipped_contexts(self) -> None:
        with pytest.raises(independent.Failed, match="not shipped"):
            independent.shipped_loader("https://example.com/other-context.json")

    def test_the_json_download_envelopes_the_same_credential(self) -> None:
        response = self.client.get(f"/verify/{self.certificate.code}/badge.json")
        envelope = response.json()
        self.assertEqual(envelope["type"], "EnvelopedVerifiableCredential")
        token = envelope["id"].removeprefix("data:application/vc+jwt,")
        independent.verify(token, self.fetch)

    def test_the_qr_code_is_an_svg(self) -> None:
        response = self.client.get(f"/verify/{self.certificate.code}/badge-qr.svg")
        self.assertEqual(response["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", response.content)

    def test_an_unknown_code_has_no_badge(self) -> None:
        self.assertEqual(
            self.client.get("/verify/AAAA-BBBB/badge.jwt").status_code, 404
        )


class KeyRotationTestCase(BadgeTestCase):
    def test_a_rotated_key_still_verifies_what_it_signed(self) -> None:
        old = self.download()
        actions.rotate_issuer_key(
            actor=self.alice, agency=self.course.provider, reason="Yearly rotation"
        )
        new = self.download()
        self.assertTrue(jwt.get_unverified_header(new)["kid"].endswith("#key-2"))
        self.assertTrue(jwt.get_unverified_header(old)["kid"].endswith("#key-1"))
        independent.verify(old, self.fetch)
        independent.verify(new, self.fetch)

    def test_a_provider_may_rotate_to_an_rs256_key(self) -> None:
        old = self.download()
        actions.rotate_issuer_key(
            actor=self.alice,
            agency=self.course.provider,
            reason="A verifier that knows only RS256",
            algorithm="RS256",
        )
        new = self.download()
        self.assertEqual(jwt.get_unverified_header(new)["alg"], "RS256")
        self.assertEqual(jwt.get_unverified_header(old)["alg"], "EdDSA")
        independent.verify(new, self.fetch)
        independent.verify(old, self.fetch)
        document = json.loads(
            self.fetch("https://testserver/issuers/muster-academy/did.json")
        )
        # The JWK methods (the Ed25519 keys follow again as Multikeys).
        jwks = [m for m in document["verificationMethod"] if "publicKeyJwk" in m]
        rsa = jwks[-1]["publicKeyJwk"]
        self.assertEqual((rsa["kty"], rsa["e"]), ("RSA", "AQAB"))
        self.assertNotIn("d", rsa)
        self.assertContains(
            self.client.post("/verify/badge-check/", {"credential": new}), "Valid"
        )
        with pytest.raises(actions.NotAllowed, match="one of EdDSA, RS256"):
            actions.rotate_issuer_key(
                actor=self.alice,
                agency=self.course.provider,
                reason="x",
                algorithm="HS256",
            )

    def test_a_retired_key_no_longer_verifies(self) -> None:
        old = self.download()
        provider = self.course.provider
        actions.rotate_issuer_key(actor=self.alice, agency=provider, reason="Leak")
        first = provider.issuer_keys.get(key_id="key-1")
        actions.retire_issuer_key(actor=self.alice, key=first, reason="Leaked")
        with pytest.raises(independent.Failed, match="not an assertion method"):
            independent.verify(old, self.fetch)
        independent.verify(self.download(), self.fetch)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(
                    action__in=[Action.ISSUER_KEY_CREATE, Action.ISSUER_KEY_RETIRE]
                ).values_list("action", flat=True)
            ).count(Action.ISSUER_KEY_CREATE),
            2,
        )

    def test_the_only_key_cannot_be_retired(self) -> None:
        key = actions.ensure_issuer_key(self.course.provider)
        with pytest.raises(actions.NotAllowed, match="only key; rotate first"):
            actions.retire_issuer_key(actor=self.alice, key=key, reason="x")
        self.assertFalse(IssuerKey.objects.get().is_retired)

    def test_a_rotation_needs_a_reason(self) -> None:
        with pytest.raises(actions.NotAllowed, match="Say why"):
            actions.rotate_issuer_key(
                actor=self.alice, agency=self.course.provider, reason=" "
            )
        # Only the key made when the first certificate was issued.
        self.assertEqual(IssuerKey.objects.count(), 1)

    def test_private_keys_are_stored_encrypted(self) -> None:
        key = actions.ensure_issuer_key(self.course.provider)
        self.assertTrue(key.private_key.startswith("gAAAA"))
        entry = AuditEntry.objects.get(action=Action.ISSUER_KEY_CREATE)
        self.assertNotIn("private_key", json.dumps(entry.after))


class DidDocumentTestCase(BadgeTestCase):
    def test_it_is_served_where_did_web_points(self) -> None:
        self.download()
        url = independent.did_web_url("did:web:testserver:issuers:muster-academy")
        self.assertEqual(url, "https://testserver/issuers/muster-academy/did.json")
        document = json.loads(self.fetch(url))
        method = document["verificationMethod"][0]
        self.assertEqual(method["publicKeyJwk"]["crv"], "Ed25519")
        self.assertNotIn("d", method["publicKeyJwk"])

    def test_a_port_is_percent_encoded(self) -> None:
        from muster.badges.keys import issuer_did

        with override_settings(BADGE_ORIGIN="https://muster.example:8443"):
            did = issuer_did(self.course.provider)
        self.assertEqual(did, "did:web:muster.example%3A8443:issuers:muster-academy")

    def test_an_agency_without_keys_has_no_document(self) -> None:
        self.assertEqual(self.client.get("/issuers/riverton/did.json").status_code, 404)
        url = "/issuers/riverton/status-list/"
        self.assertEqual(self.client.get(url).status_code, 404)


class IssueTestCase(BadgeTestCase):
    """The signing key and the status place come with the certificate's issue,
    never with a download (a GET changes nothing)."""

    def test_the_first_issue_makes_the_key_audited_before_any_download(self) -> None:
        key = IssuerKey.objects.get()
        self.assertEqual(key.agency, self.course.provider)
        entry = AuditEntry.objects.get(action=Action.ISSUER_KEY_CREATE)
        self.assertEqual(entry.reason, "First badge of this provider")
        self.download()
        self.assertEqual(IssuerKey.objects.count(), 1)

    def test_a_download_without_a_key_is_refused_and_creates_none(self) -> None:
        IssuerKey.objects.all().delete()
        self.assertEqual(self.client.get(self.badge_url).status_code, 404)
        json_url = f"/verify/{self.certificate.code}/badge.json"
        self.assertEqual(self.client.get(json_url).status_code, 404)
        self.assertFalse(IssuerKey.objects.exists())
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("badge_keys", "ensure", "--provider=muster-academy", stdout=out)
        self.assertIn("#key-1  live", out.getvalue())
        independent.verify(self.download(), self.fetch)

    def test_the_status_index_is_drawn_at_random_among_free_places(self) -> None:
        from unittest import mock

        from muster.badges.status import MIN_BITS
        from muster.learning.models import Enrollment

        taken = self.certificate.status_entry.index
        token = self.download()
        claims = jwt.decode(token, options={"verify_signature": False})
        self.assertEqual(claims["credentialStatus"]["statusListIndex"], str(taken))
        enrollment = Enrollment.objects.create(
            person=self.charlie_person,
            user=self.charlie,
            course=self.course,
            jurisdiction="MO",
        )
        draws = [taken, 7]
        with mock.patch(
            "muster.badges.actions.secrets.randbelow", side_effect=draws
        ) as draw:
            second = Certificate.objects.create(enrollment=enrollment, code="TEST-0002")
        self.assertEqual(second.status_entry.index, 7)
        # Both draws over the whole list, the taken place drawn again.
        self.assertEqual([c.args for c in draw.call_args_list], [(MIN_BITS,)] * 2)
        self.assertEqual(IssuerKey.objects.count(), 1)


class VerifyPageTestCase(BadgeTestCase):
    def check(self, text: str):
        return self.client.post("/verify/badge-check/", {"credential": text})

    def test_the_verify_page_offers_the_badge(self) -> None:
        response = self.client.get(f"/verify/{self.certificate.code}/")
        self.assertContains(response, 'id="download-badge"')
        self.assertContains(response, 'id="badge-qr"')

    def test_it_says_valid_then_revoked(self) -> None:
        token = self.download()
        self.assertContains(self.check(token), "Valid")
        self.revoke()
        self.assertContains(self.check(token), ">Revoked<")

    def test_it_refuses_a_changed_badge(self) -> None:
        header, payload, signature = self.download().split(".")
        claims = json.loads(jwt.utils.base64url_decode(payload))
        claims["name"] = "Advanced Firearms"
        forged = f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"
        response = self.check(forged)
        self.assertContains(response, "Not valid", status_code=422)
        self.assertContains(response, "altered", status_code=422)

    def test_it_refuses_text_that_is_no_badge(self) -> None:
        self.assertContains(self.check("hello"), "not a signed", status_code=422)
        self.assertContains(self.check(""), "Paste a credential", status_code=422)


class TermTestCase(BadgeTestCase):
    def test_a_term_no_context_defines_fails(self) -> None:
        claims = jwt.decode(self.download(), options={"verify_signature": False})
        claims["credentialSubject"]["achievement"]["hoursz"] = 1
        with pytest.raises(independent.Failed, match="hoursz not defined"):
            independent._check_json_ld(claims)


class ExpansionTestCase(BadgeTestCase):
    def test_it_expands_under_the_vc_2_0_and_ob_3_0_contexts(self) -> None:
        from pyld import jsonld

        claims = jwt.decode(self.download(), options={"verify_signature": False})
        body = {
            k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "sub")
        }
        [node] = jsonld.expand(body, {"documentLoader": independent.shipped_loader})
        self.assertIn(
            "https://www.w3.org/2018/credentials#VerifiableCredential", node["@type"]
        )
        self.assertIn(
            "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
            node["@type"],
        )
        subject = node["https://www.w3.org/2018/credentials#credentialSubject"][0]
        achievement = subject[
            "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"
        ][0]
        self.assertIn(
            "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement",
            achievement["@type"],
        )
        independent._check_json_ld(claims)

    def test_activity_end_date_stays_the_date_time_it_was_signed_as(self) -> None:
        """B.1.3 types activityEndDate as a DateTime; the OB 3.0.3 context gives
        the term `@type` https://www.w3.org/2001/XMLSchema#date (https: not the
        XML Schema namespace, so no RDF processor reads it as xsd:date). We emit
        the DateTime; JSON-LD expansion and RDFC canonicalisation keep that
        string as the literal's lexical form, unconverted, so the canonical
        N-Quads (what the embedded proof signs) carry exactly what was issued."""
        from pyld import jsonld

        record = self.certificate.enrollment.record
        emitted = f"{record.completed_on.isoformat()}T00:00:00Z"
        document = json.loads(
            self.client.get(f"/verify/{self.certificate.code}/badge.proof.json").content
        )
        subject = document["credentialSubject"]
        self.assertEqual(subject["activityEndDate"], emitted)
        document.pop("proof")
        [node] = jsonld.expand(document, {"documentLoader": independent.shipped_loader})
        expanded = node["https://www.w3.org/2018/credentials#credentialSubject"][0]
        self.assertEqual(
            expanded[
                "https://purl.imsglobal.org/spec/vc/ob/vocab.html#activityEndDate"
            ],
            [{"@type": "https://www.w3.org/2001/XMLSchema#date", "@value": emitted}],
        )
        nquads = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": independent.shipped_loader,
            },
        )
        literal = f'"{emitted}"^^<https://www.w3.org/2001/XMLSchema#date>'
        [line] = [q for q in nquads.splitlines() if "#activityEndDate>" in q]
        self.assertIn(literal, line)
        # The lexical form is compared as written: the same day as a date
        # alone canonicalises differently, so a verifier rewriting it fails.
        subject["activityEndDate"] = record.completed_on.isoformat()
        rewritten = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": independent.shipped_loader,
            },
        )
        self.assertNotEqual(rewritten, nquads)

    def test_a_context_not_shipped_is_never_fetched(self) -> None:
        claims = jwt.decode(self.download(), options={"verify_signature": False})
        claims["@context"].append("https://example.org/context.json")
        with pytest.raises(independent.Failed, match="does not expand"):
            independent._check_json_ld(claims)


class ApiTestCase(BadgeTestCase):
    def test_the_api_returns_the_credential_to_those_who_read_the_certificate(
        self,
    ) -> None:
        from muster.api.tests.helpers import call, token_for

        url = f"/api/v1/certificates/{self.certificate.code}/credential"
        response = call(self.client, "GET", url, token_for(self.alice))
        self.assertEqual(response.status_code, 200, response.content)
        independent.verify(response.json()["credential"], self.fetch)
        response = call(self.client, "GET", url, token_for(self.charlie))
        self.assertEqual(response.status_code, 404)


class CommandTestCase(BadgeTestCase):
    def test_it_rotates_and_retires_keys(self) -> None:
        from io import StringIO

        from django.core.management import call_command
        from django.core.management.base import CommandError

        out = StringIO()
        provider = "--provider=muster-academy"
        # key-1 was made when the first certificate was issued.
        call_command("badge_keys", "rotate", provider, "--reason=Yearly", stdout=out)
        call_command(
            "badge_keys", "retire", provider, "--key=key-1", "--reason=Old", stdout=out
        )
        self.assertIn("#key-1  retired", out.getvalue())
        self.assertIn("#key-2  live", out.getvalue())
        with pytest.raises(CommandError, match="only key; rotate first"):
            call_command("badge_keys", "retire", provider, "--key=key-2", "--reason=x")


class StatusListTestCase(BadgeTestCase):
    def test_the_list_changes_only_when_a_certificate_is_revoked(self) -> None:
        self.download()
        url = "https://testserver/issuers/muster-academy/status-list/"
        first, again = self.fetch(url), self.fetch(url)
        self.assertEqual(first, again)
        self.clock.shift(3600)
        self.revoke()
        after = jwt.decode(self.fetch(url), options={"verify_signature": False})
        self.certificate.refresh_from_db()
        revoked_at = self.certificate.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual(after["validFrom"], revoked_at)
        self.assertNotEqual(
            after, jwt.decode(first, options={"verify_signature": False})
        )
