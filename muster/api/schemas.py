"""The shapes of the API's JSON, as pydantic models (and so in the OpenAPI schema)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic would also read 0 or 1.7e9 as a day (a Unix time)."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, date) or value is None:
        return value
    raise ValueError("Write the day as YYYY-MM-DD.")


IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class Agency(BaseModel):
    code: str
    name: str
    kind: str
    state: str


class License(BaseModel):
    jurisdiction: str
    discipline: str
    number: str
    license_class: str
    licensed_on: date | None
    status: str
    attributes: list[str]
    appointed_on: date | None = Field(
        None, description="First appointment in the role (a chief's as chief)."
    )
    separated_on: date | None = Field(
        None, description="Start of the latest break in service."
    )
    returned_on: date | None = Field(
        None, description="Date of hire after the latest break in service."
    )
    earlier_breaks: list[dict[str, date]] = Field(
        default_factory=list,
        description=(
            "Breaks in service before the latest, oldest first: "
            '[{"separated_on": date, "returned_on": date}].'
        ),
    )


class Employment(BaseModel):
    agency: str = Field(description="The employing agency's code.")
    title: str
    unit: str
    starts_on: date
    ends_on: date | None


class Person(BaseModel):
    id: int
    first_name: str
    last_name: str
    external_id: str
    discipline: str
    licenses: list[License]
    employments: list[Employment]


class CreditLine(BaseModel):
    hours: Decimal = Field(ge=0, le=9999, max_digits=6, decimal_places=2)
    area: str = Field(
        "", description="legal, technical, interpersonal, skill-development or blank."
    )
    topics: list[str] = Field(default_factory=list, max_length=30)


class TrainingRecord(BaseModel):
    id: int
    person: int
    agency: str | None
    title: str
    started_on: date | None
    completed_on: date
    provider_name: str
    provider_kind: str
    course_number: str
    delivery: str
    result: str
    counts_for: int | None
    source: str
    approval: str
    is_void: bool
    void_reason: str
    total_hours: Decimal
    credit_lines: list[CreditLine]
    created_at: datetime


class Qualification(BaseModel):
    id: int
    person: int
    agency: str | None
    qualified_on: date
    weapon_type: str
    course_of_fire: str
    score: Decimal | None
    result: str
    instructor: str
    is_void: bool
    void_reason: str


class Exemption(BaseModel):
    id: int
    person: int
    agency: str | None
    kind: str
    starts_on: date
    ends_on: date
    reason: str
    requirements: list[str]
    approval: str


class Course(BaseModel):
    slug: str
    title: str
    summary: str
    provider: str
    credited_hours: Decimal
    audience: list[str]
    release_on: date | None
    retire_on: date | None


class Completion(BaseModel):
    id: int
    person: int
    course: str
    jurisdiction: str
    started_at: datetime
    completed_at: datetime | None
    record: int | None
    certificate: str | None


class Certificate(BaseModel):
    code: str
    person: int
    course: str
    issued_at: datetime
    is_revoked: bool
    revoked_at: datetime | None
    revoke_reason: str


class BadgeCredential(BaseModel):
    media_type: str = Field(description="application/vc+jwt")
    credential: str = Field(description="The OpenBadgeCredential as a compact JWS.")
    id: str = Field(description="The credential's id: its public verify page.")


def page_of(item: type[BaseModel], name: str) -> type[BaseModel]:
    """A page schema: `items` of `item` and the `next_cursor` (None on the last)."""
    return type(
        name,
        (BaseModel,),
        {
            "__annotations__": {"items": list[item], "next_cursor": str | None},
            "__module__": __name__,
        },
    )


AgencyPage = page_of(Agency, "AgencyPage")
PersonPage = page_of(Person, "PersonPage")
TrainingRecordPage = page_of(TrainingRecord, "TrainingRecordPage")
QualificationPage = page_of(Qualification, "QualificationPage")
ExemptionPage = page_of(Exemption, "ExemptionPage")
CoursePage = page_of(Course, "CoursePage")
CompletionPage = page_of(Completion, "CompletionPage")
CertificatePage = page_of(Certificate, "CertificatePage")


# Standings and mandates are the engine's report dicts (muster.rules.report);
# their schemas stay open so that a field the engine adds does not break them.
class Standing(BaseModel):
    model_config = {"extra": "allow"}
    person: int
    year: int
    as_of: date
    licenses: list[dict[str, Any]]


class AgencyStanding(BaseModel):
    model_config = {"extra": "allow"}
    agency: str
    year: int
    as_of: date
    tally: dict[str, int]
    people: list[dict[str, Any]]
    warnings: list[str]


class Jurisdiction(BaseModel):
    model_config = {"extra": "allow"}
    code: str
    name: str
    regulator: str
    on: date
    mandates: list[dict[str, Any]]


# Writes.


class NewTrainingRecord(BaseModel):
    """A training record to add for a current employee of the agency named."""

    model_config = {"extra": "forbid"}
    person: int = Field(ge=1, le=2**53)
    agency: str = Field(
        min_length=1, max_length=40, description="The entering agency's code."
    )
    title: str = Field(min_length=1, max_length=200)
    completed_on: IsoDay
    started_on: IsoDay | None = None
    provider_name: str = Field("", max_length=200)
    provider_kind: str = Field("other", max_length=20)
    course_number: str = Field("", max_length=60)
    delivery: str = Field("live", max_length=10)
    result: str = Field("", max_length=4)
    counts_for: int | None = Field(None, ge=1, le=9999)
    lines: list[CreditLine] = Field(min_length=1, max_length=20)


class TrainingCorrection(BaseModel):
    """New values for a record; fields left out keep theirs. `lines`, if given,
    replace all credit lines."""

    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, min_length=1, max_length=200)
    completed_on: IsoDay | None = None
    started_on: IsoDay | None = None
    provider_name: str | None = Field(None, max_length=200)
    provider_kind: str | None = Field(None, max_length=20)
    course_number: str | None = Field(None, max_length=60)
    delivery: str | None = Field(None, max_length=10)
    result: str | None = Field(None, max_length=4)
    counts_for: int | None = Field(None, ge=1, le=9999)
    lines: list[CreditLine] | None = Field(None, min_length=1, max_length=20)


class Void(BaseModel):
    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=200)


class NewQualification(BaseModel):
    """A firearms qualification attempt for a current employee of the agency
    named (the coordinator's form, through `record_qualification`)."""

    model_config = {"extra": "forbid"}
    person: int = Field(ge=1, le=2**53)
    agency: str = Field(
        min_length=1, max_length=40, description="The entering agency's code."
    )
    qualified_on: IsoDay
    weapon_type: str = Field(min_length=1, max_length=60)
    course_of_fire: str = Field("", max_length=120)
    score: Decimal | None = Field(None, ge=0, le=9999, max_digits=6, decimal_places=2)
    result: str = Field(min_length=1, max_length=4, description="pass or fail.")
    instructor: str = Field("", max_length=120)


class QualificationCorrection(BaseModel):
    """New values for a qualification; fields left out keep theirs."""

    model_config = {"extra": "forbid"}
    reason: str = Field(min_length=1, max_length=200)
    qualified_on: IsoDay | None = None
    weapon_type: str | None = Field(None, min_length=1, max_length=60)
    course_of_fire: str | None = Field(None, max_length=120)
    score: Decimal | None = Field(None, ge=0, le=9999, max_digits=6, decimal_places=2)
    result: str | None = Field(None, min_length=1, max_length=4)
    instructor: str | None = Field(None, max_length=120)


class NewExemption(BaseModel):
    """A proposed waiver or extension for a current employee of the agency named
    (`propose_exemption`); it counts once the agency head approves it."""

    model_config = {"extra": "forbid"}
    person: int = Field(ge=1, le=2**53)
    agency: str = Field(
        min_length=1, max_length=40, description="The proposing agency's code."
    )
    kind: str = Field(
        min_length=1, max_length=10, description="waiver, extension or absence."
    )
    starts_on: IsoDay
    ends_on: IsoDay
    reason: str = Field(min_length=1, max_length=200)
    requirements: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list,
        max_length=50,
        description="Ids of the person's requirements it covers; none for all.",
    )


class ExemptionDecision(BaseModel):
    """The agency head's decision on a proposed exemption (`decide_exemption`)."""

    model_config = {"extra": "forbid"}
    approve: bool
    note: str = Field("", max_length=200, description="Why; required when rejecting.")
