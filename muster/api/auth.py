"""Bearer-token authentication: find the token by its hash, audit the use."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from muster.accounts import access
from muster.api.models import ApiToken, digest_of
from muster.audit.choices import Action
from muster.audit.log import record_event


class TokenAuth(HttpBearer):
    """`Authorization: Bearer mst_…`; the request then acts as a TokenHolder."""

    openapi_description = (
        "A personal or agency service token from the account's security page."
    )

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.usable()
            .select_related("user", "agency")
            .filter(digest=digest_of(token.strip()))
            .first()
        )
        if found is None:
            return None
        holder = access.token_holder(found)
        if holder is None:
            return None
        record_use(found, request)
        return holder


def record_use(token: ApiToken, request: HttpRequest) -> None:
    """One audit entry per request made with the token: method and path (with the
    query), so that who read or changed what through the API is answerable."""
    query = request.META.get("QUERY_STRING", "")
    target = request.path + (f"?{query}" if query else "")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        record_event(
            Action.TOKEN_USE,
            actor=token.user,
            obj=token,
            reason=f"{request.method} {target}"[:1000],
            request=request,
            agency_id=token.agency_id,
            label=str(token),
        )
