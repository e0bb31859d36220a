"""The OIDC login and the launch's id_token, checked as LTI Core 1.3 and the
Security Framework 1.0 (section 5.1.3, "Authentication Response Validation") say.

Nothing here writes but the login's state: a launch that fails any check leaves
the database as it was, and the caller records a good one (actions.record_launch).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import jwt
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from muster.lti import claims, http
from muster.lti.models import Deployment, LoginState, Platform

# A login's state lives this long: the user's browser goes to the platform and
# straight back.
STATE_MINUTES = 10
LEEWAY_SECONDS = 60
JWKS_CACHE_SECONDS = 300
STATE_COOKIE = "lti_state"


class LaunchError(Exception):
    """A login or launch Muster refuses; the message says which check failed."""


@dataclass(frozen=True)
class LaunchData:
    """A verified launch: its claims, and who sent it."""

    claims: dict
    platform: Platform
    deployment: Deployment
    state: LoginState

    @property
    def message_type(self) -> str:
        return self.claims[claims.MESSAGE_TYPE]

    @property
    def roles(self) -> list[str]:
        return list(self.claims.get(claims.ROLES, []))


def find_platform(issuer: str, client_id: str | None) -> Platform:
    if not issuer:
        raise LaunchError("The login has no `iss`: the platform must send its issuer.")
    platforms = Platform.objects.filter(issuer=issuer, is_active=True)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    found = list(platforms[:2])
    if not found:
        raise LaunchError(
            f"No platform is registered with issuer {issuer}"
            + (f" and client id {client_id}" if client_id else "")
            + "; register it in Muster's admin first (docs/lti.md)."
        )
    if len(found) > 1:
        raise LaunchError(
            f"Several registrations share issuer {issuer}; the platform must send "
            "`client_id` with the login."
        )
    return found[0]


LOGIN_PARAMS = (
    "iss",
    "client_id",
    "login_hint",
    "lti_message_hint",
    "target_link_uri",
    "lti_deployment_id",
)


# LTI platform storage (1EdTech "OIDC Login with LTI Client Side postMessages"):
# the platform names, in `lti_storage_target`, the frame of its page that keeps
# data for the tool ("_parent" for the page itself).
STORAGE_TARGET = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
STORAGE_KEY_PREFIX = "muster_state_"


def storage_target(params) -> str | None:
    """The platform's storage frame named in a login or launch, if any usable."""
    target = params.get("lti_storage_target", "")
    return target if isinstance(target, str) and STORAGE_TARGET.match(target) else None


def pending_login(state_value: str) -> LoginState | None:
    """The login under way with this state: unused and not too old."""
    if not state_value:
        return None
    state = (
        LoginState.objects.select_related("platform")
        .filter(state=state_value, used_at__isnull=True)
        .first()
    )
    if state is None:
        return None
    if state.created_at < timezone.now() - timedelta(minutes=STATE_MINUTES):
        return None
    return state


def restart_url(state_value: str) -> str | None:
    """The login initiation URL that starts the login of `state_value` again,
    for a window of its own; None if no such login is under way."""
    state = pending_login(state_value)
    if state is None or not state.login_params:
        return None
    return f"{reverse('lti:login')}?{urlencode(state.login_params)}"


