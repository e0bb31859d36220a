"""Muster as the cmi5 LMS: launch, the fetch URL, the LMS's statements, the AU rules.

References are to the cmi5 specification (AICC/ADL, "cmi5_spec.md", Quartz):
section 8 (content launch), 9 (statement data model), 10 (the LMS.LaunchData
state document) and 11 (the cmi5LearnerPreferences agent profile).
docs/content-packages.md lists each LMS requirement and where it is met.

A launch (`launch`) opens an AU session: a registration for the enrollment
(one per enrollment, 9.6.1), any earlier open session abandoned (9.3.6), the
LaunchData document and a Launched statement written before the URL is given
out (10.0, 9.3.1), and a one-session LRS credential whose secret only the fetch
URL hands out, once (8.2). The AU's statements arrive at /xapi/ with that
credential; `Cmi5Policy` (registered with muster.xapi.policy) refuses, with
403 and nothing stored, those that break cmi5's rules (6.3: the LMS SHOULD
reject them), and after they are stored judges moveOn (13.1.4), issues
Satisfied for blocks and the course (9.3.9) and completes the enrollment
through the same `complete_enrollment` as native courses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.learning.actions import employer_of
from muster.learning.models import Enrollment
from muster.packages import launch as launching
from muster.packages.models import (
    Cmi5Registration,
    Cmi5Session,
    PackageItem,
    ScoState,
)
from muster.xapi.identity import agent_key
from muster.xapi.models import (
    Document,
    DocumentKind,
    LRSClient,
    hash_secret,
    lrs_home_page,
)
from muster.xapi.statements import iso, store_statements

ADL = "http://adlnet.gov/expapi/verbs/"
W3ID = "https://w3id.org/xapi/adl/verbs/"
LAUNCHED, INITIALIZED, COMPLETED = (
    ADL + "launched",
    ADL + "initialized",
    ADL + "completed",
)
PASSED, FAILED, TERMINATED = ADL + "passed", ADL + "failed", ADL + "terminated"
ABANDONED, WAIVED, SATISFIED = W3ID + "abandoned", W3ID + "waived", W3ID + "satisfied"
AU_VERBS = (INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED)
LMS_VERBS = (LAUNCHED, ABANDONED, WAIVED, SATISFIED)
VERB_NAMES = {
    LAUNCHED: "launched", INITIALIZED: "initialized", COMPLETED: "completed",
    PASSED: "passed", FAILED: "failed", TERMINATED: "terminated",
    ABANDONED: "abandoned", WAIVED: "waived", SATISFIED: "satisfied",
}  # fmt: skip

CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/"
SESSION_ID = EXTENSION + "sessionid"
MASTERY_SCORE = EXTENSION + "masteryscore"
REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
BLOCK_TYPE = "https://w3id.org/xapi/cmi5/activitytype/block"
COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"

LAUNCH_MODES = ("Normal", "Browse", "Review")
WAIVE_REASONS = (
    "Tested Out",
    "Equivalent AU",
    "Equivalent Outside Activity",
    "Administrative",
)
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
# A session nobody terminated is abandoned at the next launch in the
# registration, or once its launch token has expired (9.3.6).
SESSION_TIMEOUT = timedelta(seconds=launching.LAUNCH_MAX_AGE)


class Cmi5Error(ValueError):
    """Something cmi5 does not allow the LMS to do; the message says what."""


# --- The LMS's own identifiers (8.1 activityId, 9.3.9 block and course ids) ----


def _base(package) -> str:
    return f"{lrs_home_page().rstrip('/')}/cmi5/packages/{package.pk}"


def au_activity_id(item: PackageItem) -> str:
    """The LMS-made activity id of an AU: never its publisher id, the same for
    every registration (8.1)."""
    return f"{_base(item.package)}/au/{item.pk}"


def block_activity_id(package, block_id: str) -> str:
    digest = hashlib.sha256(block_id.encode()).hexdigest()[:24]
    return f"{_base(package)}/block/{digest}"


def course_activity_id(package) -> str:
    return f"{_base(package)}/course"


def actor_of(enrollment: Enrollment) -> dict:
    """The learner as cmi5 names them: an Agent with an account, no PII (8.1, 9.2)."""
    return {
        "objectType": "Agent",
        "account": {
            "homePage": lrs_home_page(),
            "name": f"muster-person-{enrollment.person_id}",
        },
    }


LMS_AUTHORITY = {
    "objectType": "Agent",
    "name": "Muster LMS (cmi5)",
    "account": {"homePage": "https://muster.invalid/cmi5", "name": "muster-lms"},
}


def agency_of(enrollment: Enrollment) -> Agency | None:
    """The agency whose LRS keeps the learner's cmi5 statements: their employer."""
    return employer_of(enrollment.person_id)


