"""RFC 9457 problem details: every error of the API as `application/problem+json`.

Each problem has a `type` (a tag URI, listed in docs/api.md), a `title`, the
HTTP `status`, a `detail` in words and, for bad input, `errors`: one entry per
field, naming it (`field`, and `pointer` as a JSON Pointer into the body).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "tag:muster,2026:problem/"


class FieldError(BaseModel):
    field: str
    pointer: str
    detail: str


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


def problem_response(
    request: HttpRequest | None,
    status: int,
    detail: str,
    *,
    kind: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem+json response; `kind` names its type (default: the status's)."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (kind or phrase.lower().replace(" ", "-")),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_error(location: list | tuple, detail: str) -> dict[str, str]:
    """One entry of `errors` from a location such as ("body", "lines", 0, "hours").

    The first part says where the value came from (body, query, path, header)
    and is kept in `field` only outside the body.
    """
    parts = [str(part) for part in location]
    source, rest = (parts[0], parts[1:]) if parts else ("body", [])
    if source == "body" and rest and rest[0] == "payload":
        rest = rest[1:]
    field = ".".join(rest) if source == "body" else ".".join([source, *rest])
    pointer = "#/" + "/".join(rest) if source == "body" else ""
    return {"field": field or source, "pointer": pointer, "detail": detail}


class ApiError(Exception):
    """Raised by endpoints to answer with a problem (caught in `api.py`)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.kind = status, detail, kind
        self.errors, self.headers = errors, headers


class ProblemMiddleware:
    """Turn any other error answer under /api/ (Django's 404 and 500 pages,
    django-ninja's plain 405) into problem+json, keeping status and headers."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and (repeated := _repeated_query(request)):
            return repeated
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(MEDIA_TYPE):
            return response
        detail = {
            404: "There is nothing at this address.",
            405: f"{request.method} is not allowed here.",
        }.get(response.status_code, HTTPStatus(response.status_code).description)
        # Allow (405) and Retry-After (503: the database is briefly gone) tell
        # the client what to do next: keep them.
        headers = {
            name: response[name]
            for name in ("Allow", "Retry-After")
            if response.has_header(name)
        }
        return problem_response(request, response.status_code, detail, headers=headers)


def _repeated_query(request: HttpRequest) -> HttpResponse | None:
    """A 422 naming a query parameter given more than once: every parameter of
    this API takes one value, and silently keeping the last would hide the
    client's mistake (`?agency=a&agency=b`)."""
    repeated = [name for name, values in request.GET.lists() if len(values) > 1]
    if not repeated:
        return None
    return problem_response(
        request,
        422,
        "A query parameter was given more than once; each takes one value.",
        kind="repeated-parameter",
        errors=[
            field_error(("query", name), "Given more than once.") for name in repeated
        ],
    )
