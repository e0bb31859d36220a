"""Imports and transfer requests as actions, each in one transaction with its audit.

Imports: store an upload, map its columns, plan it, apply it all or nothing.
Transfer requests (docs/transfers.md): a roster confirm files them; the releasing
agency approves or declines, the officer accepts or declines, the requesting
agency withdraws. Callers (views) decide who may act, through
`muster.accounts.access`; these functions do not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import Agency, Employment, Person
from muster.audit.choices import Action
from muster.audit.log import Event, record_event, record_events, snapshot
from muster.tabular import Limits, Problem, Table, TableError, read_table
from muster.transfers import roster, training
from muster.transfers.columns import ValueUse, guess_mapping
from muster.transfers.columns import value_uses as columns_value_uses
from muster.transfers.models import (
    ExportJob,
    ExportStatus,
    ImportBatch,
    ImportKind,
    TransferRequest,
    TransferStatus,
)

CONCURRENT_WRITE = (
    "another import or transfer wrote some of the same licenses at the same "
    "moment. Open the preview again: it shows what is left to do."
)


class Kind(NamedTuple):
    """What one kind of import reads, and how it plans and applies a file."""

    columns: tuple
    plan: Callable
    apply: Callable
    # The columns with all their allowed values (topics come from the engine).
    columns_with_choices: Callable[[], tuple]


KINDS = {
    ImportKind.ROSTER: Kind(
        roster.COLUMNS, roster.plan_roster, roster.apply_roster, roster.columns
    ),
    ImportKind.TRAINING: Kind(
        training.COLUMNS,
        training.plan_training,
        training.apply_training,
        training.columns,
    ),
}


def columns_for(batch: ImportBatch):
    return KINDS[batch.kind].columns


def value_uses(batch: ImportBatch, table: Table) -> list[ValueUse]:
    """The values of the batch's mapped choice columns, and how each is read."""
    columns = KINDS[batch.kind].columns_with_choices()
    return columns_value_uses(table, columns, batch.mapping)


