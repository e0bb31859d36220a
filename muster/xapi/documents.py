"""State, activity profile and agent profile documents, with ETag concurrency.

PUT replaces a document; POST merges JSON objects one level deep (and refuses
to merge anything else). If-Match / If-None-Match are honoured on every write
(412 when they fail); a PUT to an existing profile without either is refused
with 409, as Part Three "Concurrency" requires.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from muster.agencies.models import Agency
from muster.xapi.models import Document
from muster.xapi.protocol import Refused, XRequest, load_json
from muster.xapi.validation import Invalid


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def find(agency: Agency, kind: str, scope: dict) -> Document | None:
    return Document.objects.filter(agency=agency, kind=kind, **scope).first()


def listing(agency: Agency, kind: str, scope: dict, since=None):
    """The ids of the scoped documents (changed after `since`), and when the
    latest of them changed (None when there are none)."""
    rows = Document.objects.filter(agency=agency, kind=kind, **scope)
    if since is not None:
        rows = rows.filter(updated_at__gt=since)
    found = list(rows.order_by("pk").values_list("document_id", "updated_at"))
    latest = max((updated for _, updated in found), default=None)
    return [document_id for document_id, _ in found], latest


def check_preconditions(xrequest: XRequest, document: Document | None, *, strict: bool):
    if_match = xrequest.headers.get("if-match")
    if_none_match = xrequest.headers.get("if-none-match")
    current = f'"{document.etag}"' if document else None
    if if_match is not None:
        tags = [tag.strip() for tag in if_match.split(",")]
        if current is None or not ("*" in tags or current in tags):
            raise Refused(412, "If-Match does not match the document's current ETag.")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        if current is not None and ("*" in tags or current in tags):
            raise Refused(412, "If-None-Match: the document already exists.")
    if strict and document is not None and if_match is None and if_none_match is None:
        raise Refused(
            409,
            "The document exists: send If-Match with its ETag (or If-None-Match: *) "
            "to say whether to overwrite it.",
        )


def write(
    agency: Agency,
    kind: str,
    scope: dict,
    xrequest: XRequest,
    *,
    merge: bool,
    strict: bool,
) -> Document:
    """Store (PUT) or merge (POST) the request body as the scoped document."""
    content_type = xrequest.headers.get("content-type") or "application/octet-stream"
    body = xrequest.body
    with transaction.atomic():
        document = (
            Document.objects.select_for_update()
            .filter(agency=agency, kind=kind, **scope)
            .first()
        )
        check_preconditions(xrequest, document, strict=strict and not merge)
        if merge and document is not None:
            body, content_type = _merged(document, xrequest)
        elif (
            merge
            and _is_json(content_type)
            and not isinstance(load_json(body, "document"), dict)
        ):
            # A POST declared as JSON must be a JSON object even when there is
            # nothing to merge it with yet (Part Three 2.2: it is one to merge).
            raise Invalid("document: a POST of application/json must be an object.")
        if document is None:
            document = Document(agency=agency, kind=kind, **scope)
        document.content = body
        document.content_type = content_type
        document.etag = etag_of(body)
        document.updated_at = timezone.now()
        document.save()
    return document


def _merged(document: Document, xrequest: XRequest) -> tuple[bytes, str]:
    if not (_is_json(document.content_type) and _is_json(xrequest.content_type)):
        raise Invalid("POST merges JSON documents only; use PUT to replace this one.")
    old = load_json(bytes(document.content), "stored document")
    new = load_json(xrequest.body, "document")
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise Invalid("POST merges JSON objects only; use PUT to replace this one.")
    merged = {**old, **new}
    return json.dumps(merged).encode(), "application/json"


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def delete(agency: Agency, kind: str, scope: dict, xrequest: XRequest) -> None:
    with transaction.atomic():
        rows = Document.objects.select_for_update().filter(
            agency=agency, kind=kind, **scope
        )
        if "document_id" in scope:
            check_preconditions(xrequest, rows.first(), strict=False)
        rows.delete()
