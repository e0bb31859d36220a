"""The SCORM runtime on the server: checking a commit, judging status, the launch data.

The browser runs scorm-again (the CMI data model and the API object the SCO
calls); the server decides what counts. A commit is refused, whole, when an
element Muster relies on breaks the data model's rules (vocabulary, type, size),
with the element named. Statuses are then judged as the runtime specifications
say the LMS must: SCORM 2004 RTE 4.2.4.1 and 4.2.22 (a completion threshold
judges progress_measure, a scaled passing score judges score.scaled), and SCORM
1.2 RTE 3.4.4 (with a mastery score and credit, the raw score decides passed or
failed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Max, Min
from django.db.models.fields.json import KeyTextTransform

from muster.packages.choices import PackageKind
from muster.packages.models import CmiCommit, PackageItem, ScoState
from muster.packages.resume import kept_numbers, last_commit

MAX_COMMIT_BYTES = 512 * 1024

STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
EXIT_12 = ("time-out", "suspend", "logout", "")
COMPLETION_2004 = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS_2004 = ("passed", "failed", "unknown")
EXIT_2004 = ("time-out", "suspend", "logout", "normal", "")

# CMITimespan (SCORM 1.2): HHHH:MM:SS.SS, hours of 2 to 4 digits.
TIMESPAN_12 = re.compile(r"^(\d{2,4}):([0-5]\d):([0-5]\d)(\.\d{1,2})?$")
# timeinterval (second,10,2) (SCORM 2004): ISO 8601 duration, P[nY][nM][nD][T[nH][nM][n[.n]S]].
DURATION_2004 = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
    r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$"
)


# adl.nav.request (SCORM 2004 RTE 4.4.2; jump is 4th edition).
NAV_REQUESTS = (
    "continue",
    "previous",
    "exit",
    "exitAll",
    "abandon",
    "abandonAll",
    "suspendAll",
    "_none_",
)
NAV_TARGET = re.compile(r"^\{target=([^{}]+)\}(choice|jump)$")


class CommitError(Exception):
    """A commit that breaks the data model; the message names the element."""


@dataclass(frozen=True)
class Judged:
    """The statuses and values of one commit, as the server judges them."""

    completion_status: str
    success_status: str
    score_raw: Decimal | None
    score_scaled: Decimal | None
    location: str
    suspend_data: str
    exit: str
    session_seconds: Decimal | None


def keys(kind: str) -> dict[str, str]:
    """The data-model element behind each thing Muster keeps, by version."""
    if kind == PackageKind.SCORM_12:
        return {
            "status": "cmi.core.lesson_status",
            "exit": "cmi.core.exit",
            "session": "cmi.core.session_time",
            "raw": "cmi.core.score.raw",
            "location": "cmi.core.lesson_location",
            "suspend": "cmi.suspend_data",
        }
    return {
        "status": "cmi.completion_status",
        "success": "cmi.success_status",
        "exit": "cmi.exit",
        "session": "cmi.session_time",
        "raw": "cmi.score.raw",
        "scaled": "cmi.score.scaled",
        "progress": "cmi.progress_measure",
        "location": "cmi.location",
        "suspend": "cmi.suspend_data",
    }


def check_commit(data: object, kind: str) -> dict:
    """The commit's flattened CMI elements; CommitError if it breaks the model."""
    if not isinstance(data, dict):
        raise CommitError("The commit must be a JSON object of cmi.* elements.")
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(
            value, str | dict | int | float | bool | None
        ):
            raise CommitError(f"{key}: a value must be a string.")
    return data


def judge(data: dict, item: PackageItem, kind: str) -> Judged:
    """Check the elements Muster relies on, then judge the statuses."""
    k = keys(kind)
    text = {name: str(data.get(key) or "") for name, key in k.items()}
    if kind == PackageKind.SCORM_12:
        return _judge_12(text, item, k)
    return _judge_2004(text, item, k)


def _judge_12(text: dict, item: PackageItem, k: dict) -> Judged:
    status = text["status"] or "not attempted"
    one_of(status, STATUS_12, k["status"])
    one_of(text["exit"], EXIT_12, k["exit"])
    longest(text["suspend"], 4096, k["suspend"])
    longest(text["location"], 255, k["location"])
    raw = decimal(text["raw"], k["raw"], 0, 100)
    success = {"passed": "passed", "failed": "failed"}.get(status, "unknown")
    if item.mastery_score is not None and raw is not None:
        # RTE 3.4.4: with a mastery score, the score decides passed or failed.
        status = success = "passed" if raw >= item.mastery_score else "failed"
    return Judged(
        completion_status=status,
        success_status=success,
        score_raw=raw,
        score_scaled=None,
        location=text["location"],
        suspend_data=text["suspend"],
        exit=text["exit"],
        session_seconds=timespan_12(text["session"], k["session"]),
    )


