"""Roster import: people, their license in one state and their job at the agency.

A row is matched to an existing person by license number and state, so importing
the same file twice changes nothing. A license held by someone who is not on the
agency's staff never attaches them: the row files a transfer request instead
(docs/transfers.md), and its preview says only that the license is held
elsewhere, so that a file of guessed numbers names nobody.

A row whose license nobody holds yet, but whose email is that of one of the
agency's own staff holding no license in the row's state (someone an LMS roster
sync added, docs/lti.md, or the person form without a license), adds the license
to that person instead of making a second one, and its preview says so. Only the
agency's own staff are looked at: someone else with that email is never found,
named or changed, and the row makes a new person as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from muster.agencies.choices import Discipline, LicenseStatus, State
from muster.agencies.compliance.standings import refresh_standings
from muster.agencies.models import (
    Agency,
    Employment,
    License,
    Person,
    breaks_from_stored,
    breaks_to_stored,
    earlier_breaks_problem,
)
from muster.audit.choices import Action
from muster.audit.log import Event, record_event, record_events, snapshot
from muster.audit.records import action_for
from muster.tabular import Table, cells
from muster.transfers.columns import (
    Column,
    ImportPlan,
    ParsedRow,
    RowPlan,
    mapping_problems,
    parse_rows,
    synonyms,
)
from muster.transfers.models import TransferRequest, TransferStatus

COLUMNS = (
    Column(
        "first_name",
        "First name",
        True,
        ("first", "given name", "firstname", "fname"),
        example="Pat",
    ),
    Column(
        "last_name",
        "Last name",
        True,
        ("last", "surname", "family name", "lname"),
        example="Rivera",
    ),
    Column(
        "license_number",
        "License number",
        True,
        (
            "license",
            "license no",
            "licence number",
            "cert number",
            "certification number",
            "dsn",
            "post id",
            "post number",
        ),
        example="MO123456",
    ),
    Column(
        "state",
        "State",
        False,
        ("license state", "jurisdiction"),
        "Two-letter code; blank means the agency's state.",
        choices=tuple(State.choices),
        example="MO",
    ),
    Column(
        "discipline",
        "Discipline",
        True,
        ("license type", "type", "certification type"),
        choices=tuple(Discipline.choices),
        synonyms=(
            ("officer", Discipline.PEACE_OFFICER),
            ("police officer", Discipline.PEACE_OFFICER),
            ("law enforcement", Discipline.PEACE_OFFICER),
            ("dispatcher", Discipline.TELECOMMUNICATOR),
            ("jailer", Discipline.CORRECTIONS),
            ("detention officer", Discipline.CORRECTIONS),
        ),
        example="Peace officer",
    ),
    Column("license_class", "Class", False, ("license class",), example="A"),
    Column(
        "licensed_on",
        "Licensed on",
        False,
        ("license date", "licensed", "certification date", "date licensed"),
        example="2016-05-01",
    ),
    Column(
        "appointed_on",
        "First appointed in the role",
        False,
        ("appointed on", "appointment date", "date appointed"),
        "A chief's first appointment as chief (a new chief's course is due from it).",
        example="2022-03-15",
    ),
    Column(
        "separated_on",
        "Left service on",
        False,
        ("separated on", "separation date", "break started"),
        "Start of the latest break in service.",
        example="2019-06-30",
    ),
    Column(
        "returned_on",
        "Back in service on",
        False,
        ("returned on", "rehired on", "date of rehire"),
        "Date of hire after the latest break in service.",
        example="2022-09-01",
    ),
    Column(
        "earlier_breaks",
        "Earlier breaks in service",
        False,
        ("previous breaks", "earlier breaks", "prior breaks in service"),
        "Breaks before the latest one, oldest first, each as 2015-03-01 to "
        "2017-06-30, separated by semicolons.",
        example="2012-01-15 to 2014-03-01",
    ),
    Column(
        "license_status",
        "License status",
        False,
        ("status",),
        choices=tuple(LicenseStatus.choices),
        example="Active",
    ),
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
        example="B-17",
    ),
    Column(
        "email",
        "Email",
        False,
        ("e-mail", "email address", "e-mail address"),
        example="pat.rivera@example.org",
    ),
    # "Position" is left to the coordinator: some systems mean the rank by it,
    # others the assignment (patrol, detective).
    Column("title", "Rank or title", False, ("rank", "title", "job title")),
    Column("unit", "Unit", False, ("division", "assignment")),
    Column(
        "hired_on",
        "Hired on",
        False,
        ("hire date", "start date", "hired", "date of hire", "date hired"),
        example="2016-05-01",
    ),
)
LABELS = {column.key: column.label for column in COLUMNS}
PERSON_FIELDS = ("first_name", "last_name", "external_id", "email", "discipline")
LICENSE_FIELDS = (
    "discipline",
    "license_class",
    "licensed_on",
    "status",
    "attributes",
    "appointed_on",
    "separated_on",
    "returned_on",
    "earlier_breaks",
)
# The same words for a holder employed elsewhere and for one with no employer, and
# nothing about who holds it: the preview must not tell them apart.
HELD_ELSEWHERE = "license held elsewhere: a transfer request will be sent"
ALREADY_REQUESTED = "license held elsewhere: a transfer request was already sent"
# Which details a row may change is decided by `access.kept_fields_of`, the rule
# the person form follows too; the reason in the same words (access.SHARED_REASON).
SHARED = "name, email and license kept: another agency employs this person too"
# A row adding a license to someone already on the staff (matched by email).
LICENSE_ADDED = (
    "{state} license {number} added: matched by email to this person, who held "
    "no {state} license (no new person made)"
)
# Said beside LICENSE_ADDED when the person came in by an LMS roster sync: their
# email is what the LMS sent, which a learner may be able to edit there, so the
# coordinator checks it is the license holder before confirming.
FROM_LMS_SYNC = (
    "this person was added by an LMS roster sync with the email the LMS sent, "
    "which Muster has not verified: check they are the holder of license {number} "
    "before confirming"
)
LICENSE_NOT_ADDED = (
    "matched by email to this person, who holds no {state} license, but it is "
    "not added: another agency employs this person too (a platform "
    "administrator adds it)"
)

# Choice columns whose values the coordinator may translate on the mapping page.
CHOICE_COLUMNS = ("state", "discipline", "license_status")


def columns() -> tuple[Column, ...]:
    """The columns, with every allowed value of the choice columns."""
    return COLUMNS


# (agency, person ids) -> {person id: {"person": fields, "license": fields}}: the
# shared fields the one importing may not change (`access.kept_fields_of`).
KeptFields = Callable[[Agency, list[int]], dict[int, dict[str, tuple[str, ...]]]]


class RosterRow(ParsedRow):
    """One row's values, parsed; None where the file's cell was blank or absent."""

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
    transfers: list = field(default_factory=list)
    # Row number -> the staff member (matched by email) the row adds a license to.
    additions: dict = field(default_factory=dict)


def plan_roster(
    agency: Agency, table: Table, mapping: dict, *, kept_fields: KeptFields
) -> RosterPlan:
    """Read and check every row, and say what confirming would create or change.

    `kept_fields(agency, person_ids)` says, for each person whose shared details
    the one confirming may not change, which fields stay (`access.kept_fields_of`,
    bound to the user): a row changes only the rest.
    """
    problems = mapping_problems(table.name, COLUMNS, mapping)
    if problems:
        return RosterPlan([], problems, file=table.name)
    today = timezone.localdate()
    rows, problems = parse_rows(
        table,
        COLUMNS,
        mapping,
        lambda column, text: parse_cell(column, text, today, synonyms(column, mapping)),
        "people",
    )
    rows = [RosterRow(row.row, row.values) for row in rows]
    for row in rows:
        row.values["state"] = row.values["state"] or agency.state
    plan = RosterPlan(rows, problems, file=table.name)
    _duplicates(plan)
    _breaks_in_order(plan)
    if not plan.problems:
        _plan_rows(agency, plan, kept_fields)
    return plan


def parse_cell(column: Column, text: str, today, synonyms: dict):
    """The value of one non-blank cell of `column`, or raise CellProblem."""
    if column.choices:
        if column.key == "state":
            text = text.upper()
        return cells.parse_choice(text, column.choices, column.label.lower(), synonyms)
    parsers = {
        "licensed_on": lambda t: cells.parse_date(t, today=today),
        "appointed_on": lambda t: cells.parse_date(t, today=today),
        "separated_on": lambda t: cells.parse_date(t, today=today),
        "returned_on": lambda t: cells.parse_date(t, today=today),
        "earlier_breaks": lambda t: cells.parse_breaks(t, today=today),
        # A roster may list someone hired to start soon (the next academy class):
        # up to a year ahead, as the roster import accepted before.
        "hired_on": lambda t: cells.parse_date(
            t, today=today, latest=today + timedelta(days=366)
        ),
        "attributes": lambda t: cells.parse_words(t, kind="attribute"),
        "email": cells.parse_email,
        "license_number": lambda t: cells.parse_text(t.upper(), 40),
        "license_class": lambda t: cells.parse_text(t.upper(), 10),
        "external_id": lambda t: cells.parse_text(t, 40),
    }
    parser = parsers.get(column.key, lambda t: cells.parse_text(t, 100))
    return parser(text)


def _breaks_in_order(plan: RosterPlan) -> None:
    """A break in service ends after it starts."""
    for row in plan.rows:
        left, back = row.values["separated_on"], row.values["returned_on"]
        if left is not None and back is not None and back < left:
            plan.problem(
                row.row,
                LABELS["returned_on"],
                f"is {back}, before {LABELS['separated_on'].lower()} ({left}); a "
                "break in service ends after it starts",
            )


def _break_in_order_with(plan: RosterPlan, row: RosterRow, license: License) -> None:
    """A row that gives one end of a break keeps the license's other end: the two
    together must still be in order (else the database would refuse the import
    halfway, with no row named)."""
    given_left, given_back = row.values["separated_on"], row.values["returned_on"]
    if given_left is None and given_back is None:
        return
    left = given_left or license.separated_on
    back = given_back or license.returned_on
    if left is None or back is None or back >= left:
        return
    if given_back is not None:
        plan.problem(
            row.row,
            LABELS["returned_on"],
            f"is {back}, before the break recorded as starting on {left}; a break "
            f"in service ends after it starts (give {LABELS['separated_on'].lower()} "
            "too)",
        )
    else:
        plan.problem(
            row.row,
            LABELS["separated_on"],
            f"is {left}, after the return recorded on {back}; a break in service "
            f"ends after it starts (give {LABELS['returned_on'].lower()} too)",
        )


def _earlier_breaks_in_order(
    plan: RosterPlan, row: RosterRow, license: License | None
) -> None:
    """Earlier breaks end before the latest break starts, which must be given: the
    row's values, or the license's where the row leaves them blank."""
    given = row.values["earlier_breaks"]
    held = license.breaks_before_latest if license is not None else ()
    earlier = held if given is None else given
    left, back = row.values["separated_on"], row.values["returned_on"]
    if license is not None:
        left = left or license.separated_on
        back = back or license.returned_on
    if given is None and (license is None or not earlier):
        return
    problem = earlier_breaks_problem(earlier, left, back)
    if problem:
        column = "earlier_breaks" if given is not None else "separated_on"
        plan.problem(row.row, LABELS[column], problem[0].lower() + problem[1:-1])


def _duplicates(plan: RosterPlan) -> None:
    first_seen: dict[tuple, int] = {}
    for row in plan.rows:
        if row.values["license_number"] is None or row.values["state"] is None:
            continue
        if row.key in first_seen:
            plan.problem(
                row.row,
                LABELS["license_number"],
                f"{row.key[0]} license {row.key[1]} is also on row "
                f"{first_seen[row.key]}; each license may appear once",
            )
        else:
            first_seen[row.key] = row.row


def _plan_rows(agency: Agency, plan: RosterPlan, kept_fields: KeptFields) -> None:
    plan.matches = _existing_licenses(plan.rows)
    holders = [license.person_id for license in plan.matches.values()]
    unmatched = [row for row in plan.rows if row.key not in plan.matches]
    by_email = _staff_by_email(agency, unmatched)
    candidates = [p.pk for people in by_email.values() for p in people]
    staff = _staff(agency, holders + candidates)
    kept = kept_fields(agency, list(staff))
    requested = _requested(agency, holders)
    added_by: dict[tuple, int] = {}  # (state, person id) -> the row adding it
    for row in plan.rows:
        license = plan.matches.get(row.key)
        if license is None:
            _earlier_breaks_in_order(plan, row, None)
            person = _unlicensed_match(plan, row, by_email, added_by)
            if person is None:
                plan.plans.append(RowPlan(row.row, "create", row.name))
            else:
                _plan_addition(plan, row, person, staff[person.pk], kept)
        elif license.person_id in staff:
            job = staff[license.person_id]
            keep = kept.get(license.person_id, {})
            if not keep.get("license"):
                _break_in_order_with(plan, row, license)
                _earlier_breaks_in_order(plan, row, license)
            changes = _changes(row, license.person, license, job, keep)
            action = "update" if changes else "unchanged"
            notes = [SHARED] if keep and changes else []
            plan.plans.append(
                RowPlan(row.row, action, str(license.person), changes + notes)
            )
        else:
            # Only what the agency typed: the holder's own name stays unsaid.
            label = f"{row.name} ({row.key[0]} {row.key[1]})"
            if license.person_id in requested:
                plan.plans.append(
                    RowPlan(row.row, "unchanged", label, [ALREADY_REQUESTED])
                )
            else:
                plan.plans.append(RowPlan(row.row, "transfer", label, [HELD_ELSEWHERE]))
                plan.transfers.append((row, license))


def _staff_by_email(agency: Agency, rows: list[RosterRow]) -> dict[str, list[Person]]:
    """The agency's own staff (today or hired to start later) whose email, in
    lower case, is one of the rows': nobody else is ever looked at."""
    emails = sorted(
        {row.values["email"].lower() for row in rows if row.values["email"]}
    )
    staff = _not_ended().filter(agency=agency).values("person_id")
    found: dict[str, list[Person]] = {}
    for start in range(0, len(emails), 900):
        people = (
            Person.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails[start : start + 900], pk__in=staff)
            .prefetch_related("licenses", "lti_identities")
            .order_by("pk")
        )
        for person in people:
            found.setdefault(person.email_key, []).append(person)
    return found


