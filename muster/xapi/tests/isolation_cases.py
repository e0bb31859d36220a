"""Isolation cases for the xAPI app, read by muster/tests/test_isolation.py.

The /xapi/ resources take no session: a signed-in user of any role gets 401
(or, for About, the public version list), so only "no Charlie in the answer" is
checked here; an LRS client of one agency against another's data is covered by
muster/xapi/tests/test_isolation_lrs.py. The coordinator screens are checked
with Oakdale's code and Oakdale's mapping and client.
"""

from muster.tests.isolation import NO_OBJECT, Case
from muster.xapi.models import ActivityMapping
from muster.xapi.tests.helpers import make_lrs_client


def _oakdale_mapping(t) -> ActivityMapping:
    return ActivityMapping.objects.create(
        agency=t.other_agency,
        activity_id="https://oakdale.example/charlie-chen-course",
        name="Charlie Chen's course",
    )


def _mapping_variants(t) -> list[dict]:
    pk = _oakdale_mapping(t).pk
    return [{"code": t.other_agency.code, "pk": pk}, {"code": t.agency.code, "pk": pk}]


def _client_variants(t) -> list[dict]:
    pk = make_lrs_client(t, t.other_agency, name="Charlie Chen's LMS")[0].pk
    return [{"code": t.other_agency.code, "pk": pk}, {"code": t.agency.code, "pk": pk}]


WRITE = ("GET", "POST")

CASES = {
    "xapi:about": NO_OBJECT,
    "xapi:statements": NO_OBJECT,
    "xapi:state": NO_OBJECT,
    "xapi:activity-profile": NO_OBJECT,
    "xapi:activities": NO_OBJECT,
    "xapi:agent-profile": NO_OBJECT,
    "xapi:agents": NO_OBJECT,
    "xapi:unknown": NO_OBJECT,
    "xapi-screens:agency": Case(lambda t: [{"code": t.other_agency.code}]),
    "xapi-screens:client-new": Case(
        lambda t: [{"code": t.other_agency.code}],
        methods=WRITE,
        data=lambda t: {"name": "Intruder"},
    ),
    "xapi-screens:client-revoke": Case(_client_variants, methods=WRITE),
    "xapi-screens:mapping": Case(
        _mapping_variants,
        methods=WRITE,
        data=lambda t: {"hours": "2", "area": "technical"},
    ),
    "xapi-screens:forwarding": Case(
        lambda t: [{"code": t.other_agency.code}],
        methods=WRITE,
        data=lambda t: {
            "endpoint": "https://evil.example/",
            "username": "u",
            "password": "p",
        },
    ),
}
