"""Load course content files (`content/<slug>/course.yaml`) into the catalog.

Every file is read and checked first; only when all are valid is anything
written, in one transaction. Loading is idempotent: a course whose file did not
change is left untouched, and a changed file updates its course in place. A
question bank is replaced only when it changed, and a replaced question that a
past attempt refers to is kept, marked inactive, so reviews of old attempts
still work. See docs/course-content.md for the format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from pydantic import ValidationError

from muster.agencies.choices import AgencyKind, Area, ProviderKind, State
from muster.agencies.compliance import unknown_topics
from muster.agencies.models import Agency
from muster.audit.choices import Action
from muster.audit.log import record_event, snapshot
from muster.catalog.choices import Audience
from muster.catalog.models import (
    ApprovalCredit,
    Choice,
    Course,
    CourseApproval,
    Lesson,
    Question,
)
from muster.catalog.schema import CourseSpec, QuestionSpec

# Which of a course's questions attempts refer to (see `load_courses`).
DrawnQuestions = Callable[[Course], set[int]]
CONTENT_DIR = Path(__file__).resolve().parent / "content"
GUIDE = "See docs/course-content.md."


class CourseContentError(Exception):
    """A course file that cannot be loaded; the message names the file and key."""


@dataclass
class LoadedCourse:
    """A checked course file: its spec, its folder and its lesson bodies."""

    path: Path
    spec: CourseSpec
    bodies: list[str]


@dataclass
class LoadReport:
    """What a load did, by course slug."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def course_files(root: Path = CONTENT_DIR) -> list[Path]:
    return sorted(Path(root).glob("*/course.yaml"))


def load_courses(
    root: Path = CONTENT_DIR, drawn: DrawnQuestions | None = None
) -> LoadReport:
    """Check every course file below `root`, then write them all, or none.

    `drawn(course)` names the course's questions that attempts refer to (learning
    knows, `learning.assessment.drawn_question_ids`; the catalog sits below it and
    is told): they are kept, inactive, when a file replaces the bank, and the
    others deleted. Without `drawn` every replaced question is kept, inactive.
    """
    courses = [read_course(path) for path in course_files(root)]
    _refuse_duplicate_slugs(courses)
    report = LoadReport()
    with transaction.atomic():
        for course in courses:
            outcome = save_course(course, drawn)
            getattr(report, outcome).append(course.spec.slug)
    return report


def _refuse_duplicate_slugs(courses: list[LoadedCourse]) -> None:
    seen: dict[str, Path] = {}
    for course in courses:
        slug = course.spec.slug
        if slug in seen:
            raise CourseContentError(
                f"{display(course.path)}: key `slug`: {slug!r} is already used by "
                f"{display(seen[slug])}; each course needs its own slug."
            )
        seen[slug] = course.path


# Reading and checking ------------------------------------------------------