def _judge_2004(text: dict, item: PackageItem, k: dict) -> Judged:
    completion = text["status"] or "unknown"
    success = text["success"] or "unknown"
    one_of(completion, COMPLETION_2004, k["status"])
    one_of(success, SUCCESS_2004, k["success"])
    one_of(text["exit"], EXIT_2004, k["exit"])
    longest(text["suspend"], 64000, k["suspend"])
    longest(text["location"], 1000, k["location"])
    scaled = decimal(text["scaled"], k["scaled"], -1, 1)
    progress = decimal(text["progress"], k["progress"], 0, 1)
    if item.completion_threshold is not None and progress is not None:
        completion = (
            "completed" if progress >= item.completion_threshold else "incomplete"
        )
    if item.scaled_passing_score is not None:
        if scaled is None:
            success = "unknown"
        else:
            success = "passed" if scaled >= item.scaled_passing_score else "failed"
    return Judged(
        completion_status=completion,
        success_status=success,
        score_raw=decimal(text["raw"], k["raw"], None, None),
        score_scaled=scaled,
        location=text["location"],
        suspend_data=text["suspend"],
        exit=text["exit"],
        session_seconds=duration_2004(text["session"], k["session"]),
    )


def is_complete(judged: Judged, item: PackageItem, kind: str) -> bool:
    """Whether the SCO is done for credit: completed, and passed where judged."""
    threshold = (
        item.mastery_score
        if kind == PackageKind.SCORM_12
        else item.scaled_passing_score
    )
    if judged.success_status == "failed":
        return False
    if threshold is not None:
        return judged.success_status == "passed"
    if kind == PackageKind.SCORM_12:
        return judged.completion_status in ("passed", "completed")
    return judged.completion_status == "completed"


def nav_request(data: dict, kind: str) -> str:
    """The commit's adl.nav.request (SCORM 2004), "_none_" if none; CommitError
    if it is not a navigation request."""
    if kind == PackageKind.SCORM_12:
        return "_none_"
    value = str(data.get("adl.nav.request") or "_none_")
    if value not in NAV_REQUESTS and not NAV_TARGET.match(value):
        raise CommitError(
            f"adl.nav.request: '{value[:40]}' is not a navigation request "
            "(continue, previous, {target=ID}choice, {target=ID}jump, exit, "
            "exitAll, abandon, abandonAll, suspendAll or _none_)."
        )
    return value


def one_of(value: str, allowed: tuple[str, ...], key: str) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise CommitError(f"{key}: '{value[:40]}' is not one of {shown}.")


def longest(value: str, size: int, key: str) -> None:
    if len(value) > size:
        raise CommitError(
            f"{key}: {len(value)} characters, more than the {size} allowed."
        )


def decimal(raw: str, key: str, low, high) -> Decimal | None:
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise CommitError(f"{key}: '{raw[:40]}' is not a number.") from None
    if not value.is_finite() or (low is not None and not low <= value <= high):
        raise CommitError(f"{key}: {raw[:40]} is outside {low} to {high}.")
    return value


def timespan_12(raw: str, key: str) -> Decimal | None:
    """Seconds in a SCORM 1.2 CMITimespan, HHHH:MM:SS.SS."""
    if raw == "":
        return None
    match = TIMESPAN_12.match(raw)
    if not match:
        raise CommitError(f"{key}: '{raw[:40]}' is not a time span HHHH:MM:SS.SS.")
    hours, minutes, seconds, fraction = match.groups()
    whole = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return Decimal(whole) + Decimal(fraction or "0")


def duration_2004(raw: str, key: str) -> Decimal | None:
    """Seconds in a SCORM 2004 timeinterval (ISO 8601 duration)."""
    if raw == "":
        return None
    match = DURATION_2004.match(raw)
    if not match or raw in ("P", "PT") or raw.endswith("T"):
        raise CommitError(
            f"{key}: '{raw[:40]}' is not an ISO 8601 duration such as PT1H5M."
        )
    years, months, days, hours, minutes, seconds = (g or "0" for g in match.groups())
    # Years and months have no fixed length; RTE 4.2.23 lets the LMS take a
    # year as 365 days and a month as 30.
    whole = ((int(years) * 365 + int(months) * 30 + int(days)) * 24 + int(hours)) * 3600
    return Decimal(whole + int(minutes) * 60) + Decimal(seconds)


