"""What every endpoint shares: the holder, declared error answers, paging query."""

from __future__ import annotations

from django.http import HttpRequest

from muster.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from muster.api.problems import Problem

# Every operation may answer these; each declares them, so the schema lists every
# status the API can return.
READ_ERRORS = (400, 401, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 422, 428)


def answers(ok: dict, errors=READ_ERRORS) -> dict:
    return ok | {status: Problem for status in errors}


def holder(request: HttpRequest):
    """The TokenHolder the request acts as (set by TokenAuth)."""
    return request.auth


LIMIT_DOC = f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})."