# --- Registration (9.6.1) -------------------------------------------------------


def lock_registration(registration_id: int) -> Cmi5Registration:
    """The registration, locked to the end of the transaction: the one cmi5 lock.

    Every judgement over a registration runs holding it: an AU's batch of
    statements checked and followed up (cmi5_rules), a waiver, an abandonment.
    The rules read what earlier statements left (one Passed per registration,
    9.3.4; Satisfied not twice, 9.3.9), so two batches arriving together must be
    judged one after the other, never both against the state before either.
    """
    return Cmi5Registration.objects.select_for_update().get(pk=registration_id)


def registration_for(enrollment: Enrollment) -> Cmi5Registration:
    """The enrollment's registration; made on first use, when moveOn is evaluated
    once (9.6.1): NotApplicable AUs are satisfied, and so are blocks and a course
    made only of them; a course satisfied so completes the enrollment, as one
    satisfied by the AU's statements does (after the registration is made)."""
    found = Cmi5Registration.objects.filter(enrollment=enrollment).first()
    if found is not None:
        return found
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        found = Cmi5Registration.objects.filter(enrollment=locked).first()
        if found is not None:
            return found
        registration = Cmi5Registration.objects.create(
            enrollment=locked, registration=uuid.uuid4()
        )
        for item in locked.course.package.items.all():
            if (item.move_on or "NotApplicable") == "NotApplicable":
                ScoState.objects.get_or_create(
                    enrollment=locked, item=item, defaults={"is_complete": True}
                )
        satisfied = _issue_satisfied(registration, session_id=str(uuid.uuid4()))
    if satisfied:
        _complete(enrollment)
    return registration


# --- Launch (8.1, 10.0, 11.0, 9.3.1) ------------------------------------------


def why_cannot_launch(enrollment: Enrollment) -> str:
    if agency_of(enrollment) is None:
        return "cmi5 content needs the learner's current agency, whose LRS keeps it."
    return ""


def launch_mode_for(enrollment: Enrollment, item: PackageItem) -> str:
    """Normal until the AU is satisfied; Review after (10.0 launchMode)."""
    state = ScoState.objects.filter(enrollment=enrollment, item=item).first()
    if state is not None and state.is_complete and _has_sessions(enrollment, item):
        return "Review"
    return "Normal"


def _has_sessions(enrollment, item) -> bool:
    return Cmi5Session.objects.filter(
        registration__enrollment=enrollment, item=item, is_waiver=False
    ).exists()


def launch(
    enrollment: Enrollment,
    item: PackageItem,
    *,
    parent: str,
    mode: str | None = None,
) -> str:
    """Open an AU session and return the URL to launch the AU with (8.1).

    Everything the AU will read exists before the URL is handed out: the
    Launched statement, LMS.LaunchData and the learner preferences.
    """
    agency = agency_of(enrollment)
    if agency is None:
        raise Cmi5Error(why_cannot_launch(enrollment))
    mode = mode or launch_mode_for(enrollment, item)
    if mode not in LAUNCH_MODES:
        raise Cmi5Error(f"launchMode: '{mode}' is not Normal, Browse or Review.")
    registration = registration_for(enrollment)
    abandon_open_sessions(registration)
    session_id = uuid.uuid4().hex
    token = launching.new_token(enrollment.pk, item.pk, parent, launch_id=session_id)
    origin = launching.content_origin()
    au_url = _au_url(item, token, origin)
    actor = actor_of(enrollment)
    query = {
        "endpoint": parent + reverse("xapi:about").rsplit("about", 1)[0],
        "fetch": origin + reverse("packages:cmi5-fetch", args=[token]),
        "actor": json.dumps(actor, separators=(",", ":")),
        "registration": str(registration.registration),
        "activityId": au_activity_id(item),
    }
    with transaction.atomic():
        key, _ = LRSClient.new_credentials()
        credential = LRSClient.objects.create(
            agency=agency,
            name=f"cmi5 session {session_id[:12]}",
            key=key,
            # No secret exists until the fetch URL makes one (8.2).
            secret_hash=hash_secret(secrets.token_urlsafe(32)),
            created_by=enrollment.user,
        )
        session = Cmi5Session.objects.create(
            registration=registration,
            item=item,
            session_id=session_id,
            launch_mode=mode,
            credential=credential,
        )
        return_url = origin + reverse("packages:cmi5-return", args=[token])
        _write_document(
            agency,
            DocumentKind.STATE,
            launch_data(session, return_url=return_url),
            activity_id=au_activity_id(item),
            agent=agent_key(actor),
            registration=str(registration.registration),
            document_id=LAUNCH_DATA,
        )
        _lms_statement(
            session, LAUNCHED, extensions=_launched_extensions(session, au_url)
        )
    return _with_query(au_url, query)


