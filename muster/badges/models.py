"""The signing keys of each provider's decentralised identifier (did:web).

A provider (the agency that owns a course) signs the Open Badges credentials of
its certificates with its current key. A rotated key stays in the provider's DID
document, so credentials it signed still verify, until it is retired.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from muster.agencies.models import Agency


class IssuerKey(models.Model):
    """One Ed25519 key pair of a provider; the newest unretired one signs."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="issuer_keys"
    )
    key_id = models.CharField(
        max_length=20, help_text="The fragment naming the key in the DID document."
    )
    algorithm = models.CharField(
        max_length=10,
        choices=[("EdDSA", "EdDSA (Ed25519)"), ("RS256", "RS256 (RSA 2048)")],
        default="EdDSA",
        help_text="The JOSE algorithm the key signs with.",
    )
    public_key = models.CharField(
        max_length=600,
        help_text=(
            "The public key, base64url without padding: raw for Ed25519, DER "
            "SubjectPublicKeyInfo for RSA."
        ),
    )
    private_key = models.TextField(
        help_text="The private key, encrypted with a key derived from SECRET_KEY."
    )
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    retire_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["agency", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "key_id"], name="one_key_id_per_issuer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}#{self.key_id}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class StatusEntry(models.Model):
    """A certificate's place in its provider's revocation status list.

    Drawn at random among the free places when the certificate is issued
    (Bitstring Status List v1.0, section 6.1 "Herd privacy" and 6.4: an index
    that follows issue order tells a verifier how many credentials came before
    and lets two verifiers correlate), then fixed for the certificate's life and
    never given to another.
    """

    certificate = models.OneToOneField(
        "learning.Certificate", on_delete=models.PROTECT, related_name="status_entry"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="status_entries"
    )
    index = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "index"], name="one_certificate_per_status_index"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}[{self.index}]"
