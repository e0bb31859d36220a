"""Embedded eddsa-rdfc-2022 proofs checked by the independent verifier.

`independent.verify_proved` uses none of muster.badges: it resolves the issuer's
did:web document over HTTP (the test client), takes the Multikey the proof
names, canonicalises with PyLD under the shipped contexts only, and checks the
Ed25519 signature with `cryptography`. It is held first to the cryptosuite
specification's own test vector, then to downloaded badges: fresh, altered,
revoked, after a key rotation and after a retirement.
"""

from __future__ import annotations

import copy
import json

import pytest
from django.test import SimpleTestCase

from muster.badges import actions
from muster.badges.tests import independent
from muster.badges.tests.test_badges import BadgeTestCase
from muster.badges.tests.test_integrity import (
    VECTOR_CREATED,
    VECTOR_DOCUMENT,
    VECTOR_METHOD,
    VECTOR_PROOF_VALUE,
    VECTOR_PUBLIC,
)

# The signed credential of EdDSA Cryptosuites v1.0 appendix A.1, as the
# specification prints it: the unsigned document plus this proof.
VECTOR_SIGNED = {
    **VECTOR_DOCUMENT,
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": VECTOR_CREATED,
        "verificationMethod": VECTOR_METHOD,
        "proofPurpose": "assertionMethod",
        "proofValue": VECTOR_PROOF_VALUE,
    },
}


class VectorTestCase(SimpleTestCase):
    def public(self):
        return independent.ed25519_from_multikey(VECTOR_PUBLIC)

    def test_the_specifications_signed_credential_verifies(self) -> None:
        independent.verify_data_integrity(copy.deepcopy(VECTOR_SIGNED), self.public())

    def test_a_changed_claim_fails(self) -> None:
        forged = copy.deepcopy(VECTOR_SIGNED)
        forged["credentialSubject"]["alumniOf"] = "The School of Forgeries"
        with pytest.raises(independent.Failed, match="does not match"):
            independent.verify_data_integrity(forged, self.public())

    def test_a_changed_proof_option_fails(self) -> None:
        forged = copy.deepcopy(VECTOR_SIGNED)
        forged["proof"]["created"] = "2024-02-24T23:36:38Z"
        with pytest.raises(independent.Failed, match="does not match"):
            independent.verify_data_integrity(forged, self.public())

    def test_another_cryptosuite_is_refused(self) -> None:
        other = copy.deepcopy(VECTOR_SIGNED)
        other["proof"]["cryptosuite"] = "eddsa-jcs-2022"
        with pytest.raises(independent.Failed, match="eddsa-rdfc-2022"):
            independent.verify_data_integrity(other, self.public())

    def test_a_context_not_shipped_is_refused_not_fetched(self) -> None:
        unshipped = copy.deepcopy(VECTOR_SIGNED)
        unshipped["@context"][1] = "https://example.com/not-shipped"
        with pytest.raises(independent.Failed, match="does not canonicalise"):
            independent.verify_data_integrity(unshipped, self.public())
        with pytest.raises(independent.Failed, match="not shipped"):
            independent.shipped_loader("https://example.com/not-shipped")

    def test_the_multikey_decoding_rejects_other_key_types(self) -> None:
        # The same key with the x25519-pub multicodec prefix (0xec 0x01).
        raw = independent.base58btc_decode(VECTOR_PUBLIC[1:])[2:]
        number = int.from_bytes(b"\xec\x01" + raw, "big")
        text = ""
        while number:
            number, digit = divmod(number, 58)
            text = independent._BASE58[digit] + text
        with pytest.raises(independent.Failed, match="not an Ed25519"):
            independent.ed25519_from_multikey("z" + text)


