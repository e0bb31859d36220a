"""Small course content folders and catalog rows for the catalog tests."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

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


def question(text: str, right: str = "Yes", wrong: str = "No") -> dict[str, Any]:
    return {
        "text": text,
        "kind": "single",
        "explanation": f"Because {right}.",
        "choices": [{"text": right, "correct": True}, {"text": wrong}],
    }


COURSE: dict[str, Any] = {
    "slug": "bias-basics",
    "title": "Bias Basics",
    "summary": "A short course on implicit bias.",
    "description": "Learn **what bias is**.",
    "audience": ["peace-officer"],
    "provider": "test-academy",
    "credited_hours": 1,
    "pass_mark": 50,
    "questions_per_attempt": 2,
    "max_attempts": 3,
    "retry_wait_minutes": 60,
    "release_on": "2021-01-01",
    "approvals": [
        {
            "jurisdiction": "MO",
            "approval_number": "DEMO-MO-1",
            "valid_from": "2021-01-01",
            "valid_until": None,
            "provider_kind": "approved-provider",
            "credits": [
                {"hours": 1, "area": "interpersonal", "topics": ["implicit-bias"]}
            ],
        }
    ],
    "lessons": [
        {
            "title": "What it is",
            "file": "01-what.md",
            "minutes": 20,
            "knowledge_check": [question("Is bias universal?")],
        },
        {"title": "What to do", "file": "02-do.md", "minutes": 40},
    ],
    "questions": [question("Q1"), question("Q2"), question("Q3")],
}


def course_data(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(COURSE)
    data.update(changes)
    return data


def write_course(root: Path, data: dict[str, Any] | None = None) -> Path:
    """Write a course folder under `root`; returns its course.yaml."""
    data = data or course_data()
    folder = root / data["slug"]
    folder.mkdir(parents=True, exist_ok=True)
    for lesson in data.get("lessons", []):
        (folder / lesson["file"]).write_text(f"# {lesson['title']}\n\nBody.\n")
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def make_provider(code: str = "test-academy", state: str = "MO") -> Agency:
    return Agency.objects.get_or_create(
        code=code,
        defaults={"name": code.title(), "kind": AgencyKind.ACADEMY, "state": state},
    )[0]


def make_course(
    slug: str = "bias-basics",
    *,
    provider: Agency | None = None,
    title: str = "Bias Basics",
    hours: str = "1",
    credits: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("1", "interpersonal", ("implicit-bias",)),
    ),
    state: str = "MO",
    audience: tuple[str, ...] = ("peace-officer",),
    **fields: Any,
) -> Course:
    """A published course approved in `state` with `credits` (hours, area, topics)."""
    course = Course.objects.create(
        slug=slug,
        title=title,
        summary=f"{title} summary",
        description=fields.pop("description", f"About {title}."),
        audience=list(audience),
        provider=provider or make_provider(),
        credited_hours=Decimal(hours),
        is_published=fields.pop("is_published", True),
        questions_per_attempt=1,
        **fields,
    )
    approval = CourseApproval.objects.create(
        course=course,
        jurisdiction=state,
        approval_number=f"DEMO-{state}-{slug}",
        valid_from="2020-01-01",
    )
    for credit_hours, area, topics in credits:
        ApprovalCredit.objects.create(
            approval=approval,
            hours=Decimal(credit_hours),
            area=area,
            topics=list(topics),
        )
    Lesson.objects.create(course=course, position=1, title="Intro", body="Hi")
    q = Question.objects.create(course=course, text="Is it?")
    Choice.objects.create(question=q, text="Yes", is_correct=True)
    Choice.objects.create(question=q, text="No")
    return course
