"""A provider's DID document (W3C DID Core 1.0, did:web method).

Every key not retired is listed as a `JsonWebKey2020` verification method and
named in `assertionMethod`, so a credential signed before a rotation still
verifies with the key that signed it. A retired key is left out: what it signed
no longer verifies, which is the point of retiring a key that leaked.
"""

from __future__ import annotations

from muster.agencies.models import Agency
from muster.badges.keys import issuer_did, public_jwk, verification_method


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
    ids = [method["id"] for method in methods]
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    }
