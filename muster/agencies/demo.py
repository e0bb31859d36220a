"""Fictional demonstration data: Missouri, Tennessee and Alabama people with training.

Every name, badge, license number and provider is invented; the courses are in
`demo_courses.yaml`. The records are shaped so that, judged today, the pages show a
mix of statuses: compliant, at risk, deficient last year, exempt as a new licensee
and exempt under a waiver.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from muster.agencies.choices import Discipline, ExemptionKind, State
from muster.agencies.models import (
    CreditLine,
    Exemption,
    License,
    Person,
    TrainingRecord,
)

# Demo people carry badges starting with this mark, which is how `seed_demo` knows
# that the demo data is already there.
DEMO_MARK = "DEMO-"
SEED = 1821
YEARS_OF_HISTORY = 7
COURSES_FILE = Path(__file__).with_name("demo_courses.yaml")

# fmt: off
FIRST_NAMES = (
    "Avery", "Blake", "Carmen", "Dale", "Elena", "Frank", "Gloria", "Hector",
    "Irene", "Jamal", "Karen", "Luis", "Maya", "Nolan", "Olivia", "Preston",
    "Quinn", "Rosa", "Samuel", "Tamika", "Umar", "Vera", "Wesley", "Ximena",
    "Yusuf", "Zoe", "Grant", "Heidi", "Marcus", "Nadia", "Trent", "Lacey", "Dwayne",
    "Corinne", "Elijah", "Brooke",
)
LAST_NAMES = (
    "Abernathy", "Brightwater", "Castellano", "Dunmore", "Everly", "Fairbanks",
    "Galloway", "Holloway", "Ingram", "Jessup", "Kettering", "Lindqvist", "Mercer",
    "Northcutt", "Oakes", "Pruitt", "Quarles", "Redfern", "Stallworth",
    "Thibodeaux", "Underhill", "Vance", "Whitlock", "Yarborough", "Zeller",
    "Ashcombe", "Birchfield", "Calloway", "Delacroix", "Easterbrook", "Fenwick",
    "Greaves", "Hartsell",
)
# fmt: on


@dataclass(frozen=True)
class Course:
    """A course the demo hands out; each line is (hours, area, topics)."""

    title: str
    provider: str
    kind: str
    delivery: str
    lines: tuple[tuple[Decimal, str, tuple[str, ...]], ...]
    result: str = ""

    @property
    def hours(self) -> Decimal:
        return sum((hours for hours, _, _ in self.lines), Decimal(0))


@cache
def catalog() -> dict[str, Any]:
    """The courses of `demo_courses.yaml`, with every course as a `Course`."""

    def convert(node: Any) -> Any:
        if isinstance(node, dict) and "title" in node:
            lines = tuple((Decimal(h), a, tuple(t)) for h, a, t in node["lines"])
            return Course(**{**node, "lines": lines})
        if isinstance(node, dict):
            return {key: convert(value) for key, value in node.items()}
        return [convert(item) for item in node]

    return convert(yaml.safe_load(COURSES_FILE.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Profile:
    """How one demo person keeps up with training.

    Habits: `steady` (always complete), `late` (behind this year), `short`
    (deficient last year and four years ago), `makeup` (made up last year's gap in
    the grace period), `new` (licensed this year), `hired` (licensed a few years
    ago), `waiver` (waived this year).
    """

    state: str
    discipline: str
    habit: str
    attributes: tuple[str, ...] = ()


TRAFFIC = ("traffic-enforcement",)
PROFILES = (
    [
        Profile(State.MO, Discipline.CHIEF, "steady"),
        Profile(State.MO, Discipline.RESERVE, "late"),
    ]
    + [
        Profile(State.MO, Discipline.PEACE_OFFICER, habit, TRAFFIC)
        for habit in ["steady"] * 7 + ["late"] * 2 + ["short"] * 2 + ["makeup", "hired"]
    ]
    + [
        Profile(State.MO, Discipline.PEACE_OFFICER, habit)
        for habit in ["steady"] * 5 + ["late", "short", "new", "waiver", "hired", "new"]
    ]
    + [
        Profile(State.MO, Discipline.TELECOMMUNICATOR, habit)
        for habit in ["steady"] * 4 + ["short", "hired"]
    ]
    + [
        Profile(State.TN, Discipline.PEACE_OFFICER, "steady"),
        Profile(State.TN, Discipline.PEACE_OFFICER, "steady"),
        Profile(State.TN, Discipline.PEACE_OFFICER, "short"),
        Profile(State.AL, Discipline.CHIEF, "steady"),
        Profile(State.AL, Discipline.PEACE_OFFICER, "steady"),
        Profile(State.AL, Discipline.PEACE_OFFICER, "late"),
    ]
)


class Builder:
    """Collects the demo rows for one `today`, drawing from one random sequence."""

    def __init__(self, today: date, rng: random.Random, entered_by) -> None:
        self.today = today
        self.rng = rng
        self.entered_by = entered_by
        self.records: list[tuple[TrainingRecord, Course]] = []
        self.exemptions: list[Exemption] = []

    def day_in(self, year: int, first_month: int = 1, last_month: int = 12) -> date:
        """A random day of `year` between the months given, and before today."""
        start = date(year, first_month, 1)
        end = min(date(year, last_month, 28), self.today - timedelta(days=1))
        if end <= start:
            return min(start, self.today)
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def take(self, person: Person, course: Course, on: date, **fields) -> None:
        """Record that `person` completed `course` on `on`, unless that is in future."""
        if on > self.today:
            return
        record = TrainingRecord(
            person=person,
            title=course.title,
            completed_on=on,
            provider_name=course.provider,
            provider_kind=course.kind,
            delivery=course.delivery,
            result=course.result,
            entered_by=self.entered_by,
            **fields,
        )
        self.records.append((record, course))

    def officer_year(
        self, person: Person, year: int, traffic: bool, skip: set[str]
    ) -> None:
        """A Missouri officer's year: the required courses, then electives to 24 h+."""
        mo = catalog()["missouri"]
        # The implicit-bias and de-escalation minimums took effect on 2021-01-01.
        bias = mo["bias"] if year >= 2021 else mo["fair_policing"]
        plan = [mo["legal"], mo["firearms"], bias, mo["crash"]]
        if traffic:
            plan.append(mo["racial_profiling"])
        electives = self.rng.sample(mo["electives"], k=len(mo["electives"]))
        target = 24 + self.rng.choice([0, 2, 4, 6])
        while sum(course.hours for course in plan) < target:
            plan.append(electives.pop())
        for course in plan:
            if course.title not in skip:
                self.take(person, course, self.day_in(year))

    def dispatcher_year(self, person: Person, year: int, hours: int) -> None:
        courses = self.rng.sample(catalog()["dispatch"], k=len(catalog()["dispatch"]))
        taken = Decimal(0)
        while courses and taken < hours:
            course = courses.pop()
            self.take(person, course, self.day_in(year))
            taken += course.hours


