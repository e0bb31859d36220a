"""SCORM 2004 shared global objectives: written from a SCO's commits, read at launch.

The manifest gives an activity (item) its objectives, the primary one first,
each with maps to global objectives by targetObjectiveID (`manifest.objectives`,
kept on `PackageItem.objectives`). Per the SN book (4th edition, 3.10 and 4.2.1)
and the RTE's cmi.objectives (4.2.17):

- **Write**: when the SCO commits, each objective's status as the SCO left it is
  copied to the global objectives its maps write (writeSatisfiedStatus,
  writeNormalizedMeasure; 4th edition adlseq: raw/min/max score, completion
  status, progress measure). The primary objective's status is the SCO's own
  cmi.success_status, cmi.score.* (success as the server judged it), completion
  status and progress measure; another objective's is its cmi.objectives entry,
  found by id. Only known values are written: "unknown" or an empty score does
  not erase what another SCO wrote. An objective satisfied by measure is
  passed or failed by its score.scaled against its minNormalizedMeasure.
- **Read**: at launch, `cmi.objectives` is filled with the activity's objective
  ids (RTE 4.2.17: only objectives with an id are), each with what its read maps
  (reads default to true) find known in the learner's global objectives; the
  first map, in manifest order, with a known value gives it.
- **Scope**: the package's objectivesGlobalToSystem (default true) shares them
  with all the learner's courses of the same provider (`scope`); false keeps
  them to this package (the activity tree). They are the person's
  (`GlobalObjective.person`), never another's, and the provider's: another
  provider's package naming the same target ID neither reads nor changes them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from muster.agencies.models import Person
from muster.packages.choices import PackageKind
from muster.packages.models import CmiCommit, GlobalObjective, PackageItem
from muster.packages.runtime import (
    COMPLETION_2004,
    SUCCESS_2004,
    Judged,
    decimal,
    longest,
    one_of,
    plain,
)

OBJECTIVE_KEY = re.compile(r"^cmi\.objectives\.(\d+)\.(.+)$")


@dataclass(frozen=True)
class Status:
    """One local objective's status as a commit left it; None/"unknown" if not known."""

    success: str = "unknown"
    measure: Decimal | None = None
    raw: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    completion: str = "unknown"
    progress: Decimal | None = None


def target_key(target: str) -> str:
    return hashlib.sha256(target.encode("utf-8")).hexdigest()


def commit_objectives(elements: dict) -> dict[str, dict[str, str]]:
    """The commit's cmi.objectives.n.* by objective id; CommitError, naming the
    element, where one breaks the data model (RTE 4.2.17)."""
    by_index: dict[int, dict[str, str]] = {}
    for key, value in elements.items():
        match = OBJECTIVE_KEY.match(key)
        if match:
            fields = by_index.setdefault(int(match[1]), {})
            fields[match[2]] = "" if value is None else str(value)
    found: dict[str, dict[str, str]] = {}
    for n, fields in sorted(by_index.items()):
        name = f"cmi.objectives.{n}"
        ident = fields.get("id", "")
        longest(ident, 4000, f"{name}.id")
        one_of(
            fields.get("success_status") or "unknown",
            SUCCESS_2004,
            f"{name}.success_status",
        )
        one_of(
            fields.get("completion_status") or "unknown",
            COMPLETION_2004,
            f"{name}.completion_status",
        )
        decimal(fields.get("score.scaled", ""), f"{name}.score.scaled", -1, 1)
        decimal(fields.get("progress_measure", ""), f"{name}.progress_measure", 0, 1)
        for part in ("raw", "min", "max"):
            decimal(fields.get(f"score.{part}", ""), f"{name}.score.{part}", None, None)
        if ident:
            found[ident] = fields
    return found


def _status_of(fields: dict[str, str], objective: dict) -> Status:
    """An objective's status from its cmi.objectives entry."""
    measure = _number(fields.get("score.scaled"))
    success = fields.get("success_status") or "unknown"
    if objective.get("satisfied_by_measure"):
        success = _by_measure(measure, objective)
    return Status(
        success=success,
        measure=measure,
        raw=_number(fields.get("score.raw")),
        min=_number(fields.get("score.min")),
        max=_number(fields.get("score.max")),
        completion=fields.get("completion_status") or "unknown",
        progress=_number(fields.get("progress_measure")),
    )


