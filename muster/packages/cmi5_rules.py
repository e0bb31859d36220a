"""What an AU's one-session credential may do at /xapi/, and what cmi5 makes of it.

`Cmi5Policy` is registered with muster.xapi.policy for the LRS clients that
muster.packages.cmi5.launch makes, one per AU session. Before a batch is stored
it checks every statement against the cmi5 specification (Quartz; sections
7.1, 9.1 to 9.7, 10.0) and refuses the whole batch with 403 Forbidden, naming
the statement, the rule and its section, when one breaks them: 6.3 says the LMS
SHOULD reject such statements, and a rejected statement needs no voiding.
Other requests are limited to the session's learner and registration, and the
LMS's own documents (LMS.LaunchData) are read-only (10.0). After a batch is
stored it records the session's progress, judges moveOn and issues Satisfied.

Order is the statements' `timestamp` (9.3: "the order is determined by the
value of the timestamp property"), not the order they are sent in: a batch is
judged sorted by timestamp, and a statement arriving after others of its session
is placed by its timestamp among those already stored. Equal timestamps are
allowed (9.7) and put neither statement before the other, so a statement at the
same instant as Initialized is not before it; within a batch they are judged
Initialized first, Terminated last, the rest as sent. What only arrival can
decide: a statement arriving before its session's Initialized has arrived is
refused (no Initialized it could follow), and once Terminated has been received
nothing more is accepted for the session, whatever its timestamp (9.3.8, the
LMS's wait being zero). Across sessions of a registration, Passed and Failed are
compared by timestamp too (9.3: a Failed must not follow a Passed).
"""

from __future__ import annotations

import json
import re
import uuid
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from muster.packages.cmi5 import (
    AU_VERBS,
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    COMPLETED,
    FAILED,
    INITIALIZED,
    LAUNCH_DATA,
    LMS_VERBS,
    MASTERY_SCORE,
    PASSED,
    PREFERENCES,
    SESSION_ID,
    TERMINATED,
    VERB_NAMES,
    _complete,
    _expired,
    _issue_satisfied,
    _revoke,
    abandon,
    actor_of,
    au_activity_id,
    launch_data,
    lock_registration,
    move_on_met,
)
from muster.packages.models import Cmi5Session, ScoState
from muster.xapi.identity import agent_key
from muster.xapi.models import Statement
from muster.xapi.policy import ClientPolicy
from muster.xapi.protocol import Refused, load_json
from muster.xapi.statements import iso
from muster.xapi.validation import TIMESTAMP, VOIDED, Invalid, parse_timestamp

# RFC 5646 language tags, loosely: a primary subtag and optional subtags (11.1).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
UTC_ZONES = ("Z", "z", "+00:00", "+0000", "+00")


def refuse(message: str) -> Refused:
    return Refused(403, f"cmi5: {message}")


def ids_of(values) -> list[str]:
    if isinstance(values, dict):
        values = [values]
    return [v.get("id") for v in values or [] if isinstance(v, dict)]


def is_defined(statement: dict) -> bool:
    """A "cmi5 defined" statement: one with the cmi5 category activity (7.1.3)."""
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    return CATEGORY_CMI5 in ids_of(activities.get("category"))


def moment(statement: dict) -> datetime:
    """The statement's timestamp (an AU's is checked to be UTC first, 9.7)."""
    return parse_timestamp(statement["timestamp"], "timestamp")


def order_key(statement: dict, sent: int) -> tuple:
    """Where a statement stands in its session: by timestamp (9.3). Equal
    timestamps are allowed (9.7) and put neither statement first, so among them
    Initialized is judged first and Terminated last, the others as sent."""
    rank = 1
    if is_defined(statement):
        rank = {INITIALIZED: 0, TERMINATED: 2}.get(statement["verb"]["id"], 1)
    return (moment(statement), rank, sent)


