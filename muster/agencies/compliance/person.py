"""Where ORM rows meet the mandate engine: rows in, engine results out.

This is the only module in the Django apps that imports `muster.rules`. It turns a
`Person` and their licenses, training records and exemptions into engine inputs,
evaluates them, and returns results shaped for pages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

import numpy as np
from django.db import connection
from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from muster import rules
from muster.agencies.choices import Approval, LicenseStatus
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
from muster.rules import batch
from muster.rules.model import LineExplanation


def person_to_engine(person: Person, jurisdiction: str) -> rules.Person:
    """The engine's view of `person` under their license in `jurisdiction`.

    Raises `License.DoesNotExist` when the person holds no license there.
    """
    license = _license_in(person, jurisdiction)
    if license is None:
        raise License.DoesNotExist(
            f"{person} holds no license in {jurisdiction.upper()}."
        )
    return rules.Person(
        id=str(person.pk),
        discipline=license.discipline,
        licensed_on=license.licensed_on,
        attributes=frozenset(license.attributes),
    )


def lines_for(person: Person) -> list[rules.CreditLine]:
    """Engine lines for the person's approved, unvoided records and qualifications.

    Reads through `person.training_records.all()` and `person.qualifications.all()`,
    so a caller may prefetch `training_records__credit_lines` and `qualifications`
    to evaluate many people in few queries. A qualification is a zero-hour line
    with the topic `firearms-qualification` and its pass or fail.
    """
    return _record_lines(person) + _qualification_lines(person)


def _qualification_lines(person: Person) -> list[rules.CreditLine]:
    return [
        rules.CreditLine(
            person=str(person.pk),
            completed_on=qualification.qualified_on,
            hours=0,
            topics=frozenset({"firearms-qualification"}),
            result=qualification.result,
            label=f"{qualification.weapon_type} qualification",
        )
        for qualification in person.qualifications.all()
        if not qualification.is_void
    ]


def _record_lines(person: Person) -> list[rules.CreditLine]:
    return [
        rules.CreditLine(
            person=str(person.pk),
            completed_on=record.completed_on,
            hours=line.hours,
            area=line.area or None,
            topics=frozenset(line.topics),
            delivery=record.delivery,
            provider=record.provider_kind,
            result=record.result or None,
            counts_for=record.counts_for,
            label=record.title,
        )
        for record in person.training_records.all()
        if record.counts
        for line in record.credit_lines.all()
    ]


def exemptions_for(person: Person) -> list[rules.Exemption]:
    """The person's approved waivers and extensions, as the engine takes them.

    Proposed and rejected ones are left out: an exemption counts only once an
    agency head (or administrator) has approved it.
    """
    return [
        rules.Exemption(
            person=str(person.pk),
            kind=exemption.kind,
            starts_on=exemption.starts_on,
            ends_on=exemption.ends_on,
            reason=exemption.reason,
            requirements=frozenset(exemption.requirements),
        )
        for exemption in person.exemptions.all()
        if exemption.approval == Approval.APPROVED
    ]


def evaluate_person(
    person: Person, jurisdiction_code: str, year: int, as_of: date
) -> list[rules.ComplianceResult]:
    """Evaluate the person against every mandate of the jurisdiction that applies.

    Returns one result per applicable mandate, for the periods containing
    31 December `year`, judged on `as_of`. Raises `MandateError` when no rules are
    encoded for the jurisdiction and `License.DoesNotExist` without a license there.
    """
    jurisdiction = rules.load_mandates().get(jurisdiction_code)
    engine_person = person_to_engine(person, jurisdiction_code)
    lines = lines_for(person)
    exemptions = exemptions_for(person)
    return [
        rules.evaluate(
            engine_person, lines, mandate, year=year, as_of=as_of, exemptions=exemptions
        )
        for mandate in jurisdiction.mandates
        if mandate.applies(engine_person)
    ]


@dataclass(frozen=True)
class MandateStanding:
    """One engine result together with the mandate it was judged against."""

    mandate: rules.Mandate
    result: rules.ComplianceResult

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def periods(self) -> list[rules.Period]:
        """The distinct periods the requirements were counted over, in order."""
        return list(dict.fromkeys(r.period for r in self.result.requirements))

    @property
    def period_lines(self) -> list[LineExplanation]:
        """Explanations of lines dated inside a period, or its make-up window."""
        return [line for line in self.result.lines if self._in_a_period(line)]

    @property
    def other_lines(self) -> list[LineExplanation]:
        """Explanations of lines from other periods: they count for nothing here."""
        return [line for line in self.result.lines if not self._in_a_period(line)]

    def _in_a_period(self, explanation: LineExplanation) -> bool:
        day = explanation.line.completed_on
        return bool(explanation.counted) or any(
            r.period.start <= day <= r.period.final_day
            for r in self.result.requirements
        )


@dataclass(frozen=True)
class LicenseStanding:
    """What one license of a person owes, or why it was not evaluated."""

    license: License
    mandates: tuple[MandateStanding, ...] = ()
    not_evaluated: str = ""


def standing_for(person: Person, year: int, as_of: date) -> list[LicenseStanding]:
    """The person's standing under each of their licenses, for pages and reports.

    A license is evaluated only while active and only where rules are encoded;
    otherwise `not_evaluated` says why, so the page never implies a clean record.
    """
    library = rules.load_mandates()
    standings = []
    for license in person.licenses.all():
        reason = _why_not_evaluated(license, library)
        if reason:
            standings.append(LicenseStanding(license, not_evaluated=reason))
            continue
        results = evaluate_person(person, license.jurisdiction, year, as_of)
        mandates = tuple(
            MandateStanding(library.mandate(result.mandate), result)
            for result in results
        )
        if not mandates:
            reason = (
                f"No encoded {license.get_jurisdiction_display()} mandate applies to a "
                f"{license.get_discipline_display().lower()}."
            )
        standings.append(LicenseStanding(license, mandates, reason))
    return standings


def _why_not_evaluated(license: License, library: rules.Library) -> str:
    state = license.get_jurisdiction_display()
    if not license.is_active:
        status = license.get_status_display().lower()
        return f"The {state} license is {status}: not evaluated."
    if license.jurisdiction.upper() not in library.jurisdictions:
        return f"No {state} rules are encoded yet: this license is not evaluated."
    return ""


def _license_in(person: Person, jurisdiction: str) -> License | None:
    code = jurisdiction.upper()
    # Iterate rather than query, so prefetched licenses are used.
    return next(
        (lic for lic in person.licenses.all() if lic.jurisdiction == code), None
    )


def unknown_topics(topics: Iterable[str]) -> list[str]:
    """Topics that are not in the engine's shared vocabulary (`topics.yaml`)."""
    known = rules.load_mandates().vocabulary.topics
    return sorted(set(topics) - known)


