"""The learning record store's rows: clients, statements, documents, mappings.

Every row belongs to one agency: an LRS client's credential names its agency, and
everything that client reads or writes is scoped to it (muster.accounts.access).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from muster.agencies.models import Agency, TrainingRecord
from muster.catalog.models import Course


def hash_secret(secret: str) -> str:
    """SHA-256 of a client secret. Secrets are 32 random bytes, so a fast hash
    suffices (nothing to brute-force) and every request stays cheap."""
    return hashlib.sha256(secret.encode()).hexdigest()


class LRSClient(models.Model):
    """One credential an agency gave a system that sends or reads xAPI statements.

    The key is public (it names the client); only a hash of the secret is kept, so
    the secret is shown once, when the client is created.
    """

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="lrs_clients"
    )
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=40, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def new_credentials() -> tuple[str, str]:
        return secrets.token_hex(10), secrets.token_urlsafe(32)

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_secret(secret))

    def authority(self) -> dict:
        """The Agent the LRS names as `authority` of what this client stores."""
        return {
            "objectType": "Agent",
            "name": self.name,
            "account": {"homePage": lrs_home_page(), "name": self.key},
        }


def lrs_home_page() -> str:
    return getattr(settings, "MUSTER_XAPI_HOME_PAGE", "https://muster.invalid/xapi")


class Statement(models.Model):
    """One stored statement, kept exactly as the LRS stored it (`data`)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        LRSClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statement_id = models.UUIDField()
    data = models.JSONField()
    # SHA-256 of the statement as received (less what the LRS sets), to tell a
    # repeat of a stored statement from a different one reusing its id (409).
    received_hash = models.CharField(max_length=64)
    verb_id = models.CharField(max_length=2000)
    registration = models.UUIDField(null=True, blank=True)
    stored = models.DateTimeField(db_index=True)
    # The statement this one refers to (a StatementRef object), for the
    # filters that follow references, and the target of a voiding statement.
    refers_to = models.UUIDField(null=True, blank=True, db_index=True)
    is_voiding = models.BooleanField(default=False)
    is_voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["stored", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "statement_id"], name="one_statement_per_id"
            )
        ]
        indexes = [models.Index(fields=["agency", "verb_id"])]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementTerm(models.Model):
    """One agent or activity a statement mentions, and where: the query filters.

    `role` is "actor" (actor or object: the `agent` filter), "agent" (any other
    place: `related_agents`), "object" (the object activity: `activity`) or
    "activity" (context or sub-statement: `related_activities`).
    """

    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="terms"
    )
    role = models.CharField(max_length=10)
    value = models.CharField(max_length=2000)

    class Meta:
        indexes = [models.Index(fields=["role", "value"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.value}"


class Attachment(models.Model):
    """The raw content of an attachment sent with a statement, by its SHA-2."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sha2 = models.CharField(max_length=128)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "sha2"], name="one_attachment_per_hash"
            )
        ]

    def __str__(self) -> str:
        return self.sha2


class DocumentKind(models.TextChoices):
    STATE = "state", "State"
    ACTIVITY_PROFILE = "activity-profile", "Activity profile"
    AGENT_PROFILE = "agent-profile", "Agent profile"


class Document(models.Model):
    """A state, activity profile or agent profile document, with its ETag."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    activity_id = models.CharField(max_length=2000, blank=True)
    # The agent's inverse functional identifier, as "mbox:mailto:a@b.org".
    agent = models.CharField(max_length=2000, blank=True)
    registration = models.CharField(max_length=36, blank=True)
    document_id = models.CharField(max_length=2000)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["updated_at", "pk"]
        indexes = [models.Index(fields=["agency", "kind", "activity_id", "agent"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"


class Activity(models.Model):
    """The LRS's canonical definition of an activity: the latest one sent."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    activity_id = models.CharField(max_length=2000)
    definition = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["agency", "activity_id"])]

    def __str__(self) -> str:
        return self.activity_id


class ActivityMapping(models.Model):
    """What completing an activity is worth at an agency: a course, or hours.

    A row is created, unmapped, the first time a completion of the activity
    arrives; a coordinator maps it once, and every completion (waiting or later)
    becomes a training record.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    activity_id = models.CharField(max_length=2000)
    name = models.CharField(max_length=200, blank=True)
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    area = models.CharField(max_length=40, blank=True)
    topics = models.JSONField(default=list, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-first_seen_at", "pk"]
        indexes = [models.Index(fields=["agency", "activity_id"])]

    def __str__(self) -> str:
        return self.name or self.activity_id

    @property
    def is_mapped(self) -> bool:
        return self.mapped_at is not None


class Completion(models.Model):
    """A completion statement and what became of it: its record, or why none."""

    statement = models.OneToOneField(
        Statement, on_delete=models.PROTECT, related_name="completion"
    )
    mapping = models.ForeignKey(
        ActivityMapping, on_delete=models.PROTECT, related_name="completions"
    )
    record = models.OneToOneField(
        TrainingRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="xapi_completion",
    )
    problem = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.statement} -> {self.record_id or self.problem or 'waiting'}"


class ForwardTarget(models.Model):
    """Another LRS that receives a copy of every statement stored for the agency."""

    agency = models.OneToOneField(
        Agency, on_delete=models.PROTECT, related_name="xapi_forward"
    )
    endpoint = models.URLField(help_text="The other LRS's xAPI endpoint.")
    username = models.CharField(max_length=200)
    # Sent to the other LRS as Basic credentials, so it is kept readable.
    password = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.endpoint


class ForwardDelivery(models.Model):
    """One statement owed to a forwarding target, and how sending it went."""

    target = models.ForeignKey(
        ForwardTarget, on_delete=models.CASCADE, related_name="deliveries"
    )
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "forward deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["target", "statement"], name="one_delivery_per_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement} to {self.target}"
