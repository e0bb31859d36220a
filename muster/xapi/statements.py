"""Storing statements and finding them again: the heart of the LRS.

`store_statements(agency, statements, authority)` is the one way a statement
enters the store, for the /xapi/ resource, Muster's own online courses and cmi5.
It validates the whole batch before writing any of it, so a batch is stored
whole or not at all.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone

from muster.agencies.models import Agency
from muster.xapi.identity import actor_keys, normal_mbox
from muster.xapi.models import Activity, Attachment, LRSClient, Statement, StatementTerm
from muster.xapi.policy import for_client
from muster.xapi.validation import (
    TIMESTAMP,
    VOIDED,
    Invalid,
    check_1_0_keys,
    check_statement,
    parse_timestamp,
)

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"


class Conflict(ValueError):
    """A statement id already names a different stored statement (409)."""


@dataclass
class Part:
    """One attachment sent in a multipart request: its declared hash and bytes."""

    sha2: str
    content_type: str
    content: bytes
    # The part's Content-Type and Content-Length headers, when it sent them.
    header_type: str | None = None
    header_length: int | None = None


@dataclass
class Batch:
    """What a request asks to store, after parsing."""

    statements: list[dict]
    parts: dict[str, Part] = field(default_factory=dict)


def store_statements(
    agency: Agency,
    statements: list[dict],
    authority: dict,
    *,
    client: LRSClient | None = None,
    parts: dict[str, Part] | None = None,
    version: str = "2.0.0",
) -> list[str]:
    """Validate and store `statements` for `agency`; return their ids, in order.

    `authority` replaces whatever authority a statement names: the LRS, not the
    sender, vouches for who sent it. Raises `Invalid` (400) or `Conflict` (409),
    storing nothing. A statement already stored unchanged is accepted again and
    not stored twice.
    """
    from muster.xapi.signatures import check_signatures

    parts = parts or {}
    without_id = {
        i for i, s in enumerate(statements) if isinstance(s, dict) and "id" not in s
    }
    ids = _prepare_ids(statements, is_v2=version.startswith("2"))
    _check_attachments(statements, parts)
    for index, statement in enumerate(statements):
        check_signatures(statement, parts, f"statement[{index}]")
    policy = for_client(client)
    with policy.serialized(client) if policy is not None else nullcontext():
        if policy is not None:
            policy.check_statements(client, statements, without_id=without_id)
        try:
            rows = _write(agency, client, statements, ids, parts, authority, version)
        except IntegrityError:
            # Another request stored one of these ids between the look-up and the
            # insert: look again, now that it is there (a repeat or a conflict).
            rows = _write(agency, client, statements, ids, parts, authority, version)
        if rows and policy is not None:
            policy.stored(client, rows)
    if rows:
        from muster.xapi.completions import record_completions
        from muster.xapi.forwarding import queue_forwarding

        if policy is None and client is not None:
            record_completions(rows)
        queue_forwarding(agency, rows)
    return [str(statement_id) for statement_id in ids]


def _write(agency, client, statements, ids, parts, authority, version):
    """Store the statements not stored yet, in one transaction; their rows."""
    with transaction.atomic():
        existing = _existing(agency, ids)
        fresh = []
        for statement, statement_id in zip(statements, ids, strict=True):
            if statement_id in existing:
                row = existing[statement_id]
                if row.received_hash != received_hash(statement) and not same_statement(
                    statement, row.data
                ):
                    raise Conflict(
                        f"Statement {statement_id} is already stored with different "
                        "content; statements cannot be changed."
                    )
                continue
            fresh.append(statement)
        _check_voiding(agency, fresh)
        rows = [_save(agency, client, s, authority, version) for s in fresh]
        _save_parts(agency, fresh, parts)
        _apply_voiding(agency, rows)
    return rows


def _prepare_ids(statements: list[dict], *, is_v2: bool) -> list[uuid.UUID]:
    if not isinstance(statements, list) or not statements:
        raise Invalid("Send a statement or a non-empty array of statements.")
    ids = []
    for index, statement in enumerate(statements):
        path = f"statement[{index}]" if len(statements) > 1 else "statement"
        # 2.0 asks RFC 3339 of timestamps; 1.0.x lacks 2.0's context agents.
        check_statement(statement, path, rfc3339=is_v2)
        if not is_v2:
            check_1_0_keys(statement, path)
        statement.setdefault("id", str(uuid.uuid4()))
        ids.append(uuid.UUID(statement["id"]))
    if len(set(ids)) != len(ids):
        raise Invalid("Two statements in the batch have the same id.")
    return ids


def _check_attachments(statements: list[dict], parts: dict[str, Part]) -> None:
    """Each attachment without a fileUrl must come with its content, and no
    content may come that no statement declares."""
    declared = set()
    for statement in statements:
        for attachment in _attachments_of(statement):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            if "fileUrl" not in attachment and sha2 not in parts:
                raise Invalid(
                    f"attachment {attachment['sha2']}: no fileUrl and no part with "
                    "this X-Experience-API-Hash was sent."
                )
            if sha2 in parts:
                _check_part_headers(attachment, parts[sha2])
    extra = sorted(set(parts) - declared)
    if extra:
        raise Invalid(f"attachment part {extra[0]}: no statement declares it.")


def _check_part_headers(attachment: dict, part: Part) -> None:
    """Part Three 1.5.2: where a part's header has a counterpart in the
    attachment object and both are given, "the value of these parameters and
    properties MUST match": Content-Type with contentType (compared as media
    types: type and subtype without case, parameters aside) and Content-Length
    with length. The hash matches by construction."""
    if part.header_type is not None and _media_type(part.header_type) != (
        _media_type(attachment["contentType"])
    ):
        raise Invalid(
            f"attachment part {part.sha2}: its Content-Type {part.header_type!r} "
            f"differs from the attachment's contentType {attachment['contentType']!r}."
        )
    if part.header_length is not None and part.header_length != attachment["length"]:
        raise Invalid(
            f"attachment part {part.sha2}: its Content-Length {part.header_length} "
            f"differs from the attachment's length {attachment['length']}."
        )


def _media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _attachments_of(statement: dict) -> list[dict]:
    found = list(statement.get("attachments", []))
    target = statement.get("object", {})
    if target.get("objectType") == "SubStatement":
        found += target.get("attachments", [])
    return found


def stored_parts(attachments, statements: list[dict]) -> list[Part]:
    """The parts to send with `statements` (the statements resource's answer,
    a forwarded statement): one per attachment they declare, in order, whose
    content is among `attachments` (the agency's, from muster.accounts.access
    or the statement's own agency)."""
    hashes = list(
        dict.fromkeys(
            attachment["sha2"].lower()
            for statement in statements
            for attachment in _attachments_of(statement)
        )
    )
    stored = {row.sha2: row for row in attachments.filter(sha2__in=hashes)}
    return [
        Part(sha2=sha2, content_type=row.content_type, content=bytes(row.content))
        for sha2 in hashes
        if (row := stored.get(sha2)) is not None
    ]


def received_hash(statement: dict) -> str:
    """A fingerprint of the statement less what the LRS sets or may reformat.

    Statement comparison (xAPI Part Two 2.3.1) ignores what the immutability
    exceptions allow to differ: `stored`, `authority`, `version`, the
    serialisation of `timestamp` (compared as an instant, to the millisecond),
    single context activities given without their array, and (IEEE 9274.1.1)
    a Duration's precision beyond 0.01 second.
    """
    comparable = copy.deepcopy(
        {
            key: value
            for key, value in statement.items()
            if key not in ("stored", "authority", "version")
        }
    )
    comparable["id"] = str(comparable.get("id", "")).lower()
    parts = [comparable]
    if isinstance(comparable.get("object"), dict) and (
        comparable["object"].get("objectType") == "SubStatement"
    ):
        parts.append(comparable["object"])
    for part in parts:
        if "timestamp" in part:
            part["timestamp"] = _comparable_time(part["timestamp"])
        result = part.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = _comparable_duration(result["duration"])
        context = part.get("context")
        if isinstance(context, dict) and "contextActivities" in context:
            _normalise_context(context)
    text = json.dumps(comparable, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def same_statement(incoming: dict, stored: dict) -> bool:
    """Whether `incoming` repeats the `stored` statement (as the LRS keeps it),
    all differences the exceptions to immutability could cause ignored (Part
    Two 2.3.1: "Differences which could have been caused by exceptions to
    Statement immutability MUST be ignored"): what the LRS assigns (`id`,
    `authority`, `stored`, `version`, and `timestamp` when the repeat has
    none), Activity definitions and a Verb's `display` (not part of the
    statement), the order of a Group's members, the serialisation of
    timestamps, case where it does not matter (an mbox's domain, an
    mbox_sha1sum's hex digits) and, per 9274.1.1, a duration beyond 0.01 s.
    The fingerprint (`received_hash`) decides most repeats; this reads the
    stored statement for the rest, so rows stored under any earlier
    fingerprint compare alike."""
    keep_timestamp = "timestamp" in incoming
    return _comparable(incoming, keep_timestamp) == _comparable(stored, keep_timestamp)


def _comparable(statement: dict, keep_timestamp: bool) -> str:
    data = copy.deepcopy(
        {
            key: value
            for key, value in statement.items()
            if key not in ("id", "stored", "authority", "version")
            and (key != "timestamp" or keep_timestamp)
        }
    )
    parts = [data]
    if data["object"].get("objectType") == "SubStatement":
        parts.append(data["object"])
    for part in parts:
        if "timestamp" in part:
            part["timestamp"] = _comparable_time(part["timestamp"])
        part["verb"] = {"id": part["verb"]["id"]}
        part["actor"] = _comparable_actor(part["actor"])
        target = part["object"]
        if target.get("objectType", "Activity") == "Activity":
            target.pop("definition", None)
        elif target.get("objectType") in ("Agent", "Group"):
            part["object"] = _comparable_actor(target)
        result = part.get("result")
        if isinstance(result, dict) and isinstance(result.get("duration"), str):
            result["duration"] = _comparable_duration(result["duration"])
        context = part.get("context")
        if isinstance(context, dict):
            _normalise_context(context)
            for activities in context.get("contextActivities", {}).values():
                for activity in activities:
                    activity.pop("definition", None)
            for key in ("instructor", "team"):
                if key in context:
                    context[key] = _comparable_actor(context[key])
            for entry in context.get("contextAgents", []):
                entry["agent"] = _comparable_actor(entry["agent"])
            for entry in context.get("contextGroups", []):
                entry["group"] = _comparable_actor(entry["group"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _comparable_actor(actor: dict) -> dict:
    """An Agent or Group with its identifiers normalised and its members in a
    fixed order."""
    actor = dict(actor)
    if "mbox" in actor:
        actor["mbox"] = normal_mbox(actor["mbox"])
    if "mbox_sha1sum" in actor:
        actor["mbox_sha1sum"] = actor["mbox_sha1sum"].lower()
    if "member" in actor:
        members = [_comparable_actor(member) for member in actor["member"]]
        actor["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return actor


def _comparable_time(value: str) -> str:
    moment = parse_timestamp(value, "timestamp")
    return iso(moment.replace(microsecond=moment.microsecond // 1000 * 1000))


def _comparable_duration(value: str) -> str:
    """The duration with its seconds cut to hundredths: PT1.2345S -> PT1.23S."""

    def hundredths(match: re.Match) -> str:
        kept = match[2][:2].rstrip("0")
        return f"{match[1]}.{kept}S" if kept else f"{match[1]}S"

    return re.sub(r"(\d+)[.,](\d+)S$", hundredths, value)


def utc_timestamp(value: str) -> str:
    """A timestamp with an offset, given in UTC (IEEE 9274.1.1: the LRS
    converts Timestamps to UTC rather than refusing them); one without an
    offset (1.0.x allows it) is left as sent. Precision is kept to the
    microsecond."""
    match = TIMESTAMP.match(value)
    if match is None or not match["zone"]:
        return value
    moment = parse_timestamp(value, "timestamp").astimezone(UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def _existing(agency: Agency, ids: list[uuid.UUID]) -> dict[uuid.UUID, Statement]:
    rows = Statement.objects.filter(agency=agency, statement_id__in=ids)
    return {row.statement_id: row for row in rows}


def _check_voiding(agency: Agency, statements: list[dict]) -> None:
    """A voiding statement may not target another voiding statement."""
    targets = {s["object"]["id"] for s in statements if s["verb"]["id"] == VOIDED}
    if not targets:
        return
    voiding_in_batch = {s["id"] for s in statements if s["verb"]["id"] == VOIDED}
    stored_voiding = Statement.objects.filter(
        agency=agency, statement_id__in=targets, is_voiding=True
    ).exists()
    if stored_voiding or targets & voiding_in_batch:
        raise Invalid("A voiding statement cannot void another voiding statement.")


def _save(agency, client, statement, authority, version) -> Statement:
    now = timezone.now()
    # Kept to the millisecond shown in `stored`, so that since/until given a
    # statement's own `stored` compare as the client expects.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    data = copy.deepcopy(statement)
    data["id"] = str(uuid.UUID(data["id"]))
    data["authority"] = authority
    data["stored"] = iso(now)
    data.setdefault("timestamp", data["stored"])
    data["timestamp"] = utc_timestamp(data["timestamp"])
    if data["object"].get("objectType") == "SubStatement" and (
        "timestamp" in data["object"]
    ):
        data["object"]["timestamp"] = utc_timestamp(data["object"]["timestamp"])
    data.setdefault("version", "2.0.0" if version.startswith("2") else "1.0.0")
    if "context" in data:
        _normalise_context(data["context"])
    target = data["object"]
    if target.get("objectType") == "SubStatement" and "context" in target:
        _normalise_context(target["context"])
    is_voiding = data["verb"]["id"] == VOIDED
    refers_to = target.get("id") if target.get("objectType") == "StatementRef" else None
    registration = data.get("context", {}).get("registration")
    row = Statement.objects.create(
        agency=agency,
        client=client,
        statement_id=data["id"],
        data=data,
        received_hash=received_hash(statement),
        verb_id=data["verb"]["id"],
        registration=registration,
        stored=now,
        refers_to=refers_to,
        is_voiding=is_voiding,
    )
    StatementTerm.objects.bulk_create(
        StatementTerm(statement=row, role=role, value=value[:2000])
        for role, value in sorted(terms_of(data))
    )
    _remember_activities(agency, data)
    return row


def iso(moment) -> str:
    """A stored time as xAPI shows it: UTC, to the millisecond."""
    utc = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return utc.replace("+00:00", "Z")


def _normalise_context(context: dict) -> None:
    """A single context activity is returned in an array, as the spec requires."""
    activities = context.get("contextActivities")
    if activities:
        for key, value in list(activities.items()):
            if not isinstance(value, list):
                activities[key] = [value]


def terms_of(data: dict) -> set[tuple[str, str]]:
    """What the `agent` and `activity` filters match, and their related_ forms."""
    terms: set[tuple[str, str]] = set()
    for key in actor_keys(data["actor"]):
        terms.add(("actor", key))
    _object_terms(data["object"], terms, direct=True)
    authority = data.get("authority")
    if authority:
        terms.update(("agent", key) for key in actor_keys(authority))
    _context_terms(data.get("context", {}), terms)
    target = data["object"]
    if target.get("objectType") == "SubStatement":
        for key in actor_keys(target["actor"]):
            terms.add(("agent", key))
        _object_terms(target["object"], terms, direct=False)
        _context_terms(target.get("context", {}), terms)
    return terms


def _object_terms(target: dict, terms: set, *, direct: bool) -> None:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        terms.add(("object" if direct else "activity", target["id"]))
    elif kind in ("Agent", "Group"):
        for key in actor_keys(target):
            terms.add(("actor" if direct else "agent", key))


def _context_terms(context: dict, terms: set) -> None:
    for key in ("instructor", "team"):
        if key in context:
            terms.update(("agent", k) for k in actor_keys(context[key]))
    for entry in context.get("contextAgents", []):
        terms.update(("agent", k) for k in actor_keys(entry["agent"]))
    for entry in context.get("contextGroups", []):
        terms.update(("agent", k) for k in actor_keys(entry["group"]))
    for value in context.get("contextActivities", {}).values():
        for activity in value if isinstance(value, list) else [value]:
            terms.add(("activity", activity["id"]))


def _remember_activities(agency: Agency, data: dict) -> None:
    """Keep the newest definition of each activity as the canonical one."""
    target = data["object"]
    activities = []
    if target.get("objectType", "Activity") == "Activity":
        activities.append(target)
    for value in data.get("context", {}).get("contextActivities", {}).values():
        activities += value
    for activity in activities:
        definition = activity.get("definition")
        row = Activity.objects.filter(agency=agency, activity_id=activity["id"]).first()
        if row is None:
            Activity.objects.create(
                agency=agency, activity_id=activity["id"], definition=definition or {}
            )
        elif definition and definition != row.definition:
            merged = merged_definition(row.definition, definition)
            if merged != row.definition:
                row.definition = merged
                row.save(update_fields=["definition"])


def merged_definition(old: dict, new: dict) -> dict:
    """The canonical definition after `new` arrives: its properties replace
    the old ones, except that language maps and extensions gain the new
    entries and keep the others, so that a name sent in en-US by one statement
    and in fr-FR by another are both known (Part Three 2.5: the Activity
    Object holds all available information about the activity)."""
    merged = dict(old)
    for key, value in new.items():
        if key in ("name", "description", "extensions") and isinstance(
            old.get(key), dict
        ):
            merged[key] = {**old[key], **value}
        else:
            merged[key] = value
    return merged


def _save_parts(agency: Agency, statements: list[dict], parts: dict[str, Part]) -> None:
    for part in parts.values():
        Attachment.objects.get_or_create(
            agency=agency,
            sha2=part.sha2,
            defaults={"content_type": part.content_type, "content": part.content},
        )


def _apply_voiding(agency: Agency, rows: list[Statement]) -> None:
    """Mark the targets of new voiding statements, and new statements that an
    earlier voiding statement already targeted, as voided."""
    targets = [row.refers_to for row in rows if row.is_voiding]
    if targets:
        Statement.objects.filter(
            agency=agency, statement_id__in=targets, is_voiding=False
        ).update(is_voided=True)
    ids = [row.statement_id for row in rows if not row.is_voiding]
    if ids:
        already = set(
            Statement.objects.filter(
                agency=agency, is_voiding=True, refers_to__in=ids
            ).values_list("refers_to", flat=True)
        )
        if already:
            Statement.objects.filter(agency=agency, statement_id__in=already).update(
                is_voided=True
            )
