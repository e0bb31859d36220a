"""A varied agency staff for comparing the compliance report of an old year with
what each person's own standing says (test_export_jobs.py, benchmarks/exports.py).

People hold licenses in every encoded state and one that is not, in every
discipline, some lapsed, some licensed after the year asked, some with a break in
service, a second state or none at all; records of every area, delivery and
provider over eight years, qualifications passed and failed, and waivers and
extensions approved, proposed or for some requirements only.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from muster.agencies import compliance
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
from muster.transfers import exports

STATES = ["AL", "CA", "FL", "GA", "IL", "MO", "MS", "OH", "TN", "TX", "WY"]
DISCIPLINES = [
    "peace-officer",
    "peace-officer",
    "peace-officer",
    "deputy-sheriff",
    "corrections",
    "telecommunicator",
    "chief",
    "reserve",
    "civilian",
]
ATTRIBUTES = [
    "traffic-enforcement",
    "carries-rifle",
    "part-time",
    "new-chief",
    "middle-management",
]
AREAS = ["legal", "technical", "interpersonal", "skill-development", ""]
TOPICS = [
    [],
    [],
    [],
    ["implicit-bias"],
    ["de-escalation"],
    ["racial-profiling"],
    ["firearms"],
    ["mental-health", "crisis-intervention"],
    ["use-of-force"],
    ["legislative-update"],
    ["ethics"],
    ["domestic-violence"],
    ["tci-in-service"],
]
PROVIDERS = [
    "approved-provider",
    "in-service",
    "out-of-state",
    "academy",
    "college",
    "instructor",
    "other",
]


def varied_staff(agency: Agency, people: int, seed: int = 7) -> list[Person]:
    """`people` people employed by `agency` today, with their histories, saved in
    bulk (no standing is refreshed: the years compared are not stored)."""
    rng = random.Random(seed)
    persons = Person.objects.bulk_create(
        Person(
            first_name=f"First{i}",
            last_name=f"Last{rng.randrange(people):05d}",  # some share a name
            external_id=f"V{i:05d}",
            discipline=rng.choice(DISCIPLINES),
        )
        for i in range(people)
    )
    licenses, jobs, records, qualifications, exemptions = [], [], [], [], []
    for person in persons:
        jobs.append(
            Employment(
                person=person,
                agency=agency,
                title=rng.choice(["Officer", "Sergeant", "Dispatcher", ""]),
                starts_on=date(2012, 1, 1) + timedelta(days=rng.randrange(3000)),
            )
        )
        held = [] if rng.random() < 0.04 else [rng.choice(STATES)]
        if held and rng.random() < 0.1:
            held.append(rng.choice([s for s in STATES if s != held[0]]))
        for state in held:
            licenses.append(_license(rng, person, state))
        for n in range(rng.randrange(0, 30)):
            records.append(
                TrainingRecord(
                    person=person,
                    agency=agency,
                    title=f"Course {n}",
                    completed_on=date(2018, 1, 1) + timedelta(days=rng.randrange(3200)),
                    delivery=rng.choice(["live", "live", "online"]),
                    provider_kind=rng.choice(PROVIDERS),
                    result=rng.choice(["", "", "", "pass", "fail"]),
                    counts_for=None,
                    approval=rng.choice(["approved"] * 9 + ["pending"]),
                    is_void=(void := rng.random() < 0.03),
                    void_reason="Entered twice" if void else "",
                )
            )
        for _ in range(rng.randrange(0, 4)):
            qualifications.append(
                Qualification(
                    person=person,
                    agency=agency,
                    qualified_on=date(2018, 1, 1) + timedelta(days=rng.randrange(3200)),
                    weapon_type=rng.choice(["Handgun", "Rifle", "Shotgun"]),
                    result=rng.choice(["pass", "pass", "pass", "fail"]),
                    is_void=(void := rng.random() < 0.05),
                    void_reason="Wrong range" if void else "",
                )
            )
        if rng.random() < 0.12:
            start = date(2019, 1, 1) + timedelta(days=rng.randrange(2000))
            exemptions.append(
                Exemption(
                    person=person,
                    agency=agency,
                    kind=rng.choice(["waiver", "extension"]),
                    starts_on=start,
                    ends_on=start + timedelta(days=rng.randrange(30, 400)),
                    reason="Leave",
                    requirements=rng.choice([[], [], ["firearms"]]),
                    approval=rng.choice(["approved", "approved", "pending"]),
                )
            )
    License.objects.bulk_create(licenses)
    Employment.objects.bulk_create(jobs)
    TrainingRecord.objects.bulk_create(records)
    CreditLine.objects.bulk_create(
        CreditLine(
            record=record,
            hours=Decimal(rng.choice([0, 1, 1, 2, 2, 3, 4, 8, 16, 24])) / 2,
            area=rng.choice(AREAS),
            topics=rng.choice(TOPICS),
        )
        for record in records
        for _ in range(rng.choice([1, 1, 1, 2]))
    )
    Qualification.objects.bulk_create(qualifications)
    Exemption.objects.bulk_create(exemptions)
    return persons


def _license(rng: random.Random, person: Person, state: str) -> License:
    discipline = person.discipline
    licensed_on = date(1995, 1, 1) + timedelta(days=rng.randrange(11500))
    separated = returned = None
    if rng.random() < 0.08:
        separated = licensed_on + timedelta(days=rng.randrange(200, 4000))
        returned = separated + timedelta(days=rng.randrange(30, 3000))
    return License(
        person=person,
        jurisdiction=state,
        discipline=discipline,
        number=f"{state}{person.pk:06d}",
        licensed_on=None if rng.random() < 0.03 else licensed_on,
        status=rng.choice(["active"] * 10 + ["lapsed", "inactive"]),
        attributes=rng.sample(ATTRIBUTES, rng.choice([0, 0, 1, 1, 2])),
        appointed_on=licensed_on + timedelta(days=rng.randrange(3000))
        if discipline == "chief"
        else None,
        separated_on=separated,
        returned_on=returned,
    )


def per_person_rows(people, agency: Agency, year: int, today: date) -> list:
    """The report's rows as each person's own standing (`standing_for`, the
    person page's engine) gives them, one person after another: what the report
    of a year whose standings are not stored must say."""
    rows = []
    for person in exports.staff(people, agency, today):
        jobs = [job for job in person.employments.all() if job.agency_id == agency.pk]
        base = (
            person.last_name,
            person.first_name,
            person.external_id,
            jobs[0].title if jobs else "",
        )
        for standing in compliance.standing_for(person, year, today):
            lic = standing.license
            if not standing.mandates:
                rows.append(
                    exports.StandingRow(
                        *base,
                        lic.jurisdiction,
                        lic.number,
                        "",
                        year,
                        "",
                        "not evaluated",
                        standing.not_evaluated,
                    )
                )
            for mandate in standing.mandates:
                short = [
                    f"{r.label}: {exports.plain_number(r.earned)}/"
                    f"{exports.plain_number(r.required)} {r.unit}"
                    for r in mandate.result.requirements
                    if r.earned < r.required
                    and r.status not in ("exempt", "not-applicable")
                ]
                rows.append(
                    exports.StandingRow(
                        *base,
                        lic.jurisdiction,
                        lic.number,
                        mandate.mandate.title,
                        year,
                        str(mandate.due_on or ""),
                        mandate.status,
                        "; ".join(short),
                    )
                )
    return rows
