"""Authoring writes: each saves one course part and audits it, in one transaction.

Callers (the authoring views) check access first; these functions do not decide
who may act.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from muster.audit.log import record_event, snapshot
from muster.catalog.models import Course, CourseApproval, LessonAsset, Question


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


def _before(form) -> dict | None:
    """The row as stored before the form changes it (None for a new row)."""
    instance = form.instance
    if instance.pk is None:
        return None
    return snapshot(type(instance).objects.get(pk=instance.pk))


@transaction.atomic
def save_course(request: HttpRequest, form) -> Course:
    before = _before(form)
    course = form.save()
    action = "course.update" if before else "course.create"
    _audit(action, request, course, course, before, snapshot(course))
    return course


@transaction.atomic
def save_lesson(request: HttpRequest, course: Course, form):
    before = _before(form)
    lesson = form.save(commit=False)
    lesson.course = course
    lesson.save()
    action = "lesson.update" if before else "lesson.create"
    _audit(action, request, course, lesson, before, snapshot(lesson))
    return lesson


@transaction.atomic
def add_asset(request: HttpRequest, lesson, form) -> LessonAsset:
    asset = form.save(commit=False)
    asset.lesson = lesson
    asset.save()
    _audit("asset.create", request, lesson.course, asset, None, snapshot(asset))
    return asset


def _question_state(question: Question) -> dict:
    state = snapshot(question)
    state["choices"] = [
        {"text": c.text, "is_correct": c.is_correct} for c in question.choices.all()
    ]
    return state


@transaction.atomic
def save_question(request: HttpRequest, course: Course, form, choices) -> Question:
    before = _question_state(form.instance) if form.instance.pk else None
    question = form.save(commit=False)
    question.course = course
    question.save()
    choices.instance = question
    choices.save()
    action = "question.update" if before else "question.create"
    _audit(action, request, course, question, before, _question_state(question))
    return question


@transaction.atomic
def retire_question(request: HttpRequest, course: Course, question: Question) -> None:
    """Take a question out of the bank; it stays for attempts that drew it."""
    before = _question_state(question)
    question.is_active = False
    question.save(update_fields=["is_active"])
    _audit(
        "question.retire", request, course, question, before, _question_state(question)
    )


def _approval_state(approval: CourseApproval) -> dict:
    state = snapshot(approval)
    state["credits"] = [
        {"hours": str(c.hours), "area": c.area, "topics": c.topics}
        for c in approval.credits.all()
    ]
    return state


@transaction.atomic
def save_approval(request: HttpRequest, course: Course, form, credits):
    before = _approval_state(form.instance) if form.instance.pk else None
    approval = form.save(commit=False)
    approval.course = course
    approval.save()
    credits.instance = approval
    credits.save()
    action = "approval.update" if before else "approval.create"
    _audit(action, request, course, approval, before, _approval_state(approval))
    return approval


@transaction.atomic
def set_published(request: HttpRequest, course: Course, is_published: bool) -> None:
    before = snapshot(course)
    course.is_published = is_published
    course.save(update_fields=["is_published", "updated_at"])
    action = "course.publish" if is_published else "course.unpublish"
    _audit(action, request, course, course, before, snapshot(course))