@dataclass(frozen=True)
class OverviewRow:
    """One line of the home page: a person's license in two consecutive years."""

    person: Person
    current: LicenseStanding | None
    previous: LicenseStanding | None


def overview(people: Iterable[Person], year: int, as_of: date) -> list[OverviewRow]:
    """A row per license held (or per person with none): `year` and the one before."""
    rows = []
    for person in people:
        current = standing_for(person, year, as_of)
        previous = standing_for(person, year - 1, as_of)
        if not current:
            rows.append(OverviewRow(person, None, None))
        rows += [
            OverviewRow(person, c, p) for c, p in zip(current, previous, strict=True)
        ]
    return rows


def count_statuses(standings: Iterable[LicenseStanding | None]) -> dict[str, int]:
    """How many mandate results have each status, most common first."""
    counts: dict[str, int] = {}
    for standing in standings:
        for mandate in standing.mandates if standing else ():
            counts[mandate.status] = counts.get(mandate.status, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def warnings_in(standings: Iterable[LicenseStanding | None]) -> list[str]:
    """Each distinct engine warning (such as unverified rules) in the standings."""
    found: dict[str, None] = {}
    for standing in standings:
        for mandate in standing.mandates if standing else ():
            found.update(dict.fromkeys(mandate.result.warnings))
    return list(found)


# The agency dashboard ---------------------------------------------------------

# Worst first: a person's overall standing is their worst mandate status.
STATUS_ORDER = (
    rules.Status.DEFICIENT,
    rules.Status.AT_RISK,
    rules.Status.ON_TRACK,
    rules.Status.COMPLIANT,
    rules.Status.EXEMPT,
    rules.Status.NOT_APPLICABLE,
)
BOARD_CACHE_SECONDS = 300
# Lines older than this many years before the period cannot fall in any encoded
# cycle (the longest is three years), so the dashboard does not load them.
LOOKBACK_YEARS = 4


@dataclass(frozen=True)
class Progress:
    """One requirement's progress for one person: earned of required."""

    label: str
    unit: str
    earned: Decimal
    required: Decimal
    status: str

    @property
    def figure(self) -> str:
        """Such as "4/24": earned of required, without trailing zeros."""
        return f"{_plain_number(self.earned)}/{_plain_number(self.required)}"

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.earned * 100 / self.required))


