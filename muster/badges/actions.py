"""Writes for badges: a provider's first signing key, rotation and retirement.

Each runs in one transaction with its audit entry. Revoking a certificate is
learning's `revoke_certificate`; the status list reads the certificate, so the
credential fails from the moment the revocation is saved.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.badges import status
from muster.badges.keys import ALGORITHMS, current_key, new_key_pair
from muster.badges.models import IssuerKey, StatusEntry


class NotAllowed(Exception):
    """The change was refused; the message says why."""


class NoSigningKey(Exception):
    """The provider has no key to sign with yet (`badge_keys ensure` makes one)."""


def signing_key(agency: Agency) -> IssuerKey:
    """The provider's current key, for signing on a download. Never created
    here: a GET must not change anything; the key is made when the provider's
    first certificate is issued (`prepare_certificate`) or by the command."""
    key = current_key(agency)
    if key is None:
        raise NoSigningKey(f"{agency.name} has no badge signing key yet.")
    return key


def prepare_certificate(certificate) -> StatusEntry:
    """What a newly issued certificate needs to be a badge, in the issuing
    transaction: the provider's signing key (created and audited the first
    time) and the certificate's place in the status list, drawn at random
    among the free places."""
    entry = StatusEntry.objects.filter(certificate=certificate).first()
    if entry is not None:
        return entry
    provider = certificate.enrollment.course.provider
    ensure_issuer_key(provider)
    with transaction.atomic():
        # One draw at a time per provider: two issues never take one index.
        locked = Agency.objects.select_for_update().get(pk=provider.pk)
        taken = StatusEntry.objects.filter(agency=locked)
        size = status.list_size(taken.count() + 1)
        index = secrets.randbelow(size)
        while taken.filter(index=index).exists():
            index = secrets.randbelow(size)
        return StatusEntry.objects.create(
            certificate=certificate, agency=locked, index=index
        )


def ensure_issuer_key(agency: Agency, *, request=None) -> IssuerKey:
    """The provider's signing key, created (and audited) the first time it is needed.

    Two first downloads at once make one key: the second waits for the lock and
    then finds the first's key.
    """
    key = current_key(agency)
    if key is not None:
        return key
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        key = current_key(locked)
        if key is not None:
            return key
        return _new_key(locked, None, "First badge of this provider", request)


def rotate_issuer_key(
    *, actor, agency: Agency, reason: str, algorithm: str = "EdDSA", request=None
) -> IssuerKey:
    """A new current key (EdDSA, or RS256 for verifiers that know only it); the
    previous ones stay in the DID document until retired."""
    if not reason.strip():
        raise NotAllowed("Say why the key is rotated.")
    if algorithm not in ALGORITHMS:
        raise NotAllowed(f"The key algorithm is one of {', '.join(ALGORITHMS)}.")
    with transaction.atomic():
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        return _new_key(locked, actor, reason.strip(), request, algorithm)


def _new_key(locked: Agency, actor, reason: str, request, algorithm="EdDSA"):
    count = IssuerKey.objects.filter(agency=locked).count()
    public, private = new_key_pair(algorithm)
    key = IssuerKey.objects.create(
        agency=locked,
        key_id=f"key-{count + 1}",
        algorithm=algorithm,
        public_key=public,
        private_key=private,
    )
    record_event(
        Action.ISSUER_KEY_CREATE,
        actor=actor,
        obj=key,
        after=snapshot(key, exclude=("private_key",)),
        reason=reason[:200],
        request=request,
        agency_id=locked.pk,
    )
    return key


def retire_issuer_key(*, actor, key: IssuerKey, reason: str, request=None) -> IssuerKey:
    """Take a key out of the DID document: what it signed stops verifying.

    Refused for the provider's only key that is not retired (rotate first), so
    that there is always a key to sign with.
    """
    if not reason.strip():
        raise NotAllowed("Say why the key is retired.")
    with transaction.atomic():
        locked = IssuerKey.objects.select_for_update().get(pk=key.pk)
        if locked.is_retired:
            raise NotAllowed(f"Key {locked.key_id} is already retired.")
        live = IssuerKey.objects.filter(agency_id=locked.agency_id, retired_at=None)
        if live.count() == 1:
            raise NotAllowed(
                f"Key {locked.key_id} is the provider's only key; rotate first."
            )
        before = snapshot(locked, exclude=("private_key",))
        locked.retired_at = timezone.now()
        locked.retire_reason = reason.strip()[:200]
        locked.save(update_fields=["retired_at", "retire_reason"])
        record_event(
            Action.ISSUER_KEY_RETIRE,
            actor=actor,
            obj=locked,
            before=before,
            after=snapshot(locked, exclude=("private_key",)),
            reason=locked.retire_reason,
            request=request,
            agency_id=locked.agency_id,
        )
    return locked
