"""LTI Advantage services Muster calls: the OAuth 2 token (Security Framework 1.0,
4.1, a client-credentials grant with a JWT bearer assertion), Assignment and
Grade Services 2.0 (line items, scores) and Names and Role Provisioning 2.0.
"""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from django.core.cache import cache

from muster.lti import claims, http, keys
from muster.lti.models import Platform, ResourceLink

MAX_ROSTER_PAGES = 100
MAX_LINEITEM_PAGES = 20


def access_token(platform: Platform, scopes: list[str]) -> str:
    """A bearer token for `scopes`, cached until a minute before it expires."""
    scope = " ".join(sorted(scopes))
    cache_key = f"lti-token:{platform.pk}:{scope}"
    token = cache.get(cache_key)
    if token:
        return token
    now = int(time.time())
    assertion = keys.sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_audience or platform.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
        }
    )
    response = http.post(
        platform.auth_token_url,
        form={
            "grant_type": "client_credentials",
            "client_assertion_type": claims.JWT_BEARER,
            "client_assertion": assertion,
            "scope": scope,
        },
    )
    body = http.json_of(platform.auth_token_url, response)
    token = body.get("access_token")
    if not token:
        raise http.PlatformError(f"{platform.auth_token_url} gave no access_token.")
    lifetime = int(body.get("expires_in", 3600))
    cache.set(cache_key, token, max(lifetime - 60, 1))
    return token


def _bearer(platform: Platform, scopes: list[str], accept: str = "") -> dict:
    headers = {"Authorization": f"Bearer {access_token(platform, scopes)}"}
    if accept:
        headers["Accept"] = accept
    return headers


def scores_url(lineitem_url: str) -> str:
    """The line item's score endpoint: `/scores` added to its path (AGS 2.0, 3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def lineitem_for(link: ResourceLink, label: str) -> str:
    """The line item to score: the launch's own, or the link's among the
    context's line items (AGS 2.0: filtered by `resource_link_id`, and checked
    here too, since a platform may ignore the filter), or one made for it."""
    if link.lineitem_url:
        return link.lineitem_url
    may_make = claims.SCOPE_LINEITEM in link.ags_scopes
    # Either line item scope lets Muster read the container (AGS 2.0).
    readable = [
        scope
        for scope in (claims.SCOPE_LINEITEM, claims.SCOPE_LINEITEM_READONLY)
        if scope in link.ags_scopes
    ]
    if not link.lineitems_url or not readable:
        raise http.PlatformError(
            "The platform gave this link no line item and no right to make one."
        )
    separator = "&" if "?" in link.lineitems_url else "?"
    query = urlencode({"resource_link_id": link.resource_link_id})
    headers = _bearer(link.platform, readable[:1], claims.LINEITEMS_MEDIA_TYPE)
    pages = _pages(
        f"{link.lineitems_url}{separator}{query}", headers, MAX_LINEITEM_PAGES
    )
    for response in pages:
        # A list not read says nothing of the link's line item: making one then
        # would add a gradebook column at each failure, so the score waits.
        if not response.ok:
            raise http.PlatformError(f"{response.url} answered HTTP {response.status}.")
        try:
            items = response.json()
        except ValueError:
            items = None
        if not isinstance(items, list):
            raise http.PlatformError(f"{response.url} did not answer a JSON array.")
        for item in items:
            if (
                isinstance(item, dict)
                and item.get("id")
                and item.get("resourceLinkId") == link.resource_link_id
            ):
                return item["id"]
    if not may_make:
        raise http.PlatformError(
            "The platform lists no line item for this link and gave Muster no "
            "right to make one (only the read-only line item scope)."
        )
    created = http.post(
        link.lineitems_url,
        json={
            "scoreMaximum": 100,
            "label": label,
            "resourceLinkId": link.resource_link_id,
            "resourceId": link.course.slug,
        },
        headers={
            **_bearer(link.platform, [claims.SCOPE_LINEITEM]),
            "Content-Type": claims.LINEITEM_MEDIA_TYPE,
        },
    )
    item = http.json_of(link.lineitems_url, created)
    if not item.get("id"):
        raise http.PlatformError(f"{link.lineitems_url} made a line item with no id.")
    return item["id"]


def post_score(link: ResourceLink, payload: dict) -> int:
    """POST one score to the link's line item; the platform's HTTP status."""
    lineitem = lineitem_for(link, link.course.title)
    response = http.post(
        scores_url(lineitem),
        json=payload,
        headers={
            **_bearer(link.platform, [claims.SCOPE_SCORE]),
            "Content-Type": claims.SCORE_MEDIA_TYPE,
        },
    )
    if not response.ok:
        # Not the platform's words: its answer is not echoed (docs/security.md).
        raise http.PlatformError(
            f"The score was refused: {scores_url(lineitem)} answered HTTP "
            f"{response.status}."
        )
    return response.status


def memberships(link: ResourceLink) -> list[dict]:
    """Every member of the link's context, following its pages (`_pages`)."""
    if not link.memberships_url:
        raise http.PlatformError(
            "The platform sent no Names and Role Provisioning service for this "
            "course; turn it on for the tool in the platform (docs/lti.md)."
        )
    members: list[dict] = []
    headers = _bearer(link.platform, [claims.SCOPE_NRPS], claims.MEMBERSHIPS_MEDIA_TYPE)
    for response in _pages(link.memberships_url, headers, MAX_ROSTER_PAGES):
        body = http.json_of(response.url, response)
        members += [m for m in body.get("members", []) if isinstance(m, dict)]
    return members


def _pages(first: str, headers: dict, limit: int):
    """The answer to `first`, then to each page it links with `Link: <...>;
    rel="next"` (AGS 2.0 and NRPS 2.0 page so), on its own origin only (the
    bearer token in `headers` goes nowhere else), none twice and at most
    `limit` (PlatformError past it, before asking for more)."""
    seen: set[str] = set()
    url: str | None = first
    while url is not None:
        if len(seen) == limit:
            raise http.PlatformError(f"{first} has more than {limit} pages.")
        seen.add(url)
        response = http.get(url, headers=headers)
        yield response
        following = next_page(url, response.headers.get_all("Link") or [])
        if following is not None and _origin(following) != _origin(url):
            raise http.PlatformError(
                f"{url} links its next page at another site ({following[:200]}); "
                "Muster does not send the platform's token there."
            )
        if following in seen:
            raise http.PlatformError(f"{url} links back to a page already read.")
        url = following


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


# One link-value of a Link header (RFC 8288, 3): <target>; param=value; ...
_LINK_VALUE = re.compile(r'<([^>]*)>((?:\s*;\s*[^;,="]+(?:=\s*(?:"[^"]*"|[^;,"]*))?)*)')
_LINK_PARAM = re.compile(r'\s*;\s*([^;,="\s]+)\s*(?:=\s*(?:"([^"]*)"|([^;,"\s]*)))?')


def next_page(url: str, link_headers: list[str]) -> str | None:
    """The target of the `rel="next"` link among the response's Link headers
    (RFC 8288: rel may list several types, any case; the target may be relative
    to the page's URL), or None."""
    for header in link_headers:
        for match in _LINK_VALUE.finditer(header):
            for param in _LINK_PARAM.finditer(match.group(2)):
                name = param.group(1).lower()
                value = param.group(2) if param.group(2) is not None else param.group(3)
                if name == "rel" and "next" in (value or "").lower().split():
                    return urljoin(url, match.group(1).strip())
    return None
