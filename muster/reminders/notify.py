"""Emails about self-reported training: to the coordinators when one waits, to the
officer when it is decided. Queued as background tasks once the saving
transaction commits, so a rolled-back save sends nothing and a slow mail server
never holds up the page."""

from __future__ import annotations

from django.db import transaction

from muster.accounts.choices import Role
from muster.accounts.models import RoleGrant
from muster.agencies.models import TrainingRecord
from muster.reminders import tasks


def self_report_waiting(record: TrainingRecord) -> None:
    """Queue one email per coordinator (with an address) of the record's agency."""
    if record.agency_id is None:
        return
    grants = RoleGrant.objects.filter(
        role=Role.COORDINATOR, revoked_at__isnull=True, agency_id=record.agency_id
    ).exclude(user__email="")
    users = list(grants.values_list("user_id", flat=True).distinct())
    transaction.on_commit(
        lambda: [tasks.send_review_waiting.enqueue(record.pk, user) for user in users]
    )


def self_report_decided(record: TrainingRecord) -> None:
    """Queue the officer's email: to the person's address, else their login's."""
    email = record.person.email or getattr(record.entered_by, "email", "")
    if email:
        transaction.on_commit(
            lambda: tasks.send_review_decision.enqueue(record.pk, email)
        )
