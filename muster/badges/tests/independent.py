"""An Open Badges 3.0 verifier that knows nothing of Muster's code.

It sees only what a stranger would: the credential file and what Muster serves
at the addresses the credential names (through `fetch`, given the test client,
so it runs offline). The DID is resolved by the did:web rules. A VC-JWT's
signature is checked by PyJWT's own `decode`; an embedded `eddsa-rdfc-2022`
proof by this module's own reading of the cryptosuite (W3C Data Integrity
EdDSA Cryptosuites v1.0, 3.3.2 "Verify Proof"): PyLD's URDNA2015 (RDFC-1.0)
canonicalisation, hashlib's SHA-256, its own base58btc and Multikey decoding,
and `cryptography`'s Ed25519. The credential is expanded as JSON-LD by PyLD
through a loader that serves only the contexts shipped in
muster/badges/contexts (any other URL fails), and every term must be one they
define; the status bit is read by this module's own decoding of the
Bitstring Status List. Nothing here imports muster.badges.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import jsonschema_rs
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

CONTEXTS = Path(__file__).resolve().parents[1] / "contexts"
SHIPPED = {
    "https://www.w3.org/ns/credentials/v2": CONTEXTS / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": CONTEXTS
    / "ob-v3p0-context-3.0.3.jsonld",
    # Only the cryptosuite specification's own test vector names this one.
    "https://www.w3.org/ns/credentials/examples/v2": CONTEXTS
    / "credentials-examples-v2.jsonld",
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
    """The verified credential of a VC-JWT; raises Failed, or Revoked."""
    header = jwt.get_unverified_header(token)
    claims = _verified_claims(token, header, fetch)
    _check_credential(claims, claims["iss"], fetch)
    return claims


def verify_proved(document: dict, fetch: Callable[[str], bytes]) -> dict:
    """The verified credential with an embedded eddsa-rdfc-2022 proof; raises
    Failed, or Revoked. The key is the issuer's DID document's Multikey that
    the proof names, and must be one of its assertion methods."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise Failed("Proof: the credential has no single embedded proof.")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    method_id = str(proof.get("verificationMethod", ""))
    did, _, _ = method_id.partition("#")
    if did != issuer_id:
        raise Failed("Proof: the key is not one of the issuer's.")
    method = _assertion_method(did, method_id, fetch)
    if method.get("type") != "Multikey":
        raise Failed("Proof: the verification method is not a Multikey.")
    verify_data_integrity(document, ed25519_from_multikey(method["publicKeyMultibase"]))
    _check_period(document)
    _check_credential(document, issuer_id, fetch)
    return document


def _check_period(credential: dict) -> None:
    """OB 3.0 section 9.1 step 4 (for a VC-JWT, PyJWT's nbf and exp checks)."""
    now = datetime.now(UTC)
    if now < datetime.fromisoformat(credential["validFrom"]):
        raise Failed("The credential is not valid yet.")
    until = credential.get("validUntil")
    if until and now > datetime.fromisoformat(until):
        raise Failed("The credential has expired.")


def _check_credential(credential: dict, issuer_id: str, fetch) -> None:
    body = {k: v for k, v in credential.items() if k != "proof"}
    errors = [e.message for e in jsonschema_rs.validator_for(SCHEMA).iter_errors(body)]
    if errors:
        raise Failed(f"Schema: {errors}")
    _check_json_ld(credential)
    _check_status(credential, issuer_id, fetch)