def _unlicensed_match(
    plan: RosterPlan, row: RosterRow, by_email: dict, added_by: dict
) -> Person | None:
    """The one staff member with the row's email and no license in its state, to
    whom the row adds the license; None to make a new person. Several such, or
    one another row already adds a license in that state to, is a problem."""
    email = row.values["email"]
    if not email:
        return None
    state = row.values["state"]
    people = [
        person
        for person in by_email.get(email.lower(), [])
        if not any(held.jurisdiction == state for held in person.licenses.all())
    ]
    if not people:
        return None
    if len(people) > 1:
        names = ", ".join(str(person) for person in people)
        plan.problem(
            row.row,
            LABELS["email"],
            f"is the email of {len(people)} of the agency's staff who hold no "
            f"{state} license ({names}); which one holds license {row.key[1]} "
            "cannot be told: add it on that person's page, or correct the email",
        )
        return None
    person = people[0]
    first = added_by.setdefault((state, person.pk), row.row)
    if first != row.row:
        plan.problem(
            row.row,
            LABELS["email"],
            f"is {person}'s, to whom row {first} already adds a {state} license; "
            "a person holds one license in each state",
        )
        return None
    return person


def _plan_addition(plan, row, person: Person, job: Employment, kept: dict) -> None:
    """A row adding its license to `person`, one of the staff (matched by email)."""
    keep = kept.get(person.pk, {})
    words = {"state": row.key[0], "number": row.key[1]}
    if keep.get("license"):
        notes = [LICENSE_NOT_ADDED.format(**words)]
        plan.plans.append(RowPlan(row.row, "unchanged", str(person), notes))
        return
    changes = [LICENSE_ADDED.format(**words)]
    # The LMS's identities are read by relation name: lti comes after transfers
    # in the layer order.
    if person.lti_identities.all():
        changes.append(FROM_LMS_SYNC.format(**words))
    changes += _changes(row, person, None, job, keep)
    plan.plans.append(RowPlan(row.row, "update", str(person), changes))
    plan.additions[row.row] = person


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