class ProvedBadgeIndependentTestCase(BadgeTestCase):
    def download_proved(self) -> dict:
        response = self.client.get(f"/verify/{self.certificate.code}/badge.proof.json")
        self.assertEqual(response.status_code, 200)
        return json.loads(response.content)

    def test_a_downloaded_badge_verifies_with_only_the_did_document(self) -> None:
        fetched: list[str] = []

        def fetch(url: str) -> bytes:
            fetched.append(url)
            return self.fetch(url)

        credential = independent.verify_proved(self.download_proved(), fetch)
        self.assertEqual(
            credential["credentialSubject"]["achievement"]["name"], self.course.title
        )
        # What it looked up: the DID document, the status list, and the DID
        # document again for the list's signature; no context.
        self.assertEqual(
            fetched,
            [
                "https://testserver/issuers/muster-academy/did.json",
                "https://testserver/issuers/muster-academy/status-list/",
                "https://testserver/issuers/muster-academy/did.json",
            ],
        )

    def test_an_altered_badge_fails(self) -> None:
        document = self.download_proved()
        document["credentialSubject"]["creditsEarned"] = 40.0
        with pytest.raises(independent.Failed, match="does not match"):
            independent.verify_proved(document, self.fetch)

    def test_a_revoked_certificate_fails_through_the_status_list(self) -> None:
        document = self.download_proved()
        independent.verify_proved(copy.deepcopy(document), self.fetch)
        self.revoke()
        with pytest.raises(independent.Revoked):
            independent.verify_proved(document, self.fetch)

    def test_an_old_badge_verifies_after_rotation_and_fails_after_retirement(
        self,
    ) -> None:
        old = self.download_proved()
        first = self.course.provider.issuer_keys.get()
        actions.rotate_issuer_key(
            actor=self.alice, agency=self.course.provider, reason="Yearly rotation"
        )
        new = self.download_proved()
        self.assertNotEqual(
            old["proof"]["verificationMethod"], new["proof"]["verificationMethod"]
        )
        independent.verify_proved(copy.deepcopy(old), self.fetch)
        independent.verify_proved(new, self.fetch)
        actions.retire_issuer_key(actor=self.alice, key=first, reason="Leaked")
        with pytest.raises(independent.Failed, match="not an assertion method"):
            independent.verify_proved(old, self.fetch)

    def test_a_badge_is_not_valid_before_its_valid_from(self) -> None:
        from datetime import datetime, timedelta

        document = self.download_proved()
        issued = datetime.fromisoformat(document["validFrom"])
        self.clock.move_to(issued - timedelta(days=1))
        with pytest.raises(independent.Failed, match="not valid yet"):
            independent.verify_proved(copy.deepcopy(document), self.fetch)
        response = self.client.post(
            "/verify/badge-check/", {"credential": json.dumps(document)}
        )
        self.assertContains(response, "not valid yet", status_code=422)
        self.clock.move_to(issued)
        independent.verify_proved(document, self.fetch)

    def test_a_proof_naming_another_dids_key_fails(self) -> None:
        document = self.download_proved()
        method = document["proof"]["verificationMethod"]
        fragment = method.partition("#")[2]
        document["proof"]["verificationMethod"] = f"did:web:evil.example#{fragment}"
        with pytest.raises(independent.Failed, match="not one of the issuer's"):
            independent.verify_proved(document, self.fetch)

    def test_it_meets_the_schema_including_the_credential_schema_entry(
        self,
    ) -> None:
        document = self.download_proved()
        self.assertEqual(
            document["credentialSchema"],
            [
                {
                    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                    "ob_v3p0_achievementcredential_schema.json",
                    "type": "1EdTechJsonSchemaValidator2019",
                }
            ],
        )
        document["credentialSchema"][0]["type"] = "JsonSchema"
        with pytest.raises(independent.Failed, match="Schema"):
            independent._check_credential(
                document, document["issuer"]["id"], self.fetch
            )


class ShippedContextsTestCase(SimpleTestCase):
    def test_the_files_are_the_ones_the_readme_vouches_for(self) -> None:
        import hashlib
        import re

        readme = (independent.CONTEXTS / "README.md").read_text()
        vouched = dict(
            re.findall(r"\| `([^`]+\.jsonld)` \| `([0-9a-f]{64})` \|", readme)
        )
        self.assertEqual(
            set(vouched), {path.name for path in independent.SHIPPED.values()}
        )
        for name, digest in vouched.items():
            with self.subTest(name):
                data = (independent.CONTEXTS / name).read_bytes()
                self.assertEqual(hashlib.sha256(data).hexdigest(), digest)
