"""SCORM 2004 4th edition shared data (adl.data): stores SCOs share by targetID.

The manifest's `<adlcp:data><adlcp:map targetID readSharedData writeSharedData>`
(reads default to true, writes to false) says which stores an item's SCO may see
as `adl.data.n` and which it may change (RTE 4th edition 4.3, CAM 5.1.x). At
launch the launcher configures scorm-again with the item's maps and the
learner's stores the readable maps name; with each commit it sends the writable
stores the SCO set (`"adl.data": {targetID: store}`), which are checked (only the
item's writable maps, a string of at most 64,000 characters, the SPM) and kept.
Scope: sharedDataGlobalToSystem (default true) shares them with all the
learner's courses of the same provider, false keeps them to the package
(`objectives.scope`). They are the person's, and the provider's.

Each change of a store is audited (`scorm-data.write`) in the commit's
transaction: the learner, the commit that wrote it, and the store's length and
SHA-256 before and after, not its text (up to 64,000 characters a store, kept
already in the commit, `CmiCommit.data`, which the digest ties the entry to).
A commit that sends a store unchanged writes no entry.
"""

from __future__ import annotations

import hashlib

from muster.agencies.models import Person
from muster.audit.choices import Action
from muster.audit.log import Event, record_events
from muster.learning.actions import _employer_id
from muster.packages.choices import PackageKind
from muster.packages.models import CmiCommit, PackageItem, SharedData
from muster.packages.objectives import scope, target_key
from muster.packages.runtime import CommitError, longest

MAX_STORE = 64000


def _scope(item: PackageItem) -> dict:
    package = item.package
    return scope(package, package.shared_data_global_to_system)


def checked_stores(elements: dict, item: PackageItem, kind: str) -> dict[str, str]:
    """The commit's writable stores by targetID; CommitError, by name, for a
    store the item may not write or one that breaks the data model."""
    raw = elements.get("adl.data")
    if kind != PackageKind.SCORM_2004 or raw in (None, "", {}):
        return {}
    if not isinstance(raw, dict):
        raise CommitError("adl.data: must be an object of targetID to store.")
    writable = {m["target"] for m in item.data_maps if m["write"]}
    for target, store in raw.items():
        if target not in writable:
            raise CommitError(
                f"adl.data: '{str(target)[:80]}' is not a shared data map this "
                "item may write."
            )
        if not isinstance(store, str):
            raise CommitError(f"adl.data: the store of '{target[:80]}' must be text.")
        longest(store, MAX_STORE, f"adl.data store of '{target[:80]}'")
    return raw


def write_stores(
    enrollment, item: PackageItem, stores: dict, commit: CmiCommit, *, request=None
) -> None:
    """Keep the stores, auditing each one changed; call inside the commit's
    transaction (the entries are written in it too)."""
    if not stores:
        return
    Person.objects.select_for_update().only("pk").get(pk=enrollment.person_id)
    events = []
    for target, store in stores.items():
        row, created = SharedData.objects.get_or_create(
            person_id=enrollment.person_id,
            **_scope(item),
            target_key=target_key(target),
            defaults={"target_id": target, "written_by": commit, "store": store},
        )
        before = None if created else _summary(row, row.written_by_id)
        changed = created or row.store != store
        row.store = store
        row.written_by = commit
        row.updated_at = commit.received_at
        row.save()
        if changed:
            events.append(
                Event(
                    Action.SCORM_DATA_WRITE,
                    actor=enrollment.user,
                    obj=row,
                    before=before,
                    after=_summary(row, commit.pk),
                    reason=f"Written by {item.identifier} of {item.package.course}",
                    request=request,
                    agency_id=_employer_id(enrollment.person),
                    label=str(row),
                )
            )
    if events:
        record_events(events)


def _summary(row: SharedData, commit_id: int) -> dict:
    """What the audit keeps of a store: where it is, which commit wrote it, and
    its length and digest (the text itself is in that commit)."""
    return {
        "target_id": row.target_id,
        "scope": f"package {row.package_id}" if row.package_id else "provider",
        "provider": row.provider_id,
        "commit": commit_id,
        "characters": len(row.store),
        "sha256": hashlib.sha256(row.store.encode()).hexdigest(),
    }


def launch_config(enrollment, item: PackageItem) -> dict | None:
    """The maps and readable stores scorm-again is configured with, or None."""
    if not item.data_maps:
        return None
    readable = [m["target"] for m in item.data_maps if m["read"]]
    rows = SharedData.objects.filter(
        person_id=enrollment.person_id,
        **_scope(item),
        target_key__in=[target_key(t) for t in readable],
    )
    return {
        "maps": [
            {
                "targetID": m["target"],
                "readSharedData": m["read"],
                "writeSharedData": m["write"],
            }
            for m in item.data_maps
        ],
        "stores": {row.target_id: row.store for row in rows},
    }
