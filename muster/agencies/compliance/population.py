"""Many people judged on one day, in one batch: for each of them what
`standing_for` finds (status, due date, each requirement's figures, or why a
license is not evaluated), without the line-by-line explanation.

Each jurisdiction's license holders are one population for the engine
(`engine.evaluate_population`, per mandate), read in bulk as the stored
standings are (`figures`); used where a whole agency is judged on a year whose
standings are not stored (the compliance report of an older year).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter

from django.db.models import QuerySet

from muster import rules
from muster.agencies.compliance.figures import (
    board_exemptions_for,
    board_lines_for,
    due_date,
    population_tables,
)
from muster.agencies.compliance.person import person_to_engine, why_not_evaluated
from muster.agencies.compliance.rows import LICENSE_VALUES
from muster.agencies.models import License, Person
from muster.rules import engine
from muster.rules.evaluation import hours


@dataclass(frozen=True)
class RequirementFigures:
    """One requirement of a mandate as a person stands under it on the day."""

    label: str
    unit: str
    required: Decimal
    earned: Decimal
    status: str
    due_on: date


@dataclass(frozen=True)
class Judged:
    """A person's result under one mandate, as `MandateStanding` gives it."""

    mandate: rules.Mandate
    status: str
    requirements: tuple[RequirementFigures, ...]

    @property
    def due_on(self) -> date | None:
        """The mandate's one due date (`figures.due_date`), as everywhere."""
        return due_date((r.status, r.due_on) for r in self.requirements)


@dataclass(frozen=True)
class LicenseJudged:
    """What one license of a person owes, or why it was not evaluated, as
    `LicenseStanding` says it."""

    license: License
    mandates: tuple[Judged, ...] = ()
    not_evaluated: str = ""


def judge_people(
    people: QuerySet[Person], year: int, as_of: date
) -> dict[int, list[LicenseJudged]]:
    """Every license of `people` judged for the periods containing 31 December
    `year` on `as_of`, in the order (`person.licenses.all()`'s) and with the
    words of `standing_for`; by person pk (a person with no license is absent).

    A few queries whatever the number of people: their licenses, lines and
    exemptions, each read once for all of them."""
    library = rules.load_mandates()
    staff = people.values("pk")
    licenses = list(License.objects.filter(person__in=staff).select_related("person"))
    by_code: dict[str, list[tuple]] = {}
    for lic in licenses:
        if _evaluated(lic, library):
            values = _license_values(lic)
            by_code.setdefault(lic.jurisdiction, []).append(values)
    judged: dict[tuple[int, str], list[Judged]] = {}
    if by_code:
        lines = board_lines_for(staff, year)
        exemptions = board_exemptions_for(staff)
        for code, held in sorted(by_code.items()):
            judged.update(
                _judge(library.get(code), held, lines, exemptions, year, as_of)
            )
    found: dict[int, list[LicenseJudged]] = {}
    words: dict[tuple, str] = {}  # each reason worded once (choice labels are slow)
    for lic in licenses:
        found.setdefault(lic.person_id, []).append(
            _license(lic, judged, library, words)
        )
    return found


# The same values as `values_list(*LICENSE_VALUES)`, read off a License (its
# person selected with it): a related field's `__` is an attribute's `.`.
_license_values = attrgetter(*(name.replace("__", ".") for name in LICENSE_VALUES))


def _evaluated(license: License, library) -> bool:
    """Whether `standing_for` evaluates the license (else `why_not_evaluated`
    says why), without working out the words."""
    return license.is_active and license.jurisdiction.upper() in library.jurisdictions


def mandates_held(person: Person) -> list[tuple[License, tuple[rules.Mandate, ...]]]:
    """Each license of the person (prefetched) that `standing_for` evaluates,
    with the mandates that apply to the person under it: those its standing
    holds a result of, found without evaluating anything."""
    library = rules.load_mandates()
    held = []
    for license in person.licenses.all():
        if why_not_evaluated(license, library):
            continue
        engine_person = person_to_engine(person, license.jurisdiction)
        mandates = library.get(license.jurisdiction).mandates
        held.append((license, tuple(m for m in mandates if m.applies(engine_person))))
    return held


def _license(license: License, judged: dict, library, words: dict) -> LicenseJudged:
    kind = (license.jurisdiction, license.discipline, license.status)
    if not _evaluated(license, library):
        if kind not in words:
            words[kind] = why_not_evaluated(license, library)
        return LicenseJudged(license, not_evaluated=words[kind])
    mandates = tuple(judged.get((license.person_id, license.jurisdiction), ()))
    if mandates:
        return LicenseJudged(license, mandates)
    if kind not in words:
        words[kind] = (
            f"No encoded {license.get_jurisdiction_display()} mandate applies to a "
            f"{license.get_discipline_display().lower()}."
        )
    return LicenseJudged(license, mandates, words[kind])


def _judge(jurisdiction, held, lines, exemptions, year: int, as_of: date) -> dict:
    people, table, columns, exemption_rows, book = population_tables(
        held, lines, exemptions
    )
    found: dict[tuple[int, str], list[Judged]] = {}
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
        own = _own_results(result)
        for row, person in enumerate(people):
            # As `evaluate_person`: a mandate that does not apply gives no result.
            if not mandate.applies(person):
                continue
            key = (int(person.id), mandate.jurisdiction)
            found.setdefault(key, []).append(
                Judged(mandate, result.status_of(row), _requirements(*own(row)))
            )
    return found


def _own_results(result):
    """Where person `row`'s own detail is: (result, row in it), as
    `PopulationResult.group_of` says, worked out once for all the rows (with
    per-person cycles each phase group has its own requirements in force)."""
    places = {
        int(row): (group.result, local)
        for group in result.groups
        for local, row in enumerate(group.rows)
    }
    return lambda row: places.get(row, (result, row))


def _requirements(result, row: int) -> tuple[RequirementFigures, ...]:
    """The requirements as `evaluation.explain` lists them for the person."""
    if not result.applies[row]:
        return ()
    figures = []
    for index, outcome in enumerate(result.outcomes):
        if outcome is None:
            continue
        code = int(result.requirement_status[index, row])
        figures.append(
            RequirementFigures(
                label=outcome.requirement.label,
                unit=outcome.requirement.unit,
                required=hours(result.required[index, row]),
                earned=hours(result.earned[index, row]),
                status=engine.REQUIREMENT_STATUS[code],
                due_on=outcome.period.of(row).due_on,
            )
        )
    return tuple(figures)
