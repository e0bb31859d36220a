"""Write sign-ins, sign-outs, password and MFA changes to the audit trail.

Connected in `AccountsConfig.ready()`. Entries never hold a password, a TOTP
secret or a recovery code: only who, what, when and from where.
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals

from muster.audit.choices import Action
from muster.audit.log import record_event


def on_signed_in(sender, request, user, **kwargs) -> None:
    record_event(Action.SIGNIN, actor=user, obj=user, request=request)


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password with stars; keep only the name.
    attempted = str(credentials.get("username", ""))[:150]
    record_event(Action.SIGNIN_FAILED, request=request, label=attempted)


def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(Action.SIGNOUT, actor=user, obj=user, request=request)


def on_password_changed(sender, request, user, **kwargs) -> None:
    record_event(Action.PASSWORD_CHANGE, actor=user, obj=user, request=request)


def on_password_reset(sender, request, user, **kwargs) -> None:
    record_event(Action.PASSWORD_RESET, actor=user, obj=user, request=request)


def _mfa_event(action: str, request, user, authenticator: Authenticator) -> None:
    record_event(
        action,
        actor=user,
        obj=user,
        request=request,
        label=f"{user} ({authenticator.get_type_display()})",
    )


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    _mfa_event(Action.MFA_ENROL, request, user, authenticator)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    _mfa_event(Action.MFA_REMOVE, request, user, authenticator)


def on_authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    _mfa_event(Action.MFA_RESET, request, user, authenticator)


def on_authenticator_used(sender, request, user, authenticator, **kwargs) -> None:
    # TOTP use is already implied by the sign-in entry; a recovery code is rarer
    # and worth its own line, since it may mean a lost phone.
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        _mfa_event(Action.MFA_RECOVERY_CODE_USED, request, user, authenticator)


def on_mfa_failed(sender, request, user, authenticator, **kwargs) -> None:
    _mfa_event(Action.MFA_FAILED, request, user, authenticator)


def connect() -> None:
    """Connect every receiver above (once; Django de-duplicates by uid)."""
    pairs = [
        (auth_signals.user_logged_in, on_signed_in),
        (auth_signals.user_login_failed, on_sign_in_failed),
        (auth_signals.user_logged_out, on_signed_out),
        (account_signals.password_changed, on_password_changed),
        (account_signals.password_reset, on_password_reset),
        (mfa_signals.authenticator_added, on_authenticator_added),
        (mfa_signals.authenticator_removed, on_authenticator_removed),
        (mfa_signals.authenticator_reset, on_authenticator_reset),
        (mfa_signals.authenticator_used, on_authenticator_used),
        (mfa_signals.authentication_failed, on_mfa_failed),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"muster.audit.{receiver.__name__}")
