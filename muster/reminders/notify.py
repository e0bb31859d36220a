"""Emails about self-reported training: to the coordinators when one waits, to the
officer when it is decided. Callers queue them inside the saving transaction (the
view wraps the action and this call in one atomic block): the queue is a table of
the same database, so the task exists exactly when the save does (a rolled-back
save sends nothing; a process killed right after the commit loses nothing), and a
slow mail server never holds up the page."""

from __future__ import annotations

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
    for user in users:
        tasks.send_review_waiting.enqueue(record.pk, user)


def self_report_decided(record: TrainingRecord) -> None:
    """Queue the officer's email: to the person's address, else their login's."""
    email = record.person.email or getattr(record.entered_by, "email", "")
    if email:
        tasks.send_review_decision.enqueue(record.pk, email)