def _by_measure(measure: Decimal | None, objective: dict) -> str:
    """SN 4.2.1: satisfied by measure is unknown without a measure."""
    if measure is None:
        return "unknown"
    return "passed" if measure >= Decimal(objective["min_measure"]) else "failed"


def _number(raw: str | None) -> Decimal | None:
    return Decimal(raw) if raw not in (None, "") else None


def local_objectives(
    elements: dict, item: PackageItem, judged: Judged, kind: str
) -> dict[str, Status]:
    """The status of each of the item's objectives that writes a global one, by
    objective id ("" for a primary objective without one). Checked before
    anything is written: CommitError if the commit's objectives break the model."""
    if kind != PackageKind.SCORM_2004:
        return {}
    entries = commit_objectives(elements)
    for part in ("min", "max"):
        decimal(
            str(elements.get(f"cmi.score.{part}") or ""),
            f"cmi.score.{part}",
            None,
            None,
        )
    found: dict[str, Status] = {}
    for objective in item.objectives:
        if not any(_writes(m) for m in objective["maps"]):
            continue
        entry = _status_of(entries.get(objective["id"], {}), objective)
        if objective["primary"]:
            entry = _primary(elements, judged, entry)
        found[objective["id"]] = entry
    return found


def _primary(elements: dict, judged: Judged, entry: Status) -> Status:
    """The primary objective: the SCO's own statuses and score (RTE 4.2.17,
    4.2.22), else its cmi.objectives entry."""

    def score(part: str) -> Decimal | None:
        value = _number(str(elements.get(f"cmi.score.{part}") or ""))
        return value if value is not None else getattr(entry, part)

    progress = _number(str(elements.get("cmi.progress_measure") or ""))
    return Status(
        success=judged.success_status
        if judged.success_status != "unknown"
        else entry.success,
        measure=judged.score_scaled
        if judged.score_scaled is not None
        else entry.measure,
        raw=score("raw"),
        min=score("min"),
        max=score("max"),
        completion=judged.completion_status
        if judged.completion_status != "unknown"
        else entry.completion,
        progress=progress if progress is not None else entry.progress,
    )


def _writes(mapped: dict) -> bool:
    return any(value for key, value in mapped.items() if key.startswith("write_"))


def scope(package, global_to_system: bool) -> dict:
    """Which of the learner's rows a package reads and writes (the launch's
    learner's only), as filter values: its own (not global to the system), or
    those of every course of its provider. Never another provider's: global to
    the system would let any package read, and change, what another provider's
    courses keep by naming their target IDs, and its content can send what it
    reads out of Muster (a popup goes anywhere)."""
    provider = package.course.provider_id
    if global_to_system:
        return {"package": None, "provider_id": provider}
    return {"package": package, "provider_id": provider}


def _scope(item: PackageItem) -> dict:
    package = item.package
    return scope(package, package.objectives_global_to_system)


def write_global(enrollment, item: PackageItem, local: dict, commit: CmiCommit) -> None:
    """Copy each objective's known status to the global objectives its maps write.
    Call inside the commit's transaction."""
    changes: dict[str, dict] = {}
    for objective in item.objectives:
        status = local.get(objective["id"])
        if status is None:
            continue
        for mapped in objective["maps"]:
            changes.setdefault(mapped["target"], {}).update(_written(mapped, status))
    changes = {target: values for target, values in changes.items() if values}
    if not changes:
        return
    # One writer at a time per learner: objectives global to the system are
    # shared by the learner's enrollments, which lock only themselves.
    Person.objects.select_for_update().only("pk").get(pk=enrollment.person_id)
    kept_in = _scope(item)
    for target, values in changes.items():
        row, _ = GlobalObjective.objects.get_or_create(
            person_id=enrollment.person_id,
            **kept_in,
            target_key=target_key(target),
            defaults={"target_id": target},
        )
        for name, value in values.items():
            setattr(row, name, value)
        row.written_by = commit
        row.updated_at = commit.received_at
        row.save()


def _written(mapped: dict, status: Status) -> dict:
    values: dict = {}
    if mapped["write_satisfied"] and status.success in ("passed", "failed"):
        values["success_status"] = status.success
    if mapped["write_measure"] and status.measure is not None:
        values["normalized_measure"] = status.measure
    for flag, name, value in (
        ("write_raw", "score_raw", status.raw),
        ("write_min", "score_min", status.min),
        ("write_max", "score_max", status.max),
        ("write_progress", "progress_measure", status.progress),
    ):
        if mapped[flag] and value is not None:
            values[name] = value
    if mapped["write_completion"] and status.completion != "unknown":
        values["completion_status"] = status.completion
    return values


def read_global(enrollment, item: PackageItem) -> list[dict]:
    """cmi.objectives for a launch: the activity's objective ids, each with what
    its read maps find known in the learner's global objectives."""
    named = [o for o in item.objectives if o["id"]]
    targets = {m["target"] for o in named for m in o["maps"]}
    rows = {}
    if targets:
        found = GlobalObjective.objects.filter(
            person_id=enrollment.person_id,
            **_scope(item),
            target_key__in=[target_key(t) for t in targets],
        )
        rows = {row.target_id: row for row in found}
    return [_entry(objective, rows) for objective in named]


def read_primaries(enrollment, items: list[PackageItem]) -> dict[str, dict]:
    """What each item's primary objective, named or not, reads through its
    maps from the learner's global objectives (as `read_global` gives an
    entry), by item identifier; one query for all the items. The sequencer
    takes the activity's own status from it (SN 4.2.1: a read map gives the
    objective the global objective's status when that is known), which is how
    an unnamed primary objective, which has no cmi.objectives entry, is read."""
    primaries = {
        item.identifier: (item, objective)
        for item in items
        for objective in item.objectives[:1]
        if objective["primary"] and objective["maps"]
    }
    if not primaries:
        return {}
    targets = {m["target"] for _, o in primaries.values() for m in o["maps"]}
    item = next(iter(primaries.values()))[0]
    found = GlobalObjective.objects.filter(
        person_id=enrollment.person_id,
        **_scope(item),
        target_key__in=[target_key(t) for t in targets],
    )
    rows = {row.target_id: row for row in found}
    return {
        ident: _entry(objective, rows) for ident, (_, objective) in primaries.items()
    }


def _entry(objective: dict, rows: dict) -> dict:
    values: dict = {}
    for mapped in objective["maps"]:
        row = rows.get(mapped["target"])
        if row is None:
            continue
        for flag, name, value in (
            ("read_satisfied", "success_status", _known(row.success_status)),
            ("read_measure", "scaled", row.normalized_measure),
            ("read_raw", "raw", row.score_raw),
            ("read_min", "min", row.score_min),
            ("read_max", "max", row.score_max),
            ("read_completion", "completion_status", _known(row.completion_status)),
            ("read_progress", "progress_measure", row.progress_measure),
        ):
            if mapped[flag] and value is not None and name not in values:
                values[name] = value
    if objective["satisfied_by_measure"] and "scaled" in values:
        values["success_status"] = _by_measure(values["scaled"], objective)
    entry: dict = {"id": objective["id"]}
    for name in ("success_status", "completion_status"):
        if name in values:
            entry[name] = values[name]
    if "progress_measure" in values:
        entry["progress_measure"] = plain(values["progress_measure"])
    score = {
        name: plain(values[name])
        for name in ("scaled", "raw", "min", "max")
        if name in values
    }
    if score:
        entry["score"] = score
    return entry


def _known(status: str) -> str | None:
    return status if status != "unknown" else None


def course_globals(enrollment, package) -> list[GlobalObjective]:
    """The learner's global objectives that the package's items map, for the
    record page, in target order."""
    targets = {
        m["target"]
        for item in package.items.all()
        for o in item.objectives
        for m in o["maps"]
    }
    if not targets:
        return []
    return list(
        GlobalObjective.objects.filter(
            person_id=enrollment.person_id,
            **scope(package, package.objectives_global_to_system),
            target_key__in=[target_key(t) for t in targets],
        ).order_by("target_id")
    )
