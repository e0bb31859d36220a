"""Checking a credential someone brings to /verify/: signature, claims, status.

This is the check Muster's own verify page runs, on credentials of its own
providers, following Open Badges 3.0 section 8.2.4 "Verify a Credential": read
the `kid` from the JOSE header, dereference it to the key in the provider's DID
document (here from the database, which is what /issuers/<code>/did.json serves),
verify the signature with PyJWT, match `iss`, `jti`, `sub` and `nbf` against the
credential, then read the credential's bit in the provider's status list. The
tests check credentials with an independent verifier instead (muster/badges/
tests/independent.py), which sees only what Muster publishes.

A credential with an embedded Data Integrity proof (`eddsa-rdfc-2022`, OB 3.0
section 8.3) is checked by `verify_proved` with muster.badges.integrity, the
implementation the tests hold to the cryptosuite specification's test vector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import jwt
from django.utils import timezone

from muster.agencies.models import Agency
from muster.badges import integrity, status
from muster.badges.credentials import status_list_credential, status_list_url
from muster.badges.keys import issuer_did, multikey_method, public_key
from muster.badges.models import IssuerKey

VALID, REVOKED, INVALID = "valid", "revoked", "invalid"


@dataclass(frozen=True)
class Verdict:
    """What a check found: `VALID`, `REVOKED` or `INVALID`, and why."""

    outcome: str
    reason: str
    credential: dict = field(default_factory=dict)


def verify_badge(token: str) -> Verdict:
    """The verdict on a compact JWS `token` (whitespace around it is ignored)."""
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return Verdict(
            INVALID,
            "This is not a signed credential: neither a VC-JWT nor a credential with an embedded proof.",
        )
    key = _key_for(str(header.get("kid", "")))
    if key is None:
        return Verdict(INVALID, "The key that signed it is not a key of this site.")
    try:
        claims = jwt.decode(
            token,
            public_key(key),
            algorithms=[key.algorithm],
            options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        return Verdict(INVALID, "The signature does not match: it was altered.")
    except jwt.InvalidTokenError as error:
        return Verdict(INVALID, f"The credential is not valid: {error}.")
    problem = _claims_problem(claims, key.agency)
    if problem:
        return Verdict(INVALID, problem, claims)
    return _status(claims, key.agency)


def verify_proved(document: dict) -> Verdict:
    """The verdict on a credential with an embedded `eddsa-rdfc-2022` proof:
    the proof's key must be a Multikey of the issuer's DID document (an
    unretired Ed25519 key of the provider), the proof must match the document
    exactly, then the same issuer and status checks as for a VC-JWT."""
    try:
        proof = integrity.proof_of(document)
    except integrity.ProofError as error:
        return Verdict(INVALID, str(error))
    key = _multikey_for(proof["verificationMethod"])
    if key is None:
        return Verdict(INVALID, "The key that signed it is not a key of this site.")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != issuer_did(key.agency):
        return Verdict(INVALID, "The issuer does not match the key that signed it.")
    try:
        integrity.verify_proof(document, public_key(key))
    except integrity.ProofError as error:
        return Verdict(INVALID, str(error), document)
    if "OpenBadgeCredential" not in document.get("type", []):
        return Verdict(INVALID, "This is not an OpenBadgeCredential.", document)
    problem = _period_problem(document)
    if problem:
        return Verdict(INVALID, problem, document)
    return _status(document, key.agency)


def _period_problem(credential: dict) -> str:
    """OB 3.0 section 9.1 step 4: not yet valid before `validFrom`, expired
    after `validUntil`. (A VC-JWT's nbf and exp claims, which PyJWT checks,
    carry the same moments.)"""
    now = timezone.now()
    try:
        valid_from = datetime.fromisoformat(str(credential.get("validFrom")))
        valid_until = credential.get("validUntil")
        until = datetime.fromisoformat(valid_until) if valid_until else None
    except ValueError:
        return "The credential's validity dates cannot be read."
    if valid_from.tzinfo is None or (until is not None and until.tzinfo is None):
        return "The credential's validity dates have no time zone."
    if now < valid_from:
        return "The credential is not valid yet (validFrom is in the future)."
    if until is not None and now > until:
        return "The credential has expired (validUntil has passed)."
    return ""


def _multikey_for(method: str) -> IssuerKey | None:
    did, _, fragment = method.partition("#")
    agency = _agency_of(did)
    if agency is None:
        return None
    for key in agency.issuer_keys.filter(retired_at=None, algorithm="EdDSA"):
        if multikey_method(key) == method:
            return key
    return None


def _agency_of(did: str) -> Agency | None:
    parts = did.split(":")
    if len(parts) != 5 or parts[:2] != ["did", "web"] or parts[3] != "issuers":
        return None
    agency = Agency.objects.filter(code=parts[4]).first()
    if agency is None or issuer_did(agency) != did:
        return None
    return agency


def _key_for(kid: str) -> IssuerKey | None:
    did, _, fragment = kid.partition("#")
    agency = _agency_of(did)
    if agency is None:
        return None
    return agency.issuer_keys.filter(key_id=fragment, retired_at=None).first()


def _claims_problem(claims: dict, agency: Agency) -> str:
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = claims.get("credentialSubject") or {}
    if not issuer_id == claims["iss"] == issuer_did(agency):
        return "The issuer does not match the key that signed it."
    if claims["jti"] != claims.get("id"):
        return "The jti claim does not match the credential's id."
    if claims["sub"] != subject.get("id"):
        return "The sub claim does not match the credential's subject."
    try:
        valid_from = datetime.fromisoformat(str(claims.get("validFrom")))
    except ValueError:
        return "The credential has no readable validFrom."
    if int(valid_from.timestamp()) != claims["nbf"]:
        return "The nbf claim does not match validFrom."
    if "OpenBadgeCredential" not in claims.get("type", []):
        return "This is not an OpenBadgeCredential."
    return ""


def _status(claims: dict, agency: Agency) -> Verdict:
    entry = claims.get("credentialStatus") or {}
    if entry.get("statusListCredential") != status_list_url(agency):
        return Verdict(INVALID, "Its status list is not its issuer's.", claims)
    listed = status_list_credential(agency)
    try:
        revoked = status.is_set(
            listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"])
        )
    except (KeyError, ValueError) as error:
        return Verdict(INVALID, f"Its status cannot be read: {error}", claims)
    if revoked:
        return Verdict(REVOKED, "The issuer revoked this credential.", claims)
    return Verdict(VALID, "Signed by its issuer, unchanged and not revoked.", claims)


def pretty(credential: dict) -> str:
    return json.dumps(credential, indent=2, ensure_ascii=False)


def verify_text(text: str) -> Verdict:
    """The verdict on what someone brought: a VC-JWT, an
    EnvelopedVerifiableCredential, or a credential with an embedded proof."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict) and "proof" in document:
            return verify_proved(document)
    return verify_badge(token_from(text))


def token_from(text: str) -> str:
    """The VC-JWT in `text`: the token itself, or an EnvelopedVerifiableCredential
    (JSON whose `id` is `data:application/vc+jwt,<token>`)."""
    text = text.strip()
    if not text.startswith("{"):
        return text
    try:
        envelope = json.loads(text)
    except ValueError:
        return text
    prefix = "data:application/vc+jwt,"
    identifier = envelope.get("id", "") if isinstance(envelope, dict) else ""
    return identifier[len(prefix) :] if identifier.startswith(prefix) else text
