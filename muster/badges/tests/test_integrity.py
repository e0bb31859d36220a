"""Data Integrity proofs with eddsa-rdfc-2022: the specification's test vector,
then Muster's badges with an embedded proof, checked by the verify page."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest
from django.test import SimpleTestCase

from muster.badges import actions, integrity
from muster.badges.keys import new_key_pair
from muster.badges.models import IssuerKey
from muster.badges.tests.test_badges import BadgeTestCase

# W3C Data Integrity EdDSA Cryptosuites v1.0, appendix A.1 "Representation:
# eddsa-rdfc-2022" (TestVectors/eddsa-rdfc-2022 and keyPair.json of
# w3c/vc-di-eddsa): the unsigned credential, the key pair, the proof options and
# the proofValue the specification says they give.
VECTOR_DOCUMENT = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:abcdefgh",
        "alumniOf": "The School of Examples",
    },
}
VECTOR_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
VECTOR_METHOD = f"https://vc.example/issuers/5678#{VECTOR_PUBLIC}"
VECTOR_CREATED = "2023-02-24T23:36:38Z"
VECTOR_PROOF_HASH = "4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb"
VECTOR_PROOF_VALUE = "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
# The canonical proof configuration the specification lists (RDFC-1.0 N-Quads).
VECTOR_PROOF_CANON = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"'
    "^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"'
    "^^<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> "
    "<https://w3id.org/security#assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> "
    f"<{VECTOR_METHOD}> .\n"
)


class SpecificationVectorTestCase(SimpleTestCase):
    def sign(self) -> dict:
        return integrity.add_proof(
            VECTOR_DOCUMENT,
            integrity.private_from_multikey(VECTOR_SECRET),
            verification_method=VECTOR_METHOD,
            created=VECTOR_CREATED,
        )

    def test_the_key_pair_is_the_vectors(self) -> None:
        secret = integrity.private_from_multikey(VECTOR_SECRET)
        self.assertEqual(integrity.multikey(secret.public_key()), VECTOR_PUBLIC)

    def test_the_proof_configuration_canonicalises_as_the_vector(self) -> None:
        options = {k: v for k, v in self.sign()["proof"].items() if k != "proofValue"}
        options["@context"] = VECTOR_DOCUMENT["@context"]
        canon = integrity.canonical(options)
        self.assertEqual(canon, VECTOR_PROOF_CANON)
        self.assertEqual(hashlib.sha256(canon.encode()).hexdigest(), VECTOR_PROOF_HASH)

    def test_it_reproduces_the_vectors_proof_value_exactly(self) -> None:
        self.assertEqual(self.sign()["proof"]["proofValue"], VECTOR_PROOF_VALUE)

    def test_the_vectors_signed_credential_verifies(self) -> None:
        signed = {**VECTOR_DOCUMENT, "proof": self.sign()["proof"]}
        integrity.verify_proof(signed, integrity.public_from_multikey(VECTOR_PUBLIC))

    def test_a_tampered_credential_fails(self) -> None:
        signed = self.sign()
        signed["credentialSubject"]["alumniOf"] = "The School of Forgeries"
        with pytest.raises(integrity.ProofError, match="altered"):
            integrity.verify_proof(
                signed, integrity.public_from_multikey(VECTOR_PUBLIC)
            )

    def test_tampered_proof_options_fail(self) -> None:
        signed = self.sign()
        signed["proof"]["created"] = "2024-02-24T23:36:38Z"
        with pytest.raises(integrity.ProofError, match="altered"):
            integrity.verify_proof(
                signed, integrity.public_from_multikey(VECTOR_PUBLIC)
            )

    def test_a_context_not_shipped_is_refused_not_fetched(self) -> None:
        unshipped = copy.deepcopy(VECTOR_DOCUMENT)
        unshipped["@context"][1] = "https://example.com/not-shipped"
        with pytest.raises(integrity.ProofError, match="not valid JSON-LD"):
            integrity.canonical(unshipped)

    def test_base58btc_round_trips_leading_zeros(self) -> None:
        data = b"\0\0\x01\xff"
        self.assertEqual(integrity.unbase58btc(integrity.base58btc(data)), data)


class ProvedBadgeTestCase(BadgeTestCase):
    def download_proved(self) -> dict:
        response = self.client.get(f"/verify/{self.certificate.code}/badge.proof.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vc")
        return json.loads(response.content)

    def check(self, document: dict):
        return self.client.post(
            "/verify/badge-check/", {"credential": json.dumps(document)}
        )

    def test_the_did_document_lists_the_key_as_a_multikey(self) -> None:
        proof = self.download_proved()["proof"]
        document = json.loads(
            self.fetch("https://testserver/issuers/muster-academy/did.json")
        )
        methods = {m["id"]: m for m in document["verificationMethod"]}
        method = methods[proof["verificationMethod"]]
        self.assertEqual(method["type"], "Multikey")
        self.assertIn(proof["verificationMethod"], document["assertionMethod"])
        self.assertEqual(proof["cryptosuite"], "eddsa-rdfc-2022")
        self.assertTrue(proof["proofValue"].startswith("z"))
        # The proof verifies with the key as the DID document publishes it.
        integrity.verify_proof(
            self.download_proved(),
            integrity.public_from_multikey(method["publicKeyMultibase"]),
        )

    def test_the_verify_page_says_valid_then_revoked(self) -> None:
        document = self.download_proved()
        self.assertContains(self.check(document), ">Valid<")
        self.revoke()
        self.assertContains(self.check(document), ">Revoked<")

    def test_a_tampered_badge_is_refused(self) -> None:
        document = self.download_proved()
        document["credentialSubject"]["creditsEarned"] = 40.0
        response = self.check(document)
        self.assertContains(response, "Not valid", status_code=422)
        self.assertContains(response, "altered", status_code=422)

    def test_a_proof_by_a_key_not_in_the_document_is_refused(self) -> None:
        document = self.download_proved()
        stranger = IssuerKey(agency=self.course.provider, key_id="key-9")
        stranger.public_key, stranger.private_key = new_key_pair()
        from muster.badges.keys import multikey_method, private_key

        unsigned = {k: v for k, v in document.items() if k != "proof"}
        forged = integrity.add_proof(
            unsigned,
            private_key(stranger),
            verification_method=multikey_method(stranger),
            created=document["proof"]["created"],
        )
        response = self.check(forged)
        self.assertContains(response, "not a key of this site", status_code=422)
        # Naming the real key while signed with another fails the signature.
        forged["proof"]["verificationMethod"] = document["proof"]["verificationMethod"]
        self.assertContains(self.check(forged), "altered", status_code=422)

    def test_a_retired_key_no_longer_verifies_what_it_proved(self) -> None:
        document = self.download_proved()
        old = IssuerKey.objects.get()
        actions.rotate_issuer_key(
            actor=self.alice, agency=self.course.provider, reason="Yearly"
        )
        self.assertContains(self.check(document), ">Valid<")
        actions.retire_issuer_key(actor=self.alice, key=old, reason="Leaked")
        self.assertContains(
            self.check(document), "not a key of this site", status_code=422
        )

    def test_a_provider_with_an_rsa_key_offers_no_proof(self) -> None:
        actions.rotate_issuer_key(
            actor=self.alice,
            agency=self.course.provider,
            reason="RS256 verifiers",
            algorithm="RS256",
        )
        response = self.client.get(f"/verify/{self.certificate.code}/badge.proof.json")
        self.assertEqual(response.status_code, 404)

    def test_the_verify_page_links_the_proved_badge(self) -> None:
        response = self.client.get(f"/verify/{self.certificate.code}/")
        self.assertContains(response, 'id="download-badge-proof"')