def _chunks(ids: list[int]):
    ids = sorted(set(ids))
    for start in range(0, len(ids), 900):
        yield ids[start : start + 900]


def _not_ended(today: date | None = None):
    """Employments that are current or start later: a hire not yet begun counts."""
    today = today or timezone.localdate()
    return Employment.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


def _staff(agency: Agency, person_ids) -> dict[int, Employment]:
    """The agency's job of each person it employs today or has hired to start later."""
    staff = {}
    for chunk in _chunks(list(person_ids)):
        for job in (
            _not_ended()
            .filter(agency=agency, person_id__in=chunk)
            .order_by("starts_on", "pk")
        ):
            staff[job.person_id] = job
    return staff


def _requested(agency: Agency, person_ids) -> set[int]:
    """People the agency has already asked to transfer, still pending."""
    found: set[int] = set()
    for chunk in _chunks(list(person_ids)):
        found |= set(
            TransferRequest.objects.filter(
                requesting_agency=agency,
                person_id__in=chunk,
                status=TransferStatus.PENDING,
            ).values_list("person_id", flat=True)
        )
    return found


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
        "appointed_on": v["appointed_on"],
        "separated_on": v["separated_on"],
        "returned_on": v["returned_on"],
        "earlier_breaks": None
        if v["earlier_breaks"] is None
        else breaks_to_stored(v["earlier_breaks"]),
    }
    job = {"title": v["title"], "unit": v["unit"]}
    return {
        "person": person,
        "license": {k: x for k, x in license.items() if x is not None},
        "job": {k: x for k, x in job.items() if x is not None},
    }


