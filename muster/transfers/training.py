"""Training import: historical records from another system, one record a row.

The person is found by license number (and state) among the agency's current
staff. A row whose person already has a live record with the same title, date and
course number is unchanged, so importing the same file twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from muster.agencies import compliance
from muster.agencies.actions import NewTraining, lock_agency_imports, record_trainings
from muster.agencies.choices import (
    Area,
    Delivery,
    ProviderKind,
    RecordSource,
    Result,
    State,
)
from muster.agencies.models import (
    Agency,
    Employment,
    License,
    TrainingRecord,
    natural_key,
)
from muster.tabular import CellProblem, Table, cells
from muster.transfers.columns import (
    Column,
    ImportPlan,
    ParsedRow,
    RowPlan,
    mapping_problems,
    parse_rows,
    synonyms,
)

AREA_COLUMNS = {f"{area.value.replace('-', '_')}_hours": area.value for area in Area}
COLUMNS = (
    Column(
        "license_number",
        "License number",
        True,
        (
            "license",
            "license no",
            "licence number",
            "dsn",
            "post id",
            "post number",
            "certification number",
        ),
        example="MO123456",
    ),
    Column(
        "state",
        "State",
        False,
        ("license state",),
        "Two-letter code; blank means the agency's state.",
        choices=tuple(State.choices),
    ),
    Column(
        "title",
        "Course title",
        True,
        ("title", "course", "course name", "class", "class name", "training"),
        example='ALERRT "Stop the Killing" refresher',
    ),
    Column(
        "completed_on",
        "Completed on",
        True,
        (
            "date",
            "completion date",
            "completed",
            "date completed",
            "end date",
            "training date",
            "class date",
        ),
        example="2024-03-01",
    ),
    Column("started_on", "Started on", False, ("start date", "date started")),
    Column(
        "hours",
        "Hours",
        False,
        ("credit hours", "total hours", "ce hours", "clee hours", "training hours"),
        "Hours for the area and topics columns.",
        example="8",
    ),
    Column(
        "area",
        "Area",
        False,
        ("curriculum area", "category", "clee category", "clee area", "subject area"),
        choices=tuple(Area.choices),
        synonyms=(
            ("legal", Area.LEGAL),
            ("technical", Area.TECHNICAL),
            ("interpersonal", Area.INTERPERSONAL),
            ("skill", Area.SKILL_DEVELOPMENT),
            ("skills", Area.SKILL_DEVELOPMENT),
        ),
        example="Skill development",
    ),
    Column(
        "topics",
        "Topics",
        False,
        ("topic", "subjects", "topic category"),
        "Topics separated by semicolons; the allowed ones are listed below.",
        example="active-shooter; firearms",
    ),
    *(
        Column(key, f"{Area(area).label} hours", False)
        for key, area in AREA_COLUMNS.items()
    ),
    Column(
        "provider_name",
        "Provider",
        False,
        ("provider name", "academy", "training provider", "sponsor", "vendor"),
        example="Riverton Regional Academy",
    ),
    Column(
        "provider_kind",
        "Provider kind",
        False,
        ("provider type",),
        choices=tuple(ProviderKind.choices),
        synonyms=(
            ("approved", ProviderKind.APPROVED_PROVIDER),
            ("in house", ProviderKind.IN_SERVICE),
            ("agency", ProviderKind.IN_SERVICE),
        ),
    ),
    Column(
        "delivery",
        "Delivery",
        False,
        ("method", "format", "delivery method", "training type", "mode"),
        choices=tuple(Delivery.choices),
        synonyms=(
            ("classroom", Delivery.LIVE),
            ("in person", Delivery.LIVE),
            ("in-person", Delivery.LIVE),
            ("instructor led", Delivery.LIVE),
            ("live virtual", Delivery.LIVE),
            ("range", Delivery.LIVE),
            ("web", Delivery.ONLINE),
            ("web based", Delivery.ONLINE),
            ("e-learning", Delivery.ONLINE),
            ("self-paced", Delivery.ONLINE),
            ("computer based", Delivery.ONLINE),
        ),
        example="Classroom",
    ),
    Column(
        "result",
        "Result",
        False,
        ("pass fail", "outcome", "pass/fail"),
        choices=tuple(Result.choices),
        synonyms=(("passed", Result.PASS), ("failed", Result.FAIL)),
        example="Pass",
    ),
    Column(
        "course_number",
        "Course number",
        False,
        (
            "approval number",
            "course control number",
            "course id",
            "ccn",
            "course no",
            "course code",
        ),
        example="MO-24-0117",
    ),
)
LABELS = {column.key: column.label for column in COLUMNS}


def columns() -> tuple[Column, ...]:
    """COLUMNS with the topics' allowed values, read from the engine's vocabulary."""
    topics = tuple(compliance.topic_choices())
    return tuple(
        replace(column, choices=topics) if column.key == "topics" else column
        for column in COLUMNS
    )


class TrainingRow(ParsedRow):
    """One training row, and the credit lines (hours, area, topics) it makes."""

    def __init__(self, row: int, values: dict) -> None:
        super().__init__(row, values)
        self.lines: list[tuple[Decimal, str, list[str]]] = []

    @property
    def key(self) -> tuple:
        v = self.values
        return (
            v["state"],
            v["license_number"],
            v["title"],
            v["completed_on"],
            v["course_number"] or "",
        )


@dataclass
class TrainingPlan(ImportPlan):
    """The training rows and problems, and the people they matched."""

    people: dict = field(default_factory=dict)


def plan_training(agency: Agency, table: Table, mapping: dict) -> TrainingPlan:
    """Read and check every row, and say which records confirming would add."""
    problems = mapping_problems(table.name, COLUMNS, mapping)
    if problems:
        return TrainingPlan([], problems, file=table.name)
    today = timezone.localdate()
    parsed, problems = parse_rows(
        table,
        COLUMNS,
        mapping,
        lambda column, text: parse_cell(column, text, today, synonyms(column, mapping)),
        "training",
    )
    plan = TrainingPlan([], problems, file=table.name)
    failed = {problem.row for problem in problems}
    for row in parsed:
        training_row = TrainingRow(row.row, row.values)
        training_row.values["state"] = training_row.values["state"] or agency.state
        plan.rows.append(training_row)
        if row.row not in failed:
            _build_lines(plan, training_row)
    if not plan.problems:
        _plan_rows(agency, plan)
    return plan


def parse_cell(column: Column, text: str, today, synonyms: dict):
    """The value of one non-blank cell of `column`, or raise CellProblem."""
    if column.key in AREA_COLUMNS or column.key == "hours":
        return cells.parse_hours(text)
    if column.key == "topics":
        return parse_topics(text, synonyms)
    if column.choices:
        if column.key == "state":
            text = text.upper()
        return cells.parse_choice(text, column.choices, column.label.lower(), synonyms)
    parsers = {
        "completed_on": lambda t: cells.parse_date(t, today=today),
        "started_on": lambda t: cells.parse_date(t, today=today),
        "license_number": lambda t: cells.parse_text(t.upper(), 40),
        "title": lambda t: cells.parse_text(t, 200),
        "provider_name": lambda t: cells.parse_text(t, 200),
        "course_number": lambda t: cells.parse_text(t, 60),
    }
    return parsers[column.key](text)


def parse_topics(text: str, synonyms: dict) -> list[str]:
    """Topics separated by semicolons, each by its key or its name, any case."""
    choices = compliance.topic_choices()
    try:
        return cells.parse_choices(text, choices, "topic", synonyms)
    except CellProblem as problem:
        raise CellProblem(
            problem.message, "the allowed topics are listed on the mapping page"
        ) from None


def _build_lines(plan: TrainingPlan, row: TrainingRow) -> None:
    v = row.values
    if v["hours"] is not None:
        row.lines.append((v["hours"], v["area"] or "", v["topics"] or []))
    elif v["area"] or v["topics"]:
        plan.problem(
            row.row, LABELS["hours"], "is blank, but an area or topics are given"
        )
        return
    for key, area in AREA_COLUMNS.items():
        if v[key]:
            row.lines.append((v[key], area, []))
    if not row.lines:
        plan.problem(
            row.row, LABELS["hours"], "no hours: fill Hours or one area's hours column"
        )
    elif v["started_on"] and v["started_on"] > v["completed_on"]:
        plan.problem(row.row, LABELS["started_on"], "is after the completion date")


def _plan_rows(agency: Agency, plan: TrainingPlan) -> None:
    plan.people = _staff_by_license(agency, plan.rows)
    existing = _existing_records(plan.people.values())
    seen: dict[tuple, int] = {}
    for row in plan.rows:
        state, number = row.key[:2]
        person = plan.people.get((state, number))
        if person is None:
            plan.problem(
                row.row,
                LABELS["license_number"],
                f"nobody on {agency.name}'s current roster holds {state} license "
                f"{number}; import the roster first",
            )
            continue
        if row.key in seen:
            plan.problem(
                row.row,
                LABELS["title"],
                f"repeats row {seen[row.key]} (same person, title, date and course "
                "number)",
            )
            continue
        seen[row.key] = row.row
        hours = sum((line[0] for line in row.lines), Decimal(0))
        record = existing.get((person.pk, *row.key[2:]))
        label = f"{person}: {row.values['title']} ({row.values['completed_on']})"
        if record is None:
            plan.plans.append(RowPlan(row.row, "create", label, [f"{hours} h"]))
        elif record.total_hours == hours:
            plan.plans.append(RowPlan(row.row, "unchanged", label))
        else:
            plan.problem(
                row.row,
                LABELS["hours"],
                f"{person} already has this course on this date with "
                f"{record.total_hours} h, not {hours} h; void that record on the "
                "person page first, or correct this row",
            )


def _staff_by_license(agency: Agency, rows: list[TrainingRow]) -> dict:
    staff = Employment.objects.current().filter(agency=agency).values("person")
    numbers = sorted({row.key[1] for row in rows})
    found = {}
    for start in range(0, len(numbers), 900):
        for license in License.objects.filter(
            person__in=staff, number__in=numbers[start : start + 900]
        ).select_related("person"):
            found[(license.jurisdiction, license.number)] = license.person
    return found


def _existing_records(people) -> dict:
    ids = sorted({person.pk for person in people})
    found = {}
    for start in range(0, len(ids), 900):
        records = TrainingRecord.objects.filter(
            person_id__in=ids[start : start + 900], is_void=False
        ).prefetch_related("credit_lines")
        for record in records:
            key = (
                record.person_id,
                record.title,
                record.completed_on,
                record.course_number,
            )
            found[key] = record
    return found


def apply_training(agency: Agency, plan: TrainingPlan, *, actor, reason: str) -> dict:
    """Add the new records in one transaction; refuse a plan with problems.

    Two imports of the same file confirmed at once add it once: this waits for
    any other import of the agency to finish, then leaves out rows whose natural
    key a record now has, counting them as "already_recorded".
    """
    if plan.problems:
        raise ValueError("An import with problems cannot be applied.")
    by_row = {row.row: row for row in plan.rows}
    new_rows = [by_row[p.row] for p in plan.plans if p.action == "create"]
    with transaction.atomic():
        lock_agency_imports(agency)
        wanted = [_new_training(plan.people[row.key[:2]], row) for row in new_rows]
        fresh = _not_yet_recorded(wanted)
        try:
            record_trainings(
                actor=actor,
                agency=agency,
                rows=fresh,
                source=RecordSource.IMPORT,
                reason=reason,
            )
        except IntegrityError:
            raise ValueError(
                "another agency recorded some of these trainings at the same moment; "
                "open this import again to see what is left"
            ) from None
    counts = {action: plan.count(action) for action in ("create", "unchanged")}
    counts["create"] = len(fresh)
    counts["already_recorded"] = len(wanted) - len(fresh)
    return counts


def _new_training(person, row: TrainingRow) -> NewTraining:
    v = row.values
    fields = {
        "title": v["title"],
        "started_on": v["started_on"],
        "completed_on": v["completed_on"],
        "provider_name": v["provider_name"] or "",
        "course_number": v["course_number"] or "",
        "provider_kind": v["provider_kind"] or ProviderKind.OTHER,
        "delivery": v["delivery"] or Delivery.LIVE,
        "result": v["result"] or "",
    }
    lines = [{"hours": h, "area": a, "topics": t} for h, a, t in row.lines]
    return NewTraining(person, fields, lines)


def _not_yet_recorded(wanted: list[NewTraining]) -> list[NewTraining]:
    """The rows whose natural key no live record holds (read after the lock)."""
    keys = {
        id(row): natural_key(
            row.person.pk,
            row.fields["completed_on"],
            row.fields["course_number"],
            row.fields["title"],
            sum((line["hours"] for line in row.lines), Decimal(0)),
            RecordSource.IMPORT,
        )
        for row in wanted
    }
    unique = sorted(set(keys.values()))
    taken: set[str] = set()
    for start in range(0, len(unique), 900):
        taken.update(
            TrainingRecord.objects.live()
            .filter(natural_key__in=unique[start : start + 900])
            .values_list("natural_key", flat=True)
        )
    fresh = []
    for row in wanted:
        # A second row of the file with the same key (same course number under
        # another title) is the same training: the first one stands for both.
        if keys[id(row)] not in taken:
            taken.add(keys[id(row)])
            fresh.append(row)
    return fresh
