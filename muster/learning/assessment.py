"""The final assessment: who may start an attempt, drawing questions, and grading.

An attempt stores the questions drawn and each one's choice order when it starts,
so a reload shows the same paper and the review shows what was asked. Grading
locks the attempt and grades it once: a second submission changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from muster.catalog.models import Question
from muster.learning.models import Attempt, Enrollment, LessonProgress
from muster.learning.seat import has_met_seat_time

_random = random.SystemRandom()


@dataclass(frozen=True)
class Blocked:
    """Why an attempt cannot start now, in words for the learner."""

    message: str
    retry_at: datetime | None = None


def lessons_left(enrollment: Enrollment) -> int:
    viewed = LessonProgress.objects.filter(enrollment=enrollment).values("lesson")
    return enrollment.course.lessons.exclude(pk__in=viewed).count()


def why_blocked(enrollment: Enrollment) -> Blocked | None:
    """The reason the learner may not start (or continue) an attempt, or None."""
    course = enrollment.course
    if enrollment.is_complete:
        return Blocked("You have completed this course.")
    if not has_met_seat_time(enrollment):
        done = enrollment.active_seconds // 60
        needed = course.required_seconds // 60
        return Blocked(
            f"The assessment opens once your active time in the lessons reaches "
            f"{needed} minutes; you have {done}."
        )
    left = lessons_left(enrollment)
    if left:
        return Blocked(f"View every lesson first: {left} not yet viewed.")
    submitted = enrollment.attempts.filter(submitted_at__isnull=False)
    if enrollment.attempts.filter(submitted_at__isnull=True).exists():
        return None
    if submitted.count() >= course.max_attempts:
        return Blocked(
            f"You have used all {course.max_attempts} attempts. Ask your training "
            "coordinator or the course provider how to continue."
        )
    last = submitted.order_by("-number").first()
    if last is not None and not last.is_passed:
        retry_at = last.submitted_at + timedelta(minutes=course.retry_wait_minutes)
        if timezone.now() < retry_at:
            return Blocked(_wait_message(retry_at), retry_at)
    return None


def _wait_message(retry_at: datetime) -> str:
    seconds = int((retry_at - timezone.now()).total_seconds())
    minutes = max(1, -(-seconds // 60))
    hours, rest = divmod(minutes, 60)
    left = f"{hours} h {rest} min" if hours else f"{minutes} min"
    return f"You can try again in {left} (after a failed attempt, a wait applies)."


def open_attempt(enrollment: Enrollment) -> Attempt:
    """The attempt in progress, or a new one with freshly drawn questions."""
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        current = locked.attempts.filter(submitted_at__isnull=True).first()
        if current is not None:
            return current
        number = locked.attempts.count() + 1
        return Attempt.objects.create(
            enrollment=locked, number=number, questions=draw_questions(locked)
        )


def draw_questions(enrollment: Enrollment) -> list[dict]:
    """`questions_per_attempt` final questions at random, each with shuffled choices."""
    course = enrollment.course
    bank = list(
        Question.objects.filter(course=course, lesson__isnull=True, is_active=True)
        .prefetch_related("choices")
        .order_by("pk")
    )
    drawn = _random.sample(bank, min(course.questions_per_attempt, len(bank)))
    paper = []
    for question in drawn:
        choices = [choice.pk for choice in question.choices.all()]
        _random.shuffle(choices)
        paper.append({"question": question.pk, "choices": choices})
    return paper


def paper_for(attempt: Attempt) -> list[dict]:
    """The attempt's questions as shown: question, choices in order, answer, result."""
    ids = [item["question"] for item in attempt.questions]
    questions = Question.objects.prefetch_related("choices").in_bulk(ids)
    rows = []
    for item in attempt.questions:
        question = questions.get(item["question"])
        if question is None:
            continue
        by_pk = {choice.pk: choice for choice in question.choices.all()}
        chosen = set(attempt.answers.get(str(question.pk), []))
        rows.append(
            {
                "question": question,
                "choices": [by_pk[pk] for pk in item["choices"] if pk in by_pk],
                "chosen": chosen,
                "is_right": _is_right(question, chosen),
            }
        )
    return rows


def _is_right(question: Question, chosen: set[int]) -> bool:
    correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return bool(correct) and chosen == correct


def grade_attempt(attempt: Attempt, answers: dict[str, list[int]]) -> Attempt:
    """Grade a submitted attempt once; a repeated submission returns it unchanged.

    `answers` maps each question id (as a string) to the chosen choice ids; choices
    that do not belong to the question are dropped.
    """
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.submitted_at is not None:
            return locked
        kept = {}
        for item in locked.questions:
            key = str(item["question"])
            allowed = set(item["choices"])
            kept[key] = sorted(
                {int(pk) for pk in answers.get(key, []) if int(pk) in allowed}
            )
        locked.answers = kept
        rows = paper_for(locked)
        locked.total = len(rows)
        locked.correct = sum(1 for row in rows if row["is_right"])
        pass_mark = locked.enrollment.course.pass_mark
        locked.is_passed = locked.total > 0 and (
            100 * locked.correct >= pass_mark * locked.total
        )
        locked.submitted_at = timezone.now()
        locked.save()
    return locked


def drawn_question_ids(course) -> set[int]:
    """Ids of the course's questions drawn in any attempt (each paper stores a
    question as `{"question": id, "choices": [...]}`): history, never deleted."""
    found: set[int] = set()
    papers = Attempt.objects.filter(enrollment__course=course).values_list(
        "questions", flat=True
    )
    for paper in papers:
        for item in paper or []:
            if isinstance(item, dict) and str(item.get("question", "")).isdigit():
                found.add(int(item["question"]))
    return found