def demo_data_exists() -> bool:
    return Person.objects.filter(external_id__startswith=DEMO_MARK).exists()


def create_demo_data(today: date, entered_by=None) -> dict[str, int]:
    """Create the demo people and their training as of `today`; return counts."""
    rng = random.Random(SEED)
    builder = Builder(today, rng, entered_by)
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    names = rng.sample(pairs, k=len(PROFILES))
    with transaction.atomic():
        for number, (profile, (first, last)) in enumerate(
            zip(PROFILES, names, strict=True), start=101
        ):
            person = Person.objects.create(
                first_name=first,
                last_name=last,
                external_id=f"{DEMO_MARK}{profile.state}-{number}",
                discipline=profile.discipline,
            )
            licensed_on = _license(builder, person, profile)
            _history(builder, person, profile, licensed_on)
        _void_a_duplicate(builder)
        _save(builder)
    return {
        "people": len(PROFILES),
        "records": len(builder.records),
        "exemptions": len(builder.exemptions),
    }


def _license(builder: Builder, person: Person, profile: Profile) -> date:
    today, rng = builder.today, builder.rng
    if profile.habit == "new":
        licensed_on = builder.day_in(today.year, 1, max(1, min(today.month - 1, 6)))
    elif profile.habit == "hired":
        year = rng.randrange(today.year - YEARS_OF_HISTORY + 1, today.year - 1)
        licensed_on = builder.day_in(year, 3, 9)
    else:
        year = rng.randrange(2003, today.year - YEARS_OF_HISTORY - 1)
        licensed_on = date(year, rng.randrange(1, 13), 1)
    License.objects.create(
        person=person,
        jurisdiction=profile.state,
        discipline=profile.discipline,
        number=f"{profile.state}{rng.randrange(10**6, 10**7)}",
        licensed_on=licensed_on,
        attributes=list(profile.attributes),
    )
    return licensed_on