def template_csv(kind: str) -> bytes:
    """A CSV template: the header row Muster reads and one example row."""
    columns = KINDS[kind].columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.label for column in columns])
    writer.writerow([column.example for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def import_limits() -> Limits:
    """The bounds on an import file, from the IMPORT_* settings."""
    return Limits(
        max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_cells=settings.IMPORT_MAX_CELLS,
        max_unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES,
        max_zip_ratio=settings.IMPORT_MAX_ZIP_RATIO,
        max_seconds=settings.IMPORT_MAX_SECONDS,
    )


def read_upload(file_name: str, data: bytes) -> Table:
    """The table in an uploaded file, within the import limits, or TableError."""
    return read_table(file_name, data, import_limits())


def upload_batch(
    agency, kind: str, file_name: str, data: bytes, headers: list[str], *, actor
) -> ImportBatch:
    """Store an uploaded file, read already, with a mapping guessed from `headers`."""
    return ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        file_name=file_name[:200],
        content=data,
        mapping=guess_mapping(KINDS[kind].columns, headers),
        uploaded_by=actor,
    )


def map_columns(batch: ImportBatch, mapping: dict) -> None:
    """Keep the coordinator's choice of which file column fills which field."""
    batch.mapping = mapping
    batch.save(update_fields=["mapping"])


def plan_batch(batch: ImportBatch, kept_fields: roster.KeptFields):
    """The batch's plan, from the stored file and mapping; file problems included.

    `kept_fields` is the caller's access decision (`access.kept_fields_of`, bound
    to the user who previews or confirms): which shared details of people another
    agency employs too a roster row leaves as they are.
    """
    plan = KINDS[batch.kind].plan
    try:
        table = read_upload(batch.file_name, bytes(batch.content))
    except TableError as error:
        return _FilePlan([error.problem])
    result = plan(batch.agency, table, batch.mapping, **_kept(batch, kept_fields))
    result.translated = [use for use in value_uses(batch, table) if use.is_translated]
    # File-wide problems first, then by row, in the order found within a row.
    result.problems.sort(key=lambda problem: problem.row or 0)
    return result


def _kept(batch: ImportBatch, kept_fields) -> dict:
    """What a roster's plan and apply are given to keep; training changes no one's
    details."""
    return {"kept_fields": kept_fields} if batch.kind == ImportKind.ROSTER else {}


class _FilePlan:
    """A plan for a file that could not be read at all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.plans: list = []
        self.translated: list = []

    def count(self, action: str) -> int:
        return 0


def batch_reason(batch: ImportBatch) -> str:
    """The reason on every audit entry an applied batch wrote: how its rows are
    found again, to undo it."""
    return f"{batch.get_kind_display()} import of {batch.file_name} (#{batch.pk})"


def records_created_by(batch: ImportBatch):
    """The training records a training import created, found by its audit entries."""
    from muster.agencies.models import TrainingRecord
    from muster.audit.models import AuditEntry

    ids = AuditEntry.objects.filter(
        object_type=TrainingRecord._meta.label,
        agency_id=batch.agency_id,
        reason=batch_reason(batch),
    ).values_list("object_id", flat=True)
    return TrainingRecord.objects.filter(
        pk__in=[int(i) for i in ids], agency=batch.agency
    ).order_by("pk")


def apply_batch(batch: ImportBatch, actor, kept_fields: roster.KeptFields) -> dict:
    """Plan again and apply, in one transaction; any problem writes nothing.
    `kept_fields` as for `plan_batch`, bound to `actor`.

    Returns the counts per action, or raises `ValueError` listing the problems.
    Confirms for one agency run one at a time: each plans again once the one
    before it has committed, so two batches of the same file create each person
    once (the second finds them unchanged).
    """
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.is_applied:
                raise ValueError("This import was already confirmed.")
            Agency.objects.select_for_update().only("pk").get(pk=locked.agency_id)
            plan = plan_batch(locked, kept_fields)
            if plan.problems:
                raise ValueError("; ".join(str(p) for p in plan.problems[:20]))
            reason = batch_reason(locked)
            counts = KINDS[locked.kind].apply(
                locked.agency,
                plan,
                actor=actor,
                reason=reason,
                **_kept(locked, kept_fields),
            )
            request_transfers(
                locked, getattr(plan, "transfers", []), actor=actor, reason=reason
            )
            locked.applied_at = timezone.now()
            locked.summary = counts
            locked.save(update_fields=["applied_at", "summary"])
    except IntegrityError:
        # Another agency's confirm took a license number this one was creating.
        raise ValueError(CONCURRENT_WRITE) from None
    return counts


# Transfer requests ------------------------------------------------------------


class TransferClosed(Exception):
    """The request was decided already, or can no longer be decided this way."""


def request_transfers(batch: ImportBatch, transfers, *, actor, reason: str) -> None:
    """File one pending request per (roster row, license held elsewhere)."""
    if not transfers:
        return
    today = timezone.localdate()
    releasing = _current_employers(
        batch.agency, [license.person_id for _, license in transfers]
    )
    requests = TransferRequest.objects.bulk_create(
        TransferRequest(
            requesting_agency=batch.agency,
            person_id=license.person_id,
            releasing_agency_id=releasing.get(license.person_id),
            license_state=license.jurisdiction,
            license_number=license.number,
            typed_first_name=row.values["first_name"],
            typed_last_name=row.values["last_name"],
            title=row.values["title"] or "",
            unit=row.values["unit"] or "",
            # A transfer never rewrites the past: a hire date already gone by
            # (often the one the file's own system holds) asks for today.
            starts_on=max(row.values["hired_on"] or today, today),
            batch=batch,
            requested_by=actor,
        )
        for row, license in transfers
    )
    record_events(
        [
            Event(
                Action.TRANSFER_REQUEST,
                actor=actor,
                obj=request,
                agency_id=batch.agency_id,
                reason=reason,
                after=snapshot(request),
            )
            for request in requests
        ]
    )


def _current_employers(agency: Agency, person_ids: list[int]) -> dict[int, int]:
    """Each person's most recent current employer other than `agency`."""
    employers: dict[int, int] = {}
    jobs = (
        Employment.objects.current()
        .filter(person_id__in=person_ids)
        .exclude(agency=agency)
        .order_by("starts_on", "pk")
    )
    for job in jobs:
        employers[job.person_id] = job.agency_id
    return employers


def approve_transfer(transfer: TransferRequest, *, actor, request=None):
    """The releasing agency (or a platform administrator) lets the person go.

    The person joins the requesting agency on the requested day and their job at
    the releasing agency ends the day before: a lateral transfer.
    """
    with transaction.atomic():
        locked = _lock_pending(transfer)
        if locked.releasing_agency_id and not _employs(
            locked.releasing_agency_id, locked.person_id
        ):
            raise TransferClosed(
                "The officer no longer works at the releasing agency, so it cannot "
                "release them; the officer or a platform administrator may decide."
            )
        move_person(locked, end_previous=True, actor=actor, request=request)
        return _close(locked, TransferStatus.APPROVED, actor, "", request)


def accept_transfer(transfer: TransferRequest, *, actor, request=None):
    """The officer, signed in as themself, agrees to join the requesting agency.

    Their other jobs go on: only their employer may end those (an officer may
    hold two posts, such as a reserve one).
    """
    with transaction.atomic():
        locked = _lock_pending(transfer)
        move_person(locked, end_previous=False, actor=actor, request=request)
        return _close(locked, TransferStatus.ACCEPTED, actor, "", request)


def decline_transfer(transfer: TransferRequest, *, actor, reason: str, request=None):
    """The releasing agency, the officer or a platform administrator says no."""
    with transaction.atomic():
        return _close(
            _lock_pending(transfer), TransferStatus.DECLINED, actor, reason, request
        )


def withdraw_transfer(transfer: TransferRequest, *, actor, reason: str, request=None):
    """The requesting agency takes its request back."""
    with transaction.atomic():
        return _close(
            _lock_pending(transfer), TransferStatus.WITHDRAWN, actor, reason, request
        )


def move_person(
    transfer: TransferRequest, *, end_previous: bool, actor, request=None
) -> Employment:
    """The employment change of an agreed transfer, audited; the one place for it.

    Creates the job at the requesting agency and, with `end_previous`, ends the
    person's jobs at the releasing agency the day before it starts (never before
    such a job began). Call inside the deciding transaction.
    """
    Person.objects.select_for_update().only("pk").get(pk=transfer.person_id)
    # Standings belong to the person, not the job; refreshed all the same, so that
    # every employment change goes with fresh figures.
    refresh_standings([transfer.person_id])
    # Decided after the day asked for: start on the day of the decision, so that
    # the releasing agency's past roster stays as it was.
    transfer.starts_on = max(transfer.starts_on, timezone.localdate())
    job = Employment.objects.create(
        person_id=transfer.person_id,
        agency_id=transfer.requesting_agency_id,
        starts_on=transfer.starts_on,
        title=transfer.title,
        unit=transfer.unit,
    )
    events = [
        Event(
            Action.EMPLOYMENT_CREATE,
            actor=actor,
            obj=job,
            agency_id=transfer.requesting_agency_id,
            reason=f"Transfer request #{transfer.pk}",
            after=snapshot(job),
            request=request,
        )
    ]
    if end_previous and transfer.releasing_agency_id:
        events += _end_jobs(transfer, actor, request)
    record_events(events)
    transfer.employment = job
    return job


def _end_jobs(transfer: TransferRequest, actor, request) -> list[Event]:
    last_day = transfer.starts_on - timedelta(days=1)
    jobs = Employment.objects.select_for_update().filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=last_day),
        person_id=transfer.person_id,
        agency_id=transfer.releasing_agency_id,
    )
    events = []
    for job in jobs:
        before = snapshot(job)
        job.ends_on = max(last_day, job.starts_on)
        job.save(update_fields=["ends_on"])
        events.append(
            Event(
                Action.EMPLOYMENT_CHANGE,
                actor=actor,
                obj=job,
                agency_id=transfer.releasing_agency_id,
                reason=f"Transfer request #{transfer.pk}: released",
                before=before,
                after=snapshot(job),
                request=request,
            )
        )
    return events


