"""A minimal LTI 1.3 platform (an LMS) for the tests, with its own RSA key and JWKS.

It issues id_tokens, and answers its OpenID configuration, dynamic registration,
token, line-item, score and membership endpoints in place of Muster's one
outbound connection (`serve()`: muster/outbound.py's `exchange`, with a DNS
that gives its host a public address), so Muster's outbound calls stay in the
process and still pass every address check. Muster's own
JWKS, which it uses to check the tool's signatures, it fetches from Muster
through Django's test client, as a real platform would over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from email.message import Message
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from muster import outbound
from muster.lti import actions, claims
from muster.lti.models import Platform

ISSUER = "https://lms.example.test"
CLIENT_ID = "muster-tool-1"
DEPLOYMENT_ID = "deployment-1"
LINEITEMS = ISSUER + "/api/courses/7/lineitems"
MEMBERSHIPS = ISSUER + "/api/courses/7/memberships"
# What the fake DNS answers for the platform's host: a public address, never
# connected to (`exchange` is the platform).
PUBLIC_ADDRESS = "198.51.99.7"


def fake_dns(names: dict[str, str]):
    """`outbound.resolve` answering `names` (host -> address) and nothing else."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise OSError(f"Name or service not known: {host}")
        return [names[host]]

    return mock.patch.object(outbound, "resolve", resolve)


class _Request:
    """What the handlers read of one outgoing request."""

    def __init__(self, outgoing: outbound.Outgoing) -> None:
        self.method = outgoing.method
        self.url = outgoing.url
        self.address = outgoing.address
        self.headers = Message()
        for name, value in outgoing.headers.items():
            self.headers[name] = value
        self.body = (outgoing.body or b"").decode()


