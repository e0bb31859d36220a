"""Fictional demonstration world: five agencies in Missouri, Tennessee and Alabama.

Three Missouri agencies (a city police department, a county sheriff's office and a
911 centre), one in Tennessee and one in Alabama employ about 250 people with
training since seven years ago. Every name, badge, license number and provider is
invented; the courses are in `demo_courses.yaml`. The records are shaped so that,
judged today, the pages show every status: compliant, at risk, deficient last
year, exempt as a new licensee, exempt under a waiver, plus a lateral transfer
between two Missouri agencies and Alabama firearms qualifications (one failed).
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

from muster.agencies.actions import record_label
from muster.agencies.choices import AgencyKind, Discipline, ExemptionKind, State
from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import (
    Agency,
    CreditLine,
    Employment,
    Exemption,
    License,
    Person,
    Qualification,
    TrainingRecord,
)
from muster.audit.records import log_created

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
class DemoAgency:
    """A fictional agency of the demo world."""

    code: str
    name: str
    kind: str
    state: str
    address: str


AGENCIES = (
    DemoAgency(
        "riverton-pd",
        "Riverton Police Department",
        AgencyKind.POLICE_DEPARTMENT,
        State.MO,
        "400 Main Street, Riverton, MO",
    ),
    DemoAgency(
        "osage-bend-so",
        "Osage Bend County Sheriff's Office",
        AgencyKind.SHERIFF,
        State.MO,
        "12 Courthouse Square, Osage Bend, MO",
    ),
    DemoAgency(
        "three-rivers-911",
        "Three Rivers Emergency Communications District",
        AgencyKind.PSAP,
        State.MO,
        "80 Levee Road, Riverton, MO",
    ),
    DemoAgency(
        "millbrook-pd",
        "Millbrook Police Department",
        AgencyKind.POLICE_DEPARTMENT,
        State.TN,
        "7 Mill Street, Millbrook, TN",
    ),
    DemoAgency(
        "cotton-ridge-pd",
        "Cotton Ridge Police Department",
        AgencyKind.POLICE_DEPARTMENT,
        State.AL,
        "2 Depot Street, Cotton Ridge, AL",
    ),
)


@dataclass(frozen=True)
class Profile:
    """How one demo person keeps up with training, and where they work.

    Habits: `steady` (always complete), `late` (behind this year), `short`
    (deficient last year and four years ago), `makeup` (made up last year's gap in
    the grace period), `new` (licensed this year), `hired` (licensed a few years
    ago), `waiver` (waived this year), `transfer` (moved from `previous` to
    `agency` two years ago: a lateral transfer).
    """

    agency: str
    discipline: str
    habit: str
    attributes: tuple[str, ...] = ()
    title: str = ""
    previous: str = ""

    @property
    def state(self) -> str:
        return next(a.state for a in AGENCIES if a.code == self.agency)


TRAFFIC = ("traffic-enforcement",)
# One cycle of habits for a sworn workforce; repeated to fill each agency.
OFFICER_MIX = ["steady"] * 13 + ["late"] * 3 + ["short"] * 2 + ["makeup", "hired"]


def _officers(agency: str, count: int, title: str, extra: list[str]) -> list[Profile]:
    habits = extra + [
        OFFICER_MIX[i % len(OFFICER_MIX)] for i in range(count - len(extra))
    ]
    return [
        Profile(
            agency,
            Discipline.PEACE_OFFICER,
            habit,
            TRAFFIC if i % 3 else (),
            title if i % 7 else "Sergeant",
        )
        for i, habit in enumerate(habits)
    ]


def _profiles() -> list[Profile]:
    mo_pd, mo_so = "riverton-pd", "osage-bend-so"
    return (
        [
            Profile(mo_pd, Discipline.CHIEF, "steady", (), "Chief of Police"),
            Profile(
                mo_pd,
                Discipline.PEACE_OFFICER,
                "transfer",
                TRAFFIC,
                "Patrol officer",
                previous=mo_so,
            ),
        ]
        + [
            Profile(mo_pd, Discipline.RESERVE, habit, (), "Reserve officer")
            for habit in ("steady", "steady", "late", "short")
        ]
        + _officers(mo_pd, 94, "Patrol officer", ["new", "new", "waiver"])
        + [Profile(mo_so, Discipline.CHIEF, "steady", (), "Sheriff")]
        + _officers(mo_so, 69, "Deputy sheriff", ["new", "waiver"])
        + [
            Profile(
                "three-rivers-911",
                Discipline.TELECOMMUNICATOR,
                habit,
                (),
                "Telecommunicator",
            )
            for habit in ["steady"] * 24 + ["short"] * 3 + ["hired"] * 3
        ]
        + [
            Profile(
                "millbrook-pd", Discipline.PEACE_OFFICER, habit, (), "Patrol officer"
            )
            for habit in ["steady"] * 20 + ["short"] * 3 + ["late"] * 2
        ]
        + [
            Profile(
                "cotton-ridge-pd", Discipline.CHIEF, "steady", (), "Chief of Police"
            )
        ]
        + [
            Profile(
                "cotton-ridge-pd", Discipline.PEACE_OFFICER, habit, (), "Patrol officer"
            )
            for habit in ["steady"] * 18 + ["late"] * 3 + ["short"] * 3
        ]
    )


PROFILES = _profiles()


class Builder:
    """Collects the demo rows for one `today`, drawing from one random sequence."""

    def __init__(self, today: date, rng: random.Random, entered_by) -> None:
        self.today = today
        self.rng = rng
        self.entered_by = entered_by
        self.records: list[tuple[TrainingRecord, Course]] = []
        self.exemptions: list[Exemption] = []
        self.qualifications: list[Qualification] = []
        # Each person's jobs as (agency, first day, last day or None).
        self.jobs: dict[int, list[tuple[Agency, date, date | None]]] = {}

    def agency_on(self, person: Person, on: date) -> Agency | None:
        """The agency the person worked for on `on`, which entered the record."""
        jobs = self.jobs.get(person.pk, [])
        for agency, start, end in jobs:
            if start <= on and (end is None or on <= end):
                return agency
        return jobs[0][0] if jobs else None

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
        agency = self.agency_on(person, on)
        record = TrainingRecord(
            person=person,
            agency=agency,
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
        if (
            agency
            and agency.state == State.AL
            and any("firearms-qualification" in topics for _, _, topics in course.lines)
        ):
            self.qualify(person, agency, on)

    def qualify(self, person: Person, agency: Agency, on: date, result="pass") -> None:
        """A handgun qualification on the range, as Alabama reports them."""
        self.qualifications.append(
            Qualification(
                person=person,
                agency=agency,
                qualified_on=on,
                weapon_type="Handgun",
                course_of_fire="APOSTC day qualification course",
                score=Decimal(self.rng.randrange(80, 101) if result == "pass" else 68),
                result=result,
                instructor="Sgt. R. Whitfield (certified firearms instructor)",
                entered_by=self.entered_by,
            )
        )

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
    """Create the demo agencies, people and their training as of `today`."""
    rng = random.Random(SEED)
    builder = Builder(today, rng, entered_by)
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    names = rng.sample(pairs, k=len(PROFILES))
    with transaction.atomic():
        agencies = {a.code: _agency(a) for a in AGENCIES}
        for number, (profile, (first, last)) in enumerate(
            zip(PROFILES, names, strict=True), start=101
        ):
            person = Person.objects.create(
                first_name=first,
                last_name=last,
                external_id=f"{DEMO_MARK}{profile.agency}-{number}",
                discipline=profile.discipline,
                email=f"{first}.{last}.{number}@{profile.agency}.example.org".lower(),
            )
            licensed_on = _license(builder, person, profile)
            _employ(builder, person, profile, licensed_on, agencies)
            _history(builder, person, profile, licensed_on)
        _void_a_duplicate(builder)
        _fail_then_pass(builder)
        _save(builder)
        refresh_standings(Person.objects.values_list("pk", flat=True))
    return {
        "agencies": len(AGENCIES),
        "people": len(PROFILES),
        "records": len(builder.records),
        "exemptions": len(builder.exemptions),
        "qualifications": len(builder.qualifications),
    }


def _agency(spec: DemoAgency) -> Agency:
    agency, _ = Agency.objects.get_or_create(
        code=spec.code,
        defaults={
            "name": spec.name,
            "kind": spec.kind,
            "state": spec.state,
            "address": spec.address,
            "email": f"training@{spec.code}.example.org",
        },
    )
    return agency


def _employ(builder: Builder, person, profile, licensed_on, agencies) -> None:
    """Employ the person since licensing; a transfer moved two years ago."""
    agency = agencies[profile.agency]
    if profile.habit != "transfer":
        jobs = [(agency, licensed_on, None)]
    else:
        moved = date(builder.today.year - 2, 7, 1)
        jobs = [
            (agencies[profile.previous], licensed_on, moved - timedelta(days=1)),
            (agency, moved, None),
        ]
    builder.jobs[person.pk] = jobs
    for where, start, end in jobs:
        Employment.objects.create(
            person=person,
            agency=where,
            title="Deputy sheriff"
            if where.kind == AgencyKind.SHERIFF
            and profile.discipline == Discipline.PEACE_OFFICER
            else profile.title,
            unit=_unit(builder, profile),
            starts_on=start,
            ends_on=end,
        )


def _unit(builder: Builder, profile: Profile) -> str:
    if profile.discipline == Discipline.TELECOMMUNICATOR:
        return builder.rng.choice(["A shift", "B shift", "C shift"])
    if profile.discipline != Discipline.PEACE_OFFICER:
        return ""
    return builder.rng.choice(["Patrol", "Patrol", "Investigations", "Traffic"])


def _license(builder: Builder, person: Person, profile: Profile) -> date:
    today, rng = builder.today, builder.rng
    if profile.habit == "new":
        licensed_on = builder.day_in(today.year, 1, max(1, min(today.month - 1, 6)))
    elif profile.habit == "hired":
        year = rng.randrange(today.year - YEARS_OF_HISTORY + 1, today.year - 1)
        licensed_on = builder.day_in(year, 3, 9)
    else:
        year = rng.randrange(1998, today.year - YEARS_OF_HISTORY - 1)
        licensed_on = date(year, rng.randrange(1, 13), 1)
    License.objects.create(
        person=person,
        jurisdiction=profile.state,
        discipline=profile.discipline,
        number=f"{profile.state}{person.pk:03d}{rng.randrange(10**4, 10**5)}",
        license_class="A" if profile.state == State.MO else "",
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
                agency=builder.agency_on(person, date(year, 1, 10)),
                approved_by=builder.entered_by,
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
    if profile.habit == "late" and year == builder.today.year:
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
    if profile.habit == "short" and year == builder.today.year - 1:
        plan = plan[1:]
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


def _fail_then_pass(builder: Builder) -> None:
    """One Alabama officer failed a qualification a week before passing it."""
    passed = next(q for q in builder.qualifications if q.result == "pass")
    builder.qualify(
        passed.person, passed.agency, passed.qualified_on - timedelta(days=7), "fail"
    )


def _save(builder: Builder) -> None:
    _set_natural_keys(builder)
    records = TrainingRecord.objects.bulk_create([r for r, _ in builder.records])
    CreditLine.objects.bulk_create(
        CreditLine(record=record, hours=hours, area=area, topics=list(topics))
        for record, (_, course) in zip(records, builder.records, strict=True)
        for hours, area, topics in course.lines
    )
    Exemption.objects.bulk_create(builder.exemptions)
    Qualification.objects.bulk_create(builder.qualifications)
    # The demo's rows are on the trail like any others, so `audit verify` is clean.
    for model in (Person, License, Employment):
        log_created(model.objects.filter(pk__in=_demo_rows(model)), **_by(builder))
    # Whose record, as a training record's own entry says ("Bob Baker: Patrol ...").
    log_created(records, label=record_label, **_by(builder))
    for rows in (builder.exemptions, builder.qualifications):
        log_created(rows, **_by(builder))


def _set_natural_keys(builder: Builder) -> None:
    taken = set()
    for record, course in builder.records:
        key = record.compute_natural_key(sum(h for h, _, _ in course.lines))
        live = not record.is_void
        # Two random visits to one course on one day are one training: the
        # second keeps no key (verify lists it), rather than failing the seed.
        record.natural_key = None if live and key in taken else key
        if live:
            taken.add(key)


def _demo_rows(model):
    people = Person.objects.filter(external_id__startswith=DEMO_MARK)
    if model is Person:
        return people.values("pk")
    return model.objects.filter(person__in=people).values("pk")


def _by(builder: Builder) -> dict:
    return {"reason": "Demo data (seed_demo)", "actor": builder.entered_by}