def _au_url(item: PackageItem, token: str, origin: str) -> str:
    """The AU's URL without cmi5's parameters: in the package, on the content origin,
    or the absolute URL the course structure gives."""
    if urlsplit(item.href).scheme:
        return item.href
    path = urlsplit(item.href)
    files = reverse("packages:file", args=[token, "x"])[:-1]
    return urlunsplit(("", "", origin + files + path.path, path.query, ""))


def _with_query(url: str, extra: dict[str, str]) -> str:
    """`url` with cmi5's parameters merged into its own query (13.1.4 url)."""
    parts = urlsplit(url)
    own = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in extra
    ]
    return urlunsplit(parts._replace(query=urlencode([*own, *extra.items()])))


def launch_data(session: Cmi5Session, *, return_url: str = "") -> dict:
    """The LMS.LaunchData state document (10.0)."""
    item = session.item
    publisher = {"id": item.identifier, "objectType": "Activity"}
    extensions: dict = {SESSION_ID: session.session_id}
    if item.mastery_score is not None:
        # For the AU's passed and failed statements (9.6.3.2), which copy the template.
        extensions[MASTERY_SCORE] = float(item.mastery_score)
    data: dict = {
        "contextTemplate": {
            "contextActivities": {"grouping": [publisher]},
            "extensions": extensions,
        },
        "launchMode": session.launch_mode,
        "launchMethod": item.launch_method or "AnyWindow",
        "moveOn": item.move_on or "NotApplicable",
    }
    if return_url:
        data["returnURL"] = return_url
    if item.parameters:
        data["launchParameters"] = item.parameters
    if item.mastery_score is not None:
        data["masteryScore"] = float(item.mastery_score)
    if item.entitlement_key:
        data["entitlementKey"] = {"courseStructure": item.entitlement_key}
    return data


def _launched_extensions(session: Cmi5Session, au_url: str) -> dict:
    item = session.item
    extensions = {
        EXTENSION + "launchmode": session.launch_mode,
        EXTENSION + "launchurl": au_url,
        EXTENSION + "moveon": item.move_on or "NotApplicable",
    }
    if item.parameters:
        extensions[EXTENSION + "launchparameters"] = item.parameters
    if item.mastery_score is not None:
        extensions[MASTERY_SCORE] = float(item.mastery_score)
    return extensions


def _write_document(agency, kind, content: dict, **scope) -> None:
    body = json.dumps(content).encode()
    document = Document.objects.filter(agency=agency, kind=kind, **scope).first()
    if document is None:
        document = Document(agency=agency, kind=kind, **scope)
    document.content = body
    document.content_type = "application/json"
    document.etag = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    document.updated_at = timezone.now()
    document.save()


# --- The fetch URL (8.2) --------------------------------------------------------


def fetch_token(session_id: str) -> dict:
    """The fetch URL's answer: the auth-token once, an error (8.2.3) after."""
    with transaction.atomic():
        session = (
            Cmi5Session.objects.select_for_update()
            .filter(session_id=session_id, is_waiver=False)
            .first()
        )
        if session is None or session.credential is None:
            return {"error-code": "2", "error-text": "No such AU session."}
        if session.fetched_at is not None:
            return {
                "error-code": "1",
                "error-text": "The authorization token has already been returned.",
            }
        if not session.is_open or _expired(session):
            return {"error-code": "1", "error-text": "The AU session has ended."}
        secret = secrets.token_urlsafe(32)
        credential = session.credential
        credential.secret_hash = hash_secret(secret)
        credential.save(update_fields=["secret_hash"])
        session.fetched_at = timezone.now()
        session.save(update_fields=["fetched_at"])
    token = base64.b64encode(f"{credential.key}:{secret}".encode()).decode()
    return {"auth-token": token}


