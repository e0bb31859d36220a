"""Writes to training records, qualifications and exemptions, each in one transaction.

Every function here saves its rows and the audit entry describing them together
(`record_event` with before, after and reason), so that no change is kept without
its history. Callers (views, imports, the API) check access first; these functions
do not decide who may act.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from muster.agencies.choices import Approval, RecordSource
from muster.agencies.compliance.standings import deferred_refresh, refresh_standings
from muster.agencies.models import (
    Agency,
    CreditLine,
    Employment,
    Evidence,
    Exemption,
    License,
    Person,
    Qualification,
    TrainingRecord,
)
from muster.audit.choices import Action
from muster.audit.log import Event, record_event, record_events, snapshot
from muster.audit.records import action_for, state_of

RECORD_FIELDS = (
    "title",
    "started_on",
    "completed_on",
    "provider_name",
    "provider_kind",
    "course_number",
    "delivery",
    "result",
    "counts_for",
)

# Each credit line is a dict: {"hours": Decimal, "area": str, "topics": [str]}.
Lines = Sequence[dict[str, Any]]


def record_snapshot(record: TrainingRecord) -> dict[str, Any]:
    """The record's fields, credit lines and evidence, for `before` and `after`.

    This is the record's full legal state: `audit verify` compares it with the
    `after` of the record's last entry.
    """
    # Sorted here rather than by the database, so that prefetched rows serve.
    return record_state(
        record,
        sorted(record.credit_lines.all(), key=lambda line: line.pk),
        sorted(record.evidence.all(), key=lambda item: item.pk),
    )


def record_state(record: TrainingRecord, lines, evidence) -> dict[str, Any]:
    """`record_snapshot` from rows in hand, so bulk imports need not read them back."""
    # The natural key is derived from the other fields; verify checks it apart.
    data = snapshot(record, exclude=("natural_key",))
    data["credit_lines"] = [
        {"hours": _hours(line.hours), "area": line.area, "topics": list(line.topics)}
        for line in lines
    ]
    data["evidence"] = [
        {"file": item.file.name, "description": item.description} for item in evidence
    ]
    return data


def _hours(value) -> str:
    # As stored (two decimals): 6 parsed from a file and 6.00 read back are equal.
    return str(Decimal(value).quantize(Decimal("0.01")))


def record_label(record: TrainingRecord) -> str:
    """Whose record and which course, for the trail: "Bob Baker: Patrol (2025-03-01)"."""
    return f"{record.person}: {record}"


class DuplicateTraining(ValueError):
    """The person already has a live record with the same natural key."""

    def __init__(self, existing: TrainingRecord) -> None:
        self.existing = existing
        entered = timezone.localdate(existing.created_at)
        super().__init__(
            f"{existing.person} already has this training recorded: "
            f"{existing} with {existing.total_hours} h, entered on {entered} "
            f"(record #{existing.pk}). Void that record first if this one replaces it."
        )


def record_training(
    *,
    actor,
    person: Person,
    agency: Agency | None,
    fields: dict[str, Any],
    lines: Lines,
    files: Iterable[File] = (),
    evidence_description: str = "",
    source: str = RecordSource.MANUAL,
    approval: str = Approval.APPROVED,
    reason: str = "",
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """Save one training record with its credit lines and evidence files.

    Every way training enters Muster one record at a time (the form, the
    officer's self-report, an online completion) comes through here. Raises
    `DuplicateTraining` when the person already has the same live record.
    """
    with transaction.atomic():
        record = _create_record(actor, person, agency, fields, lines, source, approval)
        for upload in files:
            Evidence.objects.create(
                record=record,
                file=upload,
                uploaded_by=actor,
                description=evidence_description,
            )
        _log(record, Action.TRAINING_CREATE, actor, None, reason or "Entered", request)
        refresh_standings([record.person_id])
    return record


@dataclass
class NewTraining:
    """One record to add in bulk: who, its fields, and its credit lines."""

    person: Person
    fields: dict[str, Any]
    lines: Lines = field(default_factory=list)


def record_trainings(
    *,
    actor,
    agency: Agency,
    rows: Sequence[NewTraining],
    source: str,
    reason: str,
) -> list[TrainingRecord]:
    """Save many records at once (imports): bulk inserts, one bulk audit append.

    Each record gets the same action and the same snapshot as one entered in the
    form. The caller has already left out rows whose natural key is recorded;
    the database's unique constraint still refuses a duplicate that a concurrent
    import added meanwhile (IntegrityError, which rolls the whole import back).
    """
    with transaction.atomic():
        records = [
            _new_record(actor, row.person, agency, row.fields, row.lines, source)
            for row in rows
        ]
        for record, row in zip(records, rows, strict=True):
            record.natural_key = record.compute_natural_key(_total(row.lines))
        TrainingRecord.objects.bulk_create(records, batch_size=500)
        lines = [
            [_line(record, line) for line in row.lines]
            for record, row in zip(records, rows, strict=True)
        ]
        CreditLine.objects.bulk_create(
            (line for group in lines for line in group), batch_size=1000
        )
        record_events(
            [
                Event(
                    Action.TRAINING_CREATE,
                    actor=actor,
                    obj=record,
                    after=record_state(record, group, []),
                    reason=reason,
                    agency_id=agency.pk,
                    label=record_label(record),
                )
                for record, group in zip(records, lines, strict=True)
            ]
        )
        refresh_standings(record.person_id for record in records)
    return records


# Any constant will do: with the agency's id, it names the lock imports take.
IMPORT_LOCK = 7_311_2022


def lock_agency_imports(agency: Agency) -> None:
    """Make a second import of `agency` wait until the first one commits.

    Its reads then see what the first one wrote, so confirming one file twice at
    once adds it once. SQLite has one writer at a time already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, agency.pk]
            )


