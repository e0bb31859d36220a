"""Isolation cases for LTI, read by muster/tests/test_isolation.py.

The JWKS, login, launch (and its platform-storage step) and deep-link endpoints
take no agency's object: they answer an LMS, and their credentials are its
signed tokens (the refusals are in test_launch.py, test_framed_launch.py and
test_deep_linking.py). The roster sync and the agency's link
list are pointed at Oakdale's: a link of a platform registered for Oakdale, whose
course roster names Charlie.
"""

from __future__ import annotations

from muster.accounts.choices import Role
from muster.catalog.tests.factories import make_course
from muster.lti.models import Deployment, Platform, ResourceLink
from muster.lti.registration import invite_token
from muster.test import make_user
from muster.tests.isolation import NO_OBJECT, Case


def oakdale_link(t) -> ResourceLink:
    existing = ResourceLink.objects.filter(platform__agency=t.other_agency).first()
    if existing is not None:
        return existing
    platform = Platform.objects.create(
        agency=t.other_agency, name="Oakdale LMS", issuer="https://lms.oakdale.test",
        client_id="oakdale", auth_login_url="https://lms.oakdale.test/auth",
        auth_token_url="https://lms.oakdale.test/token",
        jwks_url="https://lms.oakdale.test/jwks",
    )  # fmt: skip
    deployment = Deployment.objects.create(platform=platform, deployment_id="1")
    return ResourceLink.objects.create(
        platform=platform, deployment=deployment, resource_link_id="charlie-course",
        course=make_course(slug="oakdale-lti"), context_title="Charlie Chen's class",
        memberships_url="https://lms.oakdale.test/memberships",
    )  # fmt: skip


def _revoked_invite(t) -> str:
    """Oakdale's registration URL, made by a coordinator since removed."""
    former = make_user("former-oakdale", (Role.COORDINATOR, t.other_agency))
    token = invite_token(t.other_agency, former)
    former.role_grants.update(revoked_at=former.date_joined)
    return token


CASES = {
    "lti:jwks": NO_OBJECT,
    "lti:login": Case(build=None, methods=("GET", "POST")),
    "lti:launch": Case(build=None, methods=("POST",)),
    "lti:launch-storage": Case(build=None, methods=("POST",)),
    "lti:deep-link": Case(build=None, methods=("POST",)),
    "lti:continue": Case(
        lambda t: [{}],
        methods=("GET", "POST"),
        data=lambda t: {"token": "forged"},
        note="The signed, two-minute, one-time token a framed launch made is the "
        "credential, taken only in a same-origin POST from Muster's own page "
        "(test_framed_launch.py): a GET is 405, a post without Muster's Origin "
        "403, a forged, expired or used token 404.",
    ),
    "lti:register": Case(
        lambda t: [{"token": "forged"}, {"token": _revoked_invite(t)}],
        methods=("GET", "POST"),
        note="The URL's signed token is the credential (tested in "
        "test_registration.py); forged, or of a user who lost the right: refused.",
    ),
    "lti:roster": Case(
        lambda t: [{"pk": oakdale_link(t).pk}],
        methods=("GET", "POST"),
        data=lambda t: {"discipline": "peace-officer"},
    ),
    "lti:links": Case(
        lambda t: [{"code": t.other_agency.code}],
        note="Oakdale's LMS links name Charlie's class.",
    ),
}
