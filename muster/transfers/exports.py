"""What an agency exports: its compliance report and the states' submission files.

Each function takes rows the caller got through `muster.accounts.access` and
returns plain rows (lists of strings) for the CSV writer or the PDF builder.
Formats are described in docs/exports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum

from muster.agencies import compliance
from muster.agencies.compliance import words
from muster.agencies.compliance.figures import kept_years
from muster.agencies.models import (
    Agency,
    Employment,
    License,
    Person,
    Standing,
    TrainingRecord,
)
from muster.tabular.escape import csv_bytes

COMPLIANCE_HEADER = [
    "Last name",
    "First name",
    "Badge or ID",
    "Rank or title",
    "State",
    "License number",
    "Mandate",
    "Year",
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
        *compliance.EVALUATION_PREFETCH, "employments"
    )


def _rank(person: Person, agency: Agency) -> str:
    jobs = [job for job in person.employments.all() if job.agency_id == agency.pk]
    return jobs[0].title if jobs else ""


@dataclass(frozen=True)
class StandingRow:
    """One person's standing under one mandate, for the compliance report."""

    last_name: str
    first_name: str
    external_id: str
    rank: str
    state: str
    license_number: str
    mandate: str
    year: int
    due: str
    status: str
    short_of: str

    def cells(self) -> list[str]:
        return [
            self.last_name,
            self.first_name,
            self.external_id,
            self.rank,
            self.state,
            self.license_number,
            self.mandate,
            str(self.year),
            self.due,
            self.status,
            self.short_of,
        ]


def compliance_rows(
    people, agency: Agency, year: int, today: date
) -> list[StandingRow]:
    """A row per person and mandate (or per person not evaluated, with the reason).

    The years whose standings are stored come from them, as the dashboard shows
    them (one due date, extensions included); older years judge the agency's
    staff in one batch, as each person's own standing would.
    """
    if year in kept_years(today):
        return _rows_from_standings(people, agency, year, today)
    return _rows_judged(people, agency, year, today)


def _rows_from_standings(people, agency: Agency, year: int, today: date):
    visible = staff(people, agency, today).prefetch_related(None)
    ids = set(visible.values_list("pk", flat=True))
    found = (
        compliance.board.summaries(agency, year, today)
        .filter(person_id__in=ids)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person_id")
    )
    numbers = dict(
        ((pk, state), number)
        for pk, state, number in License.objects.filter(person__in=ids).values_list(
            "person_id", "jurisdiction", "number"
        )
    )
    titles: dict[int, str] = {}
    for pk, title in (
        Employment.objects.current(today)
        .filter(agency=agency, person_id__in=ids)
        .values_list("person_id", "title")
    ):
        titles.setdefault(pk, title)
    cells: dict[int, list] = {}
    for standing in Standing.objects.filter(person_id__in=ids, year=year).order_by(
        "mandate_title"
    ):
        cells.setdefault(standing.person_id, []).append(standing)
    rows = []
    for summary in found:
        person = summary.person
        base = (
            person.last_name,
            person.first_name,
            person.external_id,
            titles.get(person.pk, ""),
        )
        mine = cells.get(person.pk, [])
        if not mine:
            rows.append(
                StandingRow(
                    *base, "", "", "", year, "", "not evaluated", summary.not_evaluated
                )
            )
        for standing in mine:
            state = standing.jurisdiction
            rows.append(
                StandingRow(
                    *base,
                    state,
                    numbers.get((person.pk, state), ""),
                    standing.mandate_title,
                    year,
                    str(standing.due_on or ""),
                    standing.status_on(today),
                    "; ".join(_short_of(standing.requirements)),
                )
            )
    return rows


def _short_of(requirements: list[dict]) -> list[str]:
    return [
        f"{r['label']}: {plain_number(Decimal(r['earned']))}/"
        f"{plain_number(Decimal(r['required']))} {r['unit']}"
        for r in requirements
        if Decimal(r["earned"]) < Decimal(r["required"])
        and r["status"] not in ("exempt", "not-applicable")
    ]