def _expired(session: Cmi5Session) -> bool:
    return timezone.now() - session.launched_at > SESSION_TIMEOUT


# --- The LMS's statements (9.3.1, 9.3.6, 9.3.7, 9.3.9) --------------------------


def _context(
    registration: Cmi5Registration,
    session_id: str,
    grouping: str,
    *,
    moveon=False,
    extensions=None,
) -> dict:
    categories = [{"id": CATEGORY_CMI5, "objectType": "Activity"}]
    if moveon:
        categories.append({"id": CATEGORY_MOVEON, "objectType": "Activity"})
    return {
        "registration": str(registration.registration),
        "contextActivities": {
            "category": categories,
            "grouping": [{"id": grouping, "objectType": "Activity"}],
        },
        "extensions": {SESSION_ID: session_id, **(extensions or {})},
    }


def _verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": {"en-US": VERB_NAMES[verb_id]}}


def _store(agency, statement: dict) -> None:
    statement.setdefault("id", str(uuid.uuid4()))
    statement.setdefault("timestamp", iso(timezone.now()))
    store_statements(agency, [statement], LMS_AUTHORITY)


def _lms_statement(
    session: Cmi5Session, verb_id: str, *, result=None, extensions=None
) -> None:
    """A statement the LMS makes about the session's AU."""
    registration = session.registration
    item = session.item
    statement = {
        "actor": actor_of(registration.enrollment),
        "verb": _verb(verb_id),
        "object": {"objectType": "Activity", "id": au_activity_id(item)},
        "context": _context(
            registration,
            session.session_id,
            item.identifier,
            moveon=bool(result and ("success" in result or "completion" in result)),
            extensions=extensions,
        ),
    }
    if result:
        statement["result"] = result
    _store(agency_of(registration.enrollment) or session.credential.agency, statement)


def duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.2f}S"


def abandon(session: Cmi5Session) -> None:
    """Record Abandoned for a session that ended without Terminated (9.3.6): its
    duration runs from Launched to the AU's last statement (9.5.4.2)."""
    with transaction.atomic():
        lock_registration(session.registration_id)
        locked = Cmi5Session.objects.select_for_update().get(pk=session.pk)
        if not locked.is_open or locked.is_waiver:
            return
        end = locked.last_statement_at or locked.launched_at
        _lms_statement(
            locked,
            ABANDONED,
            result={"duration": duration((end - locked.launched_at).total_seconds())},
        )
        locked.abandoned_at = timezone.now()
        locked.save(update_fields=["abandoned_at"])
        _revoke(locked)


def abandon_open_sessions(registration: Cmi5Registration) -> int:
    """Abandon the registration's sessions still open: a new launch ends them."""
    open_sessions = registration.sessions.filter(
        terminated_at__isnull=True, abandoned_at__isnull=True, is_waiver=False
    ).select_related("item__package", "registration__enrollment", "credential")
    count = 0
    for session in open_sessions:
        abandon(session)
        count += 1
    return count


def abandon_stale_sessions(now=None) -> int:
    """Abandon open sessions whose launch has expired (run from a timer or a launch)."""
    cutoff = (now or timezone.now()) - SESSION_TIMEOUT
    stale = Cmi5Session.objects.filter(
        terminated_at__isnull=True,
        abandoned_at__isnull=True,
        is_waiver=False,
        launched_at__lt=cutoff,
    ).select_related("item__package", "registration__enrollment", "credential")
    count = 0
    for session in stale:
        abandon(session)
        count += 1
    return count


def _revoke(session: Cmi5Session) -> None:
    if session.credential_id is not None:
        LRSClient.objects.filter(
            pk=session.credential_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())


