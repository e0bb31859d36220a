"""Signed statements (xAPI Part Two, "Signed Statements").

A signature is an attachment with the usage type below whose content is a JWS in
compact form; its payload is the statement as signed. The LRS refuses a
statement whose signature is malformed, uses an algorithm other than RS256,
RS384 or RS512, does not match the statement, or (when the JWS header carries an
x5c certificate) does not verify against that certificate.
"""

from __future__ import annotations

import base64
import binascii
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from muster.xapi.validation import Invalid

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
ALGORITHMS = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
# Properties the LRS sets or that carry the signature itself: not compared.
UNSIGNED = ("attachments", "authority", "stored", "version", "id")


def check_signatures(statement: dict, parts: dict, path: str) -> None:
    for attachment in statement.get("attachments", []):
        if attachment.get("usageType") != SIGNATURE_USAGE:
            continue
        where = f"{path}.attachments (signature)"
        if attachment.get("contentType") != "application/octet-stream":
            raise Invalid(f"{where}: contentType must be application/octet-stream.")
        part = parts.get(attachment["sha2"].lower())
        if part is None:
            raise Invalid(f"{where}: the JWS must be sent as an attachment part.")
        _check_jws(part.content, statement, where)


def _check_jws(content: bytes, statement: dict, where: str) -> None:
    pieces = content.strip().split(b".")
    if len(pieces) != 3:
        raise Invalid(f"{where}: not a JWS in compact serialization.")
    try:
        header = json.loads(_b64(pieces[0]))
        payload = json.loads(_b64(pieces[1]))
        signature = _b64(pieces[2])
    except (ValueError, binascii.Error):
        raise Invalid(
            f"{where}: the JWS header or payload is not base64url JSON."
        ) from None
    if not isinstance(header, dict) or header.get("alg") not in ALGORITHMS:
        raise Invalid(f"{where}: the JWS algorithm must be RS256, RS384 or RS512.")
    if not isinstance(payload, dict) or not _same(payload, statement):
        raise Invalid(f"{where}: the signed payload does not match the statement.")
    if header.get("x5c"):
        _verify(header, pieces[0] + b"." + pieces[1], signature, where)


def _same(payload: dict, statement: dict) -> bool:
    if "id" in payload and payload["id"] != statement.get("id"):
        return False
    signed = {k: v for k, v in payload.items() if k not in UNSIGNED}
    sent = {k: v for k, v in statement.items() if k not in UNSIGNED}
    return signed == sent


def _verify(header: dict, signing_input: bytes, signature: bytes, where: str) -> None:
    try:
        der = base64.b64decode(header["x5c"][0])
        key = x509.load_der_x509_certificate(der).public_key()
        key.verify(
            signature, signing_input, padding.PKCS1v15(), ALGORITHMS[header["alg"]]()
        )
    except (InvalidSignature, ValueError, TypeError, IndexError, binascii.Error):
        raise Invalid(f"{where}: the signature does not verify with its x5c.") from None


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