class SessionView:
    """What a batch may do, given what the session and registration hold so far."""

    def __init__(self, session: Cmi5Session) -> None:
        self.session = session
        self.verbs = list(session.verbs)
        self.initialized = session.initialized_at is not None
        # Terminated received in an earlier request: nothing more is taken (9.3.8).
        self.ended = session.terminated_at is not None
        # Terminated judged earlier in this batch: a later timestamp breaks 9.3.
        self.terminated: datetime | None = None
        # Whether the batch being judged holds an Initialized (set by the policy).
        self.initialized_in_batch = False
        # The timestamp of the session's Initialized, once it is stored.
        self.initialized_at = min(self._stored(session, INITIALIZED), default=None)
        earlier = Cmi5Session.objects.filter(
            registration=session.registration, item=session.item
        ).exclude(pk=session.pk)
        self.registration_verbs = [v for s in earlier for v in s.verbs]
        self.passed_at = self._stored(earlier, PASSED)
        self.failed_at = self._stored(earlier, FAILED)

    @staticmethod
    def _stored(sessions, verb: str) -> list[datetime]:
        """Timestamps of the cmi5 defined `verb` statements the AU sent in
        `sessions` (one session or a queryset of them)."""
        if isinstance(sessions, Cmi5Session):
            if sessions.credential_id is None:
                return []
            rows = Statement.objects.filter(client_id=sessions.credential_id)
        else:
            rows = Statement.objects.filter(client__cmi5_session__in=sessions)
        rows = rows.filter(verb_id=verb)
        return [moment(row.data) for row in rows if is_defined(row.data)]

    def seen(self, verb: str) -> bool:
        return verb in self.verbs or verb in self.registration_verbs


def check_statement(statement: dict, view: SessionView, where: str) -> None:
    """Refuse (403) one AU statement that breaks cmi5's rules; else note it in
    `view`. A batch's statements come here in timestamp order (`order_key`)."""
    session = view.session
    registration = session.registration
    verb = statement["verb"]["id"]
    actor = statement["actor"]
    if actor.get("objectType", "Agent") != "Agent" or "account" not in actor:
        raise refuse(f"{where}.actor: must be an Agent with an account (9.2).")
    if agent_key(actor) != agent_key(actor_of(registration.enrollment)):
        raise refuse(f"{where}.actor: not the learner this AU was launched for (8.1).")
    if verb == VOIDED:
        raise refuse(f"{where}: an AU may not void statements (6.3).")
    if verb in LMS_VERBS:
        raise refuse(f"{where}: '{VERB_NAMES[verb]}' is the LMS's verb (9.3).")
    if view.ended:
        raise refuse(
            f"{where}: the session's Terminated has been received; nothing more is "
            "accepted for the session, whatever its timestamp (9.3.8)."
        )
    if view.terminated is not None:
        raise refuse(
            f"{where}.timestamp: {statement['timestamp']} is after the session's "
            "Terminated; Terminated must be the last statement, in timestamp order "
            "(9.3, 9.3.8)."
        )
    if session.preferences_read_at is None:
        raise refuse(
            f"{where}: the AU must first read the cmi5LearnerPreferences agent "
            "profile (11.0)."
        )
    context = statement.get("context")
    if not isinstance(context, dict):
        raise refuse(f"{where}.context: the contextTemplate must be used (9.6, 10.0).")
    if str(context.get("registration", "")).lower() != str(registration.registration):
        raise refuse(f"{where}.context.registration: not the launch's (9.6.1).")
    _check_template(context, launch_data(session)["contextTemplate"], where)
    activities = context.get("contextActivities") or {}
    categories = ids_of(activities.get("category"))
    defined = CATEGORY_CMI5 in categories
    _check_after_initialized(statement, view, where, defined and verb == INITIALIZED)
    if not defined:
        if CATEGORY_MOVEON in categories:
            raise refuse(
                f"{where}: the moveOn category is for cmi5 defined statements with "
                "success or completion (9.6.2.2)."
            )
        return  # "cmi5 allowed", between Initialized and Terminated (7.1.3)
    if verb not in AU_VERBS:
        raise refuse(f"{where}: the cmi5 category is only for cmi5's verbs (7.1.3).")
    _check_defined(statement, verb, view, where, categories)
    view.verbs.append(verb)
    if verb == INITIALIZED:
        view.initialized = True
        view.initialized_at = moment(statement)
    if verb == TERMINATED:
        view.terminated = moment(statement)


def _check_after_initialized(statement, view: SessionView, where, is_initialized):
    """Initialized is the first statement of the session, by timestamp (9.3,
    9.3.2, 7.1.3); one not yet received cannot come first."""
    if is_initialized:
        return  # a second one is refused as a repeat (9.3)
    if not view.initialized and view.initialized_in_batch:
        raise refuse(
            f"{where}.timestamp: {statement['timestamp']} is before the batch's "
            "Initialized; Initialized must be the first statement, in timestamp "
            "order (9.3, 9.3.2)."
        )
    if not view.initialized:
        raise refuse(
            f"{where}: Initialized must be the first statement of the session, by "
            "timestamp, and has not been received (9.3, 9.3.2)."
        )
    if view.initialized_at is not None and moment(statement) < view.initialized_at:
        raise refuse(
            f"{where}.timestamp: {statement['timestamp']} is before the session's "
            f"Initialized ({iso(view.initialized_at)}); Initialized must be the first "
            "statement, in timestamp order (9.3, 9.3.2)."
        )


