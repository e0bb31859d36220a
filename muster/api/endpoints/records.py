"""Writes to training records: create, correct, void, through the same actions
and the same form rules as the screens (muster.agencies), each audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from ninja import Status

from muster.accounts import access
from muster.agencies import actions, forms
from muster.agencies.models import TrainingRecord
from muster.api import schemas, serializers
from muster.api.conditional import check_if_match, etag_of, idempotent
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
from muster.api.endpoints.reading import router  # noqa: E402
from muster.api.problems import ApiError


def _clean(person, fields: dict[str, Any], lines, *, record=None):
    """The screens' rules over the fields and lines; a 422 naming each field."""
    data = {k: ("" if v is None else v) for k, v in fields.items()}
    form_class = forms.CorrectionForm if record is not None else forms.TrainingForm
    if record is not None:
        data["reason"] = "checked separately"
    form = form_class(data=data, instance=record, person=person)
    if not form.is_valid():
        raise form_problem(form.errors)
    cleaned = []
    for number, line in enumerate(lines):
        line_form = forms.CreditLineForm(
            data={"hours": line.hours, "area": line.area, "topics": line.topics}
        )
        if not line_form.is_valid():
            raise form_problem(line_form.errors, prefix=f"lines.{number}.")
        cleaned.append(line_form.cleaned_data)
    return form.record_fields(), cleaned


def _record_fields_of(record: TrainingRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in actions.RECORD_FIELDS}


def _duplicate(error: actions.DuplicateTraining) -> ApiError:
    return ApiError(409, str(error), kind="duplicate-training")


def _answer(response: HttpResponse, record: TrainingRecord):
    # As stored by the action, with the lines and evidence the answer shows.
    record.refresh_from_db()
    prefetch_related_objects([record], "agency", "credit_lines", "evidence")
    response["ETag"] = etag_of(actions.record_snapshot(record))
    return serializers.record(record)


@router.post(
    "/records",
    tags=["records"],
    response=answers({201: schemas.TrainingRecord}, WRITE_ERRORS),
)
def create_record(
    request: HttpRequest, payload: schemas.NewTrainingRecord, response: HttpResponse
):
    """Record training for a current employee of the agency named (the
    coordinator's form, through `record_training`). Send an `Idempotency-Key`
    to retry safely."""
    user = holder(request)
    require_write(user)

    def create():
        person = access.api_person_for_recording(user, payload.agency, payload.person)
        fields = payload.model_dump(exclude={"person", "agency", "lines"})
        fields, lines = _clean(person, fields, payload.lines)
        agency = access.get_agency(user, payload.agency, access.WRITERS)
        try:
            record = actions.record_training(
                actor=user.user,
                person=person,
                agency=agency,
                fields=fields,
                lines=lines,
                reason="Entered through the API",
                request=request,
            )
        except actions.DuplicateTraining as error:
            raise _duplicate(error) from None
        except (ValueError, DjangoValidationError) as error:
            raise refused(error) from None
        # As JSON, so that the very same answer can be stored and replayed.
        body = schemas.TrainingRecord(**_answer(response, record))
        return 201, body.model_dump(mode="json")

    status, body = idempotent(request, user, create, response)
    return Status(status, body)


def _editable(user, pk: int) -> TrainingRecord:
    """A record the user may change, locked; else 403 (readable) or 404."""
    return locked_for_change(
        access.editable_records(user),
        access.records(user),
        pk,
        "record",
        missing="training record",
    )


@router.patch(
    "/records/{pk}",
    tags=["records"],
    response=answers({200: schemas.TrainingRecord}, WRITE_ERRORS),
)
def correct_record(
    request: HttpRequest,
    pk: Id,
    payload: schemas.TrainingCorrection,
    response: HttpResponse,
):
    """Correct a record (`correct_training`): the old version stays in its
    history. Needs `If-Match` with the record's ETag."""
    user = holder(request)
    require_write(user)
    with transaction.atomic():
        record = _editable(user, pk)
        check_if_match(request, etag_of(actions.record_snapshot(record)))
        if record.is_void:
            raise ApiError(
                409, "This record is void; it cannot be corrected.", kind="void"
            )
        changes = payload.model_dump(exclude_unset=True, exclude={"reason", "lines"})
        fields, lines = _clean(
            record.person,
            _record_fields_of(record) | changes,
            payload.lines
            if payload.lines is not None
            else [schemas.CreditLine(**line) for line in _lines_of(record)],
            record=record,
        )
        try:
            record = actions.correct_training(
                actor=user.user,
                record=record,
                fields=fields,
                lines=lines,
                reason=payload.reason,
                request=request,
            )
        except actions.DuplicateTraining as error:
            raise _duplicate(error) from None
        except (ValueError, DjangoValidationError) as error:
            raise refused(error) from None
    return _answer(response, record)


def _lines_of(record: TrainingRecord) -> list[dict[str, Any]]:
    return [
        {"hours": line.hours, "area": line.area, "topics": list(line.topics)}
        for line in record.credit_lines.all()
    ]


@router.post(
    "/records/{pk}/void",
    tags=["records"],
    response=answers({200: schemas.TrainingRecord}, WRITE_ERRORS),
)
def void_record(
    request: HttpRequest, pk: Id, payload: schemas.Void, response: HttpResponse
):
    """Void a record with a reason (`void_training`): it stops counting and
    stays on file. Needs `If-Match` with the record's ETag."""
    user = holder(request)
    require_write(user)
    with transaction.atomic():
        record = _editable(user, pk)
        check_if_match(request, etag_of(actions.record_snapshot(record)))
        require_void_reason(payload.reason, "record")
        try:
            record = actions.void_training(
                actor=user.user, record=record, reason=payload.reason, request=request
            )
        except ValueError as error:
            raise ApiError(409, str(error), kind="void") from None
    return _answer(response, record)
