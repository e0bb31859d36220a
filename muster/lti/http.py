"""Outbound HTTP to platforms, through muster/outbound.py and its address checks.

Tests put the test platform (muster/lti/tests/platform.py) in place of the one
connection (`outbound.exchange`) and of DNS, so the suite never leaves the
process and every check still runs.
"""

from __future__ import annotations

from muster import outbound


class PlatformError(Exception):
    """A platform's endpoint refused Muster or answered something unusable."""


def get(url: str, *, headers: dict | None = None) -> outbound.Response:
    try:
        return outbound.request("GET", url, headers=headers)
    except outbound.OutboundError as error:
        raise PlatformError(str(error)) from None


def get_json(
    url: str, *, headers: dict | None = None
) -> tuple[dict, outbound.Response]:
    """GET `url` and its JSON body, or PlatformError naming the URL."""
    response = get(url, headers=headers)
    return _json(url, response), response


def post(url: str, **kwargs) -> outbound.Response:
    """POST (`json=`, `form=`, `headers=`); never follows a redirect."""
    try:
        return outbound.request("POST", url, **kwargs)
    except outbound.OutboundError as error:
        raise PlatformError(str(error)) from None


def _json(url: str, response: outbound.Response) -> dict:
    # What the platform answered stays out of the message: it may be anything
    # the address gave (docs/security.md, outbound requests).
    if not response.ok:
        raise PlatformError(f"{url} answered HTTP {response.status}.")
    try:
        body = response.json()
    except ValueError:
        raise PlatformError(f"{url} did not answer JSON.") from None
    if not isinstance(body, dict):
        raise PlatformError(f"{url} did not answer a JSON object.")
    return body


def json_of(url: str, response: outbound.Response) -> dict:
    return _json(url, response)
