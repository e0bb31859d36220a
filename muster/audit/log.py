"""Write to and check the audit trail. Every write goes through `record_event`."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest

from muster.audit import checkpoints, keys
from muster.audit.choices import Action
from muster.audit.models import GENESIS, AuditEntry

# Any constant will do: it names the one lock every audit writer takes on PostgreSQL.
CHAIN_LOCK = 7_311_2021


def snapshot(instance: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The instance's concrete field values, as JSON-safe data for `before`/`after`."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            # As stored: 6 typed in a form and 6.00 read back are the same value.
            value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
        values[field.attname] = _plain(value)
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from: the connection's, or the one trusted
    proxies report (MUSTER_TRUSTED_PROXY_COUNT), as sign-in limits count it."""
    if request is None:
        return None
    try:
        address = get_account_adapter().get_client_ip(request)
    except PermissionDenied:
        return None
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


@dataclass(frozen=True)
class Event:
    """One change to write to the trail; see `record_event` for the fields."""

    action: str
    actor: Any = None
    obj: models.Model | None = None
    before: dict | None = None
    after: dict | None = None
    reason: str = ""
    request: HttpRequest | None = None
    agency_id: int | None = None
    label: str = ""


def record_event(action: str, **fields: Any) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if any.

    Call it in the same transaction as the change it describes, so that a change
    is never saved without its entry (nor an entry without its change). Fields:
    `actor` (default: the request's user), `obj`, `before`, `after`, `reason`,
    `request` (for the address and browser), `agency_id` and `label`.
    """
    return record_events([Event(action, **fields)])[0]


def record_events(events: list[Event]) -> list[AuditEntry]:
    """Append many entries at once: one lock, one read of the chain's end, bulk insert.

    For imports of thousands of rows, where one `record_event` per row would spend
    most of the time taking the lock and reading the last entry again. Raises
    ValueError, writing nothing, for an action outside the vocabulary (`Action`).
    """
    unknown = sorted({e.action for e in events} - set(Action.values))
    if unknown:
        raise ValueError(
            f"{', '.join(map(repr, unknown))} is not an audit action; add it to "
            "muster/audit/choices.py (Action) first."
        )
    with transaction.atomic():
        lock_chain()
        last = (
            AuditEntry.objects.order_by("-sequence")
            .only("sequence", "entry_hash")
            .first()
        )
        sequence = last.sequence if last else 0
        previous_hash = last.entry_hash if last else GENESIS
        entries = []
        key_id = keys.current_key_id()
        for event in events:
            sequence += 1
            entry = _entry(event, sequence, previous_hash, key_id)
            entries.append(entry)
            previous_hash = entry.entry_hash
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        checkpoints.schedule_after(entries)
    return entries


def _entry(event: Event, sequence: int, previous_hash: str, key_id: str) -> AuditEntry:
    request, obj, actor = event.request, event.obj, event.actor
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    has_pk = getattr(actor, "pk", None) is not None
    entry = AuditEntry(
        sequence=sequence,
        actor=actor if has_pk else None,
        actor_name=getattr(actor, "username", "") or "",
        actor_display=(actor.get_full_name() if has_pk else "")[:150],
        action=str(event.action),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(event.label or (str(obj) if obj is not None else ""))[:200],
        agency_id=event.agency_id,
        before=event.before,
        after=event.after,
        reason=event.reason,
        ip_address=client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:300],
        previous_hash=previous_hash,
        key_id=key_id,
    )
    entry.entry_hash = entry.compute_hash()
    return entry


def lock_chain() -> None:
    """Serialise writers so that two entries never claim the same place in the chain.

    SQLite allows one writer at a time already; PostgreSQL needs a lock that lasts
    until the transaction ends.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """Every entry about one object, oldest first."""
    return AuditEntry.objects.filter(
        object_type=obj._meta.label, object_id=str(obj.pk)
    ).select_related("actor")
