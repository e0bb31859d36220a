"""Queue the day's reminders and coordinators' digests (see schedule.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from muster.accounts.choices import Role
from muster.accounts.models import RoleGrant
from muster.agencies.models import Employment
from muster.reminders import tasks
from muster.reminders.models import ReminderSent
from muster.reminders.schedule import DueReminder, due_reminders


def queue_reminders(today: date) -> dict[str, int]:
    """Enqueue each reminder not sent before, and a digest per agency coordinator."""
    fresh = _not_sent(due_reminders(today))
    for due in fresh:
        tasks.send_reminder.enqueue(
            due.person.pk,
            due.mandate_id,
            due.mandate_title,
            due.period_start.isoformat(),
            due.deadline.isoformat(),
            due.point,
            list(due.gaps),
        )
    digests = _queue_digests(fresh, today)
    return {"reminders": len(fresh), "digests": digests}


def _not_sent(due: list[DueReminder]) -> list[DueReminder]:
    sent = set(
        ReminderSent.objects.filter(person__in={d.person.pk for d in due}).values_list(
            "person_id", "mandate", "period_start", "point"
        )
    )
    fresh: dict[tuple, DueReminder] = {}
    for d in due:
        key = (d.person.pk, d.mandate_id, d.period_start, d.point)
        if key not in sent:
            fresh.setdefault(key, d)
    return list(fresh.values())


def _queue_digests(fresh: list[DueReminder], today: date) -> int:
    by_agency: dict[int, list[str]] = defaultdict(list)
    jobs = Employment.objects.current(today).filter(
        person__in={d.person.pk for d in fresh}
    )
    agencies_of = defaultdict(set)
    for job in jobs:
        agencies_of[job.person_id].add(job.agency_id)
    for d in fresh:
        line = f"{d.person.get_full_name()}: {d.mandate_title}, due {d.deadline}"
        for agency_id in agencies_of[d.person.pk]:
            by_agency[agency_id].append(line)
    count = 0
    grants = (
        RoleGrant.objects.filter(
            role=Role.COORDINATOR, revoked_at__isnull=True, agency__in=list(by_agency)
        )
        .exclude(user__email="")
        .select_related("user")
    )
    for grant in grants:
        tasks.send_digest.enqueue(
            grant.user_id,
            grant.agency_id,
            today.isoformat(),
            sorted(by_agency[grant.agency_id]),
        )
        count += 1
    return count
