"""Conditional updates (ETag / If-Match, RFC 9110) and idempotent creates
(`Idempotency-Key`, as in the IETF httpapi draft).

An update must name the version it changes (`If-Match` with the ETag from a
GET): 428 without one, 412 when the record changed meanwhile, so two clients
never overwrite each other's correction of a legal record unseen.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from muster.api.models import IdempotentRequest
from muster.api.problems import ApiError

# How long an answer to a key is kept for replay; later, the key is new again.
KEY_LIFETIME = timedelta(hours=24)
REPLAYED = "Idempotent-Replayed"


def etag_of(state: dict[str, Any]) -> str:
    """A strong ETag for an object's full state (its audit snapshot)."""
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def row_etag(row) -> str:
    """The ETag of a qualification or exemption: its audit snapshot's."""
    from muster.audit.log import snapshot

    return etag_of(snapshot(row))


def check_if_match(request: HttpRequest, current: str) -> None:
    """Refuse an update that names no version (428) or an old one (412)."""
    given = request.headers.get("If-Match", "").strip()
    if not given:
        raise ApiError(
            428,
            "Send If-Match with the ETag from GET, so that a change made meanwhile "
            "is not overwritten.",
            kind="if-match-required",
            errors=[{"field": "header.If-Match", "pointer": "", "detail": "Missing."}],
        )
    tags = [tag.strip() for tag in given.split(",")]
    if "*" not in tags and current not in tags:
        raise ApiError(
            412,
            "The record changed since that ETag: GET it again, check the change, "
            "and retry with the new ETag.",
            kind="precondition-failed",
            errors=[
                {"field": "header.If-Match", "pointer": "", "detail": "Out of date."}
            ],
        )


def body_digest(request: HttpRequest) -> str:
    try:
        canonical = json.dumps(json.loads(request.body or b"null"), sort_keys=True)
    except ValueError:
        canonical = request.body.decode("utf-8", "replace")
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(
    request: HttpRequest, holder, create, response: HttpResponse | None = None
) -> tuple:
    """Run `create()` (returning (status, body)) once per Idempotency-Key.

    The same key with the same body replays the first answer, marked with the
    header `Idempotent-Replayed: true` on `response` (the operation's temporal
    response) so that a client can tell a replay from a new create; with another
    body (or another address) it is refused with 422. Without a key, `create`
    simply runs. Only successful answers are kept: a refused create may be fixed
    and sent again under the same key.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return create()
    if len(key) > 255:
        raise ApiError(
            400,
            "An Idempotency-Key is at most 255 characters.",
            kind="invalid-idempotency-key",
            errors=[
                {
                    "field": "header.Idempotency-Key",
                    "pointer": "",
                    "detail": "Too long.",
                }
            ],
        )
    digest = body_digest(request)
    try:
        with transaction.atomic():
            stored = _stored(holder.token, key)
            if stored is not None:
                return _replay(request, stored, digest, response)
            status, body = create()
            if 200 <= status < 300:
                IdempotentRequest.objects.create(
                    token=holder.token,
                    key=key,
                    method=request.method,
                    path=request.path,
                    body_digest=digest,
                    status=status,
                    response=body,
                )
            return status, body
    except IntegrityError:
        # Another request with this key committed first: answer as it did.
        stored = _stored(holder.token, key)
        if stored is None:
            raise
        return _replay(request, stored, digest, response)


def _stored(token, key: str) -> IdempotentRequest | None:
    stored = IdempotentRequest.objects.filter(token=token, key=key).first()
    if stored is not None and stored.created_at < timezone.now() - KEY_LIFETIME:
        stored.delete()
        return None
    return stored


def _replay(request, stored: IdempotentRequest, digest: str, response=None):
    if stored.body_digest != digest or stored.path != request.path:
        raise ApiError(
            422,
            "This Idempotency-Key was used with a different request; use a new key "
            "for a new request.",
            kind="idempotency-key-reused",
            errors=[
                {"field": "header.Idempotency-Key", "pointer": "", "detail": "Reused."}
            ],
        )
    if response is not None:
        response[REPLAYED] = "true"
    return stored.status, stored.response