def record_class(
    *,
    actor,
    agency: Agency,
    people: Sequence[Person],
    fields: dict[str, Any],
    lines: Lines,
    sheet: File | None = None,
    request: HttpRequest | None = None,
) -> list[TrainingRecord]:
    """Save one record per attendee of a class, all sharing the sign-in sheet.

    The sheet is stored once; each record gets its own `Evidence` row naming the
    same file, so every attendee's record shows its proof. Raises
    `DuplicateTraining` (saving nothing) if an attendee already has the class.
    """
    with transaction.atomic():
        created = []
        stored_name = ""
        for person in people:
            record = _create_record(
                actor,
                person,
                agency,
                fields,
                lines,
                RecordSource.CLASSROOM,
                Approval.APPROVED,
            )
            if sheet is not None:
                evidence = Evidence(
                    record=record, uploaded_by=actor, description="Sign-in sheet"
                )
                if stored_name:
                    evidence.file.name = stored_name
                else:
                    evidence.file = sheet
                evidence.save()
                stored_name = evidence.file.name
            reason = f"Class entry: {len(people)} attendees"
            _log(record, Action.TRAINING_CREATE, actor, None, reason, request)
            created.append(record)
        refresh_standings(person.pk for person in people)
    return created


def correct_training(
    *,
    actor,
    record: TrainingRecord,
    fields: dict[str, Any],
    lines: Lines,
    reason: str,
    files: Iterable[File] = (),
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """Change a record's fields and credit lines; the old version stays in the audit."""
    _require(reason, "A correction needs a reason.")
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_void:
            raise ValueError("This record is void; it cannot be corrected.")
        before = record_snapshot(record)
        for name in RECORD_FIELDS:
            if name in fields:
                setattr(record, name, fields[name])
        record.full_clean(exclude=["natural_key"])
        record.natural_key = record.compute_natural_key(_total(lines))
        _save_unique(record)
        # The lines are replaced, not edited: the audit entry keeps the old ones.
        record.credit_lines.all().delete()
        _create_lines(record, lines)
        for upload in files:
            Evidence.objects.create(record=record, file=upload, uploaded_by=actor)
        _log(record, Action.TRAINING_CORRECT, actor, before, reason, request)
        refresh_standings([record.person_id])
    return record


def void_training(
    *, actor, record: TrainingRecord, reason: str, request: HttpRequest | None = None
) -> TrainingRecord:
    """Mark a record void so its hours stop counting; the row and history stay."""
    _require(reason, "A void needs a reason.")
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_void:
            raise ValueError("This record is already void.")
        before = record_snapshot(record)
        record.void(reason)
        _log(record, Action.TRAINING_VOID, actor, before, reason, request)
        refresh_standings([record.person_id])
    return record


def self_report_training(
    *,
    actor,
    agency: Agency | None,
    fields: dict[str, Any],
    lines: Lines,
    files: Iterable[File] = (),
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """An officer's own record of outside training; it counts once approved."""
    return record_training(
        actor=actor,
        person=actor.person,
        agency=agency,
        fields=fields,
        lines=lines,
        files=files,
        source=RecordSource.SELF_REPORTED,
        approval=Approval.PENDING,
        reason="Self-reported; awaiting approval",
        request=request,
    )


def review_training(
    *,
    actor,
    record: TrainingRecord,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> TrainingRecord:
    """Approve or reject a self-reported record; a rejection needs a note."""
    if not approve:
        _require(note, "Say why the record is rejected.")
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if record.approval != Approval.PENDING:
            raise ValueError("This record was already reviewed.")
        before = record_snapshot(record)
        record.approval = Approval.APPROVED if approve else Approval.REJECTED
        record.reviewed_by = actor
        record.review_note = note.strip()
        record.save(update_fields=["approval", "reviewed_by", "review_note"])
        action = Action.TRAINING_APPROVE if approve else Action.TRAINING_REJECT
        _log(record, action, actor, before, note or "Approved", request)
        refresh_standings([record.person_id])
    return record


def record_qualification(
    *,
    actor,
    person: Person,
    agency: Agency,
    fields: dict[str, Any],
    request: HttpRequest | None = None,
) -> Qualification:
    """Save one firearms qualification attempt."""
    with transaction.atomic():
        qualification = Qualification(
            person=person, agency=agency, entered_by=actor, **fields
        )
        qualification.full_clean()
        if qualification.same_attempts().exists():
            raise ValidationError(
                {"qualified_on": "This qualification is already on file."}
            )
        qualification.save()
        record_event(
            Action.QUALIFICATION_CREATE,
            actor=actor,
            obj=qualification,
            after=snapshot(qualification),
            reason="Entered",
            request=request,
            agency_id=agency.pk,
        )
        refresh_standings([qualification.person_id])
    return qualification


QUALIFICATION_FIELDS = (
    "qualified_on",
    "weapon_type",
    "course_of_fire",
    "score",
    "result",
    "instructor",
)


def correct_qualification(
    *,
    actor,
    qualification: Qualification,
    fields: dict[str, Any],
    reason: str,
    request: HttpRequest | None = None,
) -> Qualification:
    """Change a qualification's fields; the old version stays in the audit."""
    _require(reason, "A correction needs a reason.")
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().get(
            pk=qualification.pk
        )
        if qualification.is_void:
            raise ValueError("This qualification is void; it cannot be corrected.")
        before = snapshot(qualification)
        for name in QUALIFICATION_FIELDS:
            if name in fields:
                setattr(qualification, name, fields[name])
        qualification.full_clean()
        qualification.save()
        _log_qualification(
            qualification, Action.QUALIFICATION_CORRECT, actor, before, reason, request
        )
        refresh_standings([qualification.person_id])
    return qualification


def void_qualification(
    *,
    actor,
    qualification: Qualification,
    reason: str,
    request: HttpRequest | None = None,
) -> Qualification:
    """Mark a qualification void so it stops counting; the row and history stay."""
    _require(reason, "A void needs a reason.")
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().get(
            pk=qualification.pk
        )
        if qualification.is_void:
            raise ValueError("This qualification is already void.")
        before = snapshot(qualification)
        qualification.void(reason)
        _log_qualification(
            qualification, Action.QUALIFICATION_VOID, actor, before, reason, request
        )
        refresh_standings([qualification.person_id])
    return qualification


def propose_exemption(
    *,
    actor,
    person: Person,
    agency: Agency,
    fields: dict[str, Any],
    request: HttpRequest | None = None,
) -> Exemption:
    """A coordinator's proposed waiver or extension; it counts once a head approves."""
    with transaction.atomic():
        exemption = Exemption(
            person=person,
            agency=agency,
            proposed_by=actor,
            approval=Approval.PENDING,
            **fields,
        )
        exemption.full_clean()
        exemption.save()
        record_event(
            Action.EXEMPTION_PROPOSE,
            actor=actor,
            obj=exemption,
            after=snapshot(exemption),
            reason=exemption.reason or "Proposed",
            request=request,
            agency_id=agency.pk,
        )
    return exemption


def decide_exemption(
    *,
    actor,
    exemption: Exemption,
    approve: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> Exemption:
    """An agency head approves or rejects a proposed exemption."""
    if not approve:
        _require(note, "Say why the exemption is rejected.")
    with transaction.atomic():
        exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.approval != Approval.PENDING:
            raise ValueError("This exemption was already decided.")
        before = snapshot(exemption)
        exemption.approval = Approval.APPROVED if approve else Approval.REJECTED
        exemption.approved_by = actor if approve else None
        exemption.review_note = note.strip()
        exemption.save(update_fields=["approval", "approved_by", "review_note"])
        record_event(
            Action.EXEMPTION_APPROVE if approve else Action.EXEMPTION_REJECT,
            actor=actor,
            obj=exemption,
            before=before,
            after=snapshot(exemption),
            reason=note or "Approved",
            request=request,
            agency_id=exemption.agency_id,
        )
        refresh_standings([exemption.person_id])
    return exemption


def _create_record(actor, person, agency, fields, lines, source, approval):
    record = _new_record(actor, person, agency, fields, lines, source, approval)
    # The natural key is left to _save_unique, which names the record repeated;
    # it is computed from the cleaned values (a date typed as text is a date now).
    record.full_clean(exclude=["natural_key"])
    record.natural_key = record.compute_natural_key(_total(lines))
    _save_unique(record)
    _create_lines(record, lines)
    return record


def _new_record(actor, person, agency, fields, lines, source, approval=None):
    if not lines:
        raise ValueError("A training record needs at least one credit line.")
    record = TrainingRecord(
        person=person,
        agency=agency,
        source=source,
        approval=approval or Approval.APPROVED,
        entered_by=actor,
        created_at=timezone.now(),
        **{name: fields.get(name) for name in RECORD_FIELDS if name in fields},
    )
    return record


def _save_unique(record: TrainingRecord) -> None:
    """Save the record, or raise DuplicateTraining naming the live one it repeats.

    The look-up gives the clear message; the unique constraint behind it holds
    when two saves race, and its error is turned into the same message.
    """
    existing = record.live_duplicate()
    if existing is None:
        try:
            with transaction.atomic():
                record.save()
            return
        except IntegrityError:
            existing = record.live_duplicate()
            if existing is None:
                raise
    raise DuplicateTraining(existing)


def _total(lines: Lines) -> Decimal:
    return sum((Decimal(line["hours"]) for line in lines), Decimal(0))


def _line(record: TrainingRecord, line: dict[str, Any]) -> CreditLine:
    return CreditLine(
        record=record,
        hours=Decimal(line["hours"]).quantize(Decimal("0.01")),
        area=line.get("area") or "",
        topics=list(line.get("topics") or []),
    )


def _create_lines(record: TrainingRecord, lines: Lines) -> None:
    if not lines:
        raise ValueError("A training record needs at least one credit line.")
    CreditLine.objects.bulk_create(_line(record, line) for line in lines)


def _log(record, action, actor, before, reason, request) -> None:
    record_event(
        action,
        actor=actor,
        obj=record,
        before=before,
        after=record_snapshot(record),
        reason=reason.strip(),
        request=request,
        agency_id=record.agency_id,
        label=record_label(record),
    )


def _log_qualification(qualification, action, actor, before, reason, request):
    record_event(
        action,
        actor=actor,
        obj=qualification,
        before=before,
        after=snapshot(qualification),
        reason=reason.strip(),
        request=request,
        agency_id=qualification.agency_id,
    )


def _require(text: str, message: str) -> None:
    if not (text or "").strip():
        raise ValueError(message)


# People ---------------------------------------------------------------------


def add_person(
    *,
    actor,
    agency: Agency,
    person_fields: dict[str, Any],
    license_fields: dict[str, Any],
    employment_fields: dict[str, Any],
    request: HttpRequest | None = None,
) -> Person:
    """Put a new person on the agency's staff, with their license in its state."""
    with transaction.atomic():
        person = Person(**person_fields)
        person.full_clean()
        person.save()
        license = License(person=person, jurisdiction=agency.state, **license_fields)
        license.full_clean()
        license.save()
        job = Employment(person=person, agency=agency, **employment_fields)
        job.full_clean()
        job.save()
        # One entry per legal record, each with its full state, so that
        # `audit verify` finds the person, the license and the job on the trail.
        for obj in (person, license, job):
            record_event(
                action_for(type(obj), created=True),
                actor=actor,
                obj=obj,
                after=state_of(obj),
                reason="Added to the staff",
                request=request,
                agency_id=agency.pk,
            )
        refresh_standings([person.pk])
    return person


class SharedDetailsKept(ValueError):
    """A change to details the caller's `kept` keeps: the shared details of a
    person another agency employs too. `fields` names them, by model field."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = fields
        super().__init__(
            "Nothing was saved: the name, email and license are kept as they are, "
            "since another agency employs this person too and relies on them. Only "
            "the job here can change."
        )


def edit_person(
    *,
    actor,
    person: Person,
    agency: Agency,
    person_fields: dict[str, Any],
    license_fields: dict[str, Any],
    employment_fields: dict[str, Any],
    reason: str,
    kept: dict[str, Sequence[str]],
    request: HttpRequest | None = None,
) -> Person:
    """Change a staff member's details, license in the agency's state, and job
    there (ending it, when they leave); the old version stays in the audit.

    `kept` is the caller's access decision (`access.kept_fields`): the fields,
    by model ("person", "license"), the actor may not change, those of a person
    another agency employs too. A change to any of them, or a new license while
    license fields are kept, raises `SharedDetailsKept` before anything is
    written, whatever the form allowed. An empty `license_fields` creates no
    license.
    """
    _require(reason, "A change to a person needs a reason.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        license = person.licenses.filter(jurisdiction=agency.state).first()
        created_license = license is None
        license = license or License(person=person, jurisdiction=agency.state)
        job = Employment.objects.current().filter(person=person, agency=agency).get()
        changes = (
            (person, person_fields, False),
            (license, license_fields, created_license),
            (job, employment_fields, False),
        )
        refused = [
            name
            for (obj, fields, created), model in zip(
                changes, ("person", "license", "job"), strict=True
            )
            for name, value in fields.items()
            if name in kept.get(model, ()) and (created or getattr(obj, name) != value)
        ]
        if refused:
            raise SharedDetailsKept(refused)
        if created_license and not license_fields:
            changes = (changes[0], changes[2])
        # Each legal record that changed gets its own entry with its before and
        # after, as the roster import writes them.
        for obj, fields, created in changes:
            before = None if created else state_of(obj)
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.full_clean()
            obj.save()
            after = state_of(obj)
            if after == before:
                continue
            record_event(
                action_for(type(obj), created=created),
                actor=actor,
                obj=obj,
                before=before,
                after=after,
                reason=reason.strip(),
                request=request,
                agency_id=agency.pk,
            )
        refresh_standings([person.pk])
    return person


def void_records(
    *,
    actor,
    records: Iterable[TrainingRecord],
    reason: str,
    request: HttpRequest | None = None,
) -> int:
    """Void every live record of `records` with one reason, all or none: the undo
    of an import. Each goes through `void_training`, so each has its audit entry.
    Returns how many were voided (those already void are left as they are)."""
    _require(reason, "Undoing an import needs a reason.")
    voided = 0
    # One refresh for everyone at the end, not one per record.
    with transaction.atomic(), deferred_refresh():
        for record in records:
            if record.is_void:
                continue
            void_training(actor=actor, record=record, reason=reason, request=request)
            voided += 1
    return voided