class LtiPlatform:
    """The LMS: state kept in plain attributes the tests read."""

    def __init__(self) -> None:
        self.requests: list[_Request] = []
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # A new key, a new kid: as a platform rotates, and as Muster caches by kid.
        self.kid = f"platform-{secrets.token_hex(4)}"
        self.lineitems: list[dict] = []
        self.scores: list[dict] = []  # {"url", "headers", "body"}
        self.tokens: dict[str, list[str]] = {}
        self.assertions: list[dict] = []
        self.members: list[dict] = []
        self.page_size = 2
        self.registrations: list[dict] = []
        self.registration_token = "reg-token-1"
        self.refuse_scores = False
        self.client_ids = {CLIENT_ID}

    # --- Identity side --------------------------------------------------------

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def register_in_muster(self, agency, **values) -> Platform:
        fields = {
            "agency": agency,
            "name": "Example LMS",
            "issuer": ISSUER,
            "client_id": CLIENT_ID,
            "auth_login_url": ISSUER + "/auth",
            "auth_token_url": ISSUER + "/token",
            "jwks_url": ISSUER + "/jwks",
            **values,
        }
        self.client_ids.add(fields["client_id"])
        return actions.register_platform(
            values=fields, deployment_ids=[DEPLOYMENT_ID], actor=None
        )

    def id_token(self, nonce: str, *, key=None, kid=None, **overrides) -> str:
        """A signed id_token; `overrides` replace claims (None removes one)."""
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "lms-user-bob",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Bob Baker",
            claims.MESSAGE_TYPE: claims.RESOURCE_LINK_REQUEST,
            claims.VERSION: "1.3.0",
            claims.DEPLOYMENT_ID: DEPLOYMENT_ID,
            claims.TARGET_LINK_URI: "http://testserver/lti/launch/",
            claims.RESOURCE_LINK: {"id": "link-1", "title": "Use of force"},
            claims.ROLES: [claims.LEARNER],
            claims.CONTEXT: {"id": "course-7", "title": "Patrol in-service 2026"},
            claims.CUSTOM: {"course": "use-of-force"},
            claims.AGS_ENDPOINT: {
                "scope": [claims.SCOPE_LINEITEM, claims.SCOPE_SCORE],
                "lineitems": LINEITEMS,
            },
            claims.NRPS_SERVICE: {
                "context_memberships_url": MEMBERSHIPS,
                "service_versions": ["2.0"],
            },
        }
        for name, value in overrides.items():
            name = _claim(name)
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return jwt.encode(
            body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def launch(self, client: Client, *, login: dict | None = None, **overrides):
        """Login initiation, the authorization redirect, then the id_token post.

        Returns (the launch's response, the authorization request's query).
        """
        params = {
            "iss": ISSUER,
            "login_hint": "hint-bob",
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": "msg-1",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            **(login or {}),
        }
        answer = client.post("/lti/login/", params)
        assert answer.status_code == 302, answer.content.decode()
        query = {
            k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()
        }
        nonce = overrides.pop("token_nonce", query["nonce"])
        token = self.id_token(nonce, **overrides)
        response = client.post(
            urlsplit(query["redirect_uri"]).path,
            {"id_token": token, "state": query["state"]},
        )
        return response, query, token

    # --- The transport: the platform's HTTP endpoints -------------------------

    @contextlib.contextmanager
    def serve(self):
        """Muster's outbound requests to ISSUER's host answered by this platform."""
        with (
            fake_dns({urlsplit(ISSUER).hostname: PUBLIC_ADDRESS}),
            mock.patch.object(outbound, "exchange", self.exchange),
        ):
            yield self

    def exchange(self, outgoing, deadline, max_bytes) -> outbound.Response:
        request = _Request(outgoing)
        self.requests.append(request)
        url = urlsplit(request.url)
        route = (request.method, url.path)
        handlers = {
            ("GET", "/jwks"): lambda: (200, self.jwks()),
            ("GET", "/.well-known/openid-configuration"): self._configuration,
            ("POST", "/register"): lambda: self._register(request),
            ("POST", "/token"): lambda: self._token(request),
            ("GET", "/api/courses/7/lineitems"): lambda: self._lineitems(request),
            ("POST", "/api/courses/7/lineitems"): lambda: self._new_lineitem(request),
            ("GET", "/api/courses/7/memberships"): lambda: self._members(request, url),
        }
        if route in handlers:
            status, body, *headers = handlers[route]()
        elif request.method == "POST" and url.path.endswith("/scores"):
            status, body = self._score(request)
            headers = []
        else:
            status, body, headers = 404, {"error": "not found"}, []
        return _response(request, status, body, headers[0] if headers else {})

    def _configuration(self):
        return 200, {
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "/auth",
            "token_endpoint": ISSUER + "/token",
            "jwks_uri": ISSUER + "/jwks",
            "registration_endpoint": ISSUER + "/register",
            "authorization_server": ISSUER + "/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": ["RS256"],
            claims.PLATFORM_CONFIGURATION: {
                "product_family_code": "example-lms",
                "version": "1.0",
                "messages_supported": [
                    {"type": claims.RESOURCE_LINK_REQUEST},
                    {"type": claims.DEEP_LINKING_REQUEST},
                ],
            },
        }

    def _register(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
            return 401, {"error": "bad registration token"}
        body = json.loads(request.body)
        self.registrations.append(body)
        return 200, {
            **body,
            "client_id": CLIENT_ID,
            claims.TOOL_CONFIGURATION: {
                **body[claims.TOOL_CONFIGURATION],
                "deployment_id": DEPLOYMENT_ID,
            },
        }

    def _token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        if form.get("grant_type") != "client_credentials" or (
            form.get("client_assertion_type") != claims.JWT_BEARER
        ):
            return 400, {"error": "unsupported_grant_type"}
        tool_jwks = Client().get("/lti/jwks.json").json()
        header = jwt.get_unverified_header(form["client_assertion"])
        key = jwt.PyJWKSet.from_dict(tool_jwks)[header["kid"]]
        try:
            assertion = jwt.decode(
                form["client_assertion"],
                key.key,
                algorithms=["RS256"],
                audience=ISSUER + "/token",
                options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]},
            )
        except jwt.InvalidTokenError as error:
            return 401, {"error": "invalid_client", "detail": str(error)}
        if (
            assertion["iss"] not in self.client_ids
            or assertion["sub"] != assertion["iss"]
        ):
            return 401, {"error": "invalid_client"}
        self.assertions.append({"kid": header["kid"], **assertion})
        token = secrets.token_urlsafe(12)
        self.tokens[token] = form["scope"].split()
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": form["scope"],
        }

    def _scopes(self, request) -> list[str]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return self.tokens.get(token, [])

    def _lineitems(self, request):
        granted = self._scopes(request)
        if not {claims.SCOPE_LINEITEM, claims.SCOPE_LINEITEM_READONLY} & set(granted):
            return 401, {"error": "scope"}
        wanted = parse_qs(urlsplit(request.url).query).get("resource_link_id", [None])[
            0
        ]
        return 200, [i for i in self.lineitems if i["resourceLinkId"] == wanted]

    def _new_lineitem(self, request):
        if claims.SCOPE_LINEITEM not in self._scopes(request):
            return 401, {"error": "scope"}
        if request.headers.get("Content-Type") != claims.LINEITEM_MEDIA_TYPE:
            return 415, {"error": "media type"}
        item = json.loads(request.body)
        item["id"] = f"{LINEITEMS}/{len(self.lineitems) + 1}"
        self.lineitems.append(item)
        return 201, item

    def _score(self, request):
        if claims.SCOPE_SCORE not in self._scopes(request):
            return 401, {"error": "scope"}
        if request.headers.get("Content-Type") != claims.SCORE_MEDIA_TYPE:
            return 415, {"error": "media type"}
        if self.refuse_scores:
            return 503, {"error": "gradebook closed"}
        self.scores.append({"url": request.url, "body": json.loads(request.body)})
        return 204, None

    def _members(self, request, url):
        if claims.SCOPE_NRPS not in self._scopes(request):
            return 401, {"error": "scope"}
        if request.headers.get("Accept") != claims.MEMBERSHIPS_MEDIA_TYPE:
            return 406, {"error": "media type"}
        page = int(parse_qs(url.query).get("page", ["0"])[0])
        start = page * self.page_size
        chunk = self.members[start : start + self.page_size]
        headers = {}
        if start + self.page_size < len(self.members):
            headers["Link"] = (
                f'<{MEMBERSHIPS}?{urlencode({"page": page + 1})}>; rel="next"'
            )
        body = {
            "id": MEMBERSHIPS,
            "context": {"id": "course-7", "title": "Patrol in-service 2026"},
            "members": chunk,
        }
        return 200, body, headers


