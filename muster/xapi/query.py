"""GET /xapi/statements: the filters, their order, formats and `more` paging.

Filters other than time follow statement references: a statement whose object
is a StatementRef matches when the statement it targets matches (xAPI Part Two,
"Filter Conditions for StatementRefs"). Voided statements are never listed, but
statements that target them are.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from muster.agencies.models import Agency
from muster.xapi.identity import agent_key, ids_only
from muster.xapi.models import Activity, Statement
from muster.xapi.validation import Invalid

MAX_LIMIT = 100
FILTERS = ("agent", "verb", "activity", "registration")
MORE_SALT = "muster.xapi.more"


@dataclass
class Filters:
    """The parsed query of a statement request (one page)."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_agents: bool = False
    related_activities: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    # How the pages are given: kept in `more`, so every page of a query comes
    # in the format (and with the attachments) the first one was asked in.
    format: str = "exact"
    attachments: bool = False
    # Where the previous page stopped, and the newest row when paging began.
    after: tuple[str, int] | None = None
    ceiling: int | None = None

    def to_token(self) -> dict:
        return {
            "agent": self.agent,
            "verb": self.verb,
            "activity": self.activity,
            "registration": str(self.registration) if self.registration else None,
            "related_agents": self.related_agents,
            "related_activities": self.related_activities,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "limit": self.limit,
            "ascending": self.ascending,
            "format": self.format,
            "attachments": self.attachments,
            "after": list(self.after) if self.after else None,
            "ceiling": self.ceiling,
        }

    @classmethod
    def from_token(cls, token: dict) -> Filters:
        values = {"format": "exact", "attachments": False, **token}
        for key in ("since", "until"):
            if values[key]:
                values[key] = datetime.fromisoformat(values[key])
        if values["registration"]:
            values["registration"] = uuid.UUID(values["registration"])
        if values["after"]:
            values["after"] = tuple(values["after"])
        return cls(**values)


def find_statements(agency: Agency, filters: Filters) -> tuple[list[Statement], str]:
    """One page of the agency's statements and the `more` token ("" when last)."""
    rows = Statement.objects.filter(agency=agency)
    if filters.ceiling is None:
        newest = rows.order_by("-pk").values_list("pk", flat=True).first()
        filters.ceiling = newest or 0
    rows = rows.filter(pk__lte=filters.ceiling, is_voided=False)
    rows = _matching(agency, rows, filters)
    if filters.since:
        rows = rows.filter(stored__gt=filters.since)
    if filters.until:
        rows = rows.filter(stored__lte=filters.until)
    rows = _after(rows, filters)
    order = ("stored", "pk") if filters.ascending else ("-stored", "-pk")
    limit = filters.limit if 0 < filters.limit <= MAX_LIMIT else MAX_LIMIT
    page = list(rows.order_by(*order)[: limit + 1])
    more = ""
    if len(page) > limit:
        page = page[:limit]
        last = page[-1]
        filters.after = (last.stored.isoformat(), last.pk)
        more = signing.dumps(filters.to_token(), salt=MORE_SALT, compress=True)
    return page, more


def filters_from_more(token: str) -> Filters:
    try:
        return Filters.from_token(signing.loads(token, salt=MORE_SALT))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Invalid("more: not a link this LRS gave out.") from None


def _after(rows: QuerySet, filters: Filters) -> QuerySet:
    if not filters.after:
        return rows
    stored, pk = datetime.fromisoformat(filters.after[0]), filters.after[1]
    if filters.ascending:
        return rows.filter(Q(stored__gt=stored) | Q(stored=stored, pk__gt=pk))
    return rows.filter(Q(stored__lt=stored) | Q(stored=stored, pk__lt=pk))


