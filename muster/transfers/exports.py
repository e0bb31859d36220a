"""What an agency exports: its compliance report and the states' submission files.

Each function takes rows the caller got through `muster.accounts.access` and
returns plain rows (lists of strings) for the CSV writer or the PDF builder.
Formats are described in docs/exports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from muster.agencies import compliance
from muster.agencies.models import Agency, Employment, Person

COMPLIANCE_HEADER = [
    "Last name",
    "First name",
    "Badge or ID",
    "Rank or title",
    "State",
    "License number",
    "Mandate",
    "Period",
    "Due",
    "Status",
    "Short of",
]
TN_HEADER = [
    "Name",
    "Rank",
    "ID number",
    "Agency",
    "In-service hours",
    "Test score",
    "Firearm qualification",
]
MO_HEADER = [
    "Officer name",
    "License number",
    "Course title",
    "Date",
    "Hours",
    "Course or approval number",
    "Provider",
]


def plain_number(value: Decimal) -> str:
    """4 for 4.00 and 1.5 for 1.50: hours and scores as people write them."""
    return format(value.normalize(), "f")


def staff(people: QuerySet[Person], agency: Agency, on: date) -> QuerySet[Person]:
    """The agency's current staff among `people`, with what evaluation reads."""
    current = Employment.objects.current(on).filter(agency=agency)
    return people.filter(pk__in=current.values("person")).prefetch_related(
        "licenses",
        "exemptions",
        "qualifications",
        "training_records__credit_lines",
        "employments",
    )


def _rank(person: Person, agency: Agency) -> str:
    jobs = [job for job in person.employments.all() if job.agency_id == agency.pk]
    return jobs[0].title if jobs else ""


@dataclass(frozen=True)
class StandingRow:
    """One person's standing under one mandate, for the compliance report."""

    person: Person
    rank: str
    state: str
    license_number: str
    mandate: str
    period: str
    due: str
    status: str
    short_of: str

    def cells(self) -> list[str]:
        p = self.person
        return [
            p.last_name,
            p.first_name,
            p.external_id,
            self.rank,
            self.state,
            self.license_number,
            self.mandate,
            self.period,
            self.due,
            self.status,
            self.short_of,
        ]


def compliance_rows(
    people, agency: Agency, year: int, today: date
) -> list[StandingRow]:
    """A row per person and mandate (or per license not evaluated, with the reason)."""
    rows = []
    for person in staff(people, agency, today):
        rank = _rank(person, agency)
        for standing in compliance.standing_for(person, year, today):
            lic = standing.license
            base = (person, rank, lic.jurisdiction, lic.number)
            if not standing.mandates:
                rows.append(
                    StandingRow(
                        *base, "", "", "", "not evaluated", standing.not_evaluated
                    )
                )
            for mandate in standing.mandates:
                rows.append(StandingRow(*base, *_mandate_cells(mandate)))
    return rows


def _mandate_cells(standing: compliance.MandateStanding) -> tuple[str, ...]:
    periods = standing.periods
    period = periods[-1] if periods else None
    short = [
        f"{r.label}: {r.earned}/{r.required} {r.unit}"
        for r in standing.result.requirements
        if r.earned < r.required and r.status not in ("exempt", "not-applicable")
    ]
    return (
        standing.mandate.title,
        f"{period.start} to {period.end}" if period else "",
        str(period.due_on) if period else "",
        standing.status,
        "; ".join(short),
    )


def status_counts(rows: list[StandingRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def tennessee_rows(people, agency: Agency, year: int, today: date) -> list[list[str]]:
    """TN in-service completion report (1110-04-.06): one row per TN-licensed officer.

    The rule names the fields (name, rank, ID number, agency, test score, firearm
    qualification) but no file layout; POST's own form was not found.
    """
    rows = []
    for person in staff(people, agency, today):
        license = next(
            (x for x in person.licenses.all() if x.jurisdiction == "TN"), None
        )
        if license is None:
            continue
        records = [
            r
            for r in person.training_records.all()
            if r.counts and r.completed_on.year == year
        ]
        hours = sum((r.total_hours for r in records), Decimal(0))
        tested = [r for r in records if r.result]
        rows.append(
            [
                person.get_full_name(),
                _rank(person, agency),
                license.number,
                agency.name,
                plain_number(hours),
                max(tested, key=lambda r: r.completed_on).get_result_display()
                if tested
                else "",
                _firearms(person, year),
            ]
        )
    return rows


def _firearms(person: Person, year: int) -> str:
    quals = [
        q
        for q in person.qualifications.all()
        if not q.is_void and q.qualified_on.year == year
    ]
    if quals:
        q = max(quals, key=lambda q: q.qualified_on)
        score = f" {plain_number(q.score)}" if q.score is not None else ""
        return f"{q.get_result_display()}{score} ({q.weapon_type}, {q.qualified_on})"
    for record in person.training_records.all():
        if (
            record.counts
            and record.completed_on.year == year
            and any(
                "firearms-qualification" in line.topics
                for line in record.credit_lines.all()
            )
        ):
            result = record.get_result_display() or "Recorded"
            return f"{result} ({record.title}, {record.completed_on})"
    return ""


def missouri_rows(people, agency: Agency, year: int, today: date) -> list[list[str]]:
    """Missouri CLEE roster: every counting record of `year` of MO-licensed staff."""
    rows = []
    for person in staff(people, agency, today):
        license = next(
            (x for x in person.licenses.all() if x.jurisdiction == "MO"), None
        )
        if license is None:
            continue
        for record in sorted(
            person.training_records.all(), key=lambda r: (r.completed_on, r.pk)
        ):
            if record.counts and record.is_for_year(year):
                rows.append(
                    [
                        person.get_full_name(),
                        license.number,
                        record.title,
                        record.completed_on.isoformat(),
                        plain_number(record.total_hours),
                        record.course_number,
                        record.provider_name,
                    ]
                )
    return rows
