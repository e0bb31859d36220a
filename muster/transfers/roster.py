"""Roster import: people, their license in one state and their job at the agency.

A row is matched to an existing person by license number and state, so importing
the same file twice changes nothing. People already on another agency's staff keep
their details; the import only adds their employment here (a lateral transfer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from muster.agencies.choices import Discipline, LicenseStatus, State
from muster.agencies.models import Agency, Employment, License, Person
from muster.audit.choices import Action
from muster.audit.log import Event, record_event, record_events, snapshot
from muster.audit.records import action_for
from muster.transfers import cells
from muster.transfers.columns import (
    Column,
    ImportPlan,
    Problem,
    RowPlan,
    mapping_problems,
    parse_rows,
)
from muster.transfers.tables import Table

COLUMNS = (
    Column("first_name", "First name", True, ("first", "given name", "firstname")),
    Column("last_name", "Last name", True, ("last", "surname", "family name")),
    Column(
        "license_number",
        "License number",
        True,
        ("license", "license no", "licence number", "cert number", "dsn", "post id"),
    ),
    Column(
        "state",
        "State",
        False,
        ("license state", "jurisdiction"),
        "Two-letter code; blank means the agency's state.",
    ),
    Column(
        "discipline",
        "Discipline",
        True,
        ("license type", "type"),
        "Peace officer, telecommunicator, corrections, chief, reserve...",
    ),
    Column("license_class", "Class", False, ("license class",)),
    Column("licensed_on", "Licensed on", False, ("license date", "licensed")),
    Column("license_status", "License status", False, ("status",)),
    Column(
        "attributes",
        "Attributes",
        False,
        ("duties",),
        "Words separated by semicolons, such as traffic-enforcement.",
    ),
    Column(
        "external_id",
        "Badge or ID",
        False,
        ("badge", "id", "employee id", "badge number", "personnel number"),
    ),
    Column("email", "Email", False, ("e-mail", "email address")),
    Column("title", "Rank or title", False, ("rank", "title", "position")),
    Column("unit", "Unit", False, ("division", "assignment")),
    Column("hired_on", "Hired on", False, ("hire date", "start date", "hired")),
)
LABELS = {column.key: column.label for column in COLUMNS}
PERSON_FIELDS = ("first_name", "last_name", "external_id", "email", "discipline")
LICENSE_FIELDS = ("discipline", "license_class", "licensed_on", "status", "attributes")


@dataclass
class RosterRow:
    """One row's values, parsed; None where the file's cell was blank or absent."""

    row: int
    values: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.values["state"], self.values["license_number"])

    @property
    def name(self) -> str:
        return f"{self.values['first_name']} {self.values['last_name']}"


@dataclass
class RosterPlan(ImportPlan):
    """The roster's rows and problems, and the licenses they matched."""

    matches: dict = field(default_factory=dict)


def plan_roster(agency: Agency, table: Table, mapping: dict) -> RosterPlan:
    """Read and check every row, and say what confirming would create or change."""
    problems = mapping_problems(COLUMNS, mapping)
    if problems:
        return RosterPlan([], problems)
    rows, problems = parse_rows(
        table,
        lambda number, row_cells: _parse_row(agency, number, row_cells, table, mapping),
        "people",
    )
    problems += _duplicates(rows)
    plan = RosterPlan(rows, problems)
    if not problems:
        _plan_rows(agency, plan)
    return plan


def _parse_row(agency, number, row_cells, table, mapping):
    problems = []
    if len(row_cells) > len(table.headers) and any(row_cells[len(table.headers) :]):
        problems.append(Problem("has more cells than the header row", number))
    values = {}
    for column in COLUMNS:
        index = mapping.get(column.key)
        text = row_cells[index] if index is not None and index < len(row_cells) else ""
        try:
            values[column.key] = _parse_cell(column, text, agency)
        except cells.CellProblem as problem:
            problems.append(Problem(str(problem), number, column.label))
            values[column.key] = None
    return RosterRow(number, values), problems


def _parse_cell(column: Column, text: str, agency: Agency):
    if not text:
        if column.required:
            raise cells.CellProblem("is blank; it is required")
        return agency.state if column.key == "state" else None
    parsers = {
        "state": lambda t: cells.parse_choice(t.upper(), State),
        "discipline": lambda t: cells.parse_choice(t, Discipline),
        "license_status": lambda t: cells.parse_choice(t, LicenseStatus),
        "licensed_on": cells.parse_date,
        "hired_on": cells.parse_date,
        "attributes": cells.parse_words,
        "email": _parse_email,
        "license_number": lambda t: cells.parse_text(t.upper(), 40),
        "license_class": lambda t: cells.parse_text(t.upper(), 10),
        "external_id": lambda t: cells.parse_text(t, 40),
    }
    parser = parsers.get(column.key, lambda t: cells.parse_text(t, 100))
    return parser(text)


def _parse_email(text: str) -> str:
    try:
        validate_email(text)
    except ValidationError:
        raise cells.CellProblem(f"{text!r} is not an email address") from None
    return text


def _duplicates(rows: list[RosterRow]) -> list[Problem]:
    first_seen: dict[tuple, int] = {}
    problems = []
    for row in rows:
        if row.values["license_number"] is None or row.values["state"] is None:
            continue
        if row.key in first_seen:
            problems.append(
                Problem(
                    f"{row.key[0]} license {row.key[1]} is also on row "
                    f"{first_seen[row.key]}; each license may appear once",
                    row.row,
                    LABELS["license_number"],
                )
            )
        else:
            first_seen[row.key] = row.row
    return problems


