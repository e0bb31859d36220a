"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite.

W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation, 2025), section 3.3
"eddsa-rdfc-2022", on W3C "Verifiable Credential Data Integrity 1.0":

- Transformation (3.3.3): the document without `proof`, canonicalised with RDF
  Dataset Canonicalization (RDFC-1.0) to N-Quads. PyLD's URDNA2015 is the
  algorithm RDFC-1.0 standardised (same output for these documents; the
  spec's own test vector is reproduced in the tests).
- Proof configuration (3.3.5): the proof options without `proofValue`, with the
  document's `@context`, canonicalised the same way.
- Hashing (3.3.4): SHA-256 of the canonical proof configuration followed by
  SHA-256 of the canonical document (64 bytes; proof configuration first).
- Proof serialization (3.3.6): Ed25519 (RFC 8032) over those 64 bytes; the
  `proofValue` is the signature in multibase base58btc (a `z` prefix).

The key is named by a DID URL whose document lists it as a `Multikey` with
`publicKeyMultibase` (Controlled Identifiers 1.0, section 2.2.2: multicodec
0xed01 then the 32 raw bytes, base58btc). Contexts come only from the files
shipped in muster/badges/contexts: nothing is fetched.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld import jsonld

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
CONTEXTS = Path(__file__).resolve().parent / "contexts"
SHIPPED = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
        "ob-v3p0-context-3.0.3.jsonld"
    ),
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
}
# Multicodec prefixes (the multicodec table): ed25519-pub and ed25519-priv.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class ProofError(Exception):
    """The proof is missing, malformed or does not match; the message says why."""


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 (the multibase `z` alphabet); leading zero bytes are '1'."""
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = _ALPHABET[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def unbase58btc(text: str) -> bytes:
    number = 0
    for char in text:
        digit = _ALPHABET.find(char)
        if digit < 0:
            raise ProofError(f"{char!r} is not a base58btc character.")
        number = number * 58 + digit
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public: Ed25519PublicKey) -> str:
    """The key's `publicKeyMultibase` (`z6Mk…`)."""
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc(ED25519_PUB + raw)


def public_from_multikey(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ProofError("publicKeyMultibase is not base58btc ('z').")
    data = unbase58btc(value[1:])
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        raise ProofError("publicKeyMultibase is not an Ed25519 public key.")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def private_from_multikey(value: str) -> Ed25519PrivateKey:
    """A `secretKeyMultibase` (as the specification's test vector gives its key)."""
    data = unbase58btc(value.removeprefix("z"))
    if not data.startswith(ED25519_PRIV) or len(data) != 34:
        raise ProofError("secretKeyMultibase is not an Ed25519 secret key.")
    return Ed25519PrivateKey.from_private_bytes(data[2:])


def shipped_loader(url: str, options=None) -> dict:
    """PyLD document loader serving the shipped contexts and refusing any other
    URL (VC 2.0 section 5.2: verifiers do not fetch contexts)."""
    name = SHIPPED.get(url)
    if name is None:
        raise jsonld.JsonLdError(
            f"Context {url} is not shipped with Muster; it is not fetched.",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads((CONTEXTS / name).read_text()),
    }


def canonical(document: dict) -> str:
    """RDFC-1.0 canonical N-Quads of `document`."""
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": shipped_loader,
            },
        )
    except jsonld.JsonLdError as error:
        raise ProofError(f"The document is not valid JSON-LD: {error}") from None


def hash_data(document: dict, options: dict) -> bytes:
    """SHA-256(canonical proof configuration) + SHA-256(canonical document)."""
    config = {k: v for k, v in options.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(canonical(config).encode("utf-8")).digest()
        + hashlib.sha256(canonical(unsecured).encode("utf-8")).digest()
    )


def add_proof(
    document: dict,
    private: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
) -> dict:
    """A copy of `document` with an embedded `eddsa-rdfc-2022` proof."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private.sign(hash_data(document, options))
    secured = copy.deepcopy(document)
    secured["proof"] = {**options, "proofValue": "z" + base58btc(signature)}
    return secured


def proof_of(document: dict) -> dict:
    """The document's one proof, checked for the suite's required members
    (Data Integrity 1.0 section 2.1; EdDSA cryptosuites 3.3.2)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("The document has no single embedded proof.")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"The proof is not a {PROOF_TYPE} of {CRYPTOSUITE}.")
    for member in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(member), str):
            raise ProofError(f"The proof has no {member}.")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("The proof's @context is not the document's.")
    return proof


def verify_proof(
    document: dict, public: Ed25519PublicKey, *, expected_purpose="assertionMethod"
) -> None:
    """Raises ProofError unless `document`'s proof was made by `public` over
    exactly this document (Data Integrity 1.0, 4.3 "Verify Proof"; EdDSA
    cryptosuites 3.3.2 "Verify Proof (eddsa-rdfc-2022)")."""
    proof = proof_of(document)
    if proof["proofPurpose"] != expected_purpose:
        raise ProofError(f"The proof's purpose is not {expected_purpose}.")
    value = proof["proofValue"]
    if not value.startswith("z"):
        raise ProofError("The proofValue is not multibase base58btc ('z').")
    signature = unbase58btc(value[1:])
    if len(signature) != 64:
        raise ProofError("The proofValue is not an Ed25519 signature.")
    try:
        public.verify(signature, hash_data(document, proof))
    except InvalidSignature:
        raise ProofError(
            "The proof does not match: the document was altered."
        ) from None