def _rows_judged(people, agency, year: int, today: date) -> list[StandingRow]:
    """The rows of a year whose standings are not stored: the agency's staff
    judged on `today` in one batch (`compliance.judge_people`), each person's
    licenses and mandates in the order, and with the words, of their own
    standing (`standing_for`). Plain rows are read, not model instances."""
    on_staff = staff(people, agency, today).prefetch_related(None)
    judged = compliance.judge_people(on_staff, year, today)
    titles: dict[int, str] = {}
    jobs = Employment.objects.filter(agency=agency, person__in=on_staff.values("pk"))
    for pk, title in jobs.order_by("-starts_on", "pk").values_list(
        "person_id", "title"
    ):
        titles.setdefault(pk, title)  # the latest job there, as `_rank` reads it
    rows = []
    for pk, last, first, badge in on_staff.values_list(
        "pk", "last_name", "first_name", "external_id"
    ):
        base = (last, first, badge, titles.get(pk, ""))
        for standing in judged.get(pk, ()):
            lic = standing.license
            if not standing.mandates:
                rows.append(
                    StandingRow(
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
                rows.append(
                    StandingRow(
                        *base,
                        lic.jurisdiction,
                        lic.number,
                        *_mandate_cells(mandate, year),
                    )
                )
    return rows


def _mandate_cells(judged: compliance.Judged, year: int) -> tuple:
    """Title, year, due date, status and what is short, under one mandate."""
    short = [
        f"{r.label}: {plain_number(r.earned)}/{plain_number(r.required)} {r.unit}"
        for r in judged.requirements
        if r.earned < r.required and r.status not in ("exempt", "not-applicable")
    ]
    return (
        judged.mandate.title,
        year,
        str(judged.due_on or ""),
        judged.status,
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
    """Missouri CLEE roster: every counting record of `year` of MO-licensed staff.

    One query, summing hours in the database, so a large agency's year of records
    is not loaded row by row.
    """
    on_staff = staff(people, agency, today).prefetch_related(None)
    licenses = License.objects.filter(person=OuterRef("person"), jurisdiction="MO")
    records = (
        TrainingRecord.objects.valid()
        .filter(person__in=on_staff.values("pk"))
        .filter(Q(completed_on__year=year) | Q(counts_for=year))
        .annotate(
            license_number=Subquery(licenses.values("number")[:1]),
            hours=Sum("credit_lines__hours"),
        )
        .filter(license_number__isnull=False)
        .order_by(
            "person__last_name", "person__first_name", "person_id", "completed_on", "pk"
        )
        .values_list(
            "person__first_name",
            "person__last_name",
            "license_number",
            "title",
            "completed_on",
            "hours",
            "course_number",
            "provider_name",
        )
    )
    return [
        [
            f"{first} {last}",
            number,
            title,
            done.isoformat(),
            plain_number(hours or Decimal(0)),
            course,
            provider,
        ]
        for first, last, number, title, done, hours, course, provider in records
    ]


def printer_name(user) -> str:
    """Who printed a report, as the certification block names them."""
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


def compliance_file(
    rows: list[StandingRow],
    agency: Agency,
    year: int,
    today: date,
    fmt: str,
    *,
    printed_by: str,
    printed_at,
) -> bytes:
    """The compliance report as the bytes of its CSV or PDF: one builder for the
    download made in the request and the one a task worker stores."""
    # Imported here: the PDF builder imports this module (plain_number).
    from muster.transfers import pdf

    if fmt == "csv":
        return csv_bytes(COMPLIANCE_HEADER, [r.cells() for r in rows])
    return pdf.compliance_report(
        agency,
        rows,
        status_counts(rows),
        year,
        today,
        printed_by=printed_by,
        printed_at=printed_at,
        rules=words.rules_summary([agency.state, *(r.state for r in rows)]),
    )