def _plain_number(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class BoardCell:
    """A person's standing under one mandate for the current period."""

    mandate_id: str
    title: str
    status: str
    due_on: date | None
    progress: tuple[Progress, ...]


@dataclass(frozen=True)
class BoardRow:
    """One line of the agency dashboard: a person and their current standing."""

    person_id: int
    first_name: str
    last_name: str
    external_id: str
    discipline: str
    unit: str
    title: str
    cells: tuple[BoardCell, ...]
    as_of: date
    not_evaluated: str = ""

    @cached_property
    def status(self) -> str:
        """The worst status across the person's mandates ("" when none applies)."""
        statuses = [c.status for c in self.cells]
        return next((s for s in STATUS_ORDER if s in statuses), "")

    @property
    def due_on(self) -> date | None:
        """The nearest deadline of a mandate the person has not yet met."""
        open_ = [
            c.due_on
            for c in self.cells
            if c.due_on and c.status in (rules.Status.AT_RISK, rules.Status.ON_TRACK)
        ]
        open_ = open_ or [c.due_on for c in self.cells if c.due_on]
        return min(open_) if open_ else None

    @property
    def days_left(self) -> int | None:
        """Days from the judging day to `due_on` (negative once it has passed)."""
        due_on = self.due_on
        return (due_on - self.as_of).days if due_on else None


@dataclass(frozen=True)
class Board:
    """Every current employee of an agency, evaluated in bulk for `year`."""

    year: int
    as_of: date
    rows: tuple[BoardRow, ...]
    warnings: tuple[str, ...] = ()

    @cached_property
    def tally(self) -> dict[str, int]:
        """How many people have each status, worst first."""
        tally = {status: 0 for status in STATUS_ORDER}
        for row in self.rows:
            if row.status:
                tally[row.status] += 1
        return tally

    @property
    def evaluated(self) -> int:
        return sum(self.tally.values())

    def at_a_glance(self) -> str:
        """Such as "31 of 42 compliant; 6 at risk; 5 deficient"."""
        counts = self.tally
        parts = [f"{counts[rules.Status.COMPLIANT]} of {self.evaluated} compliant"]
        parts += [
            f"{counts[status]} {status.replace('-', ' ')}"
            for status in STATUS_ORDER
            if status != rules.Status.COMPLIANT and counts[status]
        ]
        return "; ".join(parts)


def agency_board(agency: Agency, as_of: date) -> Board:
    """The dashboard for `agency` on `as_of`, kept in memory until anything changes.

    The key holds a change token (the newest audit entry and the newest row of each
    table the result depends on), so a record saved through `actions` shows at
    once. Edits that change no row count and write no audit entry (such as a bare
    admin save) show after `BOARD_CACHE_SECONDS`. Each process keeps its own few
    boards: rebuilding one costs less than unpickling it from a shared cache.
    """
    key = (
        agency.pk,
        as_of,
        change_token(),
        int(time.monotonic() // BOARD_CACHE_SECONDS),
    )
    board = _boards.get(key)
    if board is None:
        board = build_board(agency, as_of)
        if len(_boards) >= BOARDS_KEPT:
            _boards.pop(next(iter(_boards)))
        _boards[key] = board
    return board


BOARDS_KEPT = 8
_boards: dict[tuple, Board] = {}
_generation = 0


def _forget_boards(**kwargs) -> None:
    """Drop this process's boards when it saves or deletes a row they depend on.

    The change token covers other processes; this covers in-place edits made here,
    which change no row count (and tests, whose rolled-back rows reuse keys).
    """
    global _generation
    _generation += 1
    _boards.clear()


for _model in (
    Person,
    License,
    Employment,
    TrainingRecord,
    CreditLine,
    Qualification,
    Exemption,
):
    post_save.connect(_forget_boards, sender=_model, weak=False)
    post_delete.connect(_forget_boards, sender=_model, weak=False)


def change_token() -> str:
    """A string that changes whenever a row the dashboard reads is added or changed."""
    from muster.audit.models import AuditEntry

    models_ = (AuditEntry, TrainingRecord, CreditLine, Qualification, Exemption)
    parts = [
        str(m.objects.aggregate(top=Max("pk"))["top"] or 0)
        for m in models_ + (Employment, License, Person)
    ]
    return "-".join(parts)


def build_board(agency: Agency, as_of: date) -> Board:
    """Evaluate every current employee with the engine's batch path, in few queries."""
    year = as_of.year
    staff = Employment.objects.current(as_of).filter(agency=agency)
    people = _board_people(staff)
    licenses = _board_licenses(staff)
    lines = _board_lines(staff, year)
    exemptions = _board_exemptions(staff)
    library = rules.load_mandates()
    cells: dict[int, list[BoardCell]] = {pk: [] for pk in people}
    reasons: dict[int, str] = {}
    mandates_used: dict[str, None] = {}
    for code in sorted({lic[1] for lic in licenses}):
        held = [lic for lic in licenses if lic[1] == code]
        if code not in library.jurisdictions:
            for lic in held:
                reasons[lic[0]] = f"No {code} rules are encoded yet."
            continue
        for pk, cell in _evaluate_jurisdiction(
            library.get(code), held, lines, exemptions, year, as_of
        ):
            cells[pk].append(cell)
            mandates_used[cell.mandate_id] = None
    rows = tuple(
        BoardRow(
            pk,
            *people[pk],
            cells=tuple(cells[pk]),
            as_of=as_of,
            not_evaluated=reasons.get(pk, "" if cells[pk] else "No active license."),
        )
        for pk in people
    )
    warnings = dict.fromkeys(
        warning for m in mandates_used for warning in library.mandate(m).warnings()
    )
    return Board(year, as_of, rows, tuple(warnings))


def _board_people(staff) -> dict[int, tuple]:
    units = {}
    for person_id, unit, title in staff.values_list("person_id", "unit", "title"):
        units.setdefault(person_id, (unit, title))
    found = Person.objects.filter(pk__in=staff.values("person_id")).values_list(
        "pk", "first_name", "last_name", "external_id", "discipline"
    )
    return {
        pk: (first, last, badge, discipline, *units[pk])
        for pk, first, last, badge, discipline in found.order_by(
            "last_name", "first_name", "pk"
        )
    }


def _board_licenses(staff) -> list[tuple]:
    return list(
        License.objects.filter(
            person__in=staff.values("person_id"), status=LicenseStatus.ACTIVE
        ).values_list(
            "person_id", "jurisdiction", "discipline", "licensed_on", "attributes"
        )
    )


def _board_lines(staff, year: int) -> list[tuple]:
    """Credit lines and qualifications as raw tuples, read past Django's converters.

    Converting 125,000 rows through the ORM (JSON topics, decimals, dates) costs
    more than evaluating them, so the rows come straight from the cursor and each
    distinct raw value is converted once (`_LineCoder`).
    """
    since = date(year - LOOKBACK_YEARS, 1, 1)
    people = staff.values("person_id")
    records = CreditLine.objects.filter(
        record__person__in=people,
        record__is_void=False,
        record__approval=Approval.APPROVED,
        record__completed_on__gte=since,
    ).values_list(
        "record__person_id",
        "record__completed_on",
        "hours",
        "area",
        "topics",
        "record__delivery",
        "record__provider_kind",
        "record__result",
        "record__counts_for",
    )
    rows = _raw_rows(records)
    qualifications = Qualification.objects.filter(
        person__in=people, is_void=False, qualified_on__gte=since
    ).values_list("person_id", "qualified_on", "result")
    rows += [
        (pk, done, 0, "", QUALIFICATION_TOPICS, "live", "other", result, None)
        for pk, done, result in _raw_rows(qualifications)
    ]
    return rows


QUALIFICATION_TOPICS = '["firearms-qualification"]'


def _raw_rows(queryset) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _LineCoder:
    """Turns raw line tuples into the batch engine's columns, memoising each value."""

    def __init__(self, book: batch.Codebook) -> None:
        self.book = book
        self.days: dict[object, int] = {}
        self.hours: dict[object, int] = {}
        self.topics: dict[object, int] = {}

    def day(self, value) -> int:
        if value not in self.days:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            self.days[value] = batch.day_number(day)
        return self.days[value]

    def centihours(self, value) -> int:
        if value not in self.hours:
            self.hours[value] = int(round(Decimal(str(value)) * 100))
        return self.hours[value]

    def topic_mask(self, value) -> int:
        key = value if isinstance(value, str) else json.dumps(value)
        if key not in self.topics:
            words = json.loads(key) if isinstance(value, str) else value
            self.topics[key] = int(self.book.mask(self.book.topics, words))
        return self.topics[key]

    def columns(self, rows: list[tuple], index: dict[int, int]) -> batch.LinesTable:
        book = self.book
        kept = [row for row in rows if row[0] in index]
        areas = {a: book.known(book.areas, a) for a in {r[3] for r in kept} if a}
        deliveries = {d: book.known(book.deliveries, d) for d in {r[5] for r in kept}}
        providers = {p: book.known(book.providers, p) for p in {r[6] for r in kept}}
        return batch.LinesTable(
            person=np.array([index[r[0]] for r in kept], dtype=np.int32),
            completed_on=np.array([self.day(r[1]) for r in kept], dtype=np.int32),
            centihours=np.array([self.centihours(r[2]) for r in kept], dtype=np.int64),
            area=np.array([areas.get(r[3], -1) for r in kept], dtype=np.int8),
            topics=np.array([self.topic_mask(r[4]) for r in kept], dtype=np.uint64),
            delivery=np.array([deliveries[r[5]] for r in kept], dtype=np.int8),
            provider=np.array([providers[r[6]] for r in kept], dtype=np.int8),
            result=np.array(
                [batch.RESULTS.get(r[7] or None, 2) for r in kept], dtype=np.int8
            ),
            counts_for=np.array([r[8] or 0 for r in kept], dtype=np.int16),
        )


def _board_exemptions(staff) -> dict[str, list[rules.Exemption]]:
    found: dict[str, list[rules.Exemption]] = {}
    rows = Exemption.objects.filter(
        person__in=staff.values("person_id"), approval=Approval.APPROVED
    ).values_list("person_id", "kind", "starts_on", "ends_on", "requirements")
    for pk, kind, starts_on, ends_on, requirements in rows:
        found.setdefault(str(pk), []).append(
            rules.Exemption(
                person=str(pk),
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                requirements=frozenset(requirements),
            )
        )
    return found


def _evaluate_jurisdiction(jurisdiction, held, lines, exemptions, year, as_of):
    """(person pk, cell) for each person holding a license there and each mandate."""
    people = [
        rules.Person(
            id=str(pk),
            discipline=discipline,
            licensed_on=licensed_on,
            attributes=frozenset(attributes),
        )
        for pk, _code, discipline, licensed_on, attributes in held
    ]
    table, _, exemption_rows, book = batch.build_tables(
        people, (), [e for p in people for e in exemptions.get(p.id, ())]
    )
    index = {int(p.id): row for row, p in enumerate(people)}
    columns = _LineCoder(book).columns(lines, index)
    for mandate in jurisdiction.mandates:
        result = batch.evaluate_batch(
            table,
            columns,
            mandate,
            year=year,
            as_of=as_of,
            exemptions=exemption_rows,
            codebook=book,
        )
        due_on = _mandate_due_on(mandate, year)
        for row, person in enumerate(people):
            status = result.status_of(row)
            if status == rules.Status.NOT_APPLICABLE:
                continue
            yield (
                int(person.id),
                BoardCell(
                    mandate.id,
                    mandate.title,
                    status,
                    due_on,
                    _progress(mandate, result, row),
                ),
            )


def _progress(mandate, result, row) -> tuple[Progress, ...]:
    shown = []
    for index, requirement in enumerate(mandate.requirements):
        code = result.requirement_status[index, row]
        # Requirements not in force, or not owed by this person (racial profiling
        # for an officer without traffic duty), have no bar.
        if code not in batch.REQUIREMENT_STATUS or code == batch.NOT_APPLICABLE:
            continue
        shown.append(
            Progress(
                requirement.label,
                requirement.unit,
                Decimal(int(result.earned[index, row])) / 100,
                Decimal(int(result.required[index, row])) / 100,
                batch.REQUIREMENT_STATUS[code],
            )
        )
    return tuple(shown)


def _mandate_due_on(mandate, year: int) -> date | None:
    days = []
    for requirement in mandate.requirements:
        period = mandate.cycles[requirement.cycle].period_containing(date(year, 12, 31))
        if period is not None:
            days.append(period.due_on)
    return min(days) if days else None


def topic_choices() -> list[tuple[str, str]]:
    """(topic, description) pairs from `topics.yaml`, for forms."""
    vocabulary = rules.load_mandates().vocabulary
    return sorted(
        (topic, vocabulary.descriptions.get(topic, topic))
        for topic in vocabulary.topics
    )


def gaps_in_words(standing: MandateStanding) -> list[str]:
    """What the person still needs under one mandate, one plain sentence each."""
    gaps = []
    for r in standing.result.requirements:
        if r.status != rules.Status.MISSING:
            continue
        due = r.period.due_on
        if r.unit == "hours":
            amount = f"{r.missing.normalize():f}"
            noun = "hour" if r.missing == 1 else "hours"
            gaps.append(f"{r.label}: {amount} more {noun} needed by {due:%-d %B %Y}.")
        else:
            gaps.append(f"{r.label}: not done yet, due by {due:%-d %B %Y}.")
    return gaps