def _employs(agency_id: int, person_id: int) -> bool:
    return (
        Employment.objects.current()
        .filter(agency_id=agency_id, person_id=person_id)
        .exists()
    )


def _lock_pending(transfer: TransferRequest) -> TransferRequest:
    """The request's row, locked, if it is still pending; else `TransferClosed`.

    Checked under the lock so that two decisions made at once cannot both win.
    """
    locked = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if not locked.is_pending:
        raise TransferClosed(
            f"This request was {locked.get_status_display().lower()} already."
        )
    return locked


def _close(transfer, status, actor, reason: str, request) -> TransferRequest:
    before = snapshot(transfer)
    transfer.status = status
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.reason = reason.strip()
    transfer.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "reason",
            "employment",
            "starts_on",
        ]
    )
    action = {
        TransferStatus.APPROVED: Action.TRANSFER_APPROVE,
        TransferStatus.ACCEPTED: Action.TRANSFER_ACCEPT,
        TransferStatus.DECLINED: Action.TRANSFER_DECLINE,
        TransferStatus.WITHDRAWN: Action.TRANSFER_WITHDRAW,
    }[status]
    record_event(
        action,
        actor=actor,
        obj=transfer,
        agency_id=transfer.requesting_agency_id,
        reason=transfer.reason,
        before=before,
        after=snapshot(transfer),
        request=request,
    )
    return transfer