def _plan_rows(agency: Agency, plan: RosterPlan) -> None:
    plan.matches = _existing_licenses(plan.rows)
    staff = _current_staff(agency, plan.matches.values())
    for row in plan.rows:
        license = plan.matches.get(row.key)
        if license is None:
            plan.plans.append(RowPlan(row.row, "create", row.name))
        elif license.person_id not in staff:
            plan.plans.append(
                RowPlan(
                    row.row,
                    "update",
                    str(license.person),
                    [f"joins {agency.name} (already licensed; details kept)"],
                )
            )
        else:
            changes = _changes(row, license, staff[license.person_id])
            action = "update" if changes else "unchanged"
            plan.plans.append(RowPlan(row.row, action, str(license.person), changes))


def _existing_licenses(rows: list[RosterRow]) -> dict[tuple, License]:
    numbers = {row.key[1] for row in rows}
    found: dict[tuple, License] = {}
    chunk = sorted(numbers)
    for start in range(0, len(chunk), 900):
        for license in License.objects.filter(
            number__in=chunk[start : start + 900]
        ).select_related("person"):
            found[(license.jurisdiction, license.number)] = license
    return found


def _current_staff(agency: Agency, licenses) -> dict[int, Employment]:
    ids = [license.person_id for license in licenses]
    staff = {}
    for start in range(0, len(ids), 900):
        for job in Employment.objects.current().filter(
            agency=agency, person_id__in=ids[start : start + 900]
        ):
            staff[job.person_id] = job
    return staff


def _wanted(row: RosterRow) -> dict[str, dict]:
    """The values the row sets on each model; blank optional cells set nothing."""
    v = row.values
    person = {k: v[k] for k in PERSON_FIELDS if v.get(k) is not None}
    license = {
        "discipline": v["discipline"],
        "license_class": v["license_class"],
        "licensed_on": v["licensed_on"],
        "status": v["license_status"],
        "attributes": v["attributes"],
    }
    job = {"title": v["title"], "unit": v["unit"]}
    return {
        "person": person,
        "license": {k: x for k, x in license.items() if x is not None},
        "job": {k: x for k, x in job.items() if x is not None},
    }


def _changes(row: RosterRow, license: License, job: Employment) -> list[str]:
    changes = []
    wanted = _wanted(row)
    for obj, values in (
        (license.person, wanted["person"]),
        (license, wanted["license"]),
        (job, wanted["job"]),
    ):
        for name, value in values.items():
            old = getattr(obj, name)
            if old != value:
                changes.append(
                    f"{name.replace('_', ' ')}: {old or '(blank)'} → {value}"
                )
    return changes


def apply_roster(agency: Agency, plan: RosterPlan, *, actor, reason: str) -> dict:
    """Write the plan in one transaction; refuse a plan with problems."""
    if plan.problems:
        raise ValueError("An import with problems cannot be applied.")
    today = timezone.localdate()
    with transaction.atomic():
        new_rows = [
            row
            for row, p in zip(plan.rows, plan.plans, strict=True)
            if p.action == "create"
        ]
        _create_people(agency, new_rows, today, actor, reason)
        staff = _current_staff(agency, plan.matches.values())
        for row, row_plan in zip(plan.rows, plan.plans, strict=True):
            if row_plan.action == "update":
                _update(agency, row, plan.matches[row.key], staff, today, actor, reason)
    return {action: plan.count(action) for action in ("create", "update", "unchanged")}


def _create_people(agency, rows, today, actor, reason) -> None:
    people = Person.objects.bulk_create(
        Person(**{"external_id": "", "email": "", **_wanted(row)["person"]})
        for row in rows
    )
    licenses = License.objects.bulk_create(
        License(
            person=person,
            jurisdiction=row.values["state"],
            number=row.values["license_number"],
            **{"attributes": [], **_wanted(row)["license"]},
        )
        for person, row in zip(people, rows, strict=True)
    )
    jobs = Employment.objects.bulk_create(
        Employment(
            person=person,
            agency=agency,
            starts_on=_start(row, today),
            **_wanted(row)["job"],
        )
        for person, row in zip(people, rows, strict=True)
    )
    record_events(
        [
            Event(
                action,
                actor=actor,
                obj=obj,
                agency_id=agency.pk,
                reason=reason,
                after=snapshot(obj),
                label=f"{person}: {obj}" if obj is not person else "",
            )
            for person, license, job in zip(people, licenses, jobs, strict=True)
            for action, obj in (
                (Action.PERSON_CREATE, person),
                (Action.LICENSE_CREATE, license),
                (Action.EMPLOYMENT_CREATE, job),
            )
        ]
    )


def _start(row: RosterRow, today: date) -> date:
    return row.values["hired_on"] or today


def _update(agency, row, license, staff, today, actor, reason) -> None:
    person = license.person
    job = staff.get(person.pk)
    if job is None:
        job = Employment.objects.create(
            person=person,
            agency=agency,
            starts_on=_start(row, today),
            **_wanted(row)["job"],
        )
        record_event(
            Action.EMPLOYMENT_CREATE,
            actor=actor,
            obj=job,
            agency_id=agency.pk,
            reason=reason,
            after=snapshot(job),
        )
        return
    wanted = _wanted(row)
    for obj, values in (
        (person, wanted["person"]),
        (license, wanted["license"]),
        (job, wanted["job"]),
    ):
        before = snapshot(obj)
        changed = [
            name for name, value in values.items() if getattr(obj, name) != value
        ]
        if not changed:
            continue
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        record_event(
            action_for(type(obj), created=False),
            actor=actor,
            obj=obj,
            agency_id=agency.pk,
            reason=reason,
            before=before,
            after=snapshot(obj),
        )
