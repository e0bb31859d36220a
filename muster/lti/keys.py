"""Muster's own signing keys: generate, publish as a JWKS, sign with the newest.

Rotation adds a key and signs with it at once; the old one stays in the JWKS
until retired, so a platform that cached the JWKS keeps verifying (the Security
Framework 1.0, section 6.3, "Key Set URL").
"""

from __future__ import annotations

import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from muster.lti.http import PlatformError
from muster.lti.models import ToolKey

NO_KEY = "Muster has no LTI signing key; run `python manage.py lti_rotate_key`."


class NoToolKey(PlatformError):
    """No key is published: run `manage.py lti_rotate_key` once."""


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def new_kid() -> str:
    return secrets.token_urlsafe(16)


def public_jwk(key: ToolKey) -> dict:
    private = serialization.load_pem_private_key(key.private_key_pem.encode(), None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"}


def jwks() -> dict:
    """The public half of every key not retired, newest first."""
    return {"keys": [public_jwk(k) for k in ToolKey.objects.filter(retired_at=None)]}


def signing_key() -> ToolKey:
    key = ToolKey.objects.filter(retired_at=None).first()
    if key is None:
        raise NoToolKey(NO_KEY)
    return key


def sign(claims: dict) -> str:
    """`claims` as a JWT (RS256) signed by the newest key, its `kid` in the header."""
    key = signing_key()
    return jwt.encode(
        claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid}
    )
