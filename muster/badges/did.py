"""A provider's DID document (W3C DID Core 1.0, did:web method).

Every key not retired is listed as a `JsonWebKey2020` verification method and
named in `assertionMethod`, each Ed25519 one also as a `Multikey` (for
`eddsa-rdfc-2022` proofs), so a credential signed before a rotation still
verifies with the key that signed it. A retired key is left out: what it signed
no longer verifies, which is the point of retiring a key that leaked.
"""

from __future__ import annotations

from muster.agencies.models import Agency
from muster.badges.integrity import multikey
from muster.badges.keys import (
    issuer_did,
    multikey_method,
    public_jwk,
    public_key,
    verification_method,
)


def did_document(agency: Agency) -> dict:
    did = issuer_did(agency)
    keys = agency.issuer_keys.filter(retired_at__isnull=True).order_by("created_at")
    methods = [
        {
            "id": verification_method(key),
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": public_jwk(key),
        }
        for key in keys
    ]
    # The same Ed25519 keys again as Multikeys, which Data Integrity proofs
    # (eddsa-rdfc-2022) name; RSA keys sign only VC-JWTs.
    methods += [
        {
            "id": multikey_method(key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey(public_key(key)),
        }
        for key in keys
        if key.algorithm == "EdDSA"
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
            "https://w3id.org/security/multikey/v1",
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }
