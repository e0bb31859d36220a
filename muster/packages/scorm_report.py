"""What a learner did in each SCO: the objectives and interactions it reported.

Read from the evidence, the `CmiCommit`s: for each launch (session) of each item,
its last commit, which holds the whole data model as the runtime had it. SCORM
1.2 (`cmi.objectives.n.status`, `cmi.interactions.n.student_response`, `time`) and
2004 (`success_status`/`completion_status`, `learner_response`, `timestamp`) are
shown in the same columns. Values are the SCO's own, shown as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Max

from muster.packages.choices import PackageKind
from muster.packages.models import CmiCommit, PackageItem, ScoState

ROW = re.compile(r"^cmi\.(objectives|interactions)\.(\d+)\.(.+)$")
PATTERN = re.compile(r"^correct_responses\.(\d+)\.pattern$")


@dataclass
class Session:
    launch: str
    last_commit_at: datetime
    objectives: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)


@dataclass
class ItemReport:
    item: PackageItem
    state: ScoState | None
    sessions: list[Session] = field(default_factory=list)


def report(enrollment) -> list[ItemReport]:
    """One entry per item of the package, in order, with its sessions."""
    items = list(enrollment.course.package.items.all())
    states = {s.item_id: s for s in ScoState.objects.filter(enrollment=enrollment)}
    last = (
        CmiCommit.objects.filter(enrollment=enrollment)
        .values("item", "launch")
        .annotate(last=Max("pk"))
        .values("last")
    )
    sessions: dict[int, list[Session]] = {}
    for commit in CmiCommit.objects.filter(pk__in=last).order_by("received_at", "pk"):
        sessions.setdefault(commit.item_id, []).append(session_of(commit))
    return [
        ItemReport(
            item=item, state=states.get(item.pk), sessions=sessions.get(item.pk, [])
        )
        for item in items
        if item.talks_to_runtime
    ]


def session_of(commit: CmiCommit) -> Session:
    rows: dict[str, dict[int, dict[str, str]]] = {"objectives": {}, "interactions": {}}
    for key, value in commit.data.items():
        match = ROW.match(key)
        if match and value not in (None, ""):
            group, n, name = match[1], int(match[2]), match[3]
            rows[group].setdefault(n, {})[name] = str(value)
    return Session(
        launch=commit.launch,
        last_commit_at=commit.received_at,
        objectives=[_objective(r) for _, r in sorted(rows["objectives"].items())],
        interactions=[_interaction(r) for _, r in sorted(rows["interactions"].items())],
    )


def _objective(row: dict[str, str]) -> dict:
    status = row.get("status") or " / ".join(
        v for v in (row.get("completion_status"), row.get("success_status")) if v
    )
    score = row.get("score.scaled") or row.get("score.raw", "")
    return {
        "id": row.get("id", ""),
        "description": row.get("description", ""),
        "status": status,
        "score": score,
        "progress": row.get("progress_measure", ""),
    }


def _interaction(row: dict[str, str]) -> dict:
    patterns = sorted(
        (int(m[1]), value) for key, value in row.items() if (m := PATTERN.match(key))
    )
    return {
        "id": row.get("id", ""),
        "type": row.get("type", ""),
        "description": row.get("description", ""),
        "response": row.get("learner_response") or row.get("student_response", ""),
        "correct": "; ".join(value for _, value in patterns),
        "result": row.get("result", ""),
        "when": row.get("timestamp") or row.get("time", ""),
        "weighting": row.get("weighting", ""),
        "latency": row.get("latency", ""),
    }


@dataclass(frozen=True)
class Rollup:
    completion: str
    success: str
    measure: Decimal | None


def course_rollup(package, parts: list[ItemReport], enrollment=None) -> Rollup | None:
    """The course's status rolled up from its SCOs by the SN book's default
    rollup rules (4.6, no rollup rules of the manifest's own): completed when
    every contributing child is completed, incomplete when every one was
    attempted; satisfied (passed) when every one is, not satisfied (failed) when
    every one's status is known and not all passed; the measure the average of
    the tracked children's scaled scores, weighted by objectiveMeasureWeight.
    SCORM 2004 only (1.2 has no sequencing); None for others."""
    if package.kind != PackageKind.SCORM_2004:
        return None
    if enrollment is not None and package.sequencing:
        # The activity tree read from the manifest: its own rollup rules, the
        # default ones where it gives none (muster/packages/sequencing.py).
        from muster.packages.sequencing import Tracker

        status = Tracker(enrollment, package).course_status()
        return Rollup(
            completion={True: "completed", False: "incomplete"}.get(
                status.completed, "unknown"
            ),
            success={True: "passed", False: "failed"}.get(status.satisfied, "unknown"),
            measure=status.measure,
        )
    tracked = [p for p in parts if (p.item.rollup or {}).get("tracked", True)]
    completing = [p for p in tracked if (p.item.rollup or {}).get("completion", True)]
    satisfying = [p for p in tracked if (p.item.rollup or {}).get("satisfied", True)]
    completion = "unknown"
    if completing and all(p.state for p in completing):
        completion = "incomplete"
        if all(p.state.completion_status == "completed" for p in completing):
            completion = "completed"
    success = "unknown"
    known = [p.state.success_status for p in satisfying if p.state]
    if satisfying and len(known) == len(satisfying) and "unknown" not in known:
        success = "passed" if set(known) == {"passed"} else "failed"
    total = counted = Decimal(0)
    valid = False
    for part in tracked:
        weight = Decimal((part.item.rollup or {}).get("weight", "1.0"))
        counted += weight
        if part.state and part.state.score_scaled is not None:
            total += part.state.score_scaled * weight
            valid = True
    measure = (
        (total / counted).quantize(Decimal("0.0001")) if valid and counted else None
    )
    return Rollup(completion=completion, success=success, measure=measure)
