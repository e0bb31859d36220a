"""The HTTP side of xAPI that every resource shares (Part Three).

Version header, authentication by an agency's LRS client, the 1.0.3 alternate
request syntax, strict JSON and multipart/mixed bodies, and errors as JSON.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from muster.xapi.models import LRSClient
from muster.xapi.statements import Part
from muster.xapi.validation import Invalid

SUPPORTED = {"1.0": "1.0.3", "2.0": "2.0.0"}
VERSION = re.compile(r"^(?P<major>[12]\.0)(?:\.\d+)?$")
ALTERNATE_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
    "accept-language": "HTTP_ACCEPT_LANGUAGE",
    "content-length": "CONTENT_LENGTH",
}


class Refused(Exception):
    """A request the LRS answers with an error status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class XRequest:
    """A request as the resources see it, after the alternate syntax is undone."""

    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    version: str
    client: LRSClient | None = None
    form_fields: set[str] = field(default_factory=set)
    path: str = "/xapi/statements"  # as requested: `more` links are made from it

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_v2(self) -> bool:
        return self.version.startswith("2")


def parse_request(request: HttpRequest, *, needs_auth: bool = True) -> XRequest:
    """Undo the alternate syntax, check the version and the credentials."""
    params, headers = _query(request), _headers(request)
    method, body = request.method or "GET", read_body(request)
    if "method" in params:
        method, params, headers, body = _alternate(request, params, headers, body)
    header = headers.get("x-experience-api-version")
    # The About resource is how a client learns which versions to send, so it
    # answers without the header (Part Three 3.3 and 2.8, XAPI-00321).
    version = check_version(header) if needs_auth or header else "2.0.0"
    for name, value in params.items():
        if "\x00" in value or len(value) > 20_000:
            raise Refused(400, f"{name}: not an acceptable value.")
    xrequest = XRequest(method, params, headers, body, version, path=request.path)
    if needs_auth:
        xrequest.client = authenticate(headers.get("authorization", ""))
    if xrequest.is_v2 and "method" in _query(request):
        raise Refused(400, "xAPI 2.0 has no alternate request syntax (method=).")
    return xrequest


def read_body(request: HttpRequest) -> bytes:
    """The request's body, or 413 if it is larger than the LRS takes.

    Part Three 3.2: a request refused for the size of its statement,
    attachment or document is 413, and the limit must be configurable to any
    reasonable size (MUSTER_XAPI_MAX_REQUEST_BYTES). Django's own
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, kept for forms) would refuse a
    statement with a larger attachment as a bare 400, so a body between the two
    is read here directly.
    """
    limit = settings.XAPI_MAX_REQUEST_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "Content-Length: not a number of bytes.") from None
    if length > limit:
        raise Refused(
            413, f"The request is {length} bytes; this LRS takes at most {limit}."
        )
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if django_limit is None or length <= django_limit or hasattr(request, "_body"):
        return request.body
    body = request.read()
    # Kept where Django keeps a body it has read, so that request.body (in
    # logging, or the alternate syntax's form) gives it again.
    request._body = body
    return body


def check_version(header: str | None) -> str:
    if not header:
        raise Refused(400, "The X-Experience-API-Version header is required.")
    match = VERSION.match(header.strip())
    if match is None:
        raise Refused(
            400,
            f"X-Experience-API-Version {header!r} is not supported; use 2.0.0 or 1.0.3.",
        )
    return SUPPORTED[match["major"]]


def authenticate(header: str) -> LRSClient:
    """The active LRS client named by HTTP Basic (key:secret) or Bearer key.secret."""
    scheme, _, value = header.partition(" ")
    key = secret = ""
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            decoded = ""
        key, _, secret = decoded.partition(":")
    elif scheme.lower() == "bearer":
        key, _, secret = value.strip().partition(".")
    client = None
    if key and secret:
        client = LRSClient.objects.select_related("agency").filter(key=key).first()
    if client is None or not client.is_active or not client.check_secret(secret):
        raise Refused(401, "Send the credentials of an active LRS client.")
    if (
        client.last_used_at is None
        or (timezone.now() - client.last_used_at).seconds > 60
    ):
        LRSClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client


def _query(request: HttpRequest) -> dict[str, str]:
    return {key: values[-1] for key, values in request.GET.lists()}


def _headers(request: HttpRequest) -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers.items()}


def _alternate(request, params, headers, body):
    """The 1.0.3 alternate syntax: POST ?method=X with headers and content in a form.

    The form's header fields stand for the request's headers; other fields are
    parameters; `content` is the body. A header the request really carries
    wins over its copy in the form (the form is for clients that cannot set
    it), except Content-Type and Content-Length, which on the request describe
    the form itself. Any parameter other than `method` in the query string is
    refused, as the specification requires.
    """
    if request.method != "POST":
        raise Refused(400, "The alternate request syntax (method=) needs POST.")
    if set(params) != {"method"}:
        raise Refused(400, "With method=, send every other parameter in the form body.")
    method = params["method"].upper()
    if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
        raise Refused(400, f"method={params['method']!r} is not an HTTP method.")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Refused(
            400, "The alternate request syntax needs a form (x-www-form-urlencoded)."
        )
    form = {
        k: v[-1]
        for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()
    }
    about_the_form = ("content-type", "content-length")
    new_headers = {k: v for k, v in headers.items() if k not in about_the_form}
    new_params, new_body = {}, b""
    for key, value in form.items():
        lowered = key.lower()
        if lowered in ALTERNATE_HEADERS:
            new_headers.setdefault(lowered, value)
        elif key == "content":
            new_body = value.encode("utf-8")
        else:
            new_params[key] = value
    if new_body and "content-type" not in new_headers:
        new_headers["content-type"] = "application/json"
    return method, new_params, new_headers, new_body