def _matching(agency: Agency, rows: QuerySet, filters: Filters) -> QuerySet:
    """Rows matching the filters, or referring (through any chain) to one that does.

    The chain is followed in the database, by one recursive query, so no list
    of ids is ever read into memory however many statements match. UNION
    (not UNION ALL) drops rows already reached, so a cycle of references
    (a statement about one that is about it) ends too.
    """
    condition = _direct_condition(filters)
    if condition is None:
        return rows
    base_sql, base_params = (
        Statement.objects.filter(agency=agency)
        .filter(condition)
        .order_by()
        .values("pk", "statement_id")
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    meta = Statement._meta
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    statement_id = quote(meta.get_field("statement_id").column)
    refers_to = quote(meta.get_field("refers_to").column)
    agency_id = quote(meta.get_field("agency").column)
    chain = (
        f"WITH RECURSIVE xapi_chain (row_pk, row_statement_id) AS ({base_sql} "
        f"UNION SELECT ref.{pk}, ref.{statement_id} FROM {table} ref "
        f"INNER JOIN xapi_chain ON ref.{refers_to} = xapi_chain.row_statement_id "
        f"WHERE ref.{agency_id} = %s) SELECT row_pk FROM xapi_chain"
    )
    return rows.filter(pk__in=RawSQL(chain, (*base_params, agency.pk)))


def _direct_condition(filters: Filters) -> Q | None:
    parts = []
    if filters.agent:
        roles = ("actor", "agent") if filters.related_agents else ("actor",)
        parts.append(_term(roles, filters.agent))
    if filters.activity:
        roles = ("object", "activity") if filters.related_activities else ("object",)
        parts.append(_term(roles, filters.activity))
    if filters.verb:
        parts.append(Q(verb_id=filters.verb))
    if filters.registration:
        parts.append(Q(registration=filters.registration))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition


def _term(roles: tuple[str, ...], value: str) -> Q:
    from muster.xapi.models import StatementTerm

    matching = StatementTerm.objects.filter(role__in=roles, value=value)
    return Q(pk__in=matching.values("statement_id"))


# Formats


def render(data: dict, fmt: str, agency: Agency, languages: list[str]) -> dict:
    """The stored statement in the format asked for: exact, ids or canonical."""
    if fmt == "exact":
        return data
    statement = copy.deepcopy(data)
    if fmt == "ids":
        _to_ids(statement)
        if statement["object"].get("objectType") == "SubStatement":
            _to_ids(statement["object"])
        return statement
    _to_canonical(statement, agency, languages)
    return statement


def _to_ids(statement: dict) -> None:
    statement["actor"] = ids_only(statement["actor"])
    statement["verb"] = {"id": statement["verb"]["id"]}
    if "authority" in statement:
        statement["authority"] = ids_only(statement["authority"])
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    # An Activity is its id alone: objectType is not an identifier, and the
    # conformance suites count one property (Part Three 2.1.3, format "ids").
    if kind == "Activity":
        statement["object"] = {"id": target["id"]}
    elif kind in ("Agent", "Group"):
        statement["object"] = ids_only(target)
    context = statement.get("context")
    if context:
        for key in ("instructor", "team"):
            if key in context:
                context[key] = ids_only(context[key])
        for key, value in context.get("contextActivities", {}).items():
            context["contextActivities"][key] = [{"id": a["id"]} for a in value]
        for entry in context.get("contextAgents", []):
            entry["agent"] = ids_only(entry["agent"])
        for entry in context.get("contextGroups", []):
            entry["group"] = ids_only(entry["group"])


def _to_canonical(statement: dict, agency: Agency, languages: list[str]) -> None:
    activities = _activities_in(statement)
    canonical = {
        row.activity_id: row.definition
        for row in Activity.objects.filter(
            agency=agency, activity_id__in=[a["id"] for a in activities]
        )
    }
    for activity in activities:
        definition = canonical.get(activity["id"]) or activity.get("definition")
        if definition:
            activity["definition"] = _one_language(copy.deepcopy(definition), languages)
    parts = [statement]
    if statement["object"].get("objectType") == "SubStatement":
        parts.append(statement["object"])
    # A sub-statement's verb and attachments are given in one language too.
    for part in parts:
        verb = part["verb"]
        if "display" in verb:
            verb["display"] = _pick(verb["display"], languages)
        for attachment in part.get("attachments", []):
            for key in ("display", "description"):
                if key in attachment:
                    attachment[key] = _pick(attachment[key], languages)


def _activities_in(statement: dict) -> list[dict]:
    found: list[dict] = []

    def collect(part: dict) -> None:
        target = part["object"]
        if target.get("objectType", "Activity") == "Activity":
            found.append(target)
        for value in part.get("context", {}).get("contextActivities", {}).values():
            found.extend(value)

    collect(statement)
    if statement["object"].get("objectType") == "SubStatement":
        collect(statement["object"])
    return found


def _one_language(definition: dict, languages: list[str]) -> dict:
    for key in ("name", "description"):
        if key in definition:
            definition[key] = _pick(definition[key], languages)
    for key in ("choices", "scale", "source", "target", "steps"):
        for component in definition.get(key, []):
            if "description" in component:
                component["description"] = _pick(component["description"], languages)
    return definition


def _pick(language_map: dict, languages: list[str]) -> dict:
    """The one entry of a language map that best fits Accept-Language."""
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted == "*":
            break
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    for preferred in ("en-us", "en", "und"):
        if preferred in lowered:
            tag = lowered[preferred]
            return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def accepted_languages(header: str) -> list[str]:
    """Accept-Language's tags, best first."""
    weighted = []
    for index, piece in enumerate(header.split(",")):
        tag, _, params = piece.strip().partition(";")
        if not tag:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


__all__ = ["Filters", "accepted_languages", "agent_key", "find_statements", "render"]
