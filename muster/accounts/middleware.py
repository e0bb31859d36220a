"""Session rules beyond Django's: a second factor for privileged users.

Privileged users enrol an authenticator before anything else. (Idle lessons are
learning's: `muster.learning.middleware`.)
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Exists
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from muster.accounts.choices import MFA_REQUIRED_ROLES

# The only pages a user who owes an authenticator may open: the enrolment page,
# the password prompt allauth puts before it when the sign-in is over five
# minutes old, and signing out.
ENROLMENT_URL_NAMES = frozenset(
    {"mfa_activate_totp", "account_reauthenticate", "account_logout"}
)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type=Authenticator.Type.TOTP
    ).exists()


def owes_authenticator(user) -> bool:
    """Whether `user` must use MFA (see `User.needs_mfa`) and has not enrolled yet.

    Asked on every request, so in one query for the common case (a grant that
    needs MFA and no authenticator, together) rather than one for each.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return not has_totp(user)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
    return (
        user.active_grants()
        .filter(role__in=MFA_REQUIRED_ROLES)
        .filter(~Exists(totp))
        .exists()
    )


class RequireMFAMiddleware:
    """Send a signed-in user who needs MFA and has no TOTP authenticator to enrolment.

    Coordinators, agency heads, auditors and administrators (MFA_REQUIRED_ROLES)
    may do nothing else until they have enrolled; officers may enrol if they like.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Always on outside tests: settings.py sets it without reading the
        # environment. The test suite turns it off (root conftest.py) so that tests
        # of other things need no authenticator; MFA tests turn it back on.
        enforced = getattr(settings, "MUSTER_REQUIRE_MFA", True)
        if (
            enforced
            and owes_authenticator(request.user)
            and not self._is_allowed(request)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _is_allowed(request: HttpRequest) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in ENROLMENT_URL_NAMES
