"""Coordinator writes for the LRS: clients, activity mappings, forwarding; audited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.xapi.completions import record_completion
from muster.xapi.models import ActivityMapping, ForwardTarget, LRSClient, hash_secret


def create_client(*, actor, agency: Agency, name: str, request=None):
    """A new client and its secret, which is shown once and kept only hashed."""
    key, secret = LRSClient.new_credentials()
    with transaction.atomic():
        client = LRSClient.objects.create(
            agency=agency,
            name=name.strip()[:100],
            key=key,
            secret_hash=hash_secret(secret),
            created_by=actor,
        )
        record_event(
            Action.LRS_CLIENT_CREATE,
            actor=actor,
            obj=client,
            after={"name": client.name, "key": key},
            reason="Created",
            request=request,
            agency_id=agency.pk,
        )
    return client, secret


def revoke_client(*, actor, client: LRSClient, request=None) -> None:
    with transaction.atomic():
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        record_event(
            Action.LRS_CLIENT_REVOKE,
            actor=actor,
            obj=client,
            after={"name": client.name, "key": client.key},
            reason="Revoked",
            request=request,
            agency_id=client.agency_id,
        )


def map_activity(
    *,
    actor,
    mapping: ActivityMapping,
    course=None,
    hours: Decimal | None = None,
    area: str = "",
    topics: list[str] | None = None,
    request=None,
) -> int:
    """Map an activity once, then record every completion waiting for it.

    Returns how many training records were made.
    """
    if course is None and not hours:
        raise ValueError("Map the activity to a course, or give its hours.")
    with transaction.atomic():
        mapping.course = course
        mapping.hours = None if course else hours
        mapping.area = "" if course else area
        mapping.topics = [] if course else list(topics or [])
        mapping.mapped_by = actor
        mapping.mapped_at = timezone.now()
        mapping.save()
        record_event(
            Action.XAPI_ACTIVITY_MAP,
            actor=actor,
            obj=mapping,
            after={
                "activity": mapping.activity_id,
                "course": course.pk if course else None,
                "hours": str(mapping.hours) if mapping.hours is not None else None,
                "area": mapping.area,
                "topics": mapping.topics,
            },
            reason="Mapped",
            request=request,
            agency_id=mapping.agency_id,
        )
    made = 0
    for completion in mapping.completions.filter(record__isnull=True):
        record_completion(completion)
        made += completion.record_id is not None
    return made


def set_forwarding(
    *, actor, agency: Agency, endpoint, username, password, is_active, request=None
):
    with transaction.atomic():
        target, _ = ForwardTarget.objects.update_or_create(
            agency=agency,
            defaults={
                "endpoint": endpoint,
                "username": username,
                "password": password,
                "is_active": is_active,
                "updated_at": timezone.now(),
            },
        )
        record_event(
            Action.XAPI_FORWARD_SET,
            actor=actor,
            obj=target,
            after={"endpoint": endpoint, "username": username, "is_active": is_active},
            reason="Forwarding changed",
            request=request,
            agency_id=agency.pk,
        )
    return target
