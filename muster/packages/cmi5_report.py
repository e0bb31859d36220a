"""What a coordinator sees of cmi5 registrations: per course, per learner, per AU.

Read-only; built from what the LMS keeps (registrations, AU sessions, where each
AU stands for moveOn), a few queries per page whatever the number of learners.
The enrollments come from muster.accounts.access.cmi5_enrollments, which
decides whose registrations a user may see.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count

from muster.packages.cmi5 import (
    COMPLETED,
    FAILED,
    PASSED,
    VERB_NAMES,
    actor_of,
    course_activity_id,
)
from muster.packages.models import Cmi5Registration, Cmi5Session, ScoState
from muster.xapi import query
from muster.xapi.identity import agent_key
from muster.xapi.models import Statement
from muster.xapi.validation import Invalid

# Statements on one page of an AU's list.
STATEMENTS_PER_PAGE = 25


@dataclass
class CourseLine:
    """One cmi5 course: how many of the agency's people are where in it."""

    course: object
    enrolled: int = 0
    launched: int = 0
    satisfied: int = 0
    complete: int = 0


@dataclass
class AuLine:
    """One AU of one registration: where it stands and its sessions."""

    item: object
    standing: str
    sessions: int = 0
    last_launched: datetime | None = None
    last_end: str = ""
    can_waive: bool = False
    # The statements the AU sent in its sessions, cmi5 defined and allowed (9.3:
    # the LMS records and reports them all; the agency's LRS credentials read them).
    statements: int = 0


@dataclass
class LearnerLine:
    enrollment: object
    registration: str = ""
    first_launched: datetime | None = None
    sessions: int = 0
    status: str = "Not launched"
    aus: list[AuLine] = field(default_factory=list)


def course_lines(enrollments) -> list[CourseLine]:
    """The cmi5 courses the enrollments are in, with counts, by title."""
    lines: dict[int, CourseLine] = {}
    launched = set(
        Cmi5Session.objects.filter(
            registration__enrollment__in=enrollments, is_waiver=False
        ).values_list("registration__enrollment_id", flat=True)
    )
    satisfied = _satisfied_enrollments(enrollments)
    for enrollment in enrollments:
        line = lines.setdefault(
            enrollment.course_id, CourseLine(course=enrollment.course)
        )
        line.enrolled += 1
        line.launched += enrollment.pk in launched
        line.satisfied += enrollment.pk in satisfied
        line.complete += enrollment.is_complete
    return sorted(lines.values(), key=lambda line: line.course.title)


def _satisfied_enrollments(enrollments) -> set[int]:
    found = set()
    for registration in Cmi5Registration.objects.filter(
        enrollment__in=enrollments
    ).select_related("enrollment__course__package"):
        package = registration.enrollment.course.package
        if course_activity_id(package) in registration.satisfied:
            found.add(registration.enrollment_id)
    return found


def learner_lines(enrollments, course, *, may_waive: bool) -> list[LearnerLine]:
    """One line per enrollment in `course`, with a line per AU, by name."""
    enrollments = list(
        enrollments.filter(course=course).order_by(
            "person__last_name", "person__first_name", "pk"
        )
    )
    package = course.package
    items = list(package.items.all())
    registrations = {
        r.enrollment_id: r
        for r in Cmi5Registration.objects.filter(enrollment__in=enrollments)
    }
    sessions = defaultdict(list)
    for session in Cmi5Session.objects.filter(
        registration__in=registrations.values()
    ).order_by("launched_at", "pk"):
        sessions[(session.registration_id, session.item_id)].append(session)
    states = {
        (s.enrollment_id, s.item_id): s
        for s in ScoState.objects.filter(enrollment__in=enrollments)
    }
    sent = dict(
        Statement.objects.filter(
            client__cmi5_session__registration__in=registrations.values()
        )
        .values("client__cmi5_session")
        .annotate(count=Count("pk"))
        .values_list("client__cmi5_session", "count")
    )
    lines = []
    for enrollment in enrollments:
        registration = registrations.get(enrollment.pk)
        line = LearnerLine(enrollment=enrollment)
        if registration is not None:
            line.registration = str(registration.registration)
        for item in items:
            mine = sessions[(registration.pk, item.pk)] if registration else []
            au = _au_line(item, mine, states.get((enrollment.pk, item.pk)))
            au.statements = sum(sent.get(session.pk, 0) for session in mine)
            au.can_waive = (
                may_waive
                and not enrollment.is_complete
                and not (au.standing.startswith(("Satisfied", "Waived")))
            )
            line.aus.append(au)
        launches = [
            s.launched_at
            for key, found in sessions.items()
            if registration and key[0] == registration.pk
            for s in found
            if not s.is_waiver
        ]
        line.sessions = len(launches)
        line.first_launched = min(launches) if launches else None
        line.status = _status(enrollment, registration, package, launches)
        lines.append(line)
    return lines


