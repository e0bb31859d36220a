"""django-allauth forms as Muster needs them."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm as BaseResetPasswordForm
from allauth.account.models import EmailAddress
from django.db.models import Q

from muster.accounts.models import User


class ResetPasswordForm(BaseResetPasswordForm):
    """Find the account whatever the case of its address, with or without an
    EmailAddress row (administrators create users with only `User.email`).

    allauth compares the user's own email field exactly after lowering what was
    typed, so `Alice@Example.org` was never found. The page still says the same
    thing whether or not an account exists (ACCOUNT_PREVENT_ENUMERATION).
    """

    def clean_email(self) -> str:
        email = super().clean_email()
        by_row = EmailAddress.objects.filter(email__iexact=email).values("user")
        self.users = list(
            User.objects.filter(is_active=True).filter(
                Q(pk__in=by_row) | Q(email__iexact=email)
            )
        )
        return email