def waive(
    *, actor, enrollment: Enrollment, item: PackageItem, reason: str, request=None
) -> Cmi5Session:
    """A coordinator waives an AU (9.3.7): Waived with its reason, in a session of its
    own, then Satisfied for what that completes; the AU counts as done."""
    if reason not in WAIVE_REASONS:
        raise Cmi5Error(
            f"reason: '{reason[:40]}' is not one of {', '.join(WAIVE_REASONS)}."
        )
    if item.package.course_id != enrollment.course_id or item.package.kind != "cmi5":
        raise Cmi5Error("The AU is not part of this cmi5 course.")
    if enrollment.is_complete:
        raise Cmi5Error("The enrollment is already complete.")
    with transaction.atomic():
        registration = lock_registration(registration_for(enrollment).pk)
        if Cmi5Session.objects.filter(
            registration=registration, item=item, is_waiver=True
        ).exists():
            raise Cmi5Error(f"{item.title} is already waived in this registration.")
        state = ScoState.objects.filter(enrollment=enrollment, item=item).first()
        if state is not None and state.is_complete:
            raise Cmi5Error(
                f"{item.title} is already satisfied; there is nothing to waive."
            )
        now = timezone.now()
        session = Cmi5Session.objects.create(
            registration=registration,
            item=item,
            session_id=uuid.uuid4().hex,
            launch_mode="",
            is_waiver=True,
            terminated_at=now,
        )
        _lms_statement(
            session,
            WAIVED,
            result={
                "success": True,
                "completion": True,
                "extensions": {REASON: reason},
            },
        )
        state, _ = ScoState.objects.get_or_create(enrollment=enrollment, item=item)
        state.is_complete = True
        state.updated_at = now
        state.save(update_fields=["is_complete", "updated_at"])
        record_event(
            Action.CMI5_WAIVE,
            actor=actor,
            obj=session,
            after={"item": item.identifier, "reason": reason},
            reason=reason,
            request=request,
            agency_id=getattr(agency_of(enrollment), "pk", None),
            label=f"{enrollment.person}: {item.title}",
        )
        satisfied_course = _issue_satisfied(registration, session_id=session.session_id)
    if satisfied_course:
        _complete(enrollment, request)
    return session


def _issue_satisfied(registration: Cmi5Registration, *, session_id: str) -> bool:
    """Satisfied for each block and the course whose AUs are all satisfied now
    and were not before (9.3.9); True when the course is satisfied."""
    enrollment = registration.enrollment
    package = enrollment.course.package
    items = list(package.items.all())
    done = set(
        ScoState.objects.filter(enrollment=enrollment, is_complete=True).values_list(
            "item_id", flat=True
        )
    )
    already = set(registration.satisfied)
    blocks: list[str] = []
    for item in items:
        for block in reversed(item.blocks or []):
            if block not in blocks:
                blocks.append(block)
    # Innermost blocks first: a block's Satisfied comes before its parent's.
    blocks.sort(
        key=lambda b: -max(len(i.blocks) for i in items if b in (i.blocks or []))
    )
    targets = []
    for block in blocks:
        members = [i for i in items if block in (i.blocks or [])]
        if all(i.pk in done for i in members):
            targets.append((block_activity_id(package, block), BLOCK_TYPE, block))
    if items and all(i.pk in done for i in items):
        targets.append((course_activity_id(package), COURSE_TYPE, package.identifier))
    for activity_id, kind, publisher in targets:
        if activity_id in already:
            continue
        statement = {
            "actor": actor_of(enrollment),
            "verb": _verb(SATISFIED),
            "object": {
                "objectType": "Activity",
                "id": activity_id,
                "definition": {"type": kind},
            },
            "context": _context(registration, session_id, publisher or activity_id),
        }
        _store(agency_of(enrollment), statement)
        already.add(activity_id)
        registration.satisfied = [*registration.satisfied, activity_id]
        registration.save(update_fields=["satisfied"])
    return course_activity_id(package) in already


def _complete(enrollment: Enrollment, request=None) -> None:
    from muster.packages.actions import try_to_complete

    try_to_complete(Enrollment.objects.get(pk=enrollment.pk), request=request)


# --- moveOn (13.1.4) ------------------------------------------------------------


def move_on_met(move_on: str, *, completed: bool, passed: bool) -> bool:
    rule = move_on or "NotApplicable"
    return {
        "NotApplicable": True,
        "Completed": completed,
        "Passed": passed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }[rule]
