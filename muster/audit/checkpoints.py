"""Checkpoints: the trail's head, sealed and kept where the database cannot reach.

A checkpoint says "entry #N, whose seal was H, was the last of N entries at time
T", sealed with the audit key. Appended to a file (MUSTER_AUDIT_CHECKPOINT_FILE,
every MUSTER_AUDIT_CHECKPOINT_EVERY entries, and by `manage.py audit checkpoint`)
and to the `muster.audit` log, it lets `audit verify --checkpoint FILE` notice
what the chain alone cannot: entries removed from the end, all entries removed,
or the whole chain recomputed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from muster.audit import keys

logger = logging.getLogger("muster.audit")


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at one moment, and the seal over it."""

    sequence: int
    head: str
    count: int
    at: str
    key_id: str
    seal: str = ""

    def text(self) -> str:
        data = asdict(self)
        data.pop("seal")
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    def is_sealed(self) -> bool:
        try:
            expected = keys.seal_checkpoint(self.key_id, self.text())
        except keys.UnknownKey:
            return False
        return keys.same(expected, self.seal)


def current(up_to: int | None = None) -> Checkpoint:
    """A sealed checkpoint of the chain now (or of its first `up_to` entries)."""
    from muster.audit.models import GENESIS, AuditEntry

    entries = AuditEntry.objects.order_by("-sequence")
    if up_to is not None:
        entries = entries.filter(sequence__lte=up_to)
    last = entries.only("sequence", "entry_hash").first()
    sequence = last.sequence if last else 0
    count = AuditEntry.objects.filter(sequence__lte=sequence).count()
    unsealed = Checkpoint(
        sequence=sequence,
        head=last.entry_hash if last else GENESIS,
        count=count,
        at=timezone.now().isoformat(),
        key_id=keys.current_key_id(),
    )
    return Checkpoint(
        **{
            **asdict(unsealed),
            "seal": keys.seal_checkpoint(unsealed.key_id, unsealed.text()),
        }
    )


def write(path: str | Path | None = None, up_to: int | None = None) -> Checkpoint:
    """Append a checkpoint to `path` (default: the configured file) and the log."""
    checkpoint = current(up_to)
    target = path or settings.AUDIT_CHECKPOINT_FILE
    if target:
        with open(target, "a", encoding="utf-8") as file:
            file.write(checkpoint.line() + "\n")
    logger.info("audit checkpoint %s", checkpoint.line())
    return checkpoint


def schedule_after(entries) -> None:
    """Once the entries are committed, write a checkpoint if one falls due.

    After the commit, so that a checkpoint never names an entry that a rollback
    then removes.
    """
    every = settings.AUDIT_CHECKPOINT_EVERY
    if not settings.AUDIT_CHECKPOINT_FILE or every <= 0 or not entries:
        return
    due = [e.sequence for e in entries if e.sequence % every == 0]
    if due:
        transaction.on_commit(lambda: write(up_to=due[-1]))


def read(path: str | Path) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints of a file, and a problem for each line that is not one."""
    checkpoints, problems = [], []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoint = Checkpoint(**json.loads(line))
        except (ValueError, TypeError):
            problems.append(f"{path}, line {number}: not a checkpoint")
            continue
        if not checkpoint.is_sealed():
            problems.append(
                f"{path}, line {number}: the checkpoint's seal does not match "
                f"(forged, altered, or sealed with key {checkpoint.key_id!r} that is "
                "not configured)"
            )
            continue
        checkpoints.append(checkpoint)
    return checkpoints, problems
