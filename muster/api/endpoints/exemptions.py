"""Writes to exemptions (waivers, extensions, approved absences): a
coordinator proposes, the agency head decides, through the screens' actions and
form rules; each audited, and a decision refreshes the person's stored
standings in its transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Status

from muster.accounts import access
from muster.agencies import actions, forms
from muster.agencies.choices import Approval
from muster.agencies.models import Exemption
from muster.api import schemas, serializers
from muster.api.conditional import check_if_match, idempotent, row_etag
from muster.api.endpoints.common import (
    WRITE_ERRORS,
    Id,
    answers,
    form_problem,
    holder,
    refused,
    require_write,
)

# One router for all: django-ninja joins the methods of one path only within one.
from muster.api.endpoints.reading import router
from muster.api.problems import ApiError


def _answer(response: HttpResponse, exemption: Exemption) -> dict[str, Any]:
    exemption.refresh_from_db()
    response["ETag"] = row_etag(exemption)
    return serializers.exemption(exemption)


@router.post(
    "/exemptions",
    tags=["records"],
    response=answers({201: schemas.Exemption}, WRITE_ERRORS),
)
def propose_exemption(
    request: HttpRequest, payload: schemas.NewExemption, response: HttpResponse
):
    """Propose a waiver or extension for a current employee of the agency named
    (`propose_exemption`): it is pending, and counts once the agency head
    approves it. Send an `Idempotency-Key` to retry safely."""
    user = holder(request)
    require_write(user)

    def create():
        person = access.api_person_for_recording(user, payload.agency, payload.person)
        agency = access.get_agency(user, payload.agency, access.WRITERS)
        data = payload.model_dump(exclude={"person", "agency"})
        form = forms.ExemptionForm(data=data, files={}, person=person)
        if not form.is_valid():
            raise form_problem(form.errors)
        try:
            exemption = actions.propose_exemption(
                actor=user.user,
                person=person,
                agency=agency,
                fields=form.exemption_fields(),
                request=request,
            )
        except (ValueError, DjangoValidationError) as error:
            raise refused(error) from None
        body = schemas.Exemption(**_answer(response, exemption))
        return 201, body.model_dump(mode="json")

    status, body = idempotent(request, user, create, response)
    return Status(status, body)


def _decidable(user, pk: int) -> Exemption:
    """A pending exemption the user decides, locked; else 403, 409 or 404."""
    try:
        return access.decidable_exemption_locked(user, pk)
    except Exemption.DoesNotExist:
        readable = access.exemptions(user).filter(pk=pk).first()
        if readable is None:
            raise Http404("No such exemption.") from None
        if readable.approval != Approval.PENDING:
            raise ApiError(
                409, "This exemption was already decided.", kind="decided"
            ) from None
        raise ApiError(
            403,
            "Only the head of the agency that proposed this exemption decides it.",
            kind="not-decidable",
        ) from None


@router.post(
    "/exemptions/{pk}/decision",
    tags=["records"],
    response=answers({200: schemas.Exemption}, WRITE_ERRORS),
)
def decide_exemption(
    request: HttpRequest,
    pk: Id,
    payload: schemas.ExemptionDecision,
    response: HttpResponse,
):
    """Approve or reject a proposed exemption (`decide_exemption`), as the
    agency head; a rejection says why in `note`. Needs `If-Match` with the
    exemption's ETag."""
    user = holder(request)
    # A head decides without being able to enter records: a read-write token
    # is all that is asked here; `_decidable` asks that the holder heads the
    # agency.
    if not access.token_may_decide(user):
        raise ApiError(
            403,
            "This token may only read: issue a read-write token to decide.",
            kind="read-only-token",
        )
    with transaction.atomic():
        exemption = _decidable(user, pk)
        check_if_match(request, row_etag(exemption))
        form = forms.ReviewForm(
            data={
                "decision": "approve" if payload.approve else "reject",
                "note": payload.note,
            }
        )
        if not form.is_valid():
            raise form_problem(form.errors)
        try:
            exemption = actions.decide_exemption(
                actor=user.user,
                exemption=exemption,
                approve=form.approves,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValueError as error:
            raise ApiError(409, str(error), kind="decided") from None
    return _answer(response, exemption)
