"""Outbound HTTP to platforms, through one requests session.

Tests replace `session` with one whose transport is the test platform
(muster/lti/tests/platform.py), so the suite never leaves the process.
"""

from __future__ import annotations

import requests

TIMEOUT_SECONDS = 10


class PlatformError(Exception):
    """A platform's endpoint refused Muster or answered something unusable."""


def session() -> requests.Session:
    return requests.Session()


def get_json(
    url: str, *, headers: dict | None = None
) -> tuple[dict, requests.Response]:
    """GET `url` and its JSON body, or PlatformError naming the URL."""
    try:
        response = session().get(url, headers=headers or {}, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise PlatformError(f"{url} could not be reached: {error}") from error
    return _json(url, response), response


def post(url: str, **kwargs) -> requests.Response:
    try:
        return session().post(url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        raise PlatformError(f"{url} could not be reached: {error}") from error


def _json(url: str, response: requests.Response) -> dict:
    if response.status_code >= 400:
        raise PlatformError(
            f"{url} answered {response.status_code}: {response.text[:200]}"
        )
    try:
        body = response.json()
    except ValueError as error:
        raise PlatformError(f"{url} did not answer JSON.") from error
    if not isinstance(body, dict):
        raise PlatformError(f"{url} did not answer a JSON object.")
    return body


def json_of(url: str, response: requests.Response) -> dict:
    return _json(url, response)