def load_json(body: bytes, what: str = "body") -> Any:
    """Parse JSON, refusing duplicate keys (xAPI: each property at most once)."""

    def no_duplicates(pairs):
        seen = {}
        for key, value in pairs:
            if key in seen:
                raise Invalid(f"{what}: the key {key!r} appears twice in one object.")
            seen[key] = value
        return seen

    def no_constants(name):
        raise Invalid(f"{what}: {name} is not a JSON value.")

    # A NUL cannot be stored (PostgreSQL's JSON refuses it), so it is refused here.
    if b"\\u0000" in body.lower():
        raise Invalid(f"{what}: strings may not contain the NUL character.")
    try:
        return json.loads(
            body.decode("utf-8"),
            object_pairs_hook=no_duplicates,
            parse_constant=no_constants,
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise Invalid(f"{what}: not valid JSON ({error}).") from None


def parse_multipart(
    body: bytes, content_type_header: str
) -> tuple[bytes, dict[str, Part]]:
    """A multipart/mixed statement request: the JSON part first, then attachments.

    Each attachment part names its SHA-2 in X-Experience-API-Hash; the content is
    hashed again here and refused if it does not match.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type_header)
    if match is None:
        raise Invalid("multipart/mixed: the Content-Type names no boundary.")
    delimiter = b"--" + match.group(1).encode()
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise Invalid("multipart/mixed: expected a statement part and its end.")
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        parts.append(_part(chunk))
    if not parts:
        raise Invalid("multipart/mixed: no parts.")
    first_headers, statements = parts[0]
    if (
        first_headers.get("content-type", "").split(";")[0].strip()
        != "application/json"
    ):
        raise Invalid("multipart/mixed: the first part must be application/json.")
    attachments: dict[str, Part] = {}
    for headers, content in parts[1:]:
        attachments.update(_attachment_part(headers, content))
    return statements, attachments


def multipart_body(statements_json: str, parts: list[Part]) -> tuple[bytes, str]:
    """A multipart/mixed body, the statements first and then one part per
    attachment, and its Content-Type. The boundary is plain hex, so it goes
    unquoted: the ADL suite reads it by cutting " boundary=" from the header
    (XAPI-00161)."""
    boundary = secrets.token_hex(16)
    chunks = [
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(),
        statements_json.encode(),
        b"\r\n",
    ]
    for part in parts:
        chunks += [
            f"--{boundary}\r\nContent-Type: {part.content_type}\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {part.sha2}\r\n\r\n".encode(),
            part.content,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def _part(chunk: bytes) -> tuple[dict[str, str], bytes]:
    chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk.lstrip(b"\n")
    # The headers end at the first blank line, CRLF or bare LF (some clients
    # send LF only); whichever comes first, so that binary content holding
    # the other form is never taken for the end of the headers.
    ends = [
        (at, len(blank))
        for blank in (b"\r\n\r\n", b"\n\n")
        if (at := chunk.find(blank)) >= 0
    ]
    if chunk.startswith((b"\r\n", b"\n")):  # a part with no headers at all
        ends = [(0, 2 if chunk.startswith(b"\r\n") else 1)]
    if ends:
        at, size = min(ends)
        head, content = chunk[:at], chunk[at + size :]
    else:
        head, content = chunk, b""
    if content.endswith(b"\r\n"):
        content = content[:-2]
    elif content.endswith(b"\n"):
        content = content[:-1]
    headers = {}
    for line in head.decode("latin-1").splitlines():
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip().lower()] = value.strip()
    return headers, content


def _attachment_part(headers: dict[str, str], content: bytes) -> dict[str, Part]:
    import hashlib

    sha2 = headers.get("x-experience-api-hash", "").lower()
    if not sha2:
        raise Invalid(
            "multipart/mixed: an attachment part has no X-Experience-API-Hash."
        )
    encoding = headers.get("content-transfer-encoding", "binary").lower()
    if encoding != "binary":
        raise Invalid(
            "multipart/mixed: attachment parts must be Content-Transfer-Encoding: binary."
        )
    algorithm = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}.get(len(sha2))
    if algorithm is None or hashlib.new(algorithm, content).hexdigest() != sha2:
        raise Invalid(f"attachment part {sha2}: the content does not have this hash.")
    content_type = headers.get("content-type", "application/octet-stream")
    length = headers.get("content-length")
    # ASCII digits only: str.isdigit() also takes "²" (byte 0xB2), which int() refuses.
    if length is not None and not re.fullmatch(r"[0-9]+", length):
        raise Invalid(f"attachment part {sha2}: Content-Length is not a number.")
    # What the part's own headers say, to hold against the attachment object.
    part = Part(
        sha2=sha2,
        content_type=content_type,
        content=content,
        header_type=headers.get("content-type"),
        header_length=int(length) if length is not None else None,
    )
    return {sha2: part}


def error(status: int, message: str, version: str = "2.0.0") -> HttpResponse:
    """An error answer: the message as plain text for 2.0, {"error": message} for 1.0.x.

    xAPI gives errors no format, only a message explaining the cause. The 2.0
    conformance suite reads the body of a 409 as a string (its HTTP client
    decodes any JSON body into an object), so 2.0 answers in text/plain; 1.0.x
    clients, cmi5 content among them, keep the JSON object they already read.
    """
    if version.startswith("2"):
        response = HttpResponse(
            message, status=status, content_type="text/plain; charset=utf-8"
        )
    else:
        response = JsonResponse({"error": message}, status=status)
    response["X-Experience-API-Version"] = version
    return response


def error_message(response: HttpResponse) -> str:
    """The message of an error answer, whichever version it was given in."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)["error"]
    return response.content.decode()
