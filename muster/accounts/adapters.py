"""How django-allauth behaves in Muster: no sign-up, clear lockout, audited throttling."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from muster.audit.log import record_event

LOCKED_OUT = (
    "Too many failed sign-ins for this account or from this address. Wait 15 "
    "minutes and try again, or reset your password with the link below."
)


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are made by administrators; failed sign-ins are limited and logged."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": LOCKED_OUT,
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            record_event(
                "account.signin-locked",
                request=request,
                label=str(credentials.get("username", ""))[:150],
            )
            raise


class MFAAdapter(DefaultMFAAdapter):
    """Users who must use MFA cannot remove their authenticator app."""

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP:
            return not authenticator.user.needs_mfa
        return super().can_delete_authenticator(authenticator)
