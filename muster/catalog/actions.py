"""Authoring writes: each saves one course part and audits it, in one transaction.

Callers (the authoring views) check access first; these functions do not decide
who may act.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.catalog.models import (
    Course,
    CourseApproval,
    Lesson,
    LessonAsset,
    Question,
)


def _audit(action: str, request: HttpRequest, course: Course, obj, before, after):
    record_event(
        action,
        actor=request.user,
        obj=obj,
        before=before,
        after=after,
        reason="Course authoring",
        request=request,
        agency_id=course.provider_id,
        label=f"{course.title}: {obj}" if obj is not course else course.title,
    )


def _before(form, state=snapshot) -> dict | None:
    """The row as stored before the form changes it (None for a new row).

    Read from the database: validating a ModelForm already copied the new values
    onto `form.instance`.
    """
    instance = form.instance
    if instance.pk is None:
        return None
    return state(type(instance).objects.get(pk=instance.pk))


def _question_state(question: Question) -> dict:
    state = snapshot(question)
    state["choices"] = [
        {"text": c.text, "is_correct": c.is_correct} for c in question.choices.all()
    ]
    return state


def _approval_state(approval: CourseApproval) -> dict:
    state = snapshot(approval)
    state["credits"] = [
        {"hours": str(c.hours), "area": c.area, "topics": c.topics}
        for c in approval.credits.all()
    ]
    return state


@transaction.atomic
def save_course(request: HttpRequest, form) -> Course:
    before = _before(form)
    course = form.save()
    action = Action.COURSE_UPDATE if before else Action.COURSE_CREATE
    _audit(action, request, course, course, before, snapshot(course))
    return course


@transaction.atomic
def _save_part(
    request: HttpRequest, course: Course, noun: str, form, rows=None, state=snapshot
):
    """Save one part of `course` from its form, and its inline `rows` if any."""
    before = _before(form, state)
    part = form.save(commit=False)
    part.course = course
    part.save()
    if rows is not None:
        rows.instance = part
        rows.save()
    action = Action(f"{noun}.update" if before else f"{noun}.create")
    _audit(action, request, course, part, before, state(part))
    return part


def save_lesson(request: HttpRequest, course: Course, form) -> Lesson:
    return _save_part(request, course, "lesson", form)


def save_question(request: HttpRequest, course: Course, form, choices) -> Question:
    return _save_part(request, course, "question", form, choices, _question_state)


def save_approval(request: HttpRequest, course: Course, form, credits):
    return _save_part(request, course, "approval", form, credits, _approval_state)


@transaction.atomic
def add_asset(request: HttpRequest, lesson, form) -> LessonAsset:
    asset = form.save(commit=False)
    asset.lesson = lesson
    asset.save()
    _audit(Action.ASSET_CREATE, request, lesson.course, asset, None, snapshot(asset))
    return asset


@transaction.atomic
def retire_question(request: HttpRequest, course: Course, question: Question) -> None:
    """Take a question out of the bank; it stays for attempts that drew it."""
    before = _question_state(question)
    question.is_active = False
    question.save(update_fields=["is_active"])
    _audit(
        Action.QUESTION_RETIRE,
        request,
        course,
        question,
        before,
        _question_state(question),
    )


@transaction.atomic
def set_published(request: HttpRequest, course: Course, is_published: bool) -> None:
    before = snapshot(course)
    course.is_published = is_published
    course.save(update_fields=["is_published", "updated_at"])
    action = Action.COURSE_PUBLISH if is_published else Action.COURSE_UNPUBLISH
    _audit(action, request, course, course, before, snapshot(course))
