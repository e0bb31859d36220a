"""Cursor pagination: pages in primary-key order, with an opaque `next_cursor`.

A cursor names the last row of the page before (base64 of "after:<pk>"), so a
page stays correct while rows are added, and no count is ever computed.
"""

from __future__ import annotations

import base64
import binascii

from django.db.models import QuerySet

from muster.api.problems import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"after:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The primary key a cursor names; a 400 problem naming `cursor` if bad."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        name, _, value = text.partition(":")
        if name == "after" and value.isdigit() and len(value) < 19:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(
        400,
        "This cursor was not given by the API: pass next_cursor from the page before.",
        kind="invalid-cursor",
        errors=[{"field": "query.cursor", "pointer": "", "detail": "Not a cursor."}],
    )


def paginate(rows: QuerySet, cursor: str | None, limit: int, serialize) -> dict:
    """One page: `items` (each through `serialize`) and `next_cursor` (or None)."""
    rows = rows.order_by("pk")
    if cursor:
        rows = rows.filter(pk__gt=decode_cursor(cursor))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {
        "items": [serialize(row) for row in page],
        "next_cursor": encode_cursor(page[-1].pk) if more else None,
    }