# Sections naming the contextTemplate values the LMS writes (10.0).
TEMPLATE_SECTIONS = {SESSION_ID: "9.6.3.1", MASTERY_SCORE: "9.6.3.2"}


def _check_template(context: dict, template: dict, where: str) -> None:
    """Every value of the contextTemplate is in the statement's context, unchanged
    (10.0: the AU uses it for all statements and "MUST NOT overwrite any values";
    9.6.2: all its contextActivities)."""
    activities = context.get("contextActivities") or {}
    for kind, wanted in (template.get("contextActivities") or {}).items():
        given = ids_of(activities.get(kind))
        for activity in wanted:
            if activity["id"] not in given:
                section = "9.6.2.3, " if kind == "grouping" else ""
                raise refuse(
                    f"{where}.context.contextActivities.{kind}: the contextTemplate's "
                    f"activity {activity['id']} is missing ({section}9.6.2, 10.0)."
                )
    extensions = context.get("extensions") or {}
    for key, value in (template.get("extensions") or {}).items():
        if not _same(extensions.get(key), value):
            section = TEMPLATE_SECTIONS.get(key, "")
            raise refuse(
                f"{where}.context.extensions: {key} must be the contextTemplate's "
                f"{json.dumps(value)} ({section + ', ' if section else ''}10.0)."
            )
    for key, value in template.items():
        if key not in ("contextActivities", "extensions") and context.get(key) != value:
            raise refuse(
                f"{where}.context.{key}: must be the contextTemplate's value (10.0)."
            )


def _same(given, wanted) -> bool:
    """JSON values equal, numbers by value (0.8 and 0.80 are one masteryScore)."""
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        return _decimal(given) is not None and _decimal(given) == _decimal(wanted)
    return given == wanted


def _check_timestamp(statement: dict, where: str) -> None:
    value = statement.get("timestamp")
    if value is None:
        raise refuse(f"{where}.timestamp: every statement needs a timestamp (9.7).")
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None or match["zone"] not in UTC_ZONES:
        raise refuse(f"{where}.timestamp: must be in UTC (Z or +00:00) (9.7).")


def _check_defined(statement, verb, view: SessionView, where, categories) -> None:
    session = view.session
    item = session.item
    name = VERB_NAMES[verb]
    target = statement["object"]
    if target.get("objectType", "Activity") != "Activity" or target.get(
        "id"
    ) != au_activity_id(item):
        raise refuse(f"{where}.object.id: must be the launch's activityId (9.4).")
    if verb in view.verbs:
        raise refuse(f"{where}: '{name}' twice in one session (9.3).")
    if verb in (PASSED, FAILED) and ({PASSED, FAILED} & set(view.verbs)):
        raise refuse(f"{where}: only one of passed and failed in a session (9.3).")
    if verb == COMPLETED and view.seen(COMPLETED):
        raise refuse(f"{where}: already completed in this registration (9.3.3).")
    if verb == PASSED and view.seen(PASSED):
        raise refuse(f"{where}: already passed in this registration (9.3.4).")
    if verb == FAILED and any(at < moment(statement) for at in view.passed_at):
        raise refuse(
            f"{where}: a Failed must not follow a Passed in the registration, in "
            "timestamp order (9.3)."
        )
    if verb == PASSED and any(at > moment(statement) for at in view.failed_at):
        raise refuse(
            f"{where}.timestamp: before a Failed the registration holds, which would "
            "then follow this Passed (9.3)."
        )
    if verb in (COMPLETED, PASSED, FAILED) and session.launch_mode != "Normal":
        raise refuse(
            f"{where}: in {session.launch_mode} mode only initialized and terminated "
            "are allowed (10.0 launchMode)."
        )
    result = statement.get("result") or {}
    _check_score(result, verb, item.mastery_score, where)
    expected = {PASSED: True, FAILED: False}.get(verb)
    if expected is None and "success" in result:
        raise refuse(f"{where}.result.success: not allowed with '{name}' (9.5.2).")
    if expected is not None and result.get("success") is not expected:
        raise refuse(
            f"{where}.result.success: must be {str(expected).lower()} for '{name}' "
            "(9.5.2)."
        )
    if verb == COMPLETED and result.get("completion") is not True:
        raise refuse(f"{where}.result.completion: must be true for completed (9.5.3).")
    if verb != COMPLETED and "completion" in result:
        raise refuse(f"{where}.result.completion: not allowed with '{name}' (9.5.3).")
    if verb in (COMPLETED, PASSED, FAILED, TERMINATED) and "duration" not in result:
        raise refuse(f"{where}.result.duration: required with '{name}' (9.5.4.1).")
    has_moveon = CATEGORY_MOVEON in categories
    needs_moveon = "success" in result or "completion" in result
    if needs_moveon != has_moveon:
        raise refuse(
            f"{where}: the moveOn category activity is required with success or "
            "completion, and only then (9.6.2.2)."
        )


