"""Check the audit trail and the records it covers, and report every problem.

Three checks, each independent of the others so that one break never hides the
next: the chain (every entry in place, linked to the one before, its seal right
under its key); the records (every legal record's current state equals the
`after` of its last entry, and no record with entries has gone); and, given a
checkpoint file kept elsewhere, the head (nothing removed from the end, nothing
recomputed). What each check can and cannot see is in docs/security.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from muster.audit import checkpoints, keys
from muster.audit.choices import Action
from muster.audit.log import Event, record_events
from muster.audit.models import GENESIS, AuditEntry
from muster.audit.records import RECORDS, LegalRecord


@dataclass
class Report:
    """What was checked, and every problem found, in the order found."""

    entries: int = 0
    unkeyed: int = 0
    records: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems


# (object_type, object_id) -> (sequence, after) of the object's last entry with an
# `after`: entries without one (a sign-in, an export) say nothing about state.
LastStates = dict[tuple[str, str], tuple[int, Any]]


def verify(checkpoint_file: str | Path | None = None) -> Report:
    """Run every check; `checkpoint_file` adds the check of the chain's head."""
    report = Report()
    last = check_chain(report)
    check_records(report, last)
    if checkpoint_file is not None:
        check_checkpoints(report, checkpoint_file)
    return report


def verify_chain() -> Report:
    """Only the chain check: every entry in place, linked, and sealed."""
    report = Report()
    check_chain(report)
    return report


def check_chain(report: Report) -> LastStates:
    covered = {record.label() for record in RECORDS.values()}
    last: LastStates = {}
    expected_sequence, expected_previous, keyed = 1, GENESIS, False
    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        gap = entry.sequence != expected_sequence
        if gap:
            report.problems.append(_missing(expected_sequence, entry.sequence))
        elif entry.previous_hash != expected_previous:
            report.problems.append(
                f"entry #{entry.sequence} does not follow #{entry.sequence - 1}: an "
                "entry before it was changed, removed or inserted"
            )
        keyed = _check_seal(report, entry, keyed)
        if entry.object_type in covered and entry.after is not None:
            last[(entry.object_type, entry.object_id)] = (entry.sequence, entry.after)
        expected_sequence = entry.sequence + 1
        expected_previous = entry.entry_hash
        report.entries += 1
    return last


def _missing(expected: int, found: int) -> str:
    if found == expected + 1:
        return f"entry #{expected} is missing (next found is #{found})"
    return f"entries #{expected} to #{found - 1} are missing (next found is #{found})"


def _check_seal(report: Report, entry: AuditEntry, keyed: bool) -> bool:
    """Check one entry's seal; returns whether a keyed entry has been seen."""
    if not entry.key_id:
        report.unkeyed += 1
        if keyed:
            report.problems.append(
                f"entry #{entry.sequence} has no key though entries before it do: "
                "it was written or rewritten behind the application"
            )
    try:
        sealed = keys.same(entry.compute_hash(), entry.entry_hash)
    except keys.UnknownKey:
        report.problems.append(
            f"entry #{entry.sequence} names key {entry.key_id!r}, which is not "
            "configured (MUSTER_AUDIT_KEYS)"
        )
        return True
    if not sealed:
        report.problems.append(
            f"entry #{entry.sequence} was changed after it was written "
            f"({entry.action} {entry.object_type} {entry.object_id})"
        )
    return keyed or bool(entry.key_id)


def check_records(report: Report, last: LastStates) -> None:
    for record in RECORDS.values():
        for row in _rows(record):
            report.records += 1
            key = (record.label(), str(row.pk))
            problem = _compare(record, row, last.pop(key, None))
            if problem:
                report.problems.append(problem)
    covered = {record.label() for record in RECORDS.values()}
    for (object_type, object_id), (sequence, _) in sorted(last.items()):
        if object_type in covered:
            report.problems.append(
                f"{object_type} #{object_id} is gone, though legal records are never "
                f"deleted (its last audit entry is #{sequence})"
            )


