"""A small Missouri-approved course and ways to move a learner through it."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal

import time_machine
from django.test import override_settings

from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency
from muster.catalog.models import (
    ApprovalCredit,
    Choice,
    Course,
    CourseApproval,
    Lesson,
    Question,
)
from muster.learning.models import Enrollment
from muster.learning.seat import MAX_CREDIT_SECONDS

# A fixed, timezone-aware start for the test clock (time-machine).
START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def make_course(
    slug: str = "implicit-bias", *, provider: Agency | None = None
) -> Course:
    """A 1-hour course approved in Missouri: 2 lessons, 1 knowledge check, 4 finals.

    Every final question's right answer is the choice whose text starts "Right".
    """
    provider = (
        provider
        or Agency.objects.get_or_create(
            code="muster-academy",
            defaults={
                "name": "Muster Academy",
                "kind": AgencyKind.STATE_AGENCY,
                "state": "MO",
            },
        )[0]
    )
    course = Course.objects.create(
        slug=slug,
        title="Implicit Bias for Law Enforcement",
        summary="What implicit bias is and what to do about it.",
        description="A **short** course.",
        audience=["peace-officer"],
        provider=provider,
        credited_hours=Decimal("1"),
        questions_per_attempt=3,
        max_attempts=2,
        retry_wait_minutes=60,
        release_on=date(2021, 1, 1),
        is_published=True,
    )
    approval = CourseApproval.objects.create(
        course=course,
        jurisdiction="MO",
        approval_number="DEMO-MO-IB-2021",
        valid_from=date(2021, 1, 1),
    )
    ApprovalCredit.objects.create(
        approval=approval,
        hours=Decimal("1"),
        area="interpersonal",
        topics=["implicit-bias"],
    )
    first = Lesson.objects.create(
        course=course, position=1, title="What it is", body="# Bias\n\nText."
    )
    Lesson.objects.create(course=course, position=2, title="What to do", body="More.")
    check = Question.objects.create(
        course=course, lesson=first, text="Is bias always conscious?",
        explanation="Implicit bias works without awareness.",
    )  # fmt: skip
    Choice.objects.create(question=check, text="No", is_correct=True)
    Choice.objects.create(question=check, text="Yes")
    for n in range(4):
        question = Question.objects.create(
            course=course, text=f"Final question {n}", explanation=f"Because {n}."
        )
        Choice.objects.create(question=question, text=f"Right {n}", is_correct=True)
        Choice.objects.create(question=question, text=f"Wrong {n}")
    return course


def beat(client, course: Course, **fields):
    data = {"tab": "tab-1", "visible": "visible", "idle": "0", "lesson": "1"}
    data.update(fields)
    return client.post(f"/learn/{course.slug}/heartbeat/", data)


def sit_through(client, course: Course, traveller, minutes: int, step: int = 15):
    """Send a visible, active heartbeat every `step` seconds for `minutes`."""
    for _ in range(minutes * 60 // step):
        traveller.shift(step)
        beat(client, course)


def view_all_lessons(client, course: Course) -> None:
    for lesson in course.lessons.all():
        client.get(f"/learn/{course.slug}/lessons/{lesson.position}/")


def right_answers(attempt) -> dict[str, list[str]]:
    """The POST body that answers every question of `attempt` correctly."""
    data: dict = {"attempt": str(attempt.pk)}
    for item in attempt.questions:
        question = Question.objects.get(pk=item["question"])
        data[f"q{question.pk}"] = [
            str(c.pk) for c in question.choices.all() if c.is_correct
        ]
    return data


def ready_for_assessment(client, course: Course, clock) -> Enrollment:
    """Enroll the client's user, view every lesson and sit the full seat time."""
    client.post(f"/learn/{course.slug}/enroll/")
    view_all_lessons(client, course)
    beat(client, course)
    # One heartbeat per 30 s, the most that one heartbeat credits: the same hour
    # of seat time in half the requests of the page's 15-second rhythm.
    sit_through(client, course, clock, 60, step=MAX_CREDIT_SECONDS)
    return Enrollment.objects.get(course=course, completed_at__isnull=True)


class ClockMixin:
    """Freeze the clock at START for the whole test; `self.clock.shift(s)` moves it.

    Sessions expire after 30 idle minutes, so a test that signs in and then sits
    an hour of seat time must keep one clock from the start. Files written (the
    seat-time log) go to a temporary media folder.
    """

    def setUp(self) -> None:
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        media_override = override_settings(MEDIA_ROOT=media.name)
        media_override.enable()
        self.addCleanup(media_override.disable)
        travel = time_machine.travel(START, tick=False)
        self.clock = travel.start()
        self.addCleanup(travel.stop)
        super().setUp()