def _targets(
    row: RosterRow, person: Person, license: License | None, job: Employment, kept
):
    """Each model the row may change (the license too, unless None), with the
    values it sets there, less the fields `kept` keeps (by model: a person
    another agency employs too)."""
    wanted = _wanted(row)
    targets = [
        (person, wanted["person"], kept.get("person", ())),
        (license, wanted["license"], kept.get("license", ())),
        (job, wanted["job"], ()),
    ]
    return [
        (obj, {name: v for name, v in values.items() if name not in fixed})
        for obj, values, fixed in targets
        if obj is not None
    ]


def _changes(
    row: RosterRow, person: Person, license: License | None, job: Employment, kept
) -> list[str]:
    changes = []
    for obj, values in _targets(row, person, license, job, kept):
        for name, value in values.items():
            old = getattr(obj, name)
            if old != value and name == "earlier_breaks":
                old, value = (
                    cells.breaks_text(breaks_from_stored(v)) for v in (old, value)
                )
            if old != value:
                changes.append(
                    f"{name.replace('_', ' ')}: {old or '(blank)'} → {value}"
                )
    return changes


def apply_roster(
    agency: Agency, plan: RosterPlan, *, actor, reason: str, kept_fields: KeptFields
) -> dict:
    """Write the plan in one transaction; refuse a plan with problems.

    Rows whose license is held elsewhere are left to `plan.transfers`, which the
    caller turns into transfer requests in the same transaction.
    """
    if plan.problems:
        raise ValueError("An import with problems cannot be applied.")
    today = timezone.localdate()
    with transaction.atomic():
        new_rows = [
            row
            for row, p in zip(plan.rows, plan.plans, strict=True)
            if p.action == "create"
        ]
        created = _create_people(agency, new_rows, today, actor, reason)
        # Only the people a row created or changed: an unchanged row changes no
        # one's standing, and re-evaluating a whole roster re-sent as it was cost
        # a confirm 15x its writes (2026-12-06, 10,000 rows).
        touched = {person.pk for person in created}
        holders = [license.person_id for license in plan.matches.values()]
        added = {row: person.pk for row, person in plan.additions.items()}
        staff = _staff(agency, holders + list(added.values()))
        kept = kept_fields(agency, list(staff))
        for row, row_plan in zip(plan.rows, plan.plans, strict=True):
            if row_plan.action != "update":
                continue
            if row.row in added:
                person = plan.additions[row.row]
                license = _add_license(agency, row, person, actor, reason)
            else:
                license = plan.matches[row.key]
                person = license.person
            job = staff[person.pk]
            keep = kept.get(person.pk, {})
            _update(agency, row, person, license, job, keep, actor, reason)
            touched.add(person.pk)
        refresh_standings(touched)
    return {
        action: plan.count(action)
        for action in ("create", "update", "unchanged", "transfer")
    }


def _create_people(agency, rows, today, actor, reason) -> list[Person]:
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
    return people


def _add_license(agency, row: RosterRow, person: Person, actor, reason) -> License:
    """The row's license, for a staff member it was matched to by email."""
    license = License.objects.create(
        person=person,
        jurisdiction=row.values["state"],
        number=row.values["license_number"],
        **{"attributes": [], **_wanted(row)["license"]},
    )
    record_event(
        Action.LICENSE_CREATE,
        actor=actor,
        obj=license,
        agency_id=agency.pk,
        reason=reason,
        after=snapshot(license),
        label=f"{person}: {license}",
    )
    return license


def _start(row: RosterRow, today: date) -> date:
    return row.values["hired_on"] or today


def _update(agency, row, person, license, job, kept, actor, reason) -> None:
    for obj, values in _targets(row, person, license, job, kept):
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