def _history(
    builder: Builder, person: Person, profile: Profile, licensed_on: date
) -> None:
    first_year = max(builder.today.year - YEARS_OF_HISTORY, licensed_on.year)
    for year in range(first_year, builder.today.year + 1):
        if profile.state == State.TN:
            _tennessee_year(builder, person, profile, year)
        elif profile.state == State.AL:
            _alabama_year(builder, person, profile, year)
        elif profile.discipline == Discipline.TELECOMMUNICATOR:
            hours = 5 if profile.habit == "short" else builder.rng.choice([8, 10, 12])
            builder.dispatcher_year(person, year, hours)
        else:
            _missouri_year(builder, person, profile, year, licensed_on)


def _missouri_year(
    builder: Builder, person: Person, profile: Profile, year: int, licensed_on: date
) -> None:
    mo, today = catalog()["missouri"], builder.today
    if year == licensed_on.year:
        # Exempt for the year of licensing; new officers still qualify with firearms.
        on = max(licensed_on, builder.day_in(year, licensed_on.month))
        builder.take(person, mo["firearms"], on)
        return
    if profile.habit == "waiver" and year == today.year:
        builder.exemptions.append(
            Exemption(
                person=person,
                kind=ExemptionKind.WAIVER,
                starts_on=date(year, 1, 10),
                ends_on=date(year, 12, 31),
                reason="Active-duty military deployment (orders on file)",
            )
        )
        return
    skip: set[str] = set()
    if profile.habit == "late" and year == today.year:
        skip = {mo["firearms"].title, mo["racial_profiling"].title}
    if profile.habit == "short" and year in (today.year - 1, today.year - 4):
        skip = {mo["bias"].title, mo["crash"].title}
    if profile.habit == "makeup" and year == today.year - 1:
        skip = {mo["firearms"].title}
        on = builder.day_in(today.year, 1, 2)
        builder.take(person, mo["firearms"], on, counts_for=year)
    builder.officer_year(
        person, year, "traffic-enforcement" in profile.attributes, skip
    )


def _tennessee_year(
    builder: Builder, person: Person, profile: Profile, year: int
) -> None:
    if profile.habit == "short" and year == builder.today.year - 1:
        return
    course = catalog()["tennessee"]["in_service"]
    course = replace(course, title=f"{year} {course.title}")
    builder.take(person, course, builder.day_in(year, 2, 10))


def _alabama_year(
    builder: Builder, person: Person, profile: Profile, year: int
) -> None:
    al = catalog()["alabama"]
    plan = list(al["annual"])
    if year in (2021, 2022):
        plan.append(al["implicit_bias"])
    if profile.discipline == Discipline.CHIEF:
        plan += [al["executive"], al["executive"]]
    if profile.habit == "late" and year == builder.today.year:
        plan = plan[1:2]
    for course in plan:
        builder.take(person, course, builder.day_in(year))


def _void_a_duplicate(builder: Builder) -> None:
    """Enter one legal update twice and void the copy, as a coordinator would."""
    legal = catalog()["missouri"]["legal"]
    original = next(record for record, course in builder.records if course is legal)
    builder.take(
        original.person,
        legal,
        original.completed_on,
        is_void=True,
        void_reason="Duplicate of a record entered the same day",
    )


def _save(builder: Builder) -> None:
    records = TrainingRecord.objects.bulk_create([r for r, _ in builder.records])
    CreditLine.objects.bulk_create(
        CreditLine(record=record, hours=hours, area=area, topics=list(topics))
        for record, (_, course) in zip(records, builder.records, strict=True)
        for hours, area, topics in course.lines
    )
    Exemption.objects.bulk_create(builder.exemptions)
