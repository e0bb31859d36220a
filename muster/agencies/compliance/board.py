"""The agency dashboard: every current employee evaluated at once by the engine.

The board is built from bulk reads (`compliance.rows`) and kept in process memory
until a row it depends on changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from muster import rules
from muster.agencies.compliance.rows import (
    LineCoder,
    board_exemptions,
    board_licenses,
    board_lines,
    board_people,
)
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
from muster.rules import engine
from muster.rules.columns import build_tables

# Worst first: a person's overall standing is their worst mandate status.
STATUS_ORDER = (
    rules.Status.DEFICIENT,
    rules.Status.AT_RISK,
    rules.Status.ON_TRACK,
    # Before compliant: a person is not "compliant" while a mandate that applies
    # to them has no rules encoded for the period.
    rules.Status.NOT_ENCODED,
    rules.Status.COMPLIANT,
    rules.Status.EXEMPT,
    rules.Status.NOT_APPLICABLE,
)
BOARD_CACHE_SECONDS = 300


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
    """Evaluate every current employee with the engine, as one population, in few queries."""
    year = as_of.year
    staff = Employment.objects.current(as_of).filter(agency=agency)
    people = board_people(staff)
    licenses = board_licenses(staff)
    lines = board_lines(staff, year)
    exemptions = board_exemptions(staff)
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
    table, _, exemption_rows, book = build_tables(
        people, (), [e for p in people for e in exemptions.get(p.id, ())]
    )
    index = {int(p.id): row for row, p in enumerate(people)}
    columns = LineCoder(book).columns(lines, index)
    for mandate in jurisdiction.mandates:
        result = engine.evaluate_population(
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
        if code not in engine.REQUIREMENT_STATUS or code == engine.NOT_APPLICABLE:
            continue
        shown.append(
            Progress(
                requirement.label,
                requirement.unit,
                Decimal(int(result.earned[index, row])) / 100,
                Decimal(int(result.required[index, row])) / 100,
                engine.REQUIREMENT_STATUS[code],
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
