"""An Open Badges 3.0 verifier that knows nothing of Muster's code.

It sees only what a stranger would: the credential file and what Muster serves
at the addresses the credential names (through `fetch`, given the test client,
so it runs offline). Signatures are checked by PyJWT's own `decode`; the DID is
resolved by the did:web rules; the credential is expanded as JSON-LD by PyLD
through a loader that serves only the contexts shipped in
muster/badges/contexts (any other URL fails), and every term must be one they
define; the status bit is read by this module's own decoding of the
Bitstring Status List. Nothing here imports muster.badges.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import jsonschema_rs
import jwt

CONTEXTS = Path(__file__).resolve().parents[1] / "contexts"
SHIPPED = {
    "https://www.w3.org/ns/credentials/v2": CONTEXTS / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": CONTEXTS
    / "ob-v3p0-context-3.0.3.jsonld",
}
SCHEMA = json.loads((Path(__file__).parent / "ob3_credential_schema.json").read_text())


class Failed(Exception):
    """The credential does not verify; the message says at which step."""


def shipped_loader(url: str, options=None) -> dict:
    if url not in SHIPPED:
        raise Failed(f"Context {url} is not shipped; refusing to fetch it.")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(SHIPPED[url].read_text()),
    }


def did_web_url(did: str) -> str:
    """did:web:host%3Aport:a:b -> https://host:port/a/b/did.json (did:web 3.2)."""
    parts = did.split(":")
    if parts[:2] != ["did", "web"] or len(parts) < 3:
        raise Failed(f"{did} is not a did:web identifier.")
    path = "/".join(parts[3:]) or ".well-known"
    return f"https://{unquote(parts[2])}/{path}/did.json"


def verify(token: str, fetch: Callable[[str], bytes]) -> dict:
    """The verified credential; raises Failed, or Revoked for a revoked one."""
    header = jwt.get_unverified_header(token)
    claims = _verified_claims(token, header, fetch)
    errors = [
        e.message for e in jsonschema_rs.validator_for(SCHEMA).iter_errors(claims)
    ]
    if errors:
        raise Failed(f"Schema: {errors}")
    _check_json_ld(claims)
    _check_status(claims, fetch)
    return claims


class Revoked(Failed):
    pass


def _verified_claims(token: str, header: dict, fetch) -> dict:
    if set(header) - {"alg", "kid", "typ"}:
        raise Failed(f"JOSE header has extra members: {sorted(header)}")
    did, _, _ = header["kid"].partition("#")
    document = json.loads(fetch(did_web_url(did)))
    if document["id"] != did:
        raise Failed("The DID document is for another DID.")
    if header["kid"] not in document.get("assertionMethod", []):
        raise Failed("The key is not an assertion method of the issuer.")
    method = next(m for m in document["verificationMethod"] if m["id"] == header["kid"])
    # The algorithm follows from the key type, never from the token's header.
    jwk = method["publicKeyJwk"]
    algorithm = {"OKP": "EdDSA", "RSA": "RS256"}.get(jwk.get("kty"))
    if algorithm is None or header.get("alg") != algorithm:
        raise Failed(
            f"The key ({jwk.get('kty')}) does not sign with {header.get('alg')}."
        )
    key = jwt.PyJWK(jwk, algorithm=algorithm)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
        )
    except jwt.InvalidTokenError as error:
        raise Failed(f"Signature: {error}") from None
    # OB 3.0 section 8.2.4.1: the registered claims must match the credential.
    issuer = claims["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    if claims["iss"] != issuer_id or claims["iss"] != did:
        raise Failed("iss does not match issuer.id and the signing DID.")
    if claims["jti"] != claims["id"]:
        raise Failed("jti does not match id.")
    if claims["sub"] != claims["credentialSubject"]["id"]:
        raise Failed("sub does not match credentialSubject.id.")
    if int(datetime.fromisoformat(claims["validFrom"]).timestamp()) != claims["nbf"]:
        raise Failed("nbf does not match validFrom.")
    return claims


ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"


def _check_json_ld(claims: dict) -> None:
    """The credential expands under its (shipped) contexts, and every property
    and type is one they define.

    The expansion is PyLD's (JSON-LD 1.1), through a loader that serves only the
    shipped contexts. A term no context defines falls to the VC 2.0 context's
    `@vocab`, the issuer-dependent namespace, meaningless to anyone else
    (VC Data Model 2.0, section 5.2): any IRI there fails the credential.
    """
    from pyld import jsonld

    body = {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "sub")}
    try:
        expanded = jsonld.expand(body, {"documentLoader": shipped_loader})
    except jsonld.JsonLdError as error:
        raise Failed(f"JSON-LD: the credential does not expand ({error}).") from None
    if not expanded:
        raise Failed("JSON-LD: the credential expands to nothing.")
    undefined = sorted(_issuer_dependent(expanded))
    if undefined:
        terms = ", ".join(iri.removeprefix(ISSUER_DEPENDENT) for iri in undefined)
        raise Failed(f"JSON-LD: {terms} not defined by the credential's contexts.")


def _issuer_dependent(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _issuer_dependent(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith(ISSUER_DEPENDENT):
                found.add(key)
            if key == "@type":
                types = value if isinstance(value, list) else [value]
                found |= {t for t in types if t.startswith(ISSUER_DEPENDENT)}
            elif key != "@value":
                found |= _issuer_dependent(value)
    return found


def _check_status(claims: dict, fetch) -> None:
    entry = claims["credentialStatus"]
    if entry["type"] != "BitstringStatusListEntry":
        raise Failed("Unknown status method.")
    listed = fetch(entry["statusListCredential"]).decode("ascii")
    list_claims = _verified_claims(listed, jwt.get_unverified_header(listed), fetch)
    if list_claims["iss"] != claims["iss"]:
        raise Failed("The status list is not the credential issuer's.")
    subject = list_claims["credentialSubject"]
    if subject["statusPurpose"] != entry["statusPurpose"]:
        raise Failed("The status list has another purpose.")
    encoded = subject["encodedList"]
    raw = gzip.decompress(
        base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    )
    index = int(entry["statusListIndex"])
    if len(raw) * 8 < 131072 or index >= len(raw) * 8:
        raise Failed("The status list is too short.")
    if raw[index // 8] >> (7 - index % 8) & 1:
        raise Revoked("The issuer revoked this credential.")
