"""The xAPI resources under /xapi/: thin handlers over statements, query, documents.

Each handler gets an `XRequest` (version checked, client authenticated, the
alternate syntax undone) and the client's agency; every row it reads or writes
is that agency's (muster.accounts.access.lrs_agency).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from muster.accounts.access import (
    lrs_activities,
    lrs_agency,
    lrs_attachments,
    lrs_people,
    lrs_statements,
)
from muster.xapi import documents
from muster.xapi.identity import agent_key
from muster.xapi.models import DocumentKind, Statement
from muster.xapi.persons import person_object
from muster.xapi.policy import for_client
from muster.xapi.protocol import (
    Refused,
    XRequest,
    check_version,
    error,
    load_json,
    multipart_body,
    parse_multipart,
    parse_request,
)
from muster.xapi.query import (
    Filters,
    accepted_languages,
    filters_from_more,
    find_statements,
    render,
)
from muster.xapi.statements import Conflict, iso, store_statements, stored_parts
from muster.xapi.validation import (
    Invalid,
    check_actor,
    check_iri,
    check_uuid,
    parse_timestamp,
)

STATEMENT_PARAMS = {
    "statementId", "voidedStatementId", "agent", "verb", "activity",
    "registration", "related_activities", "related_agents", "since", "until",
    "limit", "format", "attachments", "ascending", "more",
}  # fmt: skip
SINGLE_PARAMS = {"statementId", "voidedStatementId", "attachments", "format"}


# Browsers may call the LRS from other origins (xAPI's cross-origin requests).
# No cookie is ever read here, so allowing any origin exposes nothing.
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, If-Match, If-None-Match, "
        "X-Experience-API-Version, Accept-Language"
    ),
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, "
        "X-Experience-API-Consistent-Through"
    ),
}


def resource(methods: tuple[str, ...], needs_auth: bool = True):
    """Wrap a handler: parse the request, turn errors into statuses, add headers."""

    def decorate(handler: Callable[[XRequest], HttpResponse]):
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest) -> HttpResponse:
            if request.method == "OPTIONS":
                # A CORS preflight carries no credentials; it still learns the
                # version the LRS speaks (every response carries the header).
                preflight = _with_cors(HttpResponse(status=204))
                try:
                    asked = request.headers.get("X-Experience-API-Version")
                    preflight["X-Experience-API-Version"] = check_version(asked)
                except Refused:
                    preflight["X-Experience-API-Version"] = "2.0.0"
                return preflight
            version = "2.0.0"
            try:
                xrequest = parse_request(request, needs_auth=needs_auth)
                version = xrequest.version
                if xrequest.method not in (*methods, "HEAD") or (
                    xrequest.method == "HEAD" and "GET" not in methods
                ):
                    raise Refused(405, f"{xrequest.method} is not allowed here.")
                policy = for_client(xrequest.client)
                if policy is not None:
                    policy.check_request(xrequest.client, handler.__name__, xrequest)
                response = handler(xrequest)
            except Refused as refusal:
                response = error(refusal.status, str(refusal), version)
                if refusal.status == 401:
                    response["WWW-Authenticate"] = 'Basic realm="Muster xAPI"'
            except Invalid as invalid:
                response = error(400, str(invalid), version)
            except Conflict as conflict:
                response = error(409, str(conflict), version)
            response["X-Experience-API-Version"] = version
            if handler.__name__ == "statements":
                # On every answer of the statement resource, errors included.
                response["X-Experience-API-Consistent-Through"] = iso(timezone.now())
            _with_cors(response)
            if request.method == "HEAD" or (
                request.method == "POST"
                and request.GET.get("method", "").upper() == "HEAD"
            ):
                response.content = b""
            return response

        return view

    return decorate


def _with_cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS.items():
        response[name] = value
    return response


def _only(xrequest: XRequest, allowed: set[str]) -> None:
    unknown = sorted(set(xrequest.params) - allowed)
    if unknown:
        raise Invalid(f"{unknown[0]}: not a parameter of this resource.")


def _json_body(xrequest: XRequest):
    if xrequest.content_type != "application/json":
        raise Invalid("Content-Type: send application/json (or multipart/mixed).")
    return load_json(xrequest.body)


@csrf_exempt
def unknown(request: HttpRequest) -> HttpResponse:
    """A path under /xapi/ that is no resource: 404, as an xAPI answer.

    It carries the version and X-Experience-API-Consistent-Through headers
    all statement answers carry: the ADL suite's `helper.genDelay` polls
    `/statements` + a query it sometimes gives without its "?" (E.Data2.5's
    `more` test asks for `/statementslimit=1`), and stops with a TypeError when
    the answer has no Consistent-Through to read. No data is read here.
    """
    try:
        version = check_version(request.headers.get("X-Experience-API-Version"))
    except Refused:
        version = "2.0.0"
    response = error(404, f"{request.path}: no such xAPI resource.", version)
    response["X-Experience-API-Consistent-Through"] = iso(timezone.now())
    if request.method == "HEAD":
        response.content = b""
    return _with_cors(response)


# About


@resource(("GET",), needs_auth=False)
def about(xrequest: XRequest) -> HttpResponse:
    return JsonResponse({"version": ["1.0.3", "2.0.0"], "extensions": {}})


# Statements


@resource(("GET", "PUT", "POST"))
def statements(xrequest: XRequest) -> HttpResponse:
    agency = lrs_agency(xrequest.client)
    if xrequest.method == "PUT":
        return _put_statement(xrequest, agency)
    if xrequest.method == "POST":
        return _post_statements(xrequest, agency)
    return _get_statements(xrequest, agency)


def _read_batch(xrequest: XRequest):
    if xrequest.content_type == "multipart/mixed":
        body, parts = parse_multipart(xrequest.body, xrequest.headers["content-type"])
        return load_json(body, "statement part"), parts
    return _json_body(xrequest), {}


def _put_statement(xrequest: XRequest, agency) -> HttpResponse:
    _only(xrequest, {"statementId"})
    statement_id = xrequest.params.get("statementId")
    if not statement_id:
        raise Invalid("statementId: required to PUT a statement.")
    check_uuid(statement_id, "statementId")
    statement, parts = _read_batch(xrequest)
    if not isinstance(statement, dict):
        raise Invalid("statement: PUT takes one statement (a JSON object).")
    if "id" in statement and str(statement["id"]).lower() != statement_id.lower():
        raise Invalid("statement.id: differs from the statementId parameter.")
    statement.setdefault("id", statement_id)
    _store(xrequest, agency, [statement], parts)
    return HttpResponse(status=204)


def _post_statements(xrequest: XRequest, agency) -> HttpResponse:
    _only(xrequest, set())
    batch, parts = _read_batch(xrequest)
    if isinstance(batch, dict):
        batch = [batch]
    if not isinstance(batch, list) or not all(isinstance(s, dict) for s in batch):
        raise Invalid("body: send a statement or an array of statements.")
    return JsonResponse(_store(xrequest, agency, batch, parts), safe=False)


def _store(xrequest: XRequest, agency, batch, parts) -> list[str]:
    return store_statements(
        agency,
        batch,
        xrequest.client.authority(),
        client=xrequest.client,
        parts=parts,
        version=xrequest.version,
    )


def _get_statements(xrequest: XRequest, agency) -> HttpResponse:
    params = xrequest.params
    _only(xrequest, STATEMENT_PARAMS)
    fmt = params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise Invalid("format: must be exact, ids or canonical.")
    with_attachments = _boolean(params, "attachments")
    languages = accepted_languages(xrequest.headers.get("accept-language", ""))
    policy = for_client(xrequest.client)
    only_agent = policy.reading_agent(xrequest.client) if policy else None
    if "statementId" in params or "voidedStatementId" in params:
        row = _single(xrequest, agency)
        if (
            only_agent is not None
            and not row.terms.filter(role="actor", value=only_agent).exists()
        ):
            raise Refused(404, "No such statement.")
        rows, body = [row], render(row.data, fmt, agency, languages)
    else:
        filters = _filters(params, rfc3339=xrequest.is_v2)
        if "more" in params:
            fmt, with_attachments = filters.format, filters.attachments
        else:
            filters.format, filters.attachments = fmt, with_attachments
        if only_agent is not None and filters.agent is None:
            filters.agent = only_agent
        if only_agent is not None and filters.agent != only_agent:
            rows, more = [], None  # another learner's statements: none to show
        else:
            rows, more = find_statements(agency, filters)
        body = {
            "statements": [render(r.data, fmt, agency, languages) for r in rows],
            "more": f"{xrequest.path}?more={more}" if more else "",
        }
    response = _statement_response(body, rows, xrequest.client, with_attachments)
    if rows and len(rows) == 1 and "statements" not in body:
        response["Last-Modified"] = http_date(rows[0].stored.timestamp())
    return response


def _single(xrequest: XRequest, agency) -> Statement:
    params = xrequest.params
    if "statementId" in params and "voidedStatementId" in params:
        raise Invalid("Send statementId or voidedStatementId, not both.")
    extra = sorted(set(params) - SINGLE_PARAMS)
    if extra:
        raise Invalid(f"{extra[0]}: not allowed with statementId or voidedStatementId.")
    voided = "voidedStatementId" in params
    wanted = params["voidedStatementId" if voided else "statementId"]
    check_uuid(wanted, "voidedStatementId" if voided else "statementId")
    row = (
        lrs_statements(xrequest.client)
        .filter(statement_id=uuid.UUID(wanted), is_voided=voided)
        .first()
    )
    if row is None:
        raise Refused(404, "No such statement.")
    return row


def _filters(params: dict[str, str], *, rfc3339: bool = False) -> Filters:
    if "more" in params:
        if set(params) != {"more"}:
            raise Invalid("more: send it alone, as given.")
        return filters_from_more(params["more"])
    filters = Filters()
    if "agent" in params:
        filters.agent = _agent_param(params["agent"])
    if "verb" in params:
        check_iri(params["verb"], "verb")
        filters.verb = params["verb"]
    if "activity" in params:
        check_iri(params["activity"], "activity")
        filters.activity = params["activity"]
    if "registration" in params:
        check_uuid(params["registration"], "registration")
        filters.registration = uuid.UUID(params["registration"])
    for key in ("since", "until"):
        if key in params:
            # Parameters meet the rules of the same values in statements.
            moment = parse_timestamp(params[key], key, rfc3339=rfc3339)
            setattr(filters, key, moment)
    if "limit" in params:
        if not params["limit"].isdigit():
            raise Invalid("limit: must be a whole number (0 for the server's maximum).")
        filters.limit = int(params["limit"])
    filters.related_agents = _boolean(params, "related_agents")
    filters.related_activities = _boolean(params, "related_activities")
    filters.ascending = _boolean(params, "ascending")
    return filters


def _boolean(params: dict[str, str], key: str) -> bool:
    value = params.get(key, "false")
    if value not in ("true", "false"):
        raise Invalid(f"{key}: must be true or false.")
    return value == "true"


def _agent_param(text: str, name: str = "agent") -> str:
    agent = load_json(text.encode(), name)
    check_actor(agent, name)
    key = agent_key(agent)
    if key is None:
        raise Invalid(f"{name}: must identify an Agent or an identified Group.")
    if len(key) > 2000:
        raise Invalid(f"{name}: its identifier is longer than this LRS's limit.")
    return key


def _statement_response(body, rows, client, with_attachments: bool) -> HttpResponse:
    text = json.dumps(body)
    if not with_attachments:
        return HttpResponse(text, content_type="application/json")
    parts = stored_parts(lrs_attachments(client), [row.data for row in rows])
    body, content_type = multipart_body(text, parts)
    return HttpResponse(body, content_type=content_type)


# Activities and agents


@resource(("GET",))
def activities(xrequest: XRequest) -> HttpResponse:
    _only(xrequest, {"activityId"})
    activity_id = _required(xrequest, "activityId")
    check_iri(activity_id, "activityId")
    row = lrs_activities(xrequest.client).filter(activity_id=activity_id).first()
    body = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        body["definition"] = row.definition
    return JsonResponse(body)


@resource(("GET",))
def agents(xrequest: XRequest) -> HttpResponse:
    """The Person object: every identifier and name known for the agent."""
    _only(xrequest, {"agent"})
    agent = load_json(_required(xrequest, "agent").encode(), "agent")
    check_actor(agent, "agent")
    if agent.get("objectType") == "Group":
        raise Invalid("agent: the Agents resource takes an Agent, not a Group.")
    # A client a policy narrows (a cmi5 AU's) gets the agent alone: no email.
    narrowed = for_client(xrequest.client) is not None
    staff = None if narrowed else lrs_people(xrequest.client)
    return JsonResponse(person_object(agent, staff))


def _required(xrequest: XRequest, name: str) -> str:
    value = xrequest.params.get(name)
    if value is None or value == "":
        raise Invalid(f"{name}: required.")
    return value


# Documents


@resource(("GET", "PUT", "POST", "DELETE"))
def state(xrequest: XRequest) -> HttpResponse:
    _only(xrequest, {"activityId", "agent", "registration", "stateId", "since"})
    activity_id = _required(xrequest, "activityId")
    check_iri(activity_id, "activityId")
    scope = {
        "activity_id": activity_id,
        "agent": _agent_param(_required(xrequest, "agent")),
    }
    registration = xrequest.params.get("registration")
    if registration is not None:
        check_uuid(registration, "registration")
        scope["registration"] = registration.lower()
    elif xrequest.method != "DELETE" or "stateId" in xrequest.params:
        scope["registration"] = ""
    # xAPI 2.0 extends the profiles' concurrency rule to the State Resource
    # (IEEE 9274.1.1, 4.1.4: a PUT over an existing document needs If-Match or
    # If-None-Match, else 409); 1.0.3 asked it of the profiles only.
    return _document(
        xrequest, DocumentKind.STATE, scope, "stateId", strict=xrequest.is_v2
    )


@resource(("GET", "PUT", "POST", "DELETE"))
def activity_profile(xrequest: XRequest) -> HttpResponse:
    _only(xrequest, {"activityId", "profileId", "since"})
    activity_id = _required(xrequest, "activityId")
    check_iri(activity_id, "activityId")
    scope = {"activity_id": activity_id}
    return _document(xrequest, DocumentKind.ACTIVITY_PROFILE, scope, "profileId")


@resource(("GET", "PUT", "POST", "DELETE"))
def agent_profile(xrequest: XRequest) -> HttpResponse:
    _only(xrequest, {"agent", "profileId", "since"})
    scope = {"agent": _agent_param(_required(xrequest, "agent"))}
    return _document(xrequest, DocumentKind.AGENT_PROFILE, scope, "profileId")


def _document(xrequest, kind, scope, id_name, *, strict=True) -> HttpResponse:
    agency = lrs_agency(xrequest.client)
    document_id = xrequest.params.get(id_name)
    method = xrequest.method
    if method in ("GET", "HEAD") and document_id is None:
        since = xrequest.params.get("since")
        moment = (
            parse_timestamp(since, "since", rfc3339=xrequest.is_v2) if since else None
        )
        ids, latest = documents.listing(agency, kind, scope, moment)
        response = JsonResponse(ids, safe=False)
        if latest is not None:
            # IEEE 9274.1.1: a multiple-document GET carries the Last-Modified
            # of the most recently changed document it lists.
            response["Last-Modified"] = http_date(latest.timestamp())
        return response
    if "since" in xrequest.params:
        raise Invalid(f"since: only for listing documents (without {id_name}).")
    if document_id is None:
        if method == "DELETE" and kind == DocumentKind.STATE:
            documents.delete(agency, kind, scope, xrequest)
            return HttpResponse(status=204)
        raise Invalid(f"{id_name}: required.")
    if len(document_id) > 2000:
        raise Invalid(f"{id_name}: longer than 2000 characters, this LRS's limit.")
    scope = {**scope, "document_id": document_id}
    if method in ("GET", "HEAD"):
        return _document_response(documents.find(agency, kind, scope))
    if method == "DELETE":
        documents.delete(agency, kind, scope, xrequest)
        return HttpResponse(status=204)
    document = documents.write(
        agency, kind, scope, xrequest, merge=method == "POST", strict=strict
    )
    response = HttpResponse(status=204)
    response["ETag"] = f'"{document.etag}"'
    return response


def _document_response(document) -> HttpResponse:
    if document is None:
        raise Refused(404, "No such document.")
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    response["ETag"] = f'"{document.etag}"'
    response["Last-Modified"] = http_date(document.updated_at.timestamp())
    return response
