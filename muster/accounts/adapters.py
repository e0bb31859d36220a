"""How django-allauth behaves in Muster: no sign-up, clear lockout, audited
throttling, and MFA secrets encrypted in the database."""

from __future__ import annotations

import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from muster.audit.choices import Action
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
                Action.SIGNIN_LOCKED,
                request=request,
                label=str(credentials.get("username", ""))[:150],
            )
            raise


# Marks a secret encrypted by `MFAAdapter.encrypt`; secrets without it were stored
# before encryption and are read as they are.
ENCRYPTED = "fernet1:"


def _fernet() -> MultiFernet:
    """Fernet keys derived from SECRET_KEY, then each of SECRET_KEY_FALLBACKS, so
    that secrets stay readable while the key is rotated."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(
                        "muster.mfa.secret", "", secret=key, algorithm="sha256"
                    ).digest()
                )
            )
            for key in keys
        ]
    )


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted in the database, and
    users who must use MFA cannot remove their authenticator app."""

    def encrypt(self, text: str) -> str:
        token = _fernet().encrypt(text.encode("utf-8")).decode("ascii")
        return ENCRYPTED + token

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(ENCRYPTED):
            return encrypted_text
        token = encrypted_text.removeprefix(ENCRYPTED).encode("ascii")
        return _fernet().decrypt(token).decode("utf-8")

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP:
            return not authenticator.user.needs_mfa
        return super().can_delete_authenticator(authenticator)
