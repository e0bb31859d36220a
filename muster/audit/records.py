"""The legal records the trail covers, and how to take each one's full state.

Each app registers its legal records here (in `AppConfig.ready`), so that every
writer (the actions, the imports, the admin) and `audit verify` use one
definition of a record's state: the `after` of a record's last audit entry must
equal `state_of(record)` now, or the record was changed behind the application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from muster.audit.choices import Action
from muster.audit.log import snapshot


@dataclass(frozen=True)
class LegalRecord:
    """A model whose rows are legal records: its noun, state and audit actions."""

    model: type[models.Model]
    noun: str
    state: Callable[[models.Model], dict[str, Any]]
    change_verb: str = "change"
    prefetch: tuple[str, ...] = ()

    @property
    def create_action(self) -> Action:
        return Action(f"{self.noun}.create")

    @property
    def change_action(self) -> Action:
        return Action(f"{self.noun}.{self.change_verb}")

    def label(self) -> str:
        return self.model._meta.label


@dataclass(frozen=True)
class Part:
    """A row that belongs to a legal record (a credit line, an evidence file):
    its state is part of its owner's, so a change to it is logged on the owner."""

    model: type[models.Model]
    owner: Callable[[models.Model], models.Model]


RECORDS: dict[type[models.Model], LegalRecord] = {}
PARTS: dict[type[models.Model], Part] = {}


def register(
    model: type[models.Model],
    noun: str,
    state: Callable[[models.Model], dict[str, Any]] = snapshot,
    *,
    change_verb: str = "change",
    prefetch: tuple[str, ...] = (),
) -> None:
    """Declare `model` a legal record, whose full state `state(row)` returns."""
    RECORDS[model] = LegalRecord(model, noun, state, change_verb, prefetch)


def register_part(
    model: type[models.Model], owner: Callable[[models.Model], models.Model]
) -> None:
    """Declare `model` a part of the legal record that `owner(row)` returns."""
    PARTS[model] = Part(model, owner)


def legal_record(model: type[models.Model]) -> LegalRecord | None:
    return RECORDS.get(model)


def state_of(obj: models.Model) -> dict[str, Any]:
    """The full state of a row: its registered state, or its plain fields."""
    record = RECORDS.get(type(obj))
    return record.state(obj) if record else snapshot(obj)


def action_for(model: type[models.Model], created: bool) -> Action:
    """The vocabulary's action for creating or changing a row of `model`."""
    record = RECORDS.get(model)
    if record is not None:
        return record.create_action if created else record.change_action
    noun = model._meta.model_name
    return Action(f"{noun}.create" if created else f"{noun}.change")


def log_created(rows, *, reason: str, actor=None, label=None) -> None:
    """Write one creation entry per row, with its full state, in one bulk append
    (for rows made in bulk, such as demo data). `label(row)`, when given, says
    what the trail shows for the row (as the row's action would)."""
    from muster.audit.log import Event, record_events

    rows = list(rows)
    if not rows:
        return
    model = type(rows[0])
    record = RECORDS.get(model)
    if record and record.prefetch:
        models.prefetch_related_objects(rows, *record.prefetch)
    record_events(
        [
            Event(
                action_for(model, True),
                actor=actor,
                obj=row,
                after=state_of(row),
                reason=reason,
                agency_id=getattr(row, "agency_id", None),
                label=label(row) if label else "",
            )
            for row in rows
        ]
    )