def display(path: Path) -> str:
    """The path relative to the project, for messages."""
    try:
        return str(Path(path).resolve().relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return str(path)


def read_course(path: Path) -> LoadedCourse:
    """Parse and check one course.yaml and read its lesson files."""
    where = display(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise CourseContentError(f"{where}: not valid YAML: {error}") from None
    try:
        spec = CourseSpec.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_describe(e) for e in error.errors())
        raise CourseContentError(f"{where}: {problems}. {GUIDE}") from None
    problems = check_course(spec, path.parent)
    if problems:
        raise CourseContentError(f"{where}: {'; '.join(problems)}. {GUIDE}")
    bodies = [
        (path.parent / lesson.file).read_text(encoding="utf-8")
        for lesson in spec.lessons
    ]
    return LoadedCourse(path, spec, bodies)


def _describe(error: Any) -> str:
    where = " > ".join(str(part) for part in error["loc"]) or "(top level)"
    key = error["loc"][-1] if error["loc"] else ""
    if error["type"] == "missing":
        return f"key `{where}` is missing; add `{key}:` with a value"
    if error["type"] == "extra_forbidden":
        return f"key `{where}` is not a known key; remove it or check its spelling"
    return f"key `{where}`: {error['msg']}"


def check_course(spec: CourseSpec, folder: Path) -> list[str]:
    """What is wrong with a course beyond its shape: words, files and the bank."""
    problems = []
    if spec.slug != folder.name:
        problems.append(
            f"key `slug`: {spec.slug!r} differs from the folder name "
            f"{folder.name!r}; rename one so they match"
        )
    problems += _check_words("audience", spec.audience, Audience.values)
    if spec.retire_on and spec.release_on and spec.retire_on <= spec.release_on:
        problems.append("key `retire_on`: must come after `release_on`")
    for i, approval in enumerate(spec.approvals):
        problems += _check_approval(f"approvals > {i}", approval)
    for i, lesson in enumerate(spec.lessons):
        where = f"lessons > {i}"
        if not (folder / lesson.file).is_file() or "/" in lesson.file:
            problems.append(
                f"key `{where} > file`: no file {lesson.file!r} beside course.yaml"
            )
        for j, question in enumerate(lesson.knowledge_check):
            problems += _check_question(f"{where} > knowledge_check > {j}", question)
    for i, question in enumerate(spec.questions):
        problems += _check_question(f"questions > {i}", question)
    if len(spec.questions) < spec.questions_per_attempt:
        problems.append(
            f"key `questions`: {len(spec.questions)} questions, fewer than "
            f"questions_per_attempt ({spec.questions_per_attempt}); add questions "
            "or lower questions_per_attempt"
        )
    return problems


def _check_words(where: str, words: list[str], allowed: list[str]) -> list[str]:
    return [
        f"key `{where}`: unknown value {word!r}; use one of {', '.join(allowed)}"
        for word in words
        if word not in allowed
    ]


def _check_approval(where: str, approval) -> list[str]:
    problems = _check_words(
        f"{where} > jurisdiction", [approval.jurisdiction], State.values
    )
    problems += _check_words(
        f"{where} > provider_kind", [approval.provider_kind], ProviderKind.values
    )
    if approval.valid_until and approval.valid_until < approval.valid_from:
        problems.append(f"key `{where} > valid_until`: before `valid_from`")
    for i, credit in enumerate(approval.credits):
        line = f"{where} > credits > {i}"
        if credit.area:
            problems += _check_words(f"{line} > area", [credit.area], Area.values)
        for topic in unknown_topics(credit.topics):
            problems.append(
                f"key `{line} > topics`: unknown topic {topic!r}; use a topic from "
                "muster/rules/topics.yaml (add it there first if it is new)"
            )
    return problems


def _check_question(where: str, question: QuestionSpec) -> list[str]:
    correct = sum(choice.correct for choice in question.choices)
    if correct == 0:
        return [f"key `{where} > choices`: no choice is marked `correct: true`"]
    if question.kind == "single" and correct > 1:
        return [
            f"key `{where} > choices`: {correct} choices are correct but the kind "
            "is single; mark one, or set `kind: multiple`"
        ]
    return []


# Writing --------------------------------------------------------------------


def save_course(loaded: LoadedCourse, drawn: DrawnQuestions | None = None) -> str:
    """Create or update one course; returns "created", "updated" or "unchanged"."""
    spec = loaded.spec
    provider = _provider(spec.provider, spec)
    course = Course.objects.filter(slug=spec.slug).first()
    created = course is None
    before = None if created else course_state(course)
    if created:
        # Muster's own courses are published when first loaded; a provider may
        # unpublish one later in authoring, and reloading does not undo that.
        course = Course(slug=spec.slug, is_published=True)
    changed = _set_fields(course, _course_fields(spec, provider)) or created
    if changed:
        course.save()
    changed |= _save_lessons(course, spec, loaded.bodies)
    changed |= _save_approvals(course, spec)
    changed |= _save_bank(course, spec, drawn)
    if changed:
        _audit_load(loaded, course, before)
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def course_state(course: Course) -> dict[str, Any]:
    """What a course grants: its fields, lessons, approvals with their credits and
    the size of its question bank, as the trail keeps it for a load."""
    state = snapshot(course)
    state["lessons"] = [lesson.title for lesson in course.lessons.order_by("position")]
    state["approvals"] = [
        {
            **snapshot(approval, exclude=("id", "course")),
            "credits": [
                {"hours": str(c.hours), "area": c.area, "topics": sorted(c.topics)}
                for c in approval.credits.order_by("pk")
            ],
        }
        for approval in course.approvals.order_by("jurisdiction", "valid_from")
    ]
    state["active_questions"] = course.questions.filter(is_active=True).count()
    return state


def _audit_load(loaded: LoadedCourse, course: Course, before) -> None:
    # The loader runs as a command, with nobody signed in: the entry says so.
    record_event(
        Action.COURSE_UPDATE if before else Action.COURSE_CREATE,
        obj=course,
        before=before,
        after=course_state(course),
        reason=f"Loaded from {display(loaded.path)} by load_courses",
        agency_id=course.provider_id,
        label=course.title,
    )


def _provider(code: str, spec: CourseSpec) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        state = spec.approvals[0].jurisdiction if spec.approvals else "MO"
        agency = Agency.objects.create(
            code=code,
            name=code.replace("-", " ").title(),
            kind=AgencyKind.ACADEMY,
            state=state,
        )
    return agency


def _course_fields(spec: CourseSpec, provider: Agency) -> dict[str, Any]:
    return {
        "title": spec.title,
        "summary": spec.summary,
        "description": spec.description,
        "audience": list(spec.audience),
        "provider_id": provider.pk,
        "credited_hours": spec.credited_hours,
        "seat_time_minutes": spec.seat_time_minutes,
        "pass_mark": spec.pass_mark,
        "questions_per_attempt": spec.questions_per_attempt,
        "max_attempts": spec.max_attempts,
        "retry_wait_minutes": spec.retry_wait_minutes,
        "release_on": spec.release_on,
        "retire_on": spec.retire_on,
    }


def _set_fields(obj, values: dict[str, Any]) -> bool:
    """Set the values that differ; whether any did."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, name)
        if isinstance(value, Decimal) and current is not None:
            same = Decimal(current) == value
        else:
            same = current == value
        if not same:
            setattr(obj, name, value)
            changed = True
    return changed


def _save_lessons(course: Course, spec: CourseSpec, bodies: list[str]) -> bool:
    changed = False
    existing = {lesson.position: lesson for lesson in course.lessons.all()}
    for position, (lesson_spec, body) in enumerate(
        zip(spec.lessons, bodies, strict=True), start=1
    ):
        lesson = existing.pop(position, None) or Lesson(
            course=course, position=position
        )
        values = {
            "title": lesson_spec.title,
            "body": body,
            "minutes": lesson_spec.minutes,
            "video_url": lesson_spec.video_url,
        }
        if _set_fields(lesson, values) or lesson.pk is None:
            lesson.save()
            changed = True
    for lesson in existing.values():
        _remove_lesson(course, lesson)
        changed = True
    return changed


def _remove_lesson(course: Course, lesson: Lesson) -> None:
    try:
        lesson.delete()
    except ProtectedError:
        raise CourseContentError(
            f"course {course.slug!r}: lesson {lesson.position} ({lesson.title}) "
            "was removed from the file but learners have progress in it; keep the "
            "lesson, or replace its content instead of removing it"
        ) from None


def _save_approvals(course: Course, spec: CourseSpec) -> bool:
    changed = False
    existing = {(a.jurisdiction, a.valid_from): a for a in course.approvals.all()}
    for approval_spec in spec.approvals:
        key = (approval_spec.jurisdiction, approval_spec.valid_from)
        approval = existing.pop(key, None) or CourseApproval(
            course=course,
            jurisdiction=approval_spec.jurisdiction,
            valid_from=approval_spec.valid_from,
        )
        values = {
            "approval_number": approval_spec.approval_number,
            "valid_until": approval_spec.valid_until,
            "provider_kind": approval_spec.provider_kind,
        }
        if _set_fields(approval, values) or approval.pk is None:
            approval.save()
            changed = True
        changed |= _save_credits(approval, approval_spec.credits)
    for approval in existing.values():
        approval.delete()
        changed = True
    return changed


def _save_credits(approval: CourseApproval, credits) -> bool:
    wanted = [(Decimal(c.hours), c.area, sorted(c.topics)) for c in credits]
    current = [
        (Decimal(c.hours), c.area, sorted(c.topics)) for c in approval.credits.all()
    ]
    if wanted == current:
        return False
    approval.credits.all().delete()
    ApprovalCredit.objects.bulk_create(
        ApprovalCredit(approval=approval, hours=hours, area=area, topics=topics)
        for hours, area, topics in wanted
    )
    return True


# The question bank ----------------------------------------------------------


def _bank_from_spec(spec: CourseSpec) -> list[tuple]:
    bank = []
    for position, lesson in enumerate(spec.lessons, start=1):
        bank += [_question_key(q, position) for q in lesson.knowledge_check]
    bank += [_question_key(q, None) for q in spec.questions]
    return bank


def _question_key(question: QuestionSpec, position: int | None) -> tuple:
    choices = tuple((c.text, c.correct) for c in question.choices)
    return (position, question.text, question.kind, question.explanation, choices)


def _bank_in_database(course: Course) -> list[tuple]:
    questions = (
        Question.objects.filter(course=course, is_active=True)
        .select_related("lesson")
        .prefetch_related("choices")
        .order_by("pk")
    )
    return [
        (
            q.lesson.position if q.lesson else None,
            q.text,
            q.kind,
            q.explanation,
            tuple((c.text, c.is_correct) for c in q.choices.all()),
        )
        for q in questions
    ]


def _save_bank(course: Course, spec: CourseSpec, drawn: DrawnQuestions | None) -> bool:
    """Replace the course's questions when the file's bank differs from them."""
    wanted = _bank_from_spec(spec)
    if wanted == _bank_in_database(course):
        return False
    retire_questions(course, None if drawn is None else drawn(course))
    lessons = {lesson.position: lesson for lesson in course.lessons.all()}
    for position, text, kind, explanation, choices in wanted:
        question = Question.objects.create(
            course=course,
            lesson=lessons.get(position) if position else None,
            text=text,
            kind=kind,
            explanation=explanation,
        )
        Choice.objects.bulk_create(
            Choice(question=question, text=choice_text, is_correct=correct)
            for choice_text, correct in choices
        )
    return True


def retire_questions(course: Course, drawn: set[int] | None) -> None:
    """Take the course's active questions out of the bank.

    Questions a past attempt refers to (`drawn`; None when not known, so any may
    be) stay, inactive, so that the attempt can still be reviewed; the others
    are deleted.
    """
    active = Question.objects.filter(course=course, is_active=True)
    if drawn is None:
        active.update(is_active=False)
        return
    active.filter(pk__in=drawn).update(is_active=False)
    active.exclude(pk__in=drawn).delete()
