"""Checks a statement against xAPI 2.0 (IEEE 9274.1.1) and 1.0.3, Part Two.

Every check raises `Invalid` with the JSON path of the offending property and
what is wrong with it, so that a client sees, in the 400 response, which field to
fix. Nothing here touches the database; `statements.store_statements` calls
`check_statement` on each statement before writing anything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any


class Invalid(ValueError):
    """A statement, parameter or document that breaks a rule of the specification."""


UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
    re.IGNORECASE,
)
# An absolute IRI: a scheme, a colon, then no whitespace nor characters that
# RFC 3987 excludes.
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
# The scheme compares without case (RFC 3986 3.1), so "MAILTO:" is a mailto IRI too.
MBOX = re.compile(r"^(?i:mailto):[^@\s:/]+@[^@\s]+\.[^@\s]+$")
SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2 = re.compile(
    r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$"
)
MEDIA_TYPE = re.compile(r"^[\w.+\-!#$&^]+/[\w.+\-!#$&^]+(?:\s*;.*)?$")
LANGUAGE_TAG = re.compile(
    r"^(?:"
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z\d]{2,8})+)*"  # extensions
    r"(?:-x(?:-[A-Za-z\d]{1,8})+)?"  # private use
    r"|x(?:-[A-Za-z\d]{1,8})+"
    r"|i-[A-Za-z]{2,8}"
    r")$"
)
# ISO 8601:2004 4.4.3.2: PnYnMnDTnHnMnS, or weeks alone (PnW), which do not
# combine with the other components ("P4W1D" is not a duration).
DURATION = re.compile(
    r"^P(?:\d+(?:[.,]\d+)?W"
    r"|(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?)$"
)
TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2}|\d{8})[T ](?P<time>\d{2}:\d{2}(?::\d{2})?|\d{4}(?:\d{2})?)"
    r"(?P<fraction>[.,]\d+)?(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def is_language_tag(tag: Any) -> bool:
    """A well-formed RFC 5646 tag: the grammar above, and (section 2.2.5/2.2.6)
    no variant and no extension singleton used twice ("zh-z-aaa-z-bbb" is not
    a tag; nor is "de-1901-1901")."""
    if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
        return False
    subtags = tag.lower().split("-")
    if "x" in subtags:  # private use: anything after it is free
        subtags = subtags[: subtags.index("x")]
    if not subtags or subtags[0] == "i":  # private use alone, or grandfathered
        return True
    singletons, variants, in_extension = set(), set(), False
    for subtag in subtags[1:]:
        if len(subtag) == 1:
            if subtag in singletons:
                return False
            singletons.add(subtag)
            in_extension = True
        elif not in_extension and (
            len(subtag) >= 5 or (len(subtag) == 4 and subtag[0].isdigit())
        ):
            if subtag in variants:
                return False
            variants.add(subtag)
    return True


STATEMENT_VERSION = re.compile(r"^[12]\.0(?:\.\d+)?$")
# xAPI 2.0 (IEEE 9274.1.1) makes RFC 3339 a requirement for Timestamps: the
# extended format, seconds, and an offset (Z or +hh:mm), with "T" or a space.
RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$"
)

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")


def check_statement(
    statement: Any, path: str = "statement", *, rfc3339: bool = False
) -> None:
    """Raise `Invalid` unless `statement` is a valid statement as received.

    `rfc3339`: the request speaks xAPI 2.0, whose Timestamps must be RFC 3339
    (1.0.3 asks only for ISO 8601, RFC 3339 being a SHOULD*)."""
    _object(statement, path)
    _keys(
        statement,
        path,
        allowed=(
            "id", "actor", "verb", "object", "result", "context", "timestamp",
            "stored", "authority", "version", "attachments",
        ),
        required=("actor", "verb", "object"),
    )  # fmt: skip
    if "id" in statement:
        check_uuid(statement["id"], f"{path}.id")
    _statement_body(statement, path, rfc3339)
    if "stored" in statement:
        parse_timestamp(statement["stored"], f"{path}.stored", rfc3339=rfc3339)
    if "authority" in statement:
        _authority(statement["authority"], f"{path}.authority")
    if "version" in statement:
        version = statement["version"]
        if not isinstance(version, str) or not STATEMENT_VERSION.match(version):
            raise Invalid(f"{path}.version: must be 1.0.x or 2.0.x, not {version!r}.")


def check_1_0_keys(statement: dict, path: str = "statement") -> None:
    """contextAgents and contextGroups are xAPI 2.0's; a 1.0.x request naming
    them uses keys its version does not allow (1.0.3 Part Two 2.2: rejected)."""
    parts = [(statement, path)]
    target = statement.get("object")
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        parts.append((target, f"{path}.object"))
    for part, where in parts:
        context = part.get("context")
        for key in ("contextAgents", "contextGroups"):
            if isinstance(context, dict) and key in context:
                raise Invalid(
                    f"{where}.context.{key}: added in xAPI 2.0; send the request "
                    "with X-Experience-API-Version 2.0.0."
                )


def _statement_body(statement: dict, path: str, rfc3339: bool = False) -> None:
    """What statements and sub-statements share."""
    check_actor(statement["actor"], f"{path}.actor")
    _verb(statement["verb"], f"{path}.verb")
    _statement_object(statement["object"], f"{path}.object", rfc3339)
    if statement["verb"].get("id") == VOIDED:
        target = statement["object"]
        if target.get("objectType") != "StatementRef":
            raise Invalid(
                f"{path}.object: a voiding statement (verb {VOIDED}) must have a "
                "StatementRef as its object."
            )
    if "result" in statement:
        _result(statement["result"], f"{path}.result")
    if "context" in statement:
        _context(statement["context"], f"{path}.context", statement["object"])
    if "timestamp" in statement:
        parse_timestamp(statement["timestamp"], f"{path}.timestamp", rfc3339=rfc3339)
    if "attachments" in statement:
        _attachments(statement["attachments"], f"{path}.attachments")


# Agents and groups


def check_actor(actor: Any, path: str) -> None:
    """An Agent or a Group (actor, instructor, object of a statement)."""
    _object(actor, path)
    kind = actor.get("objectType", "Agent")
    if kind == "Agent":
        check_agent(actor, path)
    elif kind == "Group":
        _group(actor, path)
    else:
        raise Invalid(f"{path}.objectType: must be Agent or Group, not {kind!r}.")


def check_agent(agent: Any, path: str) -> None:
    _object(agent, path)
    _keys(agent, path, allowed=("objectType", "name", *IFIS))
    if agent.get("objectType", "Agent") != "Agent":
        raise Invalid(f"{path}.objectType: must be Agent.")
    if "name" in agent:
        _string(agent["name"], f"{path}.name")
    found = [ifi for ifi in IFIS if ifi in agent]
    if len(found) != 1:
        raise Invalid(
            f"{path}: an Agent needs exactly one identifier (mbox, mbox_sha1sum, "
            f"openid or account); found {len(found)}."
        )
    _ifi(agent, found[0], path)


def _group(group: dict, path: str) -> None:
    _keys(group, path, allowed=("objectType", "name", "member", *IFIS))
    if "name" in group:
        _string(group["name"], f"{path}.name")
    found = [ifi for ifi in IFIS if ifi in group]
    if len(found) > 1:
        raise Invalid(f"{path}: a Group may have one identifier, not {len(found)}.")
    if found:
        _ifi(group, found[0], path)
    if "member" in group:
        members = group["member"]
        if not isinstance(members, list):
            raise Invalid(f"{path}.member: must be an array of Agents.")
        for index, member in enumerate(members):
            check_agent(member, f"{path}.member[{index}]")
    if not found and not group.get("member"):
        raise Invalid(
            f"{path}: an anonymous Group (one with no identifier) needs a member list "
            "with at least one Agent."
        )


def _ifi(actor: dict, ifi: str, path: str) -> None:
    value = actor[ifi]
    where = f"{path}.{ifi}"
    if ifi == "mbox":
        if not isinstance(value, str) or not MBOX.match(value):
            raise Invalid(f"{where}: must be 'mailto:' and an email address.")
    elif ifi == "mbox_sha1sum":
        if not isinstance(value, str) or not SHA1.match(value):
            raise Invalid(f"{where}: must be the 40 hex digits of a SHA-1.")
    elif ifi == "openid":
        check_iri(value, where)
    else:
        _object(value, where)
        _keys(value, where, allowed=("homePage", "name"), required=("homePage", "name"))
        check_iri(value["homePage"], f"{where}.homePage")
        _string(value["name"], f"{where}.name")


def _authority(authority: Any, path: str) -> None:
    check_actor(authority, path)
    is_group = authority.get("objectType") == "Group"
    if is_group and (
        len(authority.get("member", [])) != 2 or any(k in authority for k in IFIS)
    ):
        raise Invalid(
            f"{path}: a Group authority must be anonymous with exactly two "
            "members (an OAuth consumer and a user)."
        )


# Verb and object


def _verb(verb: Any, path: str) -> None:
    _object(verb, path)
    _keys(verb, path, allowed=("id", "display"), required=("id",))
    check_iri(verb["id"], f"{path}.id")
    if "display" in verb:
        _language_map(verb["display"], f"{path}.display")


def _statement_object(target: Any, path: str, rfc3339: bool = False) -> None:
    _object(target, path)
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        check_activity(target, path)
    elif kind in ("Agent", "Group"):
        if "objectType" not in target:
            raise Invalid(f"{path}.objectType: required when the object is an agent.")
        check_actor(target, path)
    elif kind == "StatementRef":
        _statement_ref(target, path)
    elif kind == "SubStatement":
        _sub_statement(target, path, rfc3339)
    else:
        raise Invalid(
            f"{path}.objectType: must be Activity, Agent, Group, StatementRef or "
            f"SubStatement, not {kind!r}."
        )


def _statement_ref(ref: Any, path: str) -> None:
    _object(ref, path)
    _keys(ref, path, allowed=("objectType", "id"), required=("objectType", "id"))
    if ref["objectType"] != "StatementRef":
        raise Invalid(f"{path}.objectType: must be StatementRef.")
    check_uuid(ref["id"], f"{path}.id")


def _sub_statement(sub: dict, path: str, rfc3339: bool = False) -> None:
    for forbidden in ("id", "stored", "version", "authority"):
        if forbidden in sub:
            raise Invalid(f"{path}.{forbidden}: not allowed in a SubStatement.")
    _keys(
        sub,
        path,
        allowed=(
            "objectType", "actor", "verb", "object", "result", "context",
            "timestamp", "attachments",
        ),
        required=("actor", "verb", "object"),
    )  # fmt: skip
    inner = sub["object"]
    if isinstance(inner, dict) and inner.get("objectType") == "SubStatement":
        raise Invalid(f"{path}.object: a SubStatement cannot contain a SubStatement.")
    _statement_body(sub, path, rfc3339)


def check_activity(activity: Any, path: str) -> None:
    _object(activity, path)
    _keys(activity, path, allowed=("objectType", "id", "definition"), required=("id",))
    check_iri(activity["id"], f"{path}.id")
    if "definition" in activity:
        _definition(activity["definition"], f"{path}.definition")


def _definition(definition: Any, path: str) -> None:
    _object(definition, path)
    _keys(
        definition,
        path,
        allowed=(
            "name", "description", "type", "moreInfo", "extensions",
            "interactionType", "correctResponsesPattern", *COMPONENT_LISTS,
        ),
    )  # fmt: skip
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{path}.{key}")
    if "type" in definition:
        check_iri(definition["type"], f"{path}.type")
    if "moreInfo" in definition:
        check_iri(definition["moreInfo"], f"{path}.moreInfo")
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.extensions")
    _interaction(definition, path)


def _interaction(definition: dict, path: str) -> None:
    kind = definition.get("interactionType")
    lists = [key for key in COMPONENT_LISTS if key in definition]
    if kind is None:
        if "correctResponsesPattern" in definition or lists:
            raise Invalid(
                f"{path}.interactionType: required with correctResponsesPattern or "
                "interaction components."
            )
        return
    if kind not in INTERACTION_TYPES:
        raise Invalid(
            f"{path}.interactionType: must be one of "
            f"{', '.join(INTERACTION_TYPES)}, not {kind!r}."
        )
    if "correctResponsesPattern" in definition:
        pattern = definition["correctResponsesPattern"]
        if not isinstance(pattern, list) or not all(
            isinstance(p, str) for p in pattern
        ):
            raise Invalid(
                f"{path}.correctResponsesPattern: must be an array of strings."
            )
    for key in lists:
        if key not in INTERACTION_TYPES[kind]:
            raise Invalid(f"{path}.{key}: not allowed for interactionType {kind!r}.")
        _components(definition[key], f"{path}.{key}")


def _components(components: Any, path: str) -> None:
    if not isinstance(components, list):
        raise Invalid(f"{path}: must be an array of interaction components.")
    seen: set[str] = set()
    for index, component in enumerate(components):
        where = f"{path}[{index}]"
        _object(component, where)
        _keys(component, where, allowed=("id", "description"), required=("id",))
        ident = component["id"]
        if not isinstance(ident, str) or not ident.strip():
            raise Invalid(f"{where}.id: must be a non-empty string.")
        if ident in seen:
            raise Invalid(f"{where}.id: {ident!r} is used twice in {path}.")
        seen.add(ident)
        if "description" in component:
            _language_map(component["description"], f"{where}.description")


# Result and context


def _result(result: Any, path: str) -> None:
    _object(result, path)
    _keys(
        result,
        path,
        allowed=(
            "score",
            "success",
            "completion",
            "response",
            "duration",
            "extensions",
        ),
    )
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise Invalid(f"{path}.{key}: must be true or false.")
    if "response" in result:
        _string(result["response"], f"{path}.response")
    if "duration" in result:
        duration = result["duration"]
        if not isinstance(duration, str) or not DURATION.match(duration):
            raise Invalid(f"{path}.duration: must be an ISO 8601 duration (PT1H30M).")
    if "extensions" in result:
        _extensions(result["extensions"], f"{path}.extensions")
    if "score" in result:
        _score(result["score"], f"{path}.score")


def _score(score: Any, path: str) -> None:
    _object(score, path)
    _keys(score, path, allowed=("scaled", "raw", "min", "max"))
    for key, value in score.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"{path}.{key}: must be a number.")
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        raise Invalid(f"{path}.scaled: must be between -1 and 1.")
    low, high = score.get("min"), score.get("max")
    if low is not None and high is not None and high < low:
        raise Invalid(f"{path}.max: must not be less than min.")
    raw = score.get("raw")
    if raw is not None:
        if low is not None and raw < low:
            raise Invalid(f"{path}.raw: must not be less than min.")
        if high is not None and raw > high:
            raise Invalid(f"{path}.raw: must not be more than max.")


def _context(context: Any, path: str, target: dict) -> None:
    _object(context, path)
    _keys(
        context,
        path,
        allowed=(
            "registration", "instructor", "team", "contextActivities", "revision",
            "platform", "language", "statement", "extensions", "contextAgents",
            "contextGroups",
        ),
    )  # fmt: skip
    is_activity = target.get("objectType", "Activity") == "Activity"
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{path}.{key}")
            if not is_activity:
                raise Invalid(
                    f"{path}.{key}: allowed only when the statement's object is an "
                    "Activity."
                )
    if "registration" in context:
        check_uuid(context["registration"], f"{path}.registration")
    if "instructor" in context:
        check_actor(context["instructor"], f"{path}.instructor")
    if "team" in context:
        team = context["team"]
        _object(team, f"{path}.team")
        if team.get("objectType") != "Group":
            raise Invalid(f"{path}.team: must be a Group (objectType Group).")
        _group(team, f"{path}.team")
    if "contextActivities" in context:
        _context_activities(context["contextActivities"], f"{path}.contextActivities")
    if "language" in context:
        language = context["language"]
        if not is_language_tag(language):
            raise Invalid(f"{path}.language: must be an RFC 5646 language tag.")
    if "statement" in context:
        _statement_ref(context["statement"], f"{path}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{path}.extensions")
    _context_agents(context, path)


def _context_activities(activities: Any, path: str) -> None:
    _object(activities, path)
    if not activities:
        raise Invalid(f"{path}: must name at least one of {CONTEXT_ACTIVITY_KEYS}.")
    _keys(activities, path, allowed=CONTEXT_ACTIVITY_KEYS)
    for key, value in activities.items():
        items = value if isinstance(value, list) else [value]
        for index, activity in enumerate(items):
            where = (
                f"{path}.{key}[{index}]"
                if isinstance(value, list)
                else path + "." + key
            )
            _object(activity, where)
            if activity.get("objectType", "Activity") != "Activity":
                raise Invalid(f"{where}: must be an Activity.")
            check_activity(activity, where)


def _context_agents(context: dict, path: str) -> None:
    """contextAgents and contextGroups, added in xAPI 2.0."""
    for key, kind, member in (
        ("contextAgents", "contextAgent", "agent"),
        ("contextGroups", "contextGroup", "group"),
    ):
        if key not in context:
            continue
        entries = context[key]
        if not isinstance(entries, list):
            raise Invalid(f"{path}.{key}: must be an array.")
        for index, entry in enumerate(entries):
            where = f"{path}.{key}[{index}]"
            _object(entry, where)
            _keys(
                entry,
                where,
                allowed=("objectType", member, "relevantTypes"),
                required=("objectType", member),
            )
            if entry["objectType"] != kind:
                raise Invalid(f"{where}.objectType: must be {kind}.")
            if member == "agent":
                check_agent(entry[member], f"{where}.agent")
            else:
                group = entry[member]
                _object(group, f"{where}.group")
                if group.get("objectType") != "Group":
                    raise Invalid(f"{where}.group: must be a Group.")
                _group(group, f"{where}.group")
            if "relevantTypes" in entry:
                types = entry["relevantTypes"]
                if not isinstance(types, list) or not types:
                    raise Invalid(f"{where}.relevantTypes: must be a non-empty array.")
                for n, iri in enumerate(types):
                    check_iri(iri, f"{where}.relevantTypes[{n}]")


def _attachments(attachments: Any, path: str) -> None:
    if not isinstance(attachments, list):
        raise Invalid(f"{path}: must be an array of attachments.")
    for index, attachment in enumerate(attachments):
        where = f"{path}[{index}]"
        _object(attachment, where)
        _keys(
            attachment,
            where,
            allowed=(
                "usageType", "display", "description", "contentType", "length",
                "sha2", "fileUrl",
            ),
            required=("usageType", "display", "contentType", "length", "sha2"),
        )  # fmt: skip
        check_iri(attachment["usageType"], f"{where}.usageType")
        _language_map(attachment["display"], f"{where}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{where}.description")
        content_type = attachment["contentType"]
        if not isinstance(content_type, str) or not MEDIA_TYPE.match(content_type):
            raise Invalid(f"{where}.contentType: must be a media type (text/plain).")
        length = attachment["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise Invalid(f"{where}.length: must be a whole number of octets.")
        sha2 = attachment["sha2"]
        if not isinstance(sha2, str) or not SHA2.match(sha2):
            raise Invalid(f"{where}.sha2: must be the hex digest of a SHA-2 hash.")
        if "fileUrl" in attachment:
            check_iri(attachment["fileUrl"], f"{where}.fileUrl")


# Value types


def check_uuid(value: Any, path: str) -> None:
    if not isinstance(value, str) or not UUID.match(value):
        raise Invalid(f"{path}: must be a UUID (RFC 4122), not {value!r}.")


# Longer identifiers are refused rather than cut: the store indexes them whole.
MAX_IRI = 2000


def check_iri(value: Any, path: str) -> None:
    if not isinstance(value, str) or not IRI.match(value):
        raise Invalid(f"{path}: must be an absolute IRI, not {value!r}.")
    if len(value) > MAX_IRI:
        raise Invalid(f"{path}: longer than {MAX_IRI} characters, this LRS's limit.")


def parse_timestamp(
    value: Any, path: str, *, needs_zone: bool = False, rfc3339: bool = False
) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (no offset means UTC).

    A "negative zero" offset (-00, -0000, -00:00) is refused: ISO 8601 and
    RFC 3339 give it no meaning as an offset, and xAPI requires its rejection.
    With `rfc3339` (xAPI 2.0) the value must also be an RFC 3339 date-time,
    which always carries its offset.
    """
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise Invalid(f"{path}: must be an ISO 8601 date and time, not {value!r}.")
    if rfc3339 and not RFC3339.match(value):
        raise Invalid(
            f"{path}: xAPI 2.0 timestamps follow RFC 3339, with seconds and an "
            f"offset (2024-05-01T13:45:00.000Z or ...+02:00), not {value!r}."
        )
    zone = match["zone"]
    if zone and zone.startswith("-") and not zone.strip("-:0"):
        raise Invalid(f"{path}: the offset -00:00 is not allowed; use Z or +00:00.")
    if needs_zone and not zone:
        raise Invalid(f"{path}: must include a time zone offset (Z or +01:00).")
    date_part = match["date"].replace("-", "")
    time_part = match["time"].replace(":", "").ljust(6, "0")
    fraction = (match["fraction"] or ".0")[1:]
    try:
        moment = datetime.strptime(date_part + time_part, "%Y%m%d%H%M%S")
    except ValueError:
        raise Invalid(f"{path}: {value!r} is not a real date and time.") from None
    moment += timedelta(microseconds=round(float("0." + fraction) * 1_000_000))
    return moment.replace(tzinfo=_zone(zone))


