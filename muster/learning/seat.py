"""Seat time: active minutes measured on the server from the lesson page's heartbeats.

The page posts a heartbeat every 15 seconds while it is visible (and once when it
is hidden). The server credits the wall-clock time since the enrollment's last
heartbeat, capped at 30 seconds, and only when the page says it is visible and the
learner is not idle. The clock is the server's: nothing the browser sends says how
much time passed. Because the credit is measured from the enrollment's previous
heartbeat (whichever tab sent it) under a row lock, a second tab, a reload or a
burst of forged heartbeats can never add more than the time that really passed.
See docs/learning.md.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from muster.catalog.models import Lesson
from muster.learning.models import Enrollment, Heartbeat, LessonProgress
from muster.tabular import spreadsheet_safe

HEARTBEAT_SECONDS = 15
# Twice the heartbeat period: one late heartbeat still counts in full, while a
# page left open in a background tab that stopped sending earns at most this.
MAX_CREDIT_SECONDS = 30
# The session key holding when the learner's heartbeats started saying "idle".
IDLE_SINCE = "learning_idle_since"


def record_heartbeat(
    enrollment: Enrollment,
    *,
    lesson: Lesson | None,
    tab: str,
    is_visible: bool,
    is_idle: bool,
) -> Heartbeat:
    """Store one heartbeat and credit the active time it proves, if any."""
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        now = timezone.now()
        credit = 0
        if is_visible and not is_idle and not locked.is_complete:
            credit = _credit(locked, now)
        if credit:
            # Advance by the whole seconds credited, so the fraction left over is
            # counted by the next heartbeat rather than lost.
            locked.last_heartbeat_at += timedelta(seconds=credit)
            if now - locked.last_heartbeat_at >= timedelta(seconds=1):
                locked.last_heartbeat_at = now
        else:
            locked.last_heartbeat_at = now
        locked.active_seconds += credit
        locked.save(update_fields=["active_seconds", "last_heartbeat_at"])
        if lesson is not None and credit:
            LessonProgress.objects.filter(enrollment=locked, lesson=lesson).update(
                active_seconds=F("active_seconds") + credit
            )
        heartbeat = Heartbeat.objects.create(
            enrollment=locked,
            lesson=lesson,
            received_at=now,
            tab=tab[:40],
            is_visible=is_visible,
            is_idle=is_idle,
            credited_seconds=credit,
        )
    enrollment.active_seconds = locked.active_seconds
    enrollment.last_heartbeat_at = locked.last_heartbeat_at
    return heartbeat


def _credit(enrollment: Enrollment, now) -> int:
    """Whole seconds since the last heartbeat, at most MAX_CREDIT_SECONDS."""
    if enrollment.last_heartbeat_at is None:
        return 0
    elapsed = (now - enrollment.last_heartbeat_at).total_seconds()
    if elapsed > MAX_CREDIT_SECONDS:
        return MAX_CREDIT_SECONDS
    return max(0, int(elapsed))


def has_met_seat_time(enrollment: Enrollment) -> bool:
    return enrollment.active_seconds >= enrollment.course.required_seconds


def seat_time_summary(enrollment: Enrollment) -> str:
    """A CSV of every heartbeat and the totals, kept as evidence on the record.

    Course titles, names and tab ids come from people; every cell is escaped so
    that a spreadsheet program opening the evidence never runs one as a formula.
    """
    out = io.StringIO()
    writer = _SafeWriter(csv.writer(out))
    course = enrollment.course
    writer.writerow(["course", course.title])
    writer.writerow(["learner", enrollment.person.get_full_name()])
    writer.writerow(["required_seconds", course.required_seconds])
    writer.writerow(["active_seconds", enrollment.active_seconds])
    writer.writerow(["rule", "server time; <=30 s per heartbeat; visible, not idle"])
    writer.writerow([])
    writer.writerow(
        ["received_at", "lesson", "tab", "visible", "idle", "credited_seconds"]
    )
    beats = enrollment.heartbeats.select_related("lesson").order_by("received_at", "pk")
    for beat in beats.iterator():
        writer.writerow(
            [
                beat.received_at.isoformat(),
                beat.lesson.position if beat.lesson else "",
                beat.tab,
                int(beat.is_visible),
                int(beat.is_idle),
                beat.credited_seconds,
            ]
        )
    return out.getvalue()


class _SafeWriter:
    """A csv writer whose every cell goes through `spreadsheet_safe`."""

    def __init__(self, writer) -> None:
        self.writer = writer

    def writerow(self, row) -> None:
        self.writer.writerow([spreadsheet_safe(cell) for cell in row])
