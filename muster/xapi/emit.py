"""Statements about Muster's own online courses: launched, progressed, completed, passed.

They are stored in the learner's agency's LRS (and so forwarded to its other LRS
if it set one up), with Muster as the authority. Each has an id derived from
the enrollment and the event, so a repeated event (a retry, a second tab) is
stored once. Muster's own completions are already training records, so these
statements never make a second one (`store_statements` records completions only
for statements sent by an LRS client).
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction

from muster.learning.models import Attempt, Enrollment
from muster.xapi.models import Statement, lrs_home_page
from muster.xapi.statements import Conflict, store_statements

VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "progressed": "http://adlnet.gov/expapi/verbs/progressed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
}
PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
NAMESPACE = uuid.UUID("6f0d7d1e-5b7a-4a55-9a65-3c1f0d6b1a42")


def muster_authority() -> dict:
    return {
        "objectType": "Agent",
        "name": "Muster",
        "account": {"homePage": lrs_home_page(), "name": "muster"},
    }


def emit(enrollment: Enrollment, verb: str, *, result=None, event: str = "") -> None:
    """Store one statement about `enrollment`, unless it was stored before."""
    from muster.learning.actions import _employer

    agency = _employer(enrollment.person)
    if agency is None:
        return
    statement_id = uuid.uuid5(NAMESPACE, f"{enrollment.pk}:{verb}:{event}")
    if Statement.objects.filter(agency=agency, statement_id=statement_id).exists():
        return
    statement = {
        "id": str(statement_id),
        "actor": _actor(enrollment),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": _course(enrollment),
        "context": {
            "registration": str(uuid.uuid5(NAMESPACE, f"enrollment:{enrollment.pk}")),
            "platform": "Muster",
        },
    }
    if result:
        statement["result"] = result
    try:
        with transaction.atomic():
            store_statements(agency, [statement], muster_authority())
    except (IntegrityError, Conflict):
        # The same event, sent at the same moment by a second request: stored once.
        return


def _actor(enrollment: Enrollment) -> dict:
    person = enrollment.person
    return {
        "objectType": "Agent",
        "name": person.get_full_name(),
        "account": {"homePage": lrs_home_page(), "name": f"person-{person.pk}"},
    }


def _course(enrollment: Enrollment) -> dict:
    course = enrollment.course
    return {
        "objectType": "Activity",
        "id": f"{lrs_home_page().rstrip('/')}/courses/{course.slug}",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/course",
            "name": {"en-US": course.title},
        },
    }


def emit_progress(enrollment: Enrollment, lesson) -> None:
    total = enrollment.course.lessons.count() or 1
    # A lesson counts once opened, as it does for the assessment (lessons_left).
    done = enrollment.progress.count()
    emit(
        enrollment,
        "progressed",
        result={"extensions": {PROGRESS: min(100, round(100 * done / total))}},
        event=f"lesson-{lesson.pk}",
    )


def emit_attempt(attempt: Attempt) -> None:
    if not attempt.is_passed:
        return
    emit(
        attempt.enrollment,
        "passed",
        result={
            "success": True,
            "score": {
                "raw": attempt.correct,
                "min": 0,
                "max": attempt.total,
                "scaled": round(attempt.correct / attempt.total, 4)
                if attempt.total
                else 0,
            },
        },
        event=f"attempt-{attempt.pk}",
    )


def emit_completion(enrollment: Enrollment) -> None:
    emit(
        enrollment,
        "completed",
        result={
            "completion": True,
            "success": True,
            "duration": f"PT{enrollment.active_seconds}S",
        },
    )
