"""The keys that seal the audit trail, kept outside the database.

Each entry's hash is an HMAC-SHA256 under the current key, named by its id in the
entry, so that someone who can write to the database but does not hold the key
cannot rewrite an entry and recompute the chain after it. Checkpoints are sealed
with a key derived from the same secret for that one purpose.

`settings.AUDIT_KEYS` comes from MUSTER_AUDIT_KEYS (or the file that
MUSTER_AUDIT_KEYS_FILE names): `id:secret` pairs separated by commas or lines,
the first one current. To rotate, put the new pair first and keep the old ones
after it: new entries use the new key, old entries still verify. See
docs/security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The key settings.py supplies with MUSTER_DEBUG on; `check --deploy` refuses it.
DEVELOPMENT_KEY_ID = "dev"
KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")


class UnknownKey(Exception):
    """An entry or checkpoint names a key that is not configured."""


def parse_keys(text: str) -> dict[str, bytes]:
    """`"2026a:secret, 2025b:older"` as {"2026a": b"secret", ...}, in that order."""
    keys: dict[str, bytes] = {}
    for item in re.split(r"[,\n]", text or ""):
        item = item.strip()
        if not item:
            continue
        key_id, sep, secret = item.partition(":")
        if not sep or not KEY_ID.match(key_id) or len(secret) < 32:
            raise ImproperlyConfigured(
                "MUSTER_AUDIT_KEYS: each key is id:secret, the id of letters, digits "
                "and . _ - (at most 20) and the secret at least 32 characters, such "
                "as 2026a:$(python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"MUSTER_AUDIT_KEYS names key {key_id!r} twice.")
        keys[key_id] = secret.encode("utf-8")
    return keys


def _keys() -> dict[str, bytes]:
    keys = parse_keys(getattr(settings, "AUDIT_KEYS", ""))
    if not keys:
        raise ImproperlyConfigured(
            "MUSTER_AUDIT_KEYS is not set: the audit trail cannot be sealed."
        )
    return keys


def current_key_id() -> str:
    return next(iter(_keys()))


def _secret(key_id: str) -> bytes:
    try:
        return _keys()[key_id]
    except KeyError:
        raise UnknownKey(key_id) from None


def seal(key_id: str, text: str) -> str:
    """The HMAC-SHA256 of an entry's canonical text under key `key_id`."""
    return hmac.new(_secret(key_id), text.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_checkpoint(key_id: str, text: str) -> str:
    """The HMAC-SHA256 of a checkpoint, under a key only checkpoints use."""
    derived = hmac.new(_secret(key_id), b"muster.audit.checkpoint", hashlib.sha256)
    return hmac.new(derived.digest(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(
        a.encode("ascii", "replace"), b.encode("ascii", "replace")
    )
