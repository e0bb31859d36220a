"""Which reminders are due today: people short of a mandate near its deadline.

A reminder point is a number of days before the deadline (settings
MUSTER_REMINDER_DAYS, default 90, 30 and 7). From the day a point is reached until
the next one, the point is "current"; the daily run sends the current point's
reminder unless the log says it went out already, so a missed day catches up
instead of skipping. Missouri's grace period (to 15 March for the year before)
has the same points counted back from its last day, named "grace-30" and so on.

The run reads stored standings (`Standing`, kept true by every write): the status
of the day comes from their stored dates (`status_on`), and what is missing from
their stored per-requirement figures; nobody is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from muster import rules
from muster.agencies.models import Employment, Person, Standing

SHORT = ("at-risk", "deficient")


@dataclass(frozen=True)
class DueReminder:
    """One reminder to send: who, about what, at which point, and what is missing."""

    person: Person
    mandate_id: str
    mandate_title: str
    period_start: date
    deadline: date
    point: str
    gaps: tuple[str, ...]


def reminder_days() -> list[int]:
    return sorted({int(day) for day in settings.MUSTER_REMINDER_DAYS}, reverse=True)


def current_point(deadline: date, today: date, days: list[int]) -> int | None:
    """The nearest point already reached before `deadline`, or None."""
    if today > deadline:
        return None
    reached = [d for d in days if today >= deadline - timedelta(days=d)]
    return min(reached) if reached else None


def point_for(
    due_on: date, grace_until: date | None, today: date, days: list[int]
) -> tuple[str, date] | None:
    """The point name and the deadline it counts back from, for a period due on
    `due_on` (with a grace period to `grace_until`), today."""
    if today <= due_on:
        point = current_point(due_on, today, days)
        return (str(point), due_on) if point is not None else None
    if grace_until and today <= grace_until:
        point = current_point(grace_until, today, days)
        # Entering the grace period is itself a point, even when far from its end.
        name = f"grace-{point}" if point is not None else "grace"
        return name, grace_until
    return None


def people_to_remind() -> QuerySet[Person]:
    """People currently employed somewhere who have an email address."""
    staff = Employment.objects.current().values("person")
    return Person.objects.filter(pk__in=staff).exclude(email="")


def due_reminders(today: date) -> list[DueReminder]:
    """Every reminder the day calls for, before looking at what was sent."""
    days = reminder_days()
    # This year's period, and last year's while its grace period may run.
    standings = (
        Standing.objects.filter(
            person__in=people_to_remind(), year__in=(today.year, today.year - 1)
        )
        .select_related("person")
        .order_by("person_id", "-year", "jurisdiction", "mandate_title")
    )
    due = []
    for standing in standings:
        due += _due_for(standing, today, days)
    return due


def _due_for(standing: Standing, today, days) -> list[DueReminder]:
    if standing.status_on(today) not in SHORT or not standing.requirements:
        return []
    # The last period counted over, as the person page lists them.
    last = standing.requirements[-1]
    # The mandate's one due date (the dashboard's and the exports'), extensions in.
    due_on = standing.due_on or date.fromisoformat(last["due"])
    grace = last.get("grace_until")
    found = point_for(due_on, date.fromisoformat(grace) if grace else None, today, days)
    if found is None:
        return []
    point, deadline = found
    return [
        DueReminder(
            person=standing.person,
            mandate_id=standing.mandate_id,
            mandate_title=standing.mandate_title,
            period_start=date.fromisoformat(last["start"]),
            deadline=deadline,
            point=point,
            gaps=tuple(gaps_in_words(standing)),
        )
    ]


def gaps_in_words(standing: Standing) -> list[str]:
    """What the person still needs under one mandate, one plain sentence each
    (as `compliance.gaps_in_words` says it from an evaluation)."""
    gaps = []
    for r in standing.requirements:
        if r["status"] != rules.Status.MISSING:
            continue
        due = date.fromisoformat(r["due"])
        if r["unit"] == "hours":
            missing = max(Decimal(0), Decimal(r["required"]) - Decimal(r["earned"]))
            amount = f"{missing.normalize():f}"
            noun = "hour" if missing == 1 else "hours"
            gaps.append(
                f"{r['label']}: {amount} more {noun} needed by {due:%-d %B %Y}."
            )
        else:
            gaps.append(f"{r['label']}: not done yet, due by {due:%-d %B %Y}.")
    return gaps
