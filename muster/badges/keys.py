"""Ed25519 key pairs for signing credentials, their JWKs, and the DID naming them.

A provider is the `did:web` identifier `did:web:<host>:issuers:<code>`, which a
verifier resolves to `https://<host>/issuers/<code>/did.json` (did:web method,
section 3.2: the colon-separated path after the host becomes the URL path, a port
is written `%3A`). The host is MUSTER_BADGE_ORIGIN's, so it must be the address
the world reaches Muster at. Private keys are stored encrypted with a Fernet key
derived from SECRET_KEY (and readable with SECRET_KEY_FALLBACKS while it changes),
like the authenticator secrets in muster/accounts/adapters.py.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
)
from django.conf import settings
from django.utils.crypto import salted_hmac

from muster.agencies.models import Agency
from muster.badges.integrity import multikey
from muster.badges.models import IssuerKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def origin() -> str:
    """Muster's public address for badges, such as `https://muster.example`."""
    return settings.BADGE_ORIGIN.rstrip("/")


def issuer_did(agency: Agency) -> str:
    """The provider's DID: `did:web:muster.example:issuers:riverton-pd`."""
    host = urlsplit(origin()).netloc
    return f"did:web:{quote(host, safe='')}:issuers:{agency.code}"


def verification_method(key: IssuerKey) -> str:
    """The key's DID URL, the `kid` of what it signs."""
    return f"{issuer_did(key.agency)}#{key.key_id}"


# EdDSA with Ed25519 by default; RS256 (RSA, 2048 bits) for verifiers that know
# only the algorithm OB 3.0 section 8.2.3 names as the minimum to support.
ALGORITHMS = ("EdDSA", "RS256")


def multikey_method(key: IssuerKey) -> str:
    """The DID URL naming an Ed25519 key as a Multikey, for Data Integrity
    proofs: the DID with the key's publicKeyMultibase as fragment (as the
    EdDSA cryptosuites' examples name theirs)."""
    return f"{issuer_did(key.agency)}#{multikey(public_key(key))}"


def public_jwk(key: IssuerKey) -> dict[str, str]:
    """The public key as a JWK: an OKP key on Ed25519 (RFC 8037), or an RSA key
    (RFC 7518 section 6.3)."""
    if key.algorithm == "RS256":
        numbers = public_key(key).public_numbers()
        return {"kty": "RSA", "n": _b64int(numbers.n), "e": _b64int(numbers.e)}
    return {"kty": "OKP", "crv": "Ed25519", "x": key.public_key}


def new_key_pair(algorithm: str = "EdDSA") -> tuple[str, str]:
    """A fresh key pair: (public key as base64url, encrypted private key)."""
    if algorithm == "RS256":
        rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = rsa_private.public_key().public_bytes(
            Encoding.DER, PublicFormat.SubjectPublicKeyInfo
        )
        secret = rsa_private.private_bytes(
            Encoding.DER, PrivateFormat.PKCS8, NoEncryption()
        )
        return b64url(public), _fernet().encrypt(secret).decode("ascii")
    if algorithm != "EdDSA":
        raise ValueError(f"Unknown key algorithm {algorithm!r}.")
    private = Ed25519PrivateKey.generate()
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return b64url(raw_public), _fernet().encrypt(raw_private).decode("ascii")


def private_key(key: IssuerKey):
    raw = _fernet().decrypt(key.private_key.encode("ascii"))
    if key.algorithm == "RS256":
        return load_der_private_key(raw, password=None)
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key(key: IssuerKey):
    if key.algorithm == "RS256":
        return load_der_public_key(unb64url(key.public_key))
    return Ed25519PublicKey.from_public_bytes(unb64url(key.public_key))


def _b64int(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def current_key(agency: Agency) -> IssuerKey | None:
    """The key that signs today: the newest one not retired."""
    return agency.issuer_keys.filter(retired_at__isnull=True).first()


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        "muster.badges.key", "", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )
