"""What every endpoint shares: the holder, declared error answers, paging query."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Path
from pydantic import Field

from muster.accounts import access
from muster.api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from muster.api.problems import ApiError, Problem
from muster.api.schemas import IsoDay

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


# Ids and days within what the database and the calendar can hold, so that a
# generated 2**70 or year 9999 is a 422 naming it, not a server error.
Id = Annotated[int, Path(ge=1, le=2**53)]
Day = Annotated[IsoDay | None, Field(None, ge=date(1950, 1, 1), le=date(2100, 12, 31))]


def require_write(user) -> None:
    if not access.token_may_write(user):
        raise ApiError(
            403,
            "This token may only read: issue a read-write token to change records.",
            kind="read-only-token",
        )


def form_problem(form_errors: dict, prefix: str = "") -> ApiError:
    errors = [
        {
            "field": f"{prefix}{name}"
            if name != "__all__"
            else (prefix.rstrip(".") or "body"),
            "pointer": "#/" + f"{prefix}{name}".replace(".", "/")
            if name != "__all__"
            else "",
            "detail": " ".join(str(m) for m in messages),
        }
        for name, messages in form_errors.items()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return ApiError(422, f"Check {fields}.", kind="validation", errors=errors)


def refused(error: Exception) -> ApiError:
    if isinstance(error, DjangoValidationError):
        detail = " ".join(error.messages)
        errors = [
            {"field": name, "pointer": f"#/{name}", "detail": " ".join(m)}
            for name, m in getattr(error, "message_dict", {}).items()
        ]
        return ApiError(422, detail, kind="validation", errors=errors)
    return ApiError(409, str(error), kind="conflict")


def locked_for_change(editable, readable, pk: int, what: str, missing: str = ""):
    """The row `pk` of `editable`, locked for a change; else 403 when the user
    may read it but not change it (saying who may), else 404. `what` names it
    ("record", "qualification"); `missing` in the 404, if not the same."""
    try:
        return editable.select_for_update().get(pk=pk)
    except editable.model.DoesNotExist:
        if readable.filter(pk=pk).exists():
            raise ApiError(
                403,
                f"Only a coordinator of the agency that entered this {what} may "
                "correct or void it.",
                kind="not-editable",
            ) from None
        raise Http404(f"No such {missing or what}.") from None


def require_void_reason(reason: str, what: str) -> None:
    """A void says why: a blank reason is a 422 naming the field."""
    if not reason.strip():
        raise ApiError(
            422,
            f"Say why the {what} is void.",
            kind="validation",
            errors=[{"field": "reason", "pointer": "#/reason", "detail": "Blank."}],
        )