def _au_line(item, sessions, state) -> AuLine:
    launched = [s for s in sessions if not s.is_waiver]
    line = AuLine(item=item, standing=_standing(sessions, state))
    line.sessions = len(launched)
    if launched:
        last = launched[-1]
        line.last_launched = last.launched_at
        line.last_end = (
            "terminated"
            if last.terminated_at
            else "abandoned"
            if last.abandoned_at
            else "open"
        )
    return line


def _standing(sessions, state) -> str:
    """Satisfied (moveOn met) or waived first; else what the AU reported."""
    if any(s.is_waiver for s in sessions):
        return "Waived"
    verbs = {verb for s in sessions for verb in s.verbs}
    if state is not None and state.is_complete:
        return "Satisfied" if sessions else "Satisfied (moveOn NotApplicable)"
    reported = [
        name
        for verb, name in ((COMPLETED, "completed"), (PASSED, "passed"))
        if verb in verbs
    ]
    if FAILED in verbs and PASSED not in verbs:
        reported.append("failed")
    if reported:
        return "Not satisfied (" + ", ".join(reported) + ")"
    return "Not satisfied" if sessions else "Not launched"


def _status(enrollment, registration, package, launches) -> str:
    if enrollment.is_complete:
        return "Complete"
    if registration is not None and course_activity_id(package) in (
        registration.satisfied
    ):
        return "Satisfied"
    return "In progress" if launches else "Not launched"


def objective_lines(package) -> list[dict]:
    """The course structure's objectives (cmi5 13.1.3) as the course page shows
    them: each with the AUs (by title) and blocks (by id) that refer to it."""
    titles = {item.identifier: item.title for item in package.items.all()}
    return [
        {
            **objective,
            "aus": [titles.get(au, au) for au in objective.get("aus", [])],
        }
        for objective in package.cmi5_objectives
    ]


# --- One AU's statements in a registration (9.3: the LMS reports them all) -------


@dataclass
class StatementLine:
    verb: str
    timestamp: str
    stored: datetime
    result: str
    by_au: bool  # sent with the session's credential, not made by Muster


@dataclass
class StatementPage:
    lines: list[StatementLine]
    more: str = ""  # the LRS's token for the next page, "" on the last


def au_statements(agency, enrollment, item, *, more: str = "") -> StatementPage:
    """The statements about `item` in the enrollment's registration, oldest first,
    one page, read from `agency`'s LRS through its own query (muster.xapi.query):
    the learner as agent, the registration, and the AU's publisher id as a
    related activity, which the context template puts in every statement of the
    AU (10.0) and Muster in its own about the AU (Launched, Abandoned, Waived).
    `more` is the previous page's token; one for another query is refused."""
    registration = Cmi5Registration.objects.filter(enrollment=enrollment).first()
    if registration is None:
        return StatementPage(lines=[])
    wanted = query.Filters(
        agent=agent_key(actor_of(enrollment)),
        activity=item.identifier,
        registration=registration.registration,
        related_activities=True,
        ascending=True,
        limit=STATEMENTS_PER_PAGE,
    )
    filters = wanted
    if more:
        filters = query.filters_from_more(more)
        if _query_of(filters) != _query_of(wanted):
            raise Invalid("more: a link for another list of statements.")
    rows, next_more = query.find_statements(agency, filters)
    credentials = set(
        Cmi5Session.objects.filter(
            registration=registration, credential__isnull=False
        ).values_list("credential_id", flat=True)
    )
    return StatementPage(
        lines=[_statement_line(row, credentials) for row in rows], more=next_more
    )


def _query_of(filters) -> tuple:
    return (
        filters.agent,
        filters.activity,
        filters.registration,
        filters.related_activities,
        filters.verb,
        filters.since,
        filters.until,
        filters.ascending,
    )


def _statement_line(row, credentials: set[int]) -> StatementLine:
    data = row.data
    verb = data.get("verb", {})
    name = VERB_NAMES.get(verb.get("id", "")) or next(
        iter(verb.get("display", {}).values()), verb.get("id", "")
    )
    return StatementLine(
        verb=name,
        timestamp=data.get("timestamp", ""),
        stored=row.stored,
        result=result_text(data.get("result") or {}),
        by_au=row.client_id in credentials,
    )


def result_text(result: dict) -> str:
    """A statement's result in words: success, completion, score, duration."""
    parts = []
    if "success" in result:
        parts.append("success" if result["success"] else "no success")
    if "completion" in result:
        parts.append("complete" if result["completion"] else "not complete")
    score = result.get("score") or {}
    if "scaled" in score:
        parts.append(f"score {score['scaled']} (scaled)")
    elif "raw" in score:
        parts.append(f"score {score['raw']}")
    if "duration" in result:
        parts.append(f"duration {result['duration']}")
    return ", ".join(str(part) for part in parts)