def _assertion_method(did: str, method_id: str, fetch) -> dict:
    """The verification method `method_id` of `did`'s document, which must
    list it under assertionMethod (OB 3.0 8.3: proofPurpose assertionMethod)."""
    document = json.loads(fetch(did_web_url(did)))
    if document.get("id") != did:
        raise Failed("The DID document is for another DID.")
    if method_id not in document.get("assertionMethod", []):
        raise Failed("The key is not an assertion method of the issuer.")
    for method in document.get("verificationMethod", []):
        if method.get("id") == method_id:
            if method.get("controller") != did:
                raise Failed("The key is controlled by another DID.")
            return method
    raise Failed("The DID document does not describe the key.")


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_decode(text: str) -> bytes:
    """Bitcoin base58 (multibase 'z' without its prefix); each leading '1' is a
    zero byte."""
    number = 0
    for char in text:
        if char not in _BASE58:
            raise Failed(f"{char!r} is not base58btc.")
        number = number * 58 + _BASE58.index(char)
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def ed25519_from_multikey(value: str) -> Ed25519PublicKey:
    """A Multikey's publicKeyMultibase: 'z', then base58btc of the multicodec
    ed25519-pub prefix (varint 0xed 0x01) and the 32-byte key."""
    if not value.startswith("z"):
        raise Failed("publicKeyMultibase is not base58btc.")
    data = base58btc_decode(value[1:])
    if data[:2] != b"\xed\x01" or len(data) != 34:
        raise Failed("publicKeyMultibase is not an Ed25519 public key.")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def _canonical_sha256(document: dict) -> bytes:
    from pyld import jsonld

    try:
        nquads = jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": shipped_loader,
            },
        )
    except jsonld.JsonLdError as error:
        raise Failed(f"Proof: the document does not canonicalise ({error}).") from None
    return hashlib.sha256(nquads.encode("utf-8")).digest()


def verify_data_integrity(document: dict, public: Ed25519PublicKey) -> None:
    """EdDSA Cryptosuites v1.0, 3.3.2 Verify Proof (eddsa-rdfc-2022): the proof
    options without proofValue, given the document's @context, and the document
    without its proof are each canonicalised (RDFC-1.0) and hashed with SHA-256;
    the signature is over options-hash then document-hash."""
    proof = document["proof"]
    if proof.get("type") != "DataIntegrityProof":
        raise Failed("Proof: not a DataIntegrityProof.")
    if proof.get("cryptosuite") != "eddsa-rdfc-2022":
        raise Failed("Proof: not the eddsa-rdfc-2022 cryptosuite.")
    if proof.get("proofPurpose") != "assertionMethod":
        raise Failed("Proof: its purpose is not assertionMethod.")
    value = str(proof.get("proofValue", ""))
    if not value.startswith("z"):
        raise Failed("Proof: proofValue is not multibase base58btc.")
    signature = base58btc_decode(value[1:])
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    data = _canonical_sha256(options) + _canonical_sha256(unsecured)
    try:
        public.verify(signature, data)
    except InvalidSignature:
        raise Failed("Proof: the signature does not match the document.") from None


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
# OB 3.0 B.1.21 requires this credentialSchema type, which no context defines.
SCHEMA_VALIDATOR_TYPE = ISSUER_DEPENDENT + "1EdTechJsonSchemaValidator2019"


def _check_json_ld(claims: dict) -> None:
    """The credential expands under its (shipped) contexts, and every property
    and type is one they define.

    The expansion is PyLD's (JSON-LD 1.1), through a loader that serves only the
    shipped contexts. A term no context defines falls to the VC 2.0 context's
    `@vocab`, the issuer-dependent namespace, meaningless to anyone else
    (VC Data Model 2.0, section 5.2): any IRI there fails the credential.
    """
    from pyld import jsonld

    body = {
        k: v
        for k, v in claims.items()
        if k not in ("iss", "jti", "nbf", "sub", "proof")
    }
    try:
        expanded = jsonld.expand(body, {"documentLoader": shipped_loader})
    except jsonld.JsonLdError as error:
        raise Failed(f"JSON-LD: the credential does not expand ({error}).") from None
    if not expanded:
        raise Failed("JSON-LD: the credential expands to nothing.")
    undefined = sorted(_issuer_dependent(expanded) - {SCHEMA_VALIDATOR_TYPE})
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


def _check_status(claims: dict, issuer_id: str, fetch) -> None:
    entry = claims["credentialStatus"]
    if entry["type"] != "BitstringStatusListEntry":
        raise Failed("Unknown status method.")
    listed = fetch(entry["statusListCredential"]).decode("ascii")
    list_claims = _verified_claims(listed, jwt.get_unverified_header(listed), fetch)
    if list_claims["iss"] != issuer_id:
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
