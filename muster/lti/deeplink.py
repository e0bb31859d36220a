"""Deep Linking 2.0: the signed LtiDeepLinkingResponse carrying the picked course
back to the platform (section 4.2 of https://www.imsglobal.org/spec/lti-dl/v2p0/)."""

from __future__ import annotations

import secrets
import time

from django.core import signing

from muster.lti import claims, keys
from muster.lti.launch import LaunchData
from muster.lti.models import Deployment

SALT = "muster.lti.deep-link"
PICK_SECONDS = 3600


def pick_token(data: LaunchData) -> str:
    """What the picker page must carry to answer this request, signed."""
    settings = data.claims[claims.DL_SETTINGS]
    return signing.dumps(
        {
            "deployment": data.deployment.pk,
            "return_url": settings["deep_link_return_url"],
            "data": settings.get("data"),
            "accept_multiple": bool(settings.get("accept_multiple", False)),
            # Deep Linking 2.0 (accept_lineitem): false means line items are ignored.
            "accept_lineitem": settings.get("accept_lineitem") is not False,
        },
        salt=SALT,
    )


def read_pick_token(token: str) -> dict:
    """The request a picker form answers; signing.BadSignature if forged or old."""
    return signing.loads(token, salt=SALT, max_age=PICK_SECONDS)


def content_item(course, url: str, *, line_item: bool = True) -> dict:
    """One ltiResourceLink to `course`, graded out of 100 unless the platform
    takes no line item (Deep Linking 2.0, 3.1)."""
    item = {
        "type": claims.LTI_RESOURCE_LINK,
        "title": course.title,
        "url": url,
        "custom": {"course": course.slug},
    }
    if line_item:
        item["lineItem"] = {
            "scoreMaximum": 100,
            "label": course.title,
            "resourceId": course.slug,
        }
    return item


def response_jwt(pick: dict, items: list[dict]) -> tuple[str, str]:
    """(return URL, JWT) for the chosen content items."""
    deployment = Deployment.objects.select_related("platform").get(
        pk=pick["deployment"]
    )
    platform = deployment.platform
    now = int(time.time())
    body = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 300,
        "nonce": secrets.token_urlsafe(16),
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE,
        claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: deployment.deployment_id,
        claims.DL_CONTENT_ITEMS: items,
    }
    if pick.get("data") is not None:
        body[claims.DL_DATA] = pick["data"]
    return pick["return_url"], keys.sign(body)
