"""The engine's results as stored figures: what `Standing` rows hold.

People are evaluated as one population per jurisdiction, mandate and year, judged
on a day after every period has closed, so that every recorded line counts and
nothing depends on today. What does depend on the day (on track, at risk or
deficient) is turned into the dates at which it changes, with the engine's own
tests: a missing requirement is deficient from the day after its last day to close
a gap (`final`), and at risk from the first day it trails a straight-line pace or
is within 30 days (90 for a course) of its deadline.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils import timezone

from muster import rules
from muster.agencies.choices import LicenseStatus
from muster.agencies.compliance.rows import (
    LICENSE_VALUES,
    LineCoder,
    board_exemptions,
    board_lines,
)
from muster.agencies.models import (
    OPEN,
    STATUS_ORDER,
    License,
    Person,
    Standing,
    StandingSummary,
    breaks_from_stored,
)
from muster.rules import engine
from muster.rules.columns import build_tables, day_number, from_day_number
from muster.rules.loader import VOCABULARY_FILE
from muster.rules.mandate import Kind

# Judged after every period: all lines count, every open requirement is "late",
# and the day-dependent status comes from the stored dates instead.
TIMELESS = date(9000, 1, 1)
# Bump when what a standing stores, or how, changes: every row is then stale.
FORMAT = "1"
# Years kept: this many before the current one, and the next one, so that the
# dashboard's year selector and a new year's first day need no evaluation.
YEARS_BACK = 2
YEARS_AHEAD = 1


def kept_years(today: date | None = None) -> list[int]:
    """The years whose standings are stored, oldest first."""
    year = (today or timezone.localdate()).year
    return list(range(year - YEARS_BACK, year + YEARS_AHEAD + 1))


@cache
def rules_version(mandate_id: str) -> str:
    """A hash of the mandate's file and the shared vocabulary (and FORMAT).

    A mandate no shipped file holds (a what-if draft's new file, evaluated and
    never stored) hashes as a file that is not there."""
    try:
        source = Path(rules.load_mandates().mandate(mandate_id).source)
    except rules.MandateError:
        source = Path("/nonexistent")
    digest = hashlib.sha256(FORMAT.encode())
    for path in (source, VOCABULARY_FILE):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def evaluate_figures(
    person_ids: list[int], years: list[int]
) -> tuple[list[Standing], list[StandingSummary]]:
    """Unsaved standings and summaries of the people for the years (in few queries)."""
    now = timezone.now()
    people = Person.objects.filter(pk__in=person_ids)
    licenses = list(
        License.objects.filter(person__in=people, status=LicenseStatus.ACTIVE)
        .order_by("person_id", "jurisdiction")
        .values_list(*LICENSE_VALUES)
    )
    staff = people.values("pk")
    lines = board_lines_for(staff, min(years))
    exemptions = board_exemptions_for(staff)
    library = rules.load_mandates()
    standings: list[Standing] = []
    reasons: dict[int, str] = {}
    by_code: dict[str, list[tuple]] = {}
    for lic in licenses:
        by_code.setdefault(lic[1], []).append(lic)
    for code, held in sorted(by_code.items()):
        if code not in library.jurisdictions:
            for lic in held:
                reasons.setdefault(lic[0], f"No {code} rules are encoded yet.")
            continue
        for year in years:
            standings += _evaluate(library.get(code), held, lines, exemptions, year)
    for standing in standings:
        standing.refreshed_at = now
    held_any = {lic[0] for lic in licenses}
    summaries = _summaries(person_ids, years, standings, reasons, held_any, now)
    return standings, summaries


def board_lines_for(people, first_year: int) -> list[tuple]:
    return board_lines(_AsStaff(people), first_year)


def board_exemptions_for(people):
    return board_exemptions(_AsStaff(people))


class _AsStaff:
    """The bulk readers take employments; `values("person_id")` is all they ask."""

    def __init__(self, people) -> None:
        self.people = people

    def values(self, name: str):
        return self.people


def _evaluate(jurisdiction, held, lines, exemptions, year) -> list[Standing]:
    people, table, columns, exemption_rows, book = population_tables(
        held, lines, exemptions
    )
    found = []
    for mandate in jurisdiction.mandates:
        result = engine.evaluate_population(
            table,
            columns,
            mandate,
            year=year,
            as_of=TIMELESS,
            exemptions=exemption_rows,
            codebook=book,
        )
        for row, person in enumerate(people):
            status = result.status_of(row)
            if status == rules.Status.NOT_APPLICABLE:
                continue
            found.append(_standing(int(person.id), mandate, result, row, status, year))
    return found


def population_tables(held, lines, exemptions) -> tuple:
    """The engine's tables for the people holding the licenses `held` (tuples of
    LICENSE_VALUES, one jurisdiction), their raw `lines` and their exemptions:
    (engine people, people table, lines table, exemption rows, codebook)."""
    people = [
        rules.Person(
            id=str(pk),
            discipline=discipline,
            licensed_on=licensed_on,
            attributes=frozenset(attributes),
            appointed_on=appointed_on,
            separated_on=separated_on,
            returned_on=returned_on,
            earlier_breaks=breaks_from_stored(earlier_breaks),
            surname=last_name,
        )
        for (
            pk,
            _code,
            discipline,
            licensed_on,
            attributes,
            appointed_on,
            separated_on,
            returned_on,
            earlier_breaks,
            last_name,
        ) in held
    ]
    table, _, exemption_rows, book = build_tables(
        people, (), [e for p in people for e in exemptions.get(p.id, ())]
    )
    index = {int(p.id): row for row, p in enumerate(people)}
    columns = LineCoder(book).columns(lines, index)
    return people, table, columns, exemption_rows, book


def _standing(person_id, mandate, result, row, status, year) -> Standing:
    parts = list(_requirements(mandate, result, row))
    open_ = [p for p in parts if p["status"] == rules.Status.MISSING]
    standing = Standing(
        person_id=person_id,
        year=year,
        jurisdiction=mandate.jurisdiction,
        mandate_id=mandate.id,
        mandate_title=mandate.title,
        requirements=[p["stored"] for p in parts],
        rules_version=rules_version(mandate.id),
        settled_status=OPEN if status == rules.Status.DEFICIENT else status,
        due_on=due_date([(p["status"], p["due"]) for p in parts]),
        missing_hours=sum(
            (p["missing"] for p in open_ if p["unit"] == "hours"), Decimal(0)
        ),
    )
    if parts:
        standing.period_start = min(p["start"] for p in parts)
        standing.period_end = max(p["end"] for p in parts)
        graces = [p["grace"] for p in parts if p["grace"]]
        standing.grace_until = max(graces) if graces else None
    if open_:
        standing.at_risk_on = min(p["at_risk_on"] for p in open_)
        standing.deficient_on = min(p["deficient_on"] for p in open_)
    return standing


def due_date(parts) -> date | None:
    """A mandate's one due date, from (requirement status, due date) pairs.

    The nearest deadline of a requirement still missing, else the nearest of one
    met; extensions are in each due date already and waived requirements (exempt)
    have none. The person page, digest, dashboard and exports all show this date.
    """
    parts = list(parts)
    for wanted in (rules.Status.MISSING, rules.Status.MET):
        days = [due for status, due in parts if status == wanted and due]
        if days:
            return min(days)
    return None


def _requirements(mandate, result, row):
    for index, requirement in enumerate(mandate.requirements):
        code = int(result.requirement_status[index, row])
        if code not in engine.REQUIREMENT_STATUS or code == engine.NOT_APPLICABLE:
            continue
        outcome = result.outcomes[index]
        period = outcome.period
        due = from_day_number(int(period.due[row]))
        final = from_day_number(int(period.final[row]))
        required = Decimal(int(result.required[index, row])) / 100
        earned = Decimal(int(result.earned[index, row])) / 100
        status = engine.REQUIREMENT_STATUS[code]
        own = period.of(row)  # per-person cycles: this person's own period
        start, end, grace = own.start, own.end, own.grace_until
        missing = max(Decimal(0), required - earned) if code == engine.MISSING else 0
        yield {
            "status": status,
            "unit": requirement.unit,
            "due": due,
            "start": start,
            "end": end,
            "grace": grace,
            "missing": Decimal(missing),
            "deficient_on": final + timedelta(days=1),
            "at_risk_on": _at_risk_on(
                requirement, period, row, required, earned, day_number(start)
            ),
            "stored": {
                "id": requirement.id,
                "label": requirement.label,
                "unit": requirement.unit,
                "required": str(required),
                "earned": str(earned),
                "status": status,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "due": due.isoformat(),
                "grace_until": grace.isoformat() if grace else None,
            },
        }


def _at_risk_on(
    requirement, period, row, required: Decimal, earned: Decimal, start: int
) -> date:
    """The first day the engine calls this missing requirement "behind".

    Courses and qualifications: under 90 days before the deadline. Hours: under 30
    days before it, or the first day earned × total days < required × days gone
    (the straight-line pace of `engine._Scope.behind`).
    """
    due = int(period.due[row])
    if requirement.kind != Kind.HOURS:
        return from_day_number(due - engine.COUNT_WARNING_DAYS + 1)
    closing = due - engine.FINAL_WARNING_DAYS + 1
    total_days = due - start + 1
    required_c, earned_c = int(required * 100), int(earned * 100)
    behind = start + (earned_c * total_days) // required_c
    return from_day_number(min(closing, behind))


def _summaries(person_ids, years, standings, reasons, held_any, now):
    by_key: dict[tuple[int, int], list[Standing]] = {}
    for standing in standings:
        by_key.setdefault((standing.person_id, standing.year), []).append(standing)
    summaries = []
    for pk in person_ids:
        for year in years:
            mine = by_key.get((pk, year), [])
            summaries.append(_summary(pk, year, mine, reasons, held_any, now))
    return summaries


def _summary(pk, year, mine, reasons, held_any, now) -> StandingSummary:
    summary = StandingSummary(person_id=pk, year=year, refreshed_at=now)
    summary.mandates = len(mine)
    if not mine:
        summary.settled_status = ""
        summary.not_evaluated = reasons.get(pk) or (
            "No encoded mandate applies." if pk in held_any else "No active license."
        )
        return summary
    open_ = [s for s in mine if s.settled_status == OPEN]
    settled = [s.settled_status for s in mine]
    summary.settled_status = OPEN if open_ else min(settled, key=STATUS_ORDER.index)
    summary.missing_hours = sum((s.missing_hours for s in mine), Decimal(0))
    dues = [s.due_on for s in (open_ or mine) if s.due_on]
    summary.due_on = min(dues) if dues else None
    if open_:
        summary.at_risk_on = min(s.at_risk_on for s in open_)
        summary.deficient_on = min(s.deficient_on for s in open_)
    return summary