def _check_score(result: dict, verb: str, mastery, where: str) -> None:
    score = result.get("score")
    if score is None:
        return
    if verb not in (PASSED, FAILED):
        raise refuse(f"{where}.result.score: only passed and failed (9.5.1).")
    if "raw" in score and not ("min" in score and "max" in score):
        raise refuse(f"{where}.result.score: raw needs min and max (9.5.1).")
    for key in ("raw", "min", "max"):
        if key in score and score[key] != int(score[key]):
            raise refuse(f"{where}.result.score.{key}: must be an integer (9.5.1).")
    scaled = _decimal(score.get("scaled"))
    if mastery is None or scaled is None:
        return
    if verb == PASSED and scaled < mastery:
        raise refuse(
            f"{where}: passed with {scaled}, below the masteryScore {mastery} (9.3.4)."
        )
    if verb == FAILED and scaled >= mastery:
        raise refuse(
            f"{where}: failed with {scaled}, not below the masteryScore {mastery} "
            "(9.3.5)."
        )


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_preferences(xrequest) -> None:
    """cmi5LearnerPreferences as section 11 shapes it; else 403 (the LMS may refuse
    an AU's change, 11.0)."""
    if xrequest.method == "DELETE":
        raise refuse("the AU may change cmi5LearnerPreferences, not delete it (11.0).")
    if xrequest.content_type != "application/json":
        raise refuse("cmi5LearnerPreferences must be JSON (11.0).")
    try:
        body = load_json(xrequest.body, "cmi5LearnerPreferences")
    except Invalid as invalid:
        raise refuse(str(invalid)) from None
    if not isinstance(body, dict):
        raise refuse("cmi5LearnerPreferences must be a JSON object (11.0).")
    needed = ("languagePreference", "audioPreference")
    if xrequest.method == "PUT" and any(key not in body for key in needed):
        raise refuse(
            "cmi5LearnerPreferences needs languagePreference and audioPreference (11.0)."
        )
    languages = body.get("languagePreference", "en")
    if not isinstance(languages, str) or not all(
        LANGUAGE_TAG.match(tag) for tag in languages.split(",")
    ):
        raise refuse(
            "languagePreference: a comma-separated list of RFC 5646 tags, such as "
            "'en-US,fr-FR' (11.1)."
        )
    if body.get("audioPreference", "on") not in ("on", "off"):
        raise refuse("audioPreference: 'on' or 'off' (11.2).")


