"""Tokens and JSON requests for API tests."""

from __future__ import annotations

import json

from muster.api.actions import issue_token
from muster.api.choices import TokenAccess, TokenKind


def token_for(user, *, access=TokenAccess.WRITE, kind=TokenKind.PERSONAL, agency=None):
    """A new token's secret."""
    _, secret = issue_token(
        actor=user, name="test", kind=kind, access=access, agency=agency
    )
    return secret


def call(client, method: str, url: str, secret: str | None, body=None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    data = json.dumps(body) if body is not None else None
    return client.generic(
        method,
        url,
        data=data or "",
        content_type="application/json",
        headers=headers,
    )
