"""Small builders for agency tests: people, licenses and training records."""

from datetime import date
from decimal import Decimal

from muster.agencies.models import CreditLine, License, Person, TrainingRecord


def make_person(
    state: str = "MO",
    discipline: str = "peace-officer",
    licensed_on: date | None = date(2015, 6, 1),
    attributes: tuple[str, ...] = (),
    first_name: str = "Bob",
    last_name: str = "Officer",
    **license_fields,
) -> Person:
    """A person holding one license in `state`."""
    person = Person.objects.create(
        first_name=first_name,
        last_name=last_name,
        external_id=f"{state}-{last_name}",
        discipline=discipline,
    )
    License.objects.create(
        person=person,
        jurisdiction=state,
        discipline=discipline,
        licensed_on=licensed_on,
        attributes=list(attributes),
        **license_fields,
    )
    return person


def add_record(
    person: Person,
    completed_on: date,
    *lines: tuple[str, str, list[str]],
    title: str = "Course",
    **fields,
) -> TrainingRecord:
    """A training record with one credit line per (hours, area, topics)."""
    record = TrainingRecord.objects.create(
        person=person, title=title, completed_on=completed_on, **fields
    )
    for hours, area, topics in lines:
        CreditLine.objects.create(
            record=record, hours=Decimal(hours), area=area, topics=list(topics)
        )
    return record


def add_missouri_2021_except_de_escalation(person: Person) -> None:
    """23 h in 2021 covering every Missouri minimum except de-escalation."""
    day = date(2021, 3, 1)
    approved = {"provider_kind": "approved-provider"}
    add_record(person, day, ("4", "legal", []), title="Legal update", **approved)
    add_record(
        person,
        day,
        ("1", "interpersonal", ["implicit-bias"]),
        title="Implicit bias",
        **approved,
    )
    add_record(
        person,
        day,
        ("2", "skill-development", ["firearms"]),
        title="Range day",
        provider_kind="in-service",
    )
    add_record(
        person,
        day,
        ("4", "technical", []),
        title="Crash investigation",
        provider_kind="in-service",
    )
    add_record(
        person,
        day,
        ("8", "interpersonal", ["crisis-intervention"]),
        title="CIT",
        **approved,
    )
    add_record(person, day, ("4", "technical", []), title="Report writing")


def add_de_escalation(person: Person, completed_on: date = date(2021, 9, 1)):
    return add_record(
        person,
        completed_on,
        ("1", "interpersonal", ["de-escalation"]),
        title="De-escalation",
        provider_kind="approved-provider",
    )
