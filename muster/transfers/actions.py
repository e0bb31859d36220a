"""Imports as actions: store an upload, map its columns, plan it, apply it all or
nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from muster.transfers import roster, training
from muster.transfers.columns import Problem, guess_mapping
from muster.transfers.models import ImportBatch, ImportKind
from muster.transfers.tables import FileProblem, read_table

KINDS = {
    ImportKind.ROSTER: (roster.COLUMNS, roster.plan_roster, roster.apply_roster),
    ImportKind.TRAINING: (
        training.COLUMNS,
        training.plan_training,
        training.apply_training,
    ),
}


def columns_for(batch: ImportBatch):
    return KINDS[batch.kind][0]


def upload_batch(
    agency, kind: str, file_name: str, data: bytes, headers: list[str], *, actor
) -> ImportBatch:
    """Store an uploaded file, read already, with a mapping guessed from `headers`."""
    return ImportBatch.objects.create(
        agency=agency,
        kind=kind,
        file_name=file_name[:200],
        content=data,
        mapping=guess_mapping(KINDS[kind][0], headers),
        uploaded_by=actor,
    )


def map_columns(batch: ImportBatch, mapping: dict) -> None:
    """Keep the coordinator's choice of which file column fills which field."""
    batch.mapping = mapping
    batch.save(update_fields=["mapping"])


def plan_batch(batch: ImportBatch):
    """The batch's plan, from the stored file and mapping; file problems included."""
    _, plan, _ = KINDS[batch.kind]
    try:
        table = read_table(batch.file_name, bytes(batch.content))
    except FileProblem as problem:
        return _FilePlan([Problem(str(problem))])
    result = plan(batch.agency, table, batch.mapping)
    # File-wide problems first, then by row, in the order found within a row.
    result.problems.sort(key=lambda problem: problem.row or 0)
    return result


class _FilePlan:
    """A plan for a file that could not be read at all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.plans: list = []

    def count(self, action: str) -> int:
        return 0


def apply_batch(batch: ImportBatch, actor) -> dict:
    """Plan again and apply, in one transaction; any problem writes nothing.

    Returns the counts per action, or raises `ValueError` listing the problems.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.is_applied:
            raise ValueError("This import was already confirmed.")
        plan = plan_batch(locked)
        if plan.problems:
            raise ValueError("; ".join(str(p) for p in plan.problems[:20]))
        reason = (
            f"{locked.get_kind_display()} import of {locked.file_name} (#{locked.pk})"
        )
        counts = KINDS[locked.kind][2](locked.agency, plan, actor=actor, reason=reason)
        locked.applied_at = timezone.now()
        locked.summary = counts
        locked.save(update_fields=["applied_at", "summary"])
    return counts
