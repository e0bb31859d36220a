"""API tokens (kept only as a hash) and the stored answers to idempotent creates."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from muster.api.choices import TokenAccess, TokenKind

# Shown in front of every secret so that a leaked one is recognisable (secret
# scanners, logs) and says which kind it is.
PREFIXES = {TokenKind.PERSONAL: "mst_p_", TokenKind.SERVICE: "mst_s_"}
# How much of the secret the token list shows, to tell tokens apart.
SHOWN_CHARACTERS = 12


def digest_of(secret: str) -> str:
    """The stored form of a secret: SHA-256, enough for 256 random bits.

    A slow password hash is for guessable secrets; these are random, so a fast
    hash loses nothing and keeps every request's look-up cheap.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret(kind: str) -> str:
    return PREFIXES[TokenKind(kind)] + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        """Tokens not revoked and not expired."""
        return self.filter(
            Q(revoked_at__isnull=True),
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        )


class ApiToken(models.Model):
    """A bearer token for the API: personal (its owner's roles, narrowed to one
    agency if chosen) or an agency's service token, read-only or read-write.

    Only the SHA-256 of the secret is stored; the secret is shown once, when
    issued. Tokens are revoked, never deleted, so the audit trail's entries about
    their use keep naming a row.
    """

    name = models.CharField(
        max_length=100, help_text="What uses it, such as 'HR sync'."
    )
    kind = models.CharField(max_length=10, choices=TokenKind.choices)
    access = models.CharField(max_length=10, choices=TokenAccess.choices)
    # The owner of a personal token; the coordinator who issued a service token,
    # whose writes through it are attributed to them (docs/api.md).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="The one agency the token reaches; blank: all the owner's.",
    )
    shown = models.CharField(max_length=SHOWN_CHARACTERS, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=TokenKind.SERVICE) | Q(agency__isnull=False),
                name="service_token_has_an_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.shown}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def may_write(self) -> bool:
        return self.access == TokenAccess.WRITE


class IdempotentRequest(models.Model):
    """The answer to one create sent with an `Idempotency-Key`, replayed when the
    same token sends the same key and body again (docs/api.md, "Retrying")."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="one_answer_per_token_and_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
