"""Writes to firearms qualifications: record, correct, void, through the
screens' actions and form rules (muster.agencies), each audited and each
refreshing the person's stored standings in its transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Status

from muster.accounts import access
from muster.agencies import actions, forms
from muster.agencies.models import Qualification
from muster.api import schemas, serializers
from muster.api.conditional import check_if_match, idempotent, row_etag
from muster.api.endpoints.common import (
    WRITE_ERRORS,
    Id,
    answers,
    form_problem,
    holder,
    locked_for_change,
    refused,
    require_void_reason,
    require_write,
)

# One router for all: django-ninja joins the methods of one path only within one.
from muster.api.endpoints.reading import router
from muster.api.problems import ApiError


def _form_data(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the screens' form receives them (blank, not None)."""
    return {name: ("" if value is None else value) for name, value in fields.items()}


def _answer(response: HttpResponse, qualification: Qualification) -> dict[str, Any]:
    qualification.refresh_from_db()
    response["ETag"] = row_etag(qualification)
    return serializers.qualification(qualification)


@router.post(
    "/qualifications",
    tags=["records"],
    response=answers({201: schemas.Qualification}, WRITE_ERRORS),
)
def create_qualification(
    request: HttpRequest, payload: schemas.NewQualification, response: HttpResponse
):
    """Record a firearms qualification attempt for a current employee of the
    agency named (`record_qualification`). Send an `Idempotency-Key` to retry
    safely."""
    user = holder(request)
    require_write(user)

    def create():
        person = access.api_person_for_recording(user, payload.agency, payload.person)
        agency = access.get_agency(user, payload.agency, access.WRITERS)
        fields = payload.model_dump(exclude={"person", "agency"})
        form = forms.QualificationForm(data=_form_data(fields), person=person)
        if not form.is_valid():
            raise form_problem(form.errors)
        try:
            qualification = actions.record_qualification(
                actor=user.user,
                person=person,
                agency=agency,
                fields=form.cleaned_data,
                request=request,
            )
        except (ValueError, DjangoValidationError) as error:
            raise refused(error) from None
        body = schemas.Qualification(**_answer(response, qualification))
        return 201, body.model_dump(mode="json")

    status, body = idempotent(request, user, create, response)
    return Status(status, body)


def _editable(user, pk: int) -> Qualification:
    """A live qualification the user may change, locked; else 403 or 404."""
    return locked_for_change(
        access.editable_qualifications(user).select_related("person", "agency"),
        access.qualifications(user),
        pk,
        "qualification",
    )


@router.patch(
    "/qualifications/{pk}",
    tags=["records"],
    response=answers({200: schemas.Qualification}, WRITE_ERRORS),
)
def correct_qualification(
    request: HttpRequest,
    pk: Id,
    payload: schemas.QualificationCorrection,
    response: HttpResponse,
):
    """Correct a qualification (`correct_qualification`): the old version stays
    in its history. Needs `If-Match` with the qualification's ETag."""
    user = holder(request)
    require_write(user)
    with transaction.atomic():
        qualification = _editable(user, pk)
        check_if_match(request, row_etag(qualification))
        if qualification.is_void:
            raise ApiError(
                409, "This qualification is void; it cannot be corrected.", kind="void"
            )
        current = {
            name: getattr(qualification, name) for name in actions.QUALIFICATION_FIELDS
        }
        changes = payload.model_dump(exclude_unset=True, exclude={"reason"})
        data = _form_data(current | changes) | {"reason": payload.reason}
        form = forms.QualificationCorrectionForm(data=data, instance=qualification)
        if not form.is_valid():
            raise form_problem(form.errors)
        try:
            qualification = actions.correct_qualification(
                actor=user.user,
                qualification=qualification,
                fields=form.qualification_fields(),
                reason=payload.reason,
                request=request,
            )
        except (ValueError, DjangoValidationError) as error:
            raise refused(error) from None
    return _answer(response, qualification)


@router.post(
    "/qualifications/{pk}/void",
    tags=["records"],
    response=answers({200: schemas.Qualification}, WRITE_ERRORS),
)
def void_qualification(
    request: HttpRequest, pk: Id, payload: schemas.Void, response: HttpResponse
):
    """Void a qualification with a reason (`void_qualification`): it stops
    counting and stays on file. Needs `If-Match` with its ETag."""
    user = holder(request)
    require_write(user)
    with transaction.atomic():
        qualification = _editable(user, pk)
        check_if_match(request, row_etag(qualification))
        require_void_reason(payload.reason, "qualification")
        try:
            qualification = actions.void_qualification(
                actor=user.user,
                qualification=qualification,
                reason=payload.reason,
                request=request,
            )
        except ValueError as error:
            raise ApiError(409, str(error), kind="void") from None
    return _answer(response, qualification)
