"""One log line per request, and a request id on every line logged while serving it.

`RequestLogMiddleware` gives each request an id (a trusted proxy's `X-Request-ID`,
or a new one), returns it in the response's `X-Request-ID` header, and logs the
request's method, route, status, duration and user when it ends. `RequestIdFilter`
adds that id to every record, so that a traceback logged by Django can be matched
to the request that caused it. settings.LOGGING formats records as JSON lines on
standard output in deployment (MUSTER_LOG_FORMAT).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("muster.requests")

# The id of the request this thread is serving, or "-" outside a request.
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# What a proxy's id may look like (nginx's $request_id is 32 hex digits, a UUID
# has dashes): anything else is replaced, so a client cannot forge log lines.
WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id when Muster is behind trusted proxies, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    trusts_proxy = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) > 0
    if trusts_proxy and WELL_FORMED_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Number the request, log how it ended; first in MIDDLEWARE, so it sees all."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request)
        # Kept until the response is closed (`forget_request_id`), not only while
        # the middleware runs: Django logs a failed request's status after the
        # last middleware has returned.
        current_request_id.set(request.request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        logger.info(
            "%s %s %s",
            request.method,
            route_of(request),
            response.status_code,
            extra=_fields(request, response.status_code, started),
        )
        return response


@receiver(request_finished, dispatch_uid="muster.logs.forget_request_id")
def forget_request_id(**kwargs) -> None:
    """Lines logged by this thread between requests carry no request's id."""
    current_request_id.set("-")


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (`people/<int:pk>/`), never the path itself:
    paths can carry secrets, such as a password-reset link's key."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "(no route)"
    return "/" + match.route


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id if the request already loaded it; loading it here
    would read the session (and the database) for requests that never did."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk


def _fields(request: HttpRequest, status: int, started: float) -> dict:
    match = getattr(request, "resolver_match", None)
    return {
        "method": request.method,
        "route": route_of(request),
        "view": match.view_name if match else "",
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": _user_id(request),
    }


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (for the formatters in settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