def format_total(seconds: Decimal, kind: str) -> str:
    """Total time in the version's own format, for cmi.core.total_time/cmi.total_time."""
    hundredths = int(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    secs, cents = divmod(rest, 100)
    if kind == PackageKind.SCORM_12:
        return f"{min(hours, 9999):04d}:{minutes:02d}:{secs:02d}.{cents:02d}"
    return f"PT{hours}H{minutes}M{secs}.{cents:02d}S"


def plain(value: Decimal) -> str:
    """A decimal as the data model writes it: 80, 0.7 (never 8E+1)."""
    return format(value.normalize(), "f")


def launch_data(state: ScoState | None, item: PackageItem, kind: str, person) -> dict:
    """The CMI values the LMS supplies at launch, as scorm-again's loadFromJSON takes.

    Only a suspended SCO (cmi.exit "suspend") gets its run-time data back, with
    entry "resume". Otherwise, in SCORM 2004, its attempt ended (4th edition RTE
    4.2.8 cmi.exit: "normal", "logout", "time-out" or "" end it, and its data is
    not available if the SCO is relaunched), so the launch is a new attempt:
    entry "ab-initio", the statuses unset (scorm-again's "unknown") and total
    time from zero (cmi.total_time counts the current attempt's sessions).
    SCORM 1.2 has no attempts: its RTE sets lesson_status "not attempted" and
    entry "ab-initio" on the first launch only, and entry "" on a later one not
    resumed (say, a review after completing), so lesson_status, score and
    total time carry over. A resumed 2004 attempt gets its score and
    progress_measure back, from the SCO's last commit. What the learner already achieved is kept apart, in
    `ScoState.is_complete`.
    """
    resume = state is not None and state.exit == "suspend"
    name = f"{person.last_name}, {person.first_name}"
    if kind == PackageKind.SCORM_12:
        total = format_total(state.reported_seconds if state else Decimal(0), kind)
        data = {
            "core": {
                "student_id": str(person.pk),
                "student_name": name,
                "credit": "credit",
                "lesson_mode": "normal",
                "entry": "resume" if resume else ("ab-initio" if state is None else ""),
                "lesson_location": state.location if resume else "",
                "total_time": total,
            },
            "suspend_data": state.suspend_data if resume else "",
            "launch_data": item.data_from_lms,
        }
        if state is not None and state.completion_status != "not attempted":
            data["core"]["lesson_status"] = state.completion_status
        if state is not None:
            score = kept_numbers(
                last_commit(state), "cmi.core.score.", ("raw", "min", "max")
            )
            if score:
                data["core"]["score"] = score
        student = {}
        if item.mastery_score is not None:
            student["mastery_score"] = plain(item.mastery_score)
        if item.max_time_allowed:
            student["max_time_allowed"] = item.max_time_allowed
        if item.time_limit_action:
            student["time_limit_action"] = item.time_limit_action
        if student:
            data["student_data"] = student
        return data
    total = format_total(attempt_seconds(state) if resume else Decimal(0), kind)
    data = {
        "learner_id": str(person.pk),
        "learner_name": name,
        "credit": "credit",
        "mode": "normal",
        "entry": "resume" if resume else "ab-initio",
        "location": state.location if resume else "",
        "suspend_data": state.suspend_data if resume else "",
        "total_time": total,
        "launch_data": item.data_from_lms,
    }
    if resume and state.completion_status != "not attempted":
        data["completion_status"] = state.completion_status
        data["success_status"] = state.success_status
    if resume:
        commit = last_commit(state)
        score = kept_numbers(commit, "cmi.score.", ("scaled", "raw", "min", "max"))
        if score:
            data["score"] = score
        data.update(kept_numbers(commit, "cmi.", ("progress_measure",)))
    if item.scaled_passing_score is not None:
        data["scaled_passing_score"] = plain(item.scaled_passing_score)
    if item.completion_threshold is not None:
        data["completion_threshold"] = plain(item.completion_threshold)
    if item.time_limit_action:
        data["time_limit_action"] = item.time_limit_action
    return data


def attempt_seconds(state: ScoState) -> Decimal:
    """The session times of a suspended SCORM 2004 attempt so far: each launch's
    last reported one, over the launches since the last that ended the attempt
    (the learner may suspend and resume many times in one attempt)."""
    commits = CmiCommit.objects.filter(
        enrollment_id=state.enrollment_id, item_id=state.item_id
    )
    launches = list(
        commits.values("launch")
        .annotate(first=Min("pk"), last=Max("pk"))
        .order_by("-first")
    )
    exits = dict(
        commits.filter(pk__in=[row["last"] for row in launches])
        .annotate(exit=KeyTextTransform("cmi.exit", "data"))
        .values_list("pk", "exit")
    )
    attempt = []
    for row in launches:
        if exits.get(row["last"]) != "suspend":
            break
        attempt.append(row["launch"])
    timed = commits.filter(launch__in=attempt, session_seconds__isnull=False)
    last = timed.values("launch").annotate(last=Max("pk")).values("last")
    times = CmiCommit.objects.filter(pk__in=last).values_list(
        "session_seconds", flat=True
    )
    return sum(times, Decimal(0))
