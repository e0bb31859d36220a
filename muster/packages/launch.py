"""Launch tokens and the content origin: how a package plays apart from Muster.

Package content is a vendor's HTML and script. It is served from a separate
origin (MUSTER_PACKAGE_ORIGIN, another host name), inside a sandboxed iframe, so
it can neither read Muster's pages nor its session cookie, which is host-only and
never sent there. Requests to that origin carry no session: each launch gets a
signed token in the URL path, naming one enrollment, one item and one launch,
valid for LAUNCH_MAX_AGE. It lets its holder read that package's files and commit
that item's runtime data, nothing else. See docs/packages.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404

SALT = "muster.packages.launch"
LAUNCH_MAX_AGE = 12 * 3600
CONTENT_PREFIX = "/package-content/"


@dataclass(frozen=True)
class Launch:
    enrollment_id: int
    item_id: int
    launch: str
    parent: str


def new_token(
    enrollment_id: int, item_id: int, parent: str, *, launch_id: str = ""
) -> str:
    """A token for one launch; `parent` is the Muster origin allowed to frame it.
    For cmi5 the launch id is the AU session id."""
    launch_id = launch_id or uuid.uuid4().hex
    value = {"e": enrollment_id, "i": item_id, "l": launch_id, "p": parent}
    return signing.dumps(value, salt=SALT, compress=True)


class ExpiredLaunch(Http404):
    """A genuine token past LAUNCH_MAX_AGE (cmi5's fetch URL tells it apart)."""


def read_token(token: str) -> Launch:
    """The launch a token names; 404 if forged, altered or expired."""
    try:
        value = signing.loads(token, salt=SALT, max_age=LAUNCH_MAX_AGE)
        return Launch(
            int(value["e"]), int(value["i"]), str(value["l"]), str(value["p"])
        )
    except signing.SignatureExpired:
        raise ExpiredLaunch("The launch has expired.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such launch.") from None


def content_origin() -> str:
    """The origin package content is served from, or "" when none is set."""
    return settings.PACKAGE_CONTENT_ORIGIN.rstrip("/")


def content_host() -> str:
    origin = content_origin()
    return urlsplit(origin).netloc.lower() if origin else ""


def why_cannot_play(request) -> str:
    """Why packages cannot play on this site as configured, or ""."""
    host = content_host()
    if not host:
        return (
            "Package playback needs a separate content origin: set "
            "MUSTER_PACKAGE_ORIGIN (see docs/packages.md)."
        )
    if host == request.get_host().lower():
        return "MUSTER_PACKAGE_ORIGIN must be another host than Muster's own."
    return ""