def begin_login(params) -> tuple[str, LoginState]:
    """Third-party initiated login (OIDC, section 4): where to send the browser.

    Returns the platform's authorization URL with a new state and nonce, and
    the LoginState holding them.
    """
    platform = find_platform(params.get("iss", ""), params.get("client_id"))
    login_hint = params.get("login_hint")
    target = params.get("target_link_uri")
    if not login_hint or not target:
        raise LaunchError(
            "The login needs `login_hint` and `target_link_uri` (LTI Core 1.3, 4.1)."
        )
    deployment_id = params.get("lti_deployment_id")
    if (
        deployment_id
        and not platform.deployments.filter(deployment_id=deployment_id).exists()
    ):
        raise LaunchError(f"Deployment {deployment_id} is not registered in Muster.")
    # States of logins never finished (the user closed the tab) are dropped a day on.
    LoginState.objects.filter(
        created_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    state = LoginState.objects.create(
        platform=platform,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        target_link_uri=target,
        login_params={
            key: params[key]
            for key in LOGIN_PARAMS
            if isinstance(params.get(key), str) and len(params[key]) <= 2000
        },
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": params["redirect_uri"],
        "login_hint": login_hint,
        "state": state.state,
        "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    return f"{platform.auth_login_url}?{urlencode(query)}", state


def _platform_keys(platform: Platform, *, fresh: bool = False) -> list:
    """The platform's JWKS, kept for a few minutes between launches."""
    cache_key = f"lti-jwks:{platform.jwks_url}"
    body = None if fresh else cache.get(cache_key)
    if body is None:
        try:
            body, _ = http.get_json(platform.jwks_url)
            keys = jwt.PyJWKSet.from_dict(body).keys
        except (http.PlatformError, jwt.PyJWKSetError) as error:
            raise LaunchError(f"The platform's JWKS is unusable: {error}") from error
        cache.set(cache_key, body, JWKS_CACHE_SECONDS)
        return keys
    return jwt.PyJWKSet.from_dict(body).keys


def platform_key(platform: Platform, token: str):
    """The platform's public key that signed `token`, from its JWKS.

    A `kid` missing from the kept copy fetches the JWKS again, once: the platform
    may have rotated its keys since (Security Framework 1.0, 6.3).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as error:
        raise LaunchError(f"The id_token is not a JWT: {error}.") from error
    if header.get("alg") != "RS256":
        raise LaunchError(
            f"The id_token is signed with {header.get('alg')}, not RS256."
        )
    kid = header.get("kid")
    for fresh in (False, True):
        keys = _platform_keys(platform, fresh=fresh)
        matching = [k for k in keys if k.key_id == kid] if kid else keys
        if len(matching) == 1:
            return matching[0].key
    raise LaunchError(
        f"The platform's JWKS ({platform.jwks_url}) has no single key {kid!r}."
    )


def verify_launch(id_token: str, state_value: str, cookie_state: str) -> LaunchData:
    """Every check of a launch, in the Security Framework's order; LaunchError on
    the first that fails."""
    state = _login_state(state_value, cookie_state)
    platform = state.platform
    try:
        payload = jwt.decode(
            id_token,
            platform_key(platform, id_token),
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "nonce", "sub"]},
        )
    except jwt.InvalidTokenError as error:
        raise LaunchError(f"The id_token was refused: {_why(error)}.") from error
    _check_azp(payload, platform)
    if payload["nonce"] != state.nonce:
        raise LaunchError("The id_token's nonce is not the one Muster sent.")
    deployment = _deployment(payload, platform)
    _check_message(payload)
    _check_target(payload, state)
    return LaunchData(payload, platform, deployment, state)


def _login_state(state_value: str, cookie_state: str) -> LoginState:
    if not state_value:
        raise LaunchError("The launch has no `state`.")
    if not secrets.compare_digest(state_value.encode(), (cookie_state or "").encode()):
        raise LaunchError(
            "The launch's state is not the one this browser started; open the "
            "link again (in a new window if the platform shows Muster in a frame)."
        )
    state = (
        LoginState.objects.select_related("platform").filter(state=state_value).first()
    )
    if state is None or state.used_at is not None:
        raise LaunchError("This launch was already used; open the link again.")
    if state.created_at < timezone.now() - timedelta(minutes=STATE_MINUTES):
        raise LaunchError("The login took too long; open the link again.")
    return state


def _why(error: jwt.InvalidTokenError) -> str:
    reasons = {
        jwt.ExpiredSignatureError: "it has expired (exp)",
        jwt.InvalidAudienceError: "it is not addressed to Muster's client id (aud)",
        jwt.InvalidIssuerError: "it comes from another issuer (iss)",
        jwt.InvalidSignatureError: "its signature does not match the platform's key",
        jwt.ImmatureSignatureError: "it was issued in the future (iat)",
        jwt.MissingRequiredClaimError: str(error),
    }
    for kind, text in reasons.items():
        if isinstance(error, kind):
            return text
    return str(error)


def _check_azp(payload: dict, platform: Platform) -> None:
    """Security Framework 1.0, 5.1.3 (OIDC Core 3.1.3.7, steps 3 to 5): Muster
    must be an audience, and the only one it trusts; with several, `azp` must
    name Muster."""
    aud = payload["aud"]
    several = isinstance(aud, list) and len(aud) > 1
    others = sorted({str(a) for a in aud} - {platform.client_id}) if several else []
    if others:
        raise LaunchError(
            "The id_token is addressed to other audiences too "
            f"({', '.join(others)[:200]}), which Muster does not trust."
        )
    azp = payload.get("azp")
    if several and not azp:
        raise LaunchError("The id_token has several audiences and no `azp`.")
    if azp is not None and azp != platform.client_id:
        raise LaunchError("The id_token's `azp` is not Muster's client id.")


def _deployment(payload: dict, platform: Platform) -> Deployment:
    deployment_id = payload.get(claims.DEPLOYMENT_ID)
    if not deployment_id:
        raise LaunchError("The id_token has no deployment_id claim.")
    deployment = platform.deployments.filter(deployment_id=deployment_id).first()
    if deployment is None:
        raise LaunchError(
            f"Deployment {deployment_id} of {platform.issuer} is not registered in "
            "Muster; add it to the platform in the admin (docs/lti.md)."
        )
    return deployment


def _check_message(payload: dict) -> None:
    if payload.get(claims.VERSION) != claims.LTI_VERSION:
        raise LaunchError(
            f"The launch is LTI version {payload.get(claims.VERSION)!r}, not 1.3.0."
        )
    kind = payload.get(claims.MESSAGE_TYPE)
    if kind not in (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST):
        raise LaunchError(f"Muster does not accept {kind!r} messages.")
    if not isinstance(payload.get(claims.ROLES), list):
        raise LaunchError("The id_token has no roles claim (a list, maybe empty).")
    if kind == claims.RESOURCE_LINK_REQUEST:
        if not (payload.get(claims.RESOURCE_LINK) or {}).get("id"):
            raise LaunchError("The launch has no resource_link id.")
        return
    settings = payload.get(claims.DL_SETTINGS) or {}
    if not settings.get("deep_link_return_url"):
        raise LaunchError("The deep-linking request has no deep_link_return_url.")
    # Deep Linking 2.0, deep_linking_settings: the platform says which kinds of item it takes
    # here; Muster answers only with an LTI resource link.
    accepted = settings.get("accept_types")
    if not isinstance(accepted, list) or claims.LTI_RESOURCE_LINK not in accepted:
        raise LaunchError(
            "The platform does not accept an LTI link here (its accept_types is "
            f"{accepted!r}); Muster's courses can only be added as LTI links."
        )


def _check_target(payload: dict, state: LoginState) -> None:
    """A resource link launch names in `target_link_uri` (required in a resource link launch by
    LTI Core 1.3) the URL its login was started for, which the platform repeats."""
    if payload.get(claims.MESSAGE_TYPE) != claims.RESOURCE_LINK_REQUEST:
        return
    target = payload.get(claims.TARGET_LINK_URI)
    if not target:
        raise LaunchError("The launch has no target_link_uri claim.")
    if target != state.target_link_uri:
        raise LaunchError(
            f"The launch's target_link_uri ({str(target)[:200]}) is not the one its "
            f"login was started for ({state.target_link_uri[:200]})."
        )
