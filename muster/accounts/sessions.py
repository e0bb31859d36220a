"""The idle timeout without a database write on every request.

A session ends after SESSION_COOKIE_AGE (30 minutes, the CJIS session lock)
without a request. Django's way to slide that window, SESSION_SAVE_EVERY_REQUEST,
rewrites the session row on every request: for a lesson that sends a seat-time
heartbeat every 15 seconds that is a transaction per heartbeat that changes
nothing but the expiry. Here the session is saved when it changed, or when its
expiry was last pushed back more than SESSION_REFRESH_SECONDS ago. A session
therefore ends between 30 minutes minus that refresh interval and 30 minutes
after the last request: never later than the lock allows.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Where the session keeps the time (epoch seconds) of its last refresh.
REFRESHED_AT = "_muster_session_refreshed_at"


def refresh_interval() -> int:
    return getattr(settings, "SESSION_REFRESH_SECONDS", 60)


class SlidingSessionMiddleware:
    """Mark an existing session modified (so SessionMiddleware saves it, with a
    new expiry) once its last refresh is older than the refresh interval."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only a session the browser already holds: an anonymous request without
        # a cookie must not create one.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response
        session = getattr(request, "session", None)
        # A session holding nothing (signed out, or unreadable: a changed secret
        # key) has nothing to keep alive; writing the time would revive it.
        if session is None or session.is_empty() or not list(session.keys()):
            return response
        now = int(time.time())
        if now - int(session.get(REFRESHED_AT, 0)) >= refresh_interval():
            session[REFRESHED_AT] = now
        return response
