"""An agency's audit packet: one zip with every record about the agency, each
record's evidence files and audit history, the audit chain's checkpoint and the
result of verifying it, and a manifest with the SHA-256 of every file.

The packet is built from rows the caller read through `accounts.access`; this
module only lays them out (docs/state.md, "Audit packet").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from muster.audit.log import snapshot

# Kept in memory up to this size, then on disk: evidence files can be large.
SPOOL_BYTES = 32 * 1024 * 1024
RECORD_HEADER = [
    "record",
    "person",
    "name",
    "badge",
    "completed_on",
    "title",
    "hours",
    "areas",
    "topics",
    "provider",
    "provider_kind",
    "delivery",
    "approval",
    "void",
    "entered_by_agency",
    "evidence_files",
]


@dataclass
class Contents:
    """What goes in a packet, read by the caller through access."""

    agency: Any
    records: list  # training records, credit lines and evidence prefetched
    qualifications: list
    exemptions: list
    # Audit entries per model label, then per row pk as text (access.history).
    histories: dict[str, dict[str, list]]
    checkpoint: Any  # audit.checkpoints.Checkpoint
    report: Any  # audit.verify.Report
    generated_by: str
    generated_at: str
    problems: list[str] = field(default_factory=list)


class _Packet:
    """A zip being written, remembering each file's digest for the manifest."""

    def __init__(self, target) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.files: list[dict] = []

    def add(self, path: str, data: bytes) -> str:
        self.zip.writestr(path, data)
        self.files.append(
            {
                "path": path,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
        return self.files[-1]["sha256"]

    def add_json(self, path: str, data) -> None:
        text = json.dumps(data, indent=2, sort_keys=True, default=str)
        self.add(path, text.encode("utf-8"))


def build(contents: Contents):
    """The packet as a file object positioned at its start."""
    # Returned open: the response closes it once sent.
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    packet = _Packet(target)
    code = contents.agency.code
    evidence = _add_evidence(packet, contents)
    packet.add_json("agency.json", snapshot(contents.agency))
    packet.add_json(
        "training-records.json",
        [_record(r, evidence, contents) for r in contents.records],
    )
    packet.add("training-records.csv", _records_csv(contents.records, evidence))
    packet.add_json(
        "qualifications.json",
        [_row(q, "agencies.Qualification", contents) for q in contents.qualifications],
    )
    packet.add_json(
        "exemptions.json",
        [_exemption(e, evidence, contents) for e in contents.exemptions],
    )
    packet.add_json("audit-history.json", _entries(contents.histories))
    packet.add_json("checkpoint.json", _checkpoint(contents))
    packet.add("README.txt", _readme(contents).encode("utf-8"))
    manifest = {
        "agency": code,
        "generated_at": contents.generated_at,
        "generated_by": contents.generated_by,
        "files": packet.files,
        "problems": contents.problems,
    }
    text = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    packet.zip.writestr("manifest.json", text)
    sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in packet.files)
    packet.zip.writestr("SHA256SUMS", sums)
    packet.zip.close()
    target.seek(0)
    return target


def _add_evidence(packet: _Packet, contents: Contents) -> dict[tuple, list[dict]]:
    """Store every evidence file; returns (kind, pk) -> [{path, sha256, ...}]."""
    found: dict[tuple, list[dict]] = {}
    for record in contents.records:
        for item in record.evidence.all():
            entry = _store(packet, f"evidence/record-{record.pk}", item.file, contents)
            if entry:
                entry["description"] = item.description
                entry["uploaded_at"] = item.uploaded_at.isoformat()
                found.setdefault(("record", record.pk), []).append(entry)
    for exemption in contents.exemptions:
        if exemption.evidence:
            folder = f"evidence/exemption-{exemption.pk}"
            entry = _store(packet, folder, exemption.evidence, contents)
            if entry:
                found.setdefault(("exemption", exemption.pk), []).append(entry)
    return found


def _store(packet: _Packet, folder: str, stored, contents: Contents) -> dict | None:
    name = PurePosixPath(stored.name).name or "file"
    path = f"{folder}/{name}"
    try:
        with stored.open("rb") as handle:
            data = handle.read()
    except OSError as error:
        contents.problems.append(f"{path}: the stored file could not be read ({error})")
        return None
    return {"path": path, "stored_as": stored.name, "sha256": packet.add(path, data)}


def _history(contents: Contents, label: str, pk) -> list[int]:
    return [e.sequence for e in contents.histories.get(label, {}).get(str(pk), [])]


def _record(record, evidence, contents: Contents) -> dict:
    data = _row(record, "agencies.TrainingRecord", contents)
    data["credit_lines"] = [snapshot(line) for line in record.credit_lines.all()]
    data["evidence"] = evidence.get(("record", record.pk), [])
    return data


def _row(row, label: str, contents: Contents) -> dict:
    data = snapshot(row)
    data["audit_entries"] = _history(contents, label, row.pk)
    return data


def _exemption(exemption, evidence, contents: Contents) -> dict:
    data = _row(exemption, "agencies.Exemption", contents)
    data["evidence"] = evidence.get(("exemption", exemption.pk), [])
    return data


def _entries(histories: dict[str, dict[str, list]]) -> list[dict]:
    entries = [
        e for rows in histories.values() for found in rows.values() for e in found
    ]
    return [
        {
            "sequence": e.sequence,
            "at": e.at.isoformat(),
            "actor": e.actor_name,
            "actor_display": e.actor_display,
            "action": e.action,
            "action_label": e.action_label,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object_label": e.object_label,
            "agency_id": e.agency_id,
            "before": e.before,
            "after": e.after,
            "reason": e.reason,
            "previous_hash": e.previous_hash,
            "entry_hash": e.entry_hash,
            "key_id": e.key_id,
        }
        for e in sorted(entries, key=lambda entry: entry.sequence)
    ]


def _checkpoint(contents: Contents) -> dict:
    report = contents.report
    return {
        "checkpoint": asdict(contents.checkpoint),
        "verify": {
            "intact": report.is_intact,
            "entries": report.entries,
            "records_checked": report.records,
            "unkeyed_entries": report.unkeyed,
            "problems": report.problems[:100],
            "problems_total": len(report.problems),
        },
    }


def _records_csv(records, evidence) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(RECORD_HEADER)
    for r in records:
        lines = list(r.credit_lines.all())
        writer.writerow(
            _safe(cell)
            for cell in [
                r.pk,
                r.person_id,
                r.person.get_full_name(),
                r.person.external_id,
                r.completed_on.isoformat(),
                r.title,
                f"{sum(line.hours for line in lines):f}",
                " ".join(sorted({line.area for line in lines if line.area})),
                " ".join(sorted({t for line in lines for t in line.topics})),
                r.provider_name,
                r.provider_kind,
                r.delivery,
                r.approval,
                "yes" if r.is_void else "",
                r.agency.code if r.agency else "",
                " ".join(e["path"] for e in evidence.get(("record", r.pk), [])),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _safe(value) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _readme(contents: Contents) -> str:
    checkpoint, report = contents.checkpoint, contents.report
    state = "intact" if report.is_intact else f"{len(report.problems)} problem(s)"
    return (
        f"Audit packet of {contents.agency.name} ({contents.agency.code}), "
        f"{contents.agency.state}\n"
        f"Generated {contents.generated_at} by {contents.generated_by}.\n\n"
        f"training-records.json/.csv  {len(contents.records)} training records "
        "(current staff's, whoever entered them, and those the agency entered)\n"
        f"qualifications.json         {len(contents.qualifications)} qualifications\n"
        f"exemptions.json             {len(contents.exemptions)} waivers and extensions\n"
        "evidence/                   each record's evidence files\n"
        "audit-history.json          every audit entry about these records\n"
        f"checkpoint.json             the chain's head: entry #{checkpoint.sequence}, "
        f"hash {checkpoint.head}; audit verify: {state}\n"
        "manifest.json, SHA256SUMS   the SHA-256 of every file above\n\n"
        "Check the files with: sha256sum -c SHA256SUMS\n"
    )
