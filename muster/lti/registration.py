"""Dynamic Registration 1.0 (https://www.imsglobal.org/spec/lti-dr/v1p0/): read the
platform's OpenID configuration, send Muster's tool configuration to its
registration endpoint, and keep what it answers as a Platform."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing

from muster import outbound
from muster.accounts.models import User
from muster.agencies.models import Agency
from muster.lti import claims, http

INVITE_SALT = "muster.lti.registration-invite"
INVITE_DAYS = 7


class RegistrationError(Exception):
    """The platform's configuration or answer is unusable; the message says why."""


def invite_token(agency: Agency, user: User) -> str:
    """The secret part of an agency's registration URL, for its LMS administrator.

    The LMS opens the URL in a frame or popup where Muster's session cookie is
    not sent, so the URL itself says for which agency, and on whose word.
    """
    return signing.dumps({"agency": agency.pk, "user": user.pk}, salt=INVITE_SALT)


def read_invite(token: str) -> tuple[Agency, User]:
    """(agency, user) of a registration URL; RegistrationError if forged or old."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_DAYS * 86400)
        return Agency.objects.get(pk=data["agency"]), User.objects.get(
            pk=data["user"], is_active=True
        )
    except (signing.BadSignature, Agency.DoesNotExist, User.DoesNotExist):
        raise RegistrationError(
            f"This registration URL is not valid (they last {INVITE_DAYS} days); "
            "copy a new one from the agency's LMS links page in Muster."
        ) from None


@dataclass(frozen=True)
class PlatformConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    token_audience: str
    product: str
    # What the platform says it supports, when it says (None: not listed).
    scopes: frozenset[str] | None = None
    messages: frozenset[str] | None = None


# What Muster needs of a platform, and the configuration field that lists what
# the platform supports (Dynamic Registration 1.0, the platform's OpenID
# configuration): a list given without Muster's value refuses the platform.
NEEDED = (
    ("token_endpoint_auth_methods_supported", "private_key_jwt"),
    ("token_endpoint_auth_signing_alg_values_supported", "RS256"),
    ("id_token_signing_alg_values_supported", "RS256"),
    ("response_types_supported", "id_token"),
)


def read_configuration(url: str) -> PlatformConfiguration:
    """The platform's openid-configuration, checked (Dynamic Registration 3.4-3.5)."""
    try:
        body, _ = http.get_json(url)
    except http.PlatformError as error:
        raise RegistrationError(str(error)) from error
    required = (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    )
    missing = [name for name in required if not body.get(name)]
    if missing:
        raise RegistrationError(
            f"The platform's configuration ({url}) lacks {', '.join(missing)}."
        )
    issuer = body["issuer"]
    # The issuer must be the configuration's own site (Dynamic Registration 3.5.1):
    # a configuration cannot speak for another platform.
    if (
        urlsplit(issuer)._replace(path="", query="")
        != urlsplit(url)._replace(path="", query="")
        or urlsplit(issuer).scheme != "https"
    ):
        raise RegistrationError(
            f"The configuration at {url} names issuer {issuer}, which is not an "
            "https address of the same site."
        )
    # The endpoints Muster will fetch or post to, checked now for a clear refusal
    # (each request is checked again when sent: muster/outbound.py).
    for name in ("token_endpoint", "jwks_uri", "registration_endpoint"):
        why = outbound.url_problem(str(body[name]))
        if why:
            raise RegistrationError(
                f"The configuration at {url} gives {name} {str(body[name])[:200]}, "
                f"which Muster does not send requests to: {why}."
            )
    for name, needed in NEEDED:
        given = body.get(name)
        if isinstance(given, list) and needed not in given:
            raise RegistrationError(
                f"The configuration at {url} lists {name} without {needed}, "
                "which Muster needs."
            )
    platform = body.get(claims.PLATFORM_CONFIGURATION) or {}
    scopes = body.get("scopes_supported")
    messages = (
        platform.get("messages_supported") if isinstance(platform, dict) else None
    )
    return PlatformConfiguration(
        issuer=issuer,
        authorization_endpoint=body["authorization_endpoint"],
        token_endpoint=body["token_endpoint"],
        jwks_uri=body["jwks_uri"],
        registration_endpoint=body["registration_endpoint"],
        token_audience=body.get("authorization_server", ""),
        product=str(platform.get("product_family_code", "")),
        scopes=frozenset(map(str, scopes)) if isinstance(scopes, list) else None,
        messages=frozenset(str(m.get("type")) for m in messages if isinstance(m, dict))
        if isinstance(messages, list)
        else None,
    )


SCOPES = (
    claims.SCOPE_LINEITEM,
    claims.SCOPE_LINEITEM_READONLY,
    claims.SCOPE_RESULT_READONLY,
    claims.SCOPE_SCORE,
    claims.SCOPE_NRPS,
)


def tool_configuration(
    base_url: str, urls: dict, config: PlatformConfiguration | None = None
) -> dict:
    """Muster's registration request (Dynamic Registration 3.6): asking only for
    the scopes and messages the platform's configuration says it supports, when
    it lists them (the deep-linking message is left out of a platform that does
    not list it; the resource link launch is always asked for)."""
    scopes = [
        scope
        for scope in SCOPES
        if config is None or config.scopes is None or scope in config.scopes
    ]
    messages = [
        {
            "type": claims.DEEP_LINKING_REQUEST,
            "target_link_uri": base_url + urls["launch"],
            "label": "Muster course",
        },
        {"type": claims.RESOURCE_LINK_REQUEST},
    ]
    if config is not None and config.messages is not None:
        messages = [
            m
            for m in messages
            if m["type"] in config.messages or m["type"] == claims.RESOURCE_LINK_REQUEST
        ]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + urls["login"],
        "redirect_uris": [base_url + urls["launch"]],
        "client_name": "Muster",
        "jwks_uri": base_url + urls["jwks"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        claims.TOOL_CONFIGURATION: {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": base_url + urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": messages,
        },
    }


def register(config: PlatformConfiguration, token: str, request_body: dict) -> dict:
    """POST the tool configuration; the platform's answer, with client_id."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = http.post(
            config.registration_endpoint, json=request_body, headers=headers
        )
        body = http.json_of(config.registration_endpoint, response)
    except http.PlatformError as error:
        raise RegistrationError(str(error)) from error
    if not body.get("client_id"):
        raise RegistrationError("The platform's answer has no client_id.")
    return body


def deployment_ids(answer: dict) -> list[str]:
    tool = answer.get(claims.TOOL_CONFIGURATION) or {}
    deployment = tool.get("deployment_id")
    return [str(deployment)] if deployment else []
