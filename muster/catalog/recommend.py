"""What a catalog course counts toward among a person's open requirements.

Choosing which courses to take is the planner's job (`muster.plans`: the cheapest
set, solved exactly); this module answers, for one course page, what a completion
would add to each gap.

A course counts toward a requirement when the engine would count a completion
of it there: each credit line of the course's approval in that state becomes a
synthetic engine `CreditLine` (delivered online, from the approval's provider
kind, passed, completed today) and the requirement's own rule decides
(`Requirement.counts_line`, built on the engine's `CountRule`), so the matching
logic lives only in the engine.

`contributions` is a pure function over engine results and credit lines;
`open_gaps`, `course_credits` and the `*_for_person` helpers read the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from muster import rules
from muster.agencies import compliance
from muster.catalog.models import Course
from muster.rules.mandate import Requirement

# Disciplines without courses of their own read the peace-officer catalog.
AUDIENCE_OF = {"chief": "peace-officer", "reserve": "peace-officer"}


@dataclass(frozen=True)
class Gap:
    """One open requirement of one license: what is missing, and by when."""

    jurisdiction: str
    state_name: str
    discipline: str
    requirement: Requirement
    label: str
    missing: Decimal
    period: rules.Period

    @property
    def period_label(self) -> str:
        start, end = self.period.start.year, self.period.end.year
        return str(end) if start == end else f"{start}–{end}"

    @property
    def is_hours(self) -> bool:
        return self.requirement.unit == "hours"

    def is_open_on(self, day: date) -> bool:
        """Whether training completed on `day` could still count in the period."""
        return self.period.start <= day <= self.period.final_day


@dataclass(frozen=True)
class CourseCredit:
    """One credit line a completion of a course earns in one state."""

    jurisdiction: str
    hours: Decimal
    area: str = ""
    topics: frozenset[str] = frozenset()
    provider_kind: str = "approved-provider"


@dataclass(frozen=True)
class Contribution:
    """What one completion of a course would add toward one gap."""

    gap: Gap
    amount: Decimal
    is_capped: bool = False

    def text(self) -> str:
        if not self.gap.is_hours:
            return f"{self.gap.label} (completion)"
        hours = f"{self.amount.normalize():f}"
        limit = " (online hours capped)" if self.is_capped else ""
        return f"{self.gap.label} {hours} h{limit}"


def _engine_line(credit: CourseCredit, on: date) -> rules.CreditLine:
    return rules.CreditLine(
        person="catalog",
        completed_on=on,
        hours=credit.hours,
        area=credit.area or None,
        topics=credit.topics,
        delivery="online",
        provider=credit.provider_kind,
        result="pass",
    )


def contributions(
    gaps: Iterable[Gap], credits: Sequence[CourseCredit], on: date
) -> list[Contribution]:
    """What a completion on `on` with `credits` would add to each of `gaps`.

    Hours count up to what is missing; a completion requirement counts once.
    """
    found = []
    for gap in gaps:
        if gap.missing <= 0 or not gap.is_open_on(on):
            continue
        lines = [
            _engine_line(credit, on)
            for credit in credits
            if credit.jurisdiction == gap.jurisdiction
        ]
        counted = [line for line in lines if gap.requirement.counts_line(line)]
        if not counted:
            continue
        capped = any(
            cap.matches(line) for cap in gap.requirement.caps for line in counted
        )
        amount = (
            min(gap.missing, sum((line.hours for line in counted), Decimal(0)))
            if gap.is_hours
            else min(gap.missing, Decimal(1))
        )
        if amount > 0:
            found.append(Contribution(gap, amount, capped))
    return found


def counts_toward_text(found: Iterable[Contribution]) -> list[str]:
    """One sentence per state and period, such as
    "implicit bias 1 h, interpersonal 1 h — Missouri 2026"."""
    groups: dict[tuple[str, str], list[str]] = {}
    for contribution in sorted(found, key=_specific_first):
        key = (contribution.gap.state_name, contribution.gap.period_label)
        groups.setdefault(key, []).append(contribution.text())
    return [
        f"{', '.join(parts)} — {state} {period}"
        for (state, period), parts in groups.items()
    ]


def _specific_first(contribution: Contribution) -> int:
    """Topic requirements first, then areas, then totals (a stable sort)."""
    counts = contribution.gap.requirement.counts
    return 0 if counts.topics else 1 if counts.areas else 2


# Reading the database --------------------------------------------------------


def open_gaps(standings: Iterable[compliance.LicenseStanding]) -> list[Gap]:
    """Each requirement still missing something, from `compliance.standing_for`."""
    gaps = []
    for standing in standings:
        license = standing.license
        for mandate_standing in standing.mandates:
            requirements = {r.id: r for r in mandate_standing.mandate.requirements}
            for result in mandate_standing.result.requirements:
                if result.status != rules.Status.MISSING or result.missing <= 0:
                    continue
                gaps.append(
                    Gap(
                        jurisdiction=license.jurisdiction,
                        state_name=license.get_jurisdiction_display(),
                        discipline=license.discipline,
                        requirement=requirements[result.id],
                        label=result.label,
                        missing=result.missing,
                        period=result.period,
                    )
                )
    return gaps


def course_credits(course: Course, on: date) -> list[CourseCredit]:
    """The credit lines of each approval of `course` valid on `on`.

    Reads `course.approvals.all()` and their credits, so callers may prefetch
    `approvals__credits`.
    """
    return [
        CourseCredit(
            jurisdiction=approval.jurisdiction,
            hours=credit.hours,
            area=credit.area,
            topics=frozenset(credit.topics),
            provider_kind=approval.provider_kind,
        )
        for approval in course.approvals.all()
        if approval.is_valid_on(on)
        for credit in approval.credits.all()
    ]


def is_written_for(course: Course, discipline: str) -> bool:
    """Whether the course's audience includes the license's discipline."""
    return not course.audience or AUDIENCE_OF.get(discipline, discipline) in (
        course.audience
    )


def is_suggested_for(course: Course, discipline: str) -> bool:
    """Whether to put the course forward, unasked, to a license of `discipline`.

    A course's first audience is the one it is written for; later ones may take
    it (Missouri jail deputies are peace officers, so "De-escalation in
    Corrections Settings" names them too) but it is not pushed to them: a patrol
    officer is offered the patrol course, and can still open the other one in the
    catalog.
    """
    return not course.audience or course.audience[0] == AUDIENCE_OF.get(
        discipline, discipline
    )


def contributions_for_person(person, course: Course, on: date) -> list[Contribution]:
    """What a completion of `course` on `on` would add to the person's open gaps."""
    standings = compliance.standing_for(_evaluable(person), on.year, on)
    gaps = [g for g in open_gaps(standings) if is_written_for(course, g.discipline)]
    return contributions(gaps, course_credits(course, on), on)


def _evaluable(person):
    return (
        type(person)
        .objects.prefetch_related(*compliance.EVALUATION_PREFETCH)
        .get(pk=person.pk)
    )
