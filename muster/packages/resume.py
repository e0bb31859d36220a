"""On resume, a SCO's own collections as it left them.

When a SCO suspends (`cmi.exit` = suspend) its next launch resumes the attempt,
and the run-time data is the SCO's as it left it (RTE 4.2.8 cmi.entry, 4.2.9
cmi.exit): Muster gives back location and suspend data (`runtime.launch_data`)
and, here, from the last commit of the suspended attempt, `cmi.objectives` and,
in SCORM 2004, `cmi.interactions` and `cmi.comments_from_learner` (SCORM 1.2
interactions are write-only, so nothing reads them back). They are handed to
scorm-again's loadFromJSON, each record's fields in an order it accepts (an
interaction's type before its responses).

Scores are run-time data too (`kept_numbers`): a resumed SCORM 2004 attempt
gets back cmi.score.* and cmi.progress_measure (RTE 4.2.8: on resume the
run-time data is the suspended session's), and a SCORM 1.2 SCO gets back
cmi.core.score.* on every later launch, like its lesson_status (1.2 has no
attempts; the score is read/write and the LMS keeps it for the SCO).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from muster.packages.choices import PackageKind
from muster.packages.models import CmiCommit, PackageItem, ScoState

ROW = re.compile(r"^cmi\.(objectives|interactions|comments_from_learner)\.(\d+)\.(.+)$")
FIRST = {
    "objectives": ("id",),
    "interactions": ("id", "type"),
    "comments_from_learner": (),
}


def suspended_collections(
    state: ScoState | None, item: PackageItem, kind: str
) -> dict[str, list[dict]]:
    """The collections to restore, by name ("objectives", ...); {} unless the
    SCO suspended."""
    if state is None or state.exit != "suspend":
        return {}
    commit = last_commit(state)
    if commit is None:
        return {}
    wanted = ("objectives",) if kind == PackageKind.SCORM_12 else tuple(FIRST)
    rows: dict[str, dict[int, dict[str, str]]] = {name: {} for name in wanted}
    for key, value in commit.data.items():
        match = ROW.match(key)
        if match and match[1] in rows and value not in (None, ""):
            rows[match[1]].setdefault(int(match[2]), {})[match[3]] = str(value)
    found = {}
    for name, records in rows.items():
        built = [_nested(fields, FIRST[name]) for _, fields in sorted(records.items())]
        built = [record for record in built if record]
        if built:
            found[name] = built
    return found


def last_commit(state: ScoState) -> CmiCommit | None:
    """The SCO's last commit: the data model as the SCO last left it."""
    return (
        CmiCommit.objects.filter(
            enrollment_id=state.enrollment_id, item_id=state.item_id
        )
        .order_by("-received_at", "-pk")
        .first()
    )


def kept_numbers(commit: CmiCommit | None, prefix: str, names: tuple[str, ...]) -> dict:
    """{"raw": "80", ...}: the elements prefix + name the commit holds as
    numbers. Anything else is left out, so a stray value in a stored commit
    cannot make scorm-again refuse the launch data."""
    found = {}
    for name in names:
        value = str((commit.data if commit else {}).get(prefix + name) or "")
        try:
            if value and Decimal(value).is_finite():
                found[name] = value
        except InvalidOperation:
            continue
    return found


def _nested(fields: dict[str, str], first: tuple[str, ...]) -> dict:
    """{"score.scaled": "1", "correct_responses.0.pattern": "a"} as
    {"score": {"scaled": "1"}, "correct_responses": [{"pattern": "a"}]}."""
    if "id" in first and not fields.get("id"):
        return {}
    record: dict = {name: fields[name] for name in first if name in fields}
    lists: dict[str, dict[int, dict[str, str]]] = {}
    for path, value in fields.items():
        if path in first:
            continue
        parts = path.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            lists.setdefault(parts[0], {}).setdefault(int(parts[1]), {})[parts[2]] = (
                value
            )
        elif len(parts) == 2:
            record.setdefault(parts[0], {})[parts[1]] = value
        elif len(parts) == 1:
            record[path] = value
    for name, entries in lists.items():
        record[name] = [entries[n] for n in sorted(entries)]
    return record


def merged_objectives(restored: list[dict], initial: list[dict]) -> list[dict]:
    """The SCO's own objectives, with what the read maps give (the global
    objectives' values win) and the manifest's objective ids it lacks."""
    by_id = {entry.get("id"): entry for entry in restored}
    merged = list(restored)
    for entry in initial:
        own = by_id.get(entry["id"])
        if own is None:
            merged.append(entry)
            continue
        for name, value in entry.items():
            if name == "score":
                own.setdefault("score", {}).update(value)
            elif name != "id":
                own[name] = value
    return merged
