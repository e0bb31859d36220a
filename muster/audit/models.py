"""The audit trail: an append-only, hash-chained log of every change that matters.

Each entry stores the seal of the one before it, and its own seal is an
HMAC-SHA256 under a key kept outside the database (`muster.audit.keys`), so a row
edited, removed or inserted behind the application's back breaks the chain, and
it cannot be mended by recomputing the seals without the key. `manage.py audit
verify` (muster/audit/verify.py) names every break; checkpoints kept elsewhere
catch entries removed from the end.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.audit import keys
from muster.audit.choices import Action

GENESIS = "0" * 64


class AuditEntry(models.Model):
    """One event: who did what to which object, when, from where, and why."""

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, editable=False)
    # Users are deactivated, never deleted: PROTECT keeps this column as written,
    # and the sealed copies below name the actor whatever happens to the user row.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(
        max_length=150, blank=True, help_text="The actor's username when it acted."
    )
    actor_display = models.CharField(
        max_length=150, blank=True, help_text="The actor's full name when it acted."
    )
    # One of `Action`, checked by record_events; not `choices`, so that a new
    # action needs no migration.
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    # The key that sealed the entry; blank for entries written before keys, which
    # carry a plain SHA-256 (see docs/security.md for what that leaves open).
    key_id = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type} {self.object_id}"

    @property
    def action_label(self) -> str:
        """The action as people read it ("Training voided"), from the vocabulary."""
        try:
            return Action(self.action).label
        except ValueError:
            return self.action

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only; they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only; they cannot be deleted.")

    def payload(self) -> dict:
        """The fields the seal covers, in a stable form."""
        data = {
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "agency_id": self.agency_id,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "previous_hash": self.previous_hash,
        }
        if self.key_id:
            data["actor_display"] = self.actor_display
            data["key_id"] = self.key_id
        return data

    def canonical(self) -> str:
        """The payload as canonical JSON: sorted keys, no spaces."""
        return json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))

    def compute_hash(self) -> str:
        """The entry's seal: HMAC-SHA256 under its key, or SHA-256 for old entries.

        Raises keys.UnknownKey when the entry names a key that is not configured.
        """
        if self.key_id:
            return keys.seal(self.key_id, self.canonical())
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()