def _rows(record: LegalRecord):
    rows = record.model._default_manager.order_by("pk")
    if record.prefetch:
        rows = rows.prefetch_related(*record.prefetch)
    return rows.iterator(chunk_size=1000)


def state_now(record: LegalRecord, row) -> Any:
    """The row's state as JSON would hold it, to compare with an entry's `after`."""
    return json.loads(json.dumps(record.state(row)))


def _compare(record: LegalRecord, row, last: tuple[int, Any] | None) -> str:
    name = f"{record.label()} #{row.pk} ({row})"
    if last is None:
        return f"{name} has no audit entry: it was written behind the application"
    sequence, after = last
    state = state_now(record, row)
    if state != after:
        fields = sorted(
            k for k in set(state) | set(after or {}) if state.get(k) != after.get(k)
        )
        return (
            f"{name} differs from its last audit entry #{sequence} in: "
            f"{', '.join(fields)}"
        )
    check = getattr(row, "natural_key_problem", None)
    return check() if check else ""


def check_checkpoints(report: Report, path: str | Path) -> None:
    found, problems = checkpoints.read(path)
    report.problems += problems
    report.checkpoints = len(found)
    if not found:
        report.problems.append(f"{path} holds no valid checkpoint")
        return
    newest = max(found, key=lambda checkpoint: checkpoint.sequence)
    end = AuditEntry.objects.order_by("-sequence").values_list("sequence", flat=True)
    end = end.first() or 0
    if end < newest.sequence:
        report.problems.append(_truncated(end, newest))
    for checkpoint in found:
        if checkpoint.sequence <= end:
            report.problems += _against(checkpoint)


def _truncated(end: int, checkpoint: checkpoints.Checkpoint) -> str:
    if end == 0:
        return (
            f"the trail is empty, but the checkpoint of {checkpoint.at} recorded "
            f"{checkpoint.count} entries: every entry was removed"
        )
    return (
        f"the trail ends at #{end}, but the checkpoint of {checkpoint.at} recorded "
        f"#{checkpoint.sequence}: entries were removed from its end"
    )


def _against(checkpoint: checkpoints.Checkpoint) -> list[str]:
    if checkpoint.sequence == 0:
        return []
    entry = AuditEntry.objects.filter(sequence=checkpoint.sequence).first()
    when = f"the checkpoint of {checkpoint.at}"
    if entry is None:
        return [f"entry #{checkpoint.sequence}, named by {when}, is missing"]
    problems = []
    if entry.entry_hash != checkpoint.head:
        problems.append(
            f"entry #{checkpoint.sequence} is not the one {when} sealed: the chain "
            "was rewritten up to there"
        )
    count = AuditEntry.objects.filter(sequence__lte=checkpoint.sequence).count()
    if count != checkpoint.count:
        problems.append(
            f"{count} entries up to #{checkpoint.sequence}, but {when} recorded "
            f"{checkpoint.count}"
        )
    return problems


def baseline(reason: str, actor=None) -> int:
    """Write an `audit.baseline` entry for every legal record whose state has no
    matching last entry; returns how many.

    For once after upgrading from a version whose entries did not hold full
    states, after a person has read `audit verify`'s report: it accepts the
    records as they are, so it is itself on the trail, with the reason given.
    """
    if not reason.strip():
        raise ValueError("A baseline needs a reason.")
    last = check_chain(Report())
    events = []
    for record in RECORDS.values():
        for row in _rows(record):
            previous = last.get((record.label(), str(row.pk)))
            state = state_now(record, row)
            if previous is None or previous[1] != state:
                events.append(
                    Event(
                        Action.AUDIT_BASELINE,
                        actor=actor,
                        obj=row,
                        before=previous[1] if previous else None,
                        after=state,
                        reason=reason.strip(),
                        agency_id=getattr(row, "agency_id", None),
                    )
                )
    for start in range(0, len(events), 5000):
        record_events(events[start : start + 5000])
    return len(events)
