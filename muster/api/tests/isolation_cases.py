"""Isolation cases for the API, read by muster/tests/test_isolation.py.

The matrix sends each API request with a read-write personal token of the
attacker (none for anonymous, who must get 401) through `send_with_token`, so
every endpoint is tried by every role against Oakdale's data: Charlie Chen, his
record, qualification, exemption, completion and certificate. Writes are tried
with a well-formed body, so that a refusal cannot come from bad input alone.
"""

from datetime import date

from django.utils import timezone

from muster.agencies.models import Exemption, Qualification
from muster.api.tests.helpers import call, token_for
from muster.learning.tests.isolation_cases import charlie_enrollment
from muster.tests.isolation import NO_OBJECT, Case


def send_with_token(t, client, user, method: str, url: str, body=None):
    secret = token_for(user) if user is not None else None
    headers = {"If-Match": "*"} if method in ("PATCH", "POST") else {}
    return call(client, method, url, secret, body, **headers)


def _case(build, methods=("GET",), body=None, **extra):
    return Case(
        build,
        methods=methods,
        extra={"send": send_with_token, "body": body, **extra},
    )


def _charlie(t):
    return [{"pk": t.charlie_person.pk}]


def _record(t):
    return [{"pk": t.charlie_record.pk}]


def _qualification(t):
    row = Qualification.objects.create(
        person=t.charlie_person,
        agency=t.other_agency,
        qualified_on=date(2026, 5, 1),
        weapon_type="Handgun",
        result="pass",
        instructor="Charlie Chen's range officer",
    )
    return [{"pk": row.pk}]


def _exemption(t):
    row = Exemption.objects.create(
        person=t.charlie_person,
        kind="waiver",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        reason="Charlie Chen medical leave",
        agency=t.other_agency,
    )
    return [{"pk": row.pk}]


def _completed(t):
    enrollment = charlie_enrollment(t)
    enrollment.completed_at = timezone.now()
    enrollment.save()
    return enrollment


def _completion(t):
    return [{"pk": _completed(t).pk}]


def _certificate(t):
    return [{"code": _completed(t).certificate.code}]


def _course(t):
    return [{"slug": _completed(t).course.slug}]


def _oakdale(t):
    return [{"code": t.other_agency.code}]


def _new_record_for_charlie(t):
    return {
        "person": t.charlie_person.pk,
        "agency": t.agency.code,
        "title": "Charlie Chen range day",
        "completed_on": "2026-02-01",
        "lines": [{"hours": "2", "area": "technical", "topics": []}],
    }


def _new_qualification_for_charlie(t):
    return {
        "person": t.charlie_person.pk,
        "agency": t.agency.code,
        "qualified_on": "2026-02-01",
        "weapon_type": "Handgun",
        "result": "pass",
    }


def _new_exemption_for_charlie(t):
    return {
        "person": t.charlie_person.pk,
        "agency": t.agency.code,
        "kind": "waiver",
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "reason": "Charlie Chen leave",
    }


def _pending_exemption(t):
    [found] = _exemption(t)
    Exemption.objects.filter(pk=found["pk"]).update(approval="pending")
    return [found]


CASES = {
    "api:api-root": NO_OBJECT,
    "api:openapi-json": NO_OBJECT,
    "api:openapi-view": NO_OBJECT,
    "api-not-found": Case(lambda t: [{"rest": f"people/{t.charlie_person.pk}/"}]),
    "api:list_agencies": _case(None),
    "api:get_agency": _case(_oakdale),
    "api:agency_standings": _case(_oakdale),
    "api:list_people": _case(None),
    "api:get_person": _case(_charlie),
    # Worked out from every record: a former employer gets 404 too.
    "api:person_standings": _case(
        _charlie, standing_of=lambda t, person: {"pk": person.pk}
    ),
    "api:list_records": _case(None),
    "api:create_record": _case(
        lambda t: [{}], methods=("POST",), body=_new_record_for_charlie
    ),
    "api:get_record": _case(_record),
    "api:correct_record": _case(
        _record, methods=("GET", "PATCH"), body=lambda t: {"reason": "x", "title": "y"}
    ),
    "api:void_record": _case(
        _record, methods=("POST",), body=lambda t: {"reason": "x"}
    ),
    "api:list_qualifications": _case(None),
    "api:get_qualification": _case(_qualification),
    "api:create_qualification": _case(
        lambda t: [{}], methods=("POST",), body=_new_qualification_for_charlie
    ),
    "api:correct_qualification": _case(
        _qualification,
        methods=("GET", "PATCH"),
        body=lambda t: {"reason": "x", "score": "1"},
    ),
    "api:void_qualification": _case(
        _qualification, methods=("POST",), body=lambda t: {"reason": "x"}
    ),
    "api:list_exemptions": _case(None),
    "api:get_exemption": _case(_exemption),
    "api:propose_exemption": _case(
        lambda t: [{}], methods=("POST",), body=_new_exemption_for_charlie
    ),
    "api:decide_exemption": _case(
        _pending_exemption, methods=("POST",), body=lambda t: {"approve": True}
    ),
    "api:list_courses": _case(None),
    "api:get_course": _case(_course),
    "api:list_completions": _case(None),
    "api:get_completion": _case(_completion),
    "api:list_certificates": _case(None),
    "api:get_certificate": _case(_certificate),
    "api:get_certificate_credential": _case(_certificate),
    # The law is the same for everyone: only "no Charlie in it" is checked.
    "api:get_mandates": Case(
        lambda t: [{"jurisdiction": "MO"}],
        extra={"send": send_with_token, "public": True},
    ),
    "api-tokens:list": NO_OBJECT,
    "api-tokens:revoke": Case(
        lambda t: [{"pk": _dana_token(t)}], methods=("GET", "POST")
    ),
}


def _dana_token(t) -> int:
    from muster.api.actions import issue_token

    token, _ = issue_token(
        actor=t.dana,
        name="Oakdale sync",
        kind="service",
        access="write",
        agency=t.other_agency,
    )
    return token.pk