# Compliance reports of years the stored standings do not keep (docs/exports.md):
# evaluated by a task worker like a large what-if run, not inside the request.


def ask_compliance_export(
    user,
    agency: Agency,
    *,
    person_ids: list[int],
    year: int,
    fmt: str,
    today,
    request=None,
) -> ExportJob:
    """Store a compliance export of `agency` for `year` and its audit entry:
    evaluated at once for at most `MUSTER_EXPORT_INLINE` people, else queued
    for a task worker (`transfers.tasks.build_export`), which its page follows.

    `person_ids` are the agency's staff the user may see, decided through
    access by the caller; the worker evaluates those and no one else.
    """
    with transaction.atomic():
        job = ExportJob.objects.create(
            agency=agency,
            year=year,
            fmt=fmt,
            as_of=today,
            requested_by=user,
            people=len(person_ids),
            person_ids=sorted(person_ids),
        )
        record_event(
            Action.EXPORT_REQUEST,
            actor=user,
            request=request,
            obj=job,
            agency_id=agency.pk,
            reason=f"Compliance report {year} ({fmt}), {len(person_ids)} people",
        )
        inline = job.people <= settings.MUSTER_EXPORT_INLINE
        if not inline:
            # Imported here: the task module imports this one.
            from muster.transfers.tasks import build_export

            transaction.on_commit(lambda: build_export.enqueue(job.pk))
    if inline:
        job = complete_export(job.pk, request=request)
    return job


def complete_export(job_id: int, *, request=None) -> ExportJob:
    """Evaluate a waiting export (in the request or a task worker) and store its
    file with the `export.done` audit entry, or why it failed. A job already done
    is left as it is (a task put back after its worker died runs again).

    The evaluation happens outside any transaction (it only reads); the file and
    the DONE status are written together, so nothing half-made is offered.
    """
    # Imported here: exports reads the engine and the PDF builder.
    from muster.transfers import exports

    job = ExportJob.objects.select_related("agency", "requested_by").get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING,
        progress=f"Evaluating {job.people} people for {job.year}",
    )
    try:
        people = Person.objects.filter(pk__in=job.person_ids)
        rows = exports.compliance_rows(people, job.agency, job.year, job.as_of)
        content = exports.compliance_file(
            rows,
            job.agency,
            job.year,
            job.as_of,
            job.fmt,
            printed_by=exports.printer_name(job.requested_by),
            printed_at=timezone.localtime(),
        )
    except Exception as error:
        _fail_export(
            job,
            f"The report could not be made ({type(error).__name__}: {error}); "
            "nothing was stored. Ask for it again, or tell an administrator.",
        )
        if request is None:
            raise
        return ExportJob.objects.get(pk=job.pk)
    name = f"{job.agency.code}-compliance-{job.year}.{job.fmt}"
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ExportStatus.DONE:
            return job
        job.content, job.file_name = content, name
        job.status, job.progress, job.error = ExportStatus.DONE, "", ""
        job.finished_at = timezone.now()
        job.save()
        record_event(
            Action.EXPORT_DONE,
            actor=job.requested_by,
            request=request,
            obj=job,
            agency_id=job.agency_id,
            reason=f"Compliance report {job.year} ({name}): {len(rows)} rows",
        )
    return job


def _fail_export(job: ExportJob, why: str) -> None:
    ExportJob.objects.filter(pk=job.pk).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED,
        error=why,
        progress="",
        content=None,
        finished_at=timezone.now(),
    )
