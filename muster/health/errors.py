"""The server error page, telling faults the user can wait out from bugs.

Django calls `server_error` (urls.py's `handler500`) while the exception is
being handled, from any layer, middleware included, so it sees what went wrong:

- the database gone (a restart, a dropped connection): 503, "try again in a
  minute". Django drops the broken connection at the end of the request, so the
  next one connects afresh;
- the upload storage full (ENOSPC): 507, "nothing was saved". The write's
  transaction was rolled back when the error left the action;
- anything else: the plain 500 page.

The pages are rendered without a request context: the context processors read
the session and the user, which are in the database that may be gone.
"""

from __future__ import annotations

import errno
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

DATABASE_GONE = (OperationalError, InterfaceError)
PAGES = {
    503: (
        "Muster is briefly unavailable",
        "Muster cannot reach its database just now. Nothing you entered was "
        "half-saved: a change is stored whole or not at all. Try again in a minute.",
    ),
    507: (
        "The server's storage is full",
        "Your file could not be stored because the server's disk is full, so "
        "nothing was saved. Tell your administrator; try again once they have "
        "made room.",
    ),
}


def status_for(error: BaseException | None) -> int:
    """503, 507 or 500 for the exception being handled."""
    seen = error
    while seen is not None:
        if isinstance(seen, DATABASE_GONE) or (
            isinstance(seen, DatabaseError) and _connection_lost(seen)
        ):
            return 503
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return 507
        seen = seen.__cause__ or seen.__context__
    return 500


def _connection_lost(error: DatabaseError) -> bool:
    return "terminating connection" in str(error) or "server closed" in str(error)


def server_error(request: HttpRequest) -> HttpResponse:
    status = status_for(sys.exc_info()[1])
    if status == 500:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    heading, explanation = PAGES[status]
    page = loader.render_to_string(
        "unavailable.html",
        {"status": status, "heading": heading, "explanation": explanation},
    )
    response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response
