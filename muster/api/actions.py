"""Issuing and revoking API tokens, each with its audit entry."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from muster.api.models import SHOWN_CHARACTERS, ApiToken, digest_of, new_secret
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot


def issue_token(
    *,
    actor,
    name: str,
    kind: str,
    access: str,
    agency=None,
    expires_at=None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Save a new token and return it with its secret, which is never stored:
    the caller shows it once."""
    secret = new_secret(kind)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip(),
            kind=kind,
            access=access,
            user=actor,
            agency=agency,
            expires_at=expires_at,
            shown=secret[:SHOWN_CHARACTERS],
            digest=digest_of(secret),
        )
        record_event(
            Action.TOKEN_CREATE,
            actor=actor,
            obj=token,
            after=snapshot(token, exclude=("digest",)),
            reason=f"{token.get_kind_display()} token, {token.get_access_display().lower()}",
            request=request,
            agency_id=token.agency_id,
        )
    return token, secret


def revoke_token(
    *, actor, token: ApiToken, request: HttpRequest | None = None
) -> ApiToken:
    """Stop a token from working at once; the row stays for the audit trail."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.is_revoked:
            return token
        before = snapshot(token, exclude=("digest",))
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            Action.TOKEN_REVOKE,
            actor=actor,
            obj=token,
            before=before,
            after=snapshot(token, exclude=("digest",)),
            reason="Revoked",
            request=request,
            agency_id=token.agency_id,
        )
    return token
