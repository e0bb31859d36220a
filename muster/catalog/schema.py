"""The shape of a course content file (`content/<slug>/course.yaml`), checked by
pydantic before anything is written; see docs/course-content.md.

Unknown keys are refused so that a misspelt key cannot silently drop a setting.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(Spec):
    text: str = Field(min_length=1, max_length=300)
    correct: bool = False


class QuestionSpec(Spec):
    text: str = Field(min_length=1)
    kind: Literal["single", "multiple"] = "single"
    explanation: str = ""
    choices: list[ChoiceSpec] = Field(min_length=2)


class CreditSpec(Spec):
    hours: Decimal = Field(gt=0, max_digits=5, decimal_places=2)
    area: str = ""
    topics: list[str] = []


class ApprovalSpec(Spec):
    jurisdiction: str = Field(min_length=2, max_length=2)
    approval_number: str = Field(min_length=1, max_length=60)
    valid_from: date
    valid_until: date | None = None
    provider_kind: str = "approved-provider"
    credits: list[CreditSpec] = Field(min_length=1)


class LessonSpec(Spec):
    title: str = Field(min_length=1, max_length=200)
    file: str = Field(min_length=1)
    minutes: int = Field(default=10, ge=1, le=32767)
    video_url: str = ""
    knowledge_check: list[QuestionSpec] = []


class CourseSpec(Spec):
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1)
    audience: list[str] = Field(min_length=1)
    provider: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    credited_hours: Decimal = Field(ge=Decimal("0.25"), max_digits=5, decimal_places=2)
    seat_time_minutes: int | None = Field(default=None, ge=1)
    pass_mark: int = Field(default=80, ge=1, le=100)
    questions_per_attempt: int = Field(default=10, ge=1, le=32767)
    max_attempts: int = Field(default=3, ge=1, le=32767)
    retry_wait_minutes: int = Field(default=60, ge=0)
    release_on: date | None = None
    retire_on: date | None = None
    approvals: list[ApprovalSpec] = []
    lessons: list[LessonSpec] = Field(min_length=1)
    questions: list[QuestionSpec] = Field(min_length=1)
