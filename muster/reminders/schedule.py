"""Which reminders are due today: people short of a mandate near its deadline.

A reminder point is a number of days before the deadline (settings
MUSTER_REMINDER_DAYS, default 90, 30 and 7). From the day a point is reached until
the next one, the point is "current"; the daily run sends the current point's
reminder unless the log says it went out already, so a missed day catches up
instead of skipping. Missouri's grace period (to 15 March for the year before)
has the same points counted back from its last day, named "grace-30" and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet

from muster.agencies import compliance
from muster.agencies.models import Employment, Person

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


def point_for(period, today: date, days: list[int]) -> tuple[str, date] | None:
    """The point name and the deadline it counts back from, for `period` today."""
    if today <= period.due_on:
        point = current_point(period.due_on, today, days)
        return (str(point), period.due_on) if point is not None else None
    if period.grace_until and today <= period.grace_until:
        point = current_point(period.grace_until, today, days)
        # Entering the grace period is itself a point, even when far from its end.
        name = f"grace-{point}" if point is not None else "grace"
        return name, period.grace_until
    return None


def people_to_remind() -> QuerySet[Person]:
    """People currently employed somewhere who have an email address."""
    staff = Employment.objects.current().values("person")
    return (
        Person.objects.filter(pk__in=staff)
        .exclude(email="")
        .prefetch_related(*compliance.EVALUATION_PREFETCH)
    )


def due_reminders(today: date) -> list[DueReminder]:
    """Every reminder the day calls for, before looking at what was sent."""
    days = reminder_days()
    due = []
    for person in people_to_remind():
        # This year's period, and last year's while its grace period may run.
        for year in (today.year, today.year - 1):
            for standing in compliance.standing_for(person, year, today):
                for mandate in standing.mandates:
                    due += _due_for(person, mandate, today, days)
    return due


def _due_for(person, mandate, today, days) -> list[DueReminder]:
    if mandate.status not in SHORT or not mandate.periods:
        return []
    last = mandate.periods[-1]
    # The mandate's one due date (the dashboard's and the exports'), extensions in.
    period = replace(last, due_on=mandate.due_on or last.due_on)
    found = point_for(period, today, days)
    if found is None:
        return []
    point, deadline = found
    return [
        DueReminder(
            person=person,
            mandate_id=mandate.mandate.id,
            mandate_title=mandate.mandate.title,
            period_start=period.start,
            deadline=deadline,
            point=point,
            gaps=tuple(compliance.gaps_in_words(mandate)),
        )
    ]
