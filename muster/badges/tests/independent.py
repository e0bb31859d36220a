"""An Open Badges 3.0 verifier that knows nothing of Muster's code.

It sees only what a stranger would: the credential file and what Muster serves
at the addresses the credential names (through `fetch`, given the test client,
so it runs offline). Signatures are checked by PyJWT's own `decode`; the DID is
resolved by the did:web rules; every term is looked up in the JSON-LD
contexts through a loader that serves only the contexts shipped in
muster/badges/contexts (any other URL fails); the status bit is read by this module's own decoding of the
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
    key = jwt.PyJWK(method["publicKeyJwk"], algorithm="EdDSA")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["EdDSA"],
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


def _check_json_ld(claims: dict) -> None:
    """Every property is a term the credential's (shipped) contexts define.

    A term no context defines would fall to the VC 2.0 context's
    issuer-dependent @vocab: meaningless to anyone else. The check follows the
    contexts' type-scoped definitions: an object's terms are the top-level
    terms plus those scoped to its types.
    """
    contexts = [
        shipped_loader(url)["document"]["@context"] for url in claims["@context"]
    ]
    top = {k: v for ctx in contexts for k, v in ctx.items() if not k.startswith("@")}
    body = {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf", "sub")}
    _check_terms(body, top, path="credential")


def _check_terms(node: dict, top: dict, path: str) -> None:
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else types
    allowed = dict(top)
    for name in types:
        definition = top.get(name)
        if not isinstance(definition, dict) or "@id" not in definition:
            if name not in top:
                raise Failed(f"{path}: type {name} is not defined by the contexts.")
            continue
        allowed.update(definition.get("@context", {}))
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in allowed:
            raise Failed(f"{path}.{key} is not defined by the credential's contexts.")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                _check_terms(item, top, path=f"{path}.{key}")


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