def _claim(name: str) -> str:
    short = {
        "message_type": claims.MESSAGE_TYPE,
        "version": claims.VERSION,
        "deployment_id": claims.DEPLOYMENT_ID,
        "roles": claims.ROLES,
        "resource_link": claims.RESOURCE_LINK,
        "custom": claims.CUSTOM,
        "ags": claims.AGS_ENDPOINT,
        "nrps": claims.NRPS_SERVICE,
        "dl_settings": claims.DL_SETTINGS,
        "target_link_uri": claims.TARGET_LINK_URI,
    }
    return short.get(name, name)


def _response(request, status: int, body, headers: dict) -> outbound.Response:
    message = Message()
    for name, value in {"Content-Type": "application/json", **headers}.items():
        message[name] = value
    content = b"" if body is None else json.dumps(body).encode()
    return outbound.Response(request.url, status, message, content)


def member(user_id: str, given: str, family: str, email: str = "", **extra) -> dict:
    """One NRPS 2.0 member (section 2.2), a learner unless `roles` says otherwise."""
    return {
        "status": "Active",
        "user_id": user_id,
        "given_name": given,
        "family_name": family,
        "name": f"{given} {family}",
        "email": email,
        "roles": [claims.LEARNER],
        **extra,
    }


# The platform's storage frame (1EdTech "LTI postMessage Storage"), for the
# browser tests: the LMS's page holds it, named in `lti_storage_target`. It keeps
# each sender origin's data apart, and answers lti.capabilities, lti.put_data and
# lti.get_data (an unknown key: an error) to the window that asked, at its origin.
STORAGE_FRAME = "lti-storage"
STORAGE_FRAME_PAGE = """<!doctype html><title>LMS storage</title><script>
var kept = {};
window.addEventListener("message", function (event) {
  var asked = event.data || {};
  var reply = {subject: asked.subject + ".response", message_id: asked.message_id};
  var slot = event.origin + " " + asked.key;
  if (asked.subject === "lti.capabilities") {
    reply.supported_messages = [
      {subject: "lti.put_data", frame: "FRAME"},
      {subject: "lti.get_data", frame: "FRAME"}
    ];
  } else if (asked.subject === "lti.put_data") {
    kept[slot] = asked.value;
    reply.key = asked.key;
    reply.value = asked.value;
  } else if (asked.subject === "lti.get_data") {
    reply.key = asked.key;
    if (Object.prototype.hasOwnProperty.call(kept, slot)) {
      reply.value = kept[slot];
    } else {
      reply.error = {code: "bad_request", message: "Nothing kept under that key."};
    }
  } else {
    return;
  }
  event.source.postMessage(reply, event.origin);
});
</script>""".replace("FRAME", STORAGE_FRAME)