class Cmi5Policy(ClientPolicy):
    """The one-session credential of an AU: its statements, its learner, its rules."""

    def _session(self, client) -> Cmi5Session | None:
        if not hasattr(client, "_cmi5_session"):
            client._cmi5_session = (
                Cmi5Session.objects.select_related(
                    "item__package", "registration__enrollment"
                )
                .filter(credential_id=client.pk)
                .first()
            )
        return client._cmi5_session

    def applies(self, client) -> bool:
        return self._session(client) is not None

    def _agent(self, client) -> str:
        return agent_key(actor_of(self._session(client).registration.enrollment))

    @contextmanager
    def serialized(self, client):
        """One batch checked, stored and judged under the registration's lock
        (cmi5.lock_registration); the enrollment is completed after it is let go."""
        session = self._session(client)
        session.refresh_from_db()
        if session.is_open and _expired(session):
            abandon(session)  # committed: the refusal below must not undo it
            raise refuse("the session has expired and is abandoned (9.3.6).")
        client._cmi5_completes = None
        with transaction.atomic():
            lock_registration(session.registration_id)
            yield
        enrollment, client._cmi5_completes = client._cmi5_completes, None
        if enrollment is not None:
            # Outside the lock: completion takes the enrollment's own lock and is
            # idempotent, so a second batch finding the course satisfied is harmless.
            _complete(enrollment)

    def check_statements(self, client, statements, *, without_id=frozenset()) -> None:
        session = self._session(client)
        session.refresh_from_db()
        if session.abandoned_at is not None:
            raise refuse("the session was abandoned; nothing more is accepted (9.3.6).")
        if _expired(session):
            raise refuse("the session has expired (9.3.6).")
        stored = set(
            Statement.objects.filter(
                agency=client.agency,
                statement_id__in=[uuid.UUID(s["id"]) for s in statements],
            ).values_list("statement_id", flat=True)
        )
        view = SessionView(session)
        fresh = []
        for index, statement in enumerate(statements):
            if index not in without_id and uuid.UUID(statement["id"]) in stored:
                continue  # a repeat, which the LRS accepts without storing again
            where = f"statement[{index}]" if len(statements) > 1 else "statement"
            if index in without_id:
                raise refuse(
                    f"{where}.id: the AU must give every statement an id (9.1)."
                )
            _check_timestamp(statement, where)
            fresh.append((order_key(statement, index), where, statement))
        view.initialized_in_batch = any(
            is_defined(s) and s["verb"]["id"] == INITIALIZED for _k, _w, s in fresh
        )
        for _key, where, statement in sorted(fresh, key=lambda entry: entry[0]):
            check_statement(statement, view, where)

    def stored(self, client, rows) -> None:
        session = self._session(client)
        complete_course = False
        with transaction.atomic():
            locked = Cmi5Session.objects.select_for_update().get(pk=session.pk)
            now = timezone.now()
            judged = False
            in_order = sorted(enumerate(rows), key=lambda e: order_key(e[1].data, e[0]))
            for _index, row in in_order:
                context = row.data.get("context") or {}
                categories = ids_of(
                    context.get("contextActivities", {}).get("category")
                )
                verb = row.data["verb"]["id"]
                locked.last_statement_at = now
                if CATEGORY_CMI5 not in categories or verb not in AU_VERBS:
                    continue
                locked.verbs = [*locked.verbs, verb]
                if verb == INITIALIZED:
                    locked.initialized_at = now
                elif verb == TERMINATED:
                    locked.terminated_at = now
                else:
                    note_result(locked, verb, row.data.get("result") or {})
                    judged = True
            locked.save()
            if locked.terminated_at is not None:
                _revoke(locked)
            if judged:
                complete_course = _issue_satisfied(
                    locked.registration, session_id=locked.session_id
                )
        client._cmi5_session = locked
        if complete_course:
            client._cmi5_completes = locked.registration.enrollment

    def check_request(self, client, resource: str, xrequest) -> None:
        """Documents and agents of the session's learner only (and registration)."""
        params, method = xrequest.params, xrequest.method
        reads = method in ("GET", "HEAD")
        if resource == "activity_profile" and not reads:
            raise refuse("an AU credential may read activity profiles, not write them.")
        if resource not in ("state", "agent_profile", "agents"):
            return
        try:
            agent = load_json(params.get("agent", "").encode(), "agent")
            key = agent_key(agent) if isinstance(agent, dict) else None
        except (Invalid, TypeError, KeyError):
            key = None
        if key != self._agent(client):
            raise refuse("an AU credential may only use its own learner's data (8.2).")
        session = self._session(client)
        if resource == "state":
            if params.get("registration", "").lower() != str(
                session.registration.registration
            ):
                raise refuse("an AU credential may only use its registration's state.")
            if not reads and params.get("stateId") in (LAUNCH_DATA, None):
                raise refuse("the AU must not modify or delete LMS.LaunchData (10.0).")
        if resource == "agent_profile" and params.get("profileId") == PREFERENCES:
            if reads:
                Cmi5Session.objects.filter(
                    pk=session.pk, preferences_read_at__isnull=True
                ).update(preferences_read_at=timezone.now())
            else:
                check_preferences(xrequest)

    def reading_agent(self, client) -> str | None:
        return self._agent(client)


def note_result(session: Cmi5Session, verb: str, result: dict) -> None:
    """Where the AU stands for moveOn after completed, passed or failed."""
    registration = session.registration
    state, _ = ScoState.objects.get_or_create(
        enrollment=registration.enrollment, item=session.item
    )
    if verb == COMPLETED:
        state.completion_status = "completed"
    elif verb == PASSED:
        state.success_status = "passed"
    elif verb == FAILED and state.success_status != "passed":
        state.success_status = "failed"
    scaled = _decimal((result.get("score") or {}).get("scaled"))
    if scaled is not None:
        state.score_scaled = scaled
    state.is_complete = state.is_complete or move_on_met(
        session.item.move_on,
        completed=state.completion_status == "completed",
        passed=state.success_status == "passed",
    )
    state.updated_at = timezone.now()
    state.save()
