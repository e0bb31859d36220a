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
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Value
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
    enrollments: QuerySet[Enrollment],
    *,
    position: int | None,
    tab: str,
    is_visible: bool,
    is_idle: bool,
) -> Enrollment | None:
    """Store one heartbeat and credit the active time it proves, if any.

    `enrollments` are the ones the learner may beat for (access decides); the
    open one among them is read and locked in one query, together with its
    course and the id of the lesson at `position`, so that the whole heartbeat
    is that locked read, the enrollment's update, the lesson's and the
    heartbeat's insert: nothing read before the lock, nothing read twice.
    Returns the enrollment with its new seat time, or None when it has no open
    enrollment (completed meanwhile, or none).
    """
    # No lesson named: a plain NULL (a Subquery needs a query, not a value).
    lesson_pk = (
        Subquery(
            Lesson.objects.filter(course=OuterRef("course"), position=position).values(
                "pk"
            )[:1]
        )
        if position is not None
        else Value(None, output_field=IntegerField())
    )
    with transaction.atomic():
        locked = (
            enrollments.filter(completed_at__isnull=True)
            .select_related("course")
            # Only the enrollment's row: the course is read, never changed here,
            # and locking it would queue every learner of the course behind one.
            .select_for_update(of=("self",))
            .annotate(heartbeat_lesson_pk=lesson_pk)
            .first()
        )
        if locked is None:
            return None
        now = timezone.now()
        credit = 0
        if is_visible and not is_idle:
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
        lesson = locked.heartbeat_lesson_pk
        if lesson is not None and credit:
            LessonProgress.objects.filter(enrollment=locked, lesson_id=lesson).update(
                active_seconds=F("active_seconds") + credit
            )
        Heartbeat.objects.create(
            enrollment=locked,
            lesson_id=lesson,
            received_at=now,
            tab=tab[:40],
            is_visible=is_visible,
            is_idle=is_idle,
            credited_seconds=credit,
        )
    return locked


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
