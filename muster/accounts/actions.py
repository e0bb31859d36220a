"""Granting and revoking roles, each written to the audit trail in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from muster.accounts.models import RoleGrant, User
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot


def grant_role(
    user: User,
    role: str,
    *,
    agency=None,
    state: str = "",
    granted_by: User | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> RoleGrant:
    """Give `user` the `role` in `agency` (or `state`, for a state auditor).

    Raises:
        ValidationError: the role does not fit the scope (see `RoleGrant.clean`).
    """
    grant = RoleGrant(
        user=user, role=role, agency=agency, state=state, granted_by=granted_by
    )
    grant.full_clean()
    with transaction.atomic():
        grant.save()
        record_event(
            Action.ROLE_GRANT,
            actor=granted_by,
            obj=grant,
            after=snapshot(grant),
            reason=reason,
            request=request,
            agency_id=grant.agency_id,
        )
    return grant


def revoke_role(
    grant: RoleGrant,
    *,
    revoked_by: User | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> RoleGrant:
    """End `grant` now; the row stays, so past access remains answerable."""
    if grant.revoked_at is not None:
        return grant
    with transaction.atomic():
        before = snapshot(grant)
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        record_event(
            Action.ROLE_REVOKE,
            actor=revoked_by,
            obj=grant,
            before=before,
            after=snapshot(grant),
            reason=reason,
            request=request,
            agency_id=grant.agency_id,
        )
    return grant


def set_active(
    user: User,
    is_active: bool,
    *,
    by: User | None,
    reason: str,
    request: HttpRequest | None = None,
) -> User:
    """Deactivate (or reactivate) `user`: a user is never deleted, because the
    trail and the legal records name who acted. An inactive user cannot sign in,
    and a session already open stops working at its next request."""
    if not reason.strip():
        raise ValueError("Say why the user is deactivated or reactivated.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == is_active:
            return locked
        before = snapshot(locked, exclude=("password",))
        locked.is_active = is_active
        locked.save(update_fields=["is_active"])
        record_event(
            Action.USER_REACTIVATE if is_active else Action.USER_DEACTIVATE,
            actor=by,
            obj=locked,
            before=before,
            after=snapshot(locked, exclude=("password",)),
            reason=reason.strip(),
            request=request,
        )
    return locked
