"""Badges listen for learning's certificates: each new one gets its provider's
signing key and its status-list place in the transaction that issues it, so
that downloading a badge (a GET) never has to create either."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from muster.learning.models import Certificate


@receiver(post_save, sender=Certificate, dispatch_uid="badges-prepare-certificate")
def prepare_issued_certificate(sender, instance: Certificate, created: bool, **kwargs):
    if created and not kwargs.get("raw"):
        from muster.badges.actions import prepare_certificate

        prepare_certificate(instance)