def _zone(zone: str | None) -> timezone:
    if not zone or zone == "Z":
        return UTC
    digits = zone[1:].replace(":", "").ljust(4, "0")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise Invalid(f"The time zone offset {zone} is not a real offset.")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if zone[0] == "-" else offset)


def _language_map(value: Any, path: str) -> None:
    """Language tags mapped to strings, at least one of them: a map with no
    entry says nothing in any language (the ADL suite's requirement for
    verb display, activity name and description, attachment display and
    description; applied to every language map alike)."""
    _object(value, path)
    if not value:
        raise Invalid(f"{path}: a language map needs at least one entry.")
    for tag, text in value.items():
        if not is_language_tag(tag):
            raise Invalid(f"{path}: {tag!r} is not an RFC 5646 language tag.")
        if not isinstance(text, str):
            raise Invalid(f"{path}.{tag}: must be a string.")


def _extensions(value: Any, path: str) -> None:
    _object(value, path)
    for key in value:
        check_iri(key, f"{path} key")


def _string(value: Any, path: str) -> None:
    if not isinstance(value, str):
        raise Invalid(f"{path}: must be a string.")


def _object(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise Invalid(f"{path}: must be a JSON object.")


def _keys(value: dict, path: str, *, allowed, required=()) -> None:
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise Invalid(f"{path}: unexpected property {unknown[0]!r}.")
    for key in required:
        if key not in value:
            raise Invalid(f"{path}.{key}: required.")
