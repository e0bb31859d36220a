"""One person against the engine: licenses, lines and exemptions in, standings out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from muster import rules
from muster.agencies.choices import Approval
from muster.agencies.compliance.figures import due_date
from muster.agencies.models import (
    License,
    Person,
)
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
        appointed_on=license.appointed_on,
        separated_on=license.separated_on,
        returned_on=license.returned_on,
    )


# What evaluating a person reads, for `prefetch_related(*EVALUATION_PREFETCH)`: with
# it, evaluating many people takes a fixed number of queries.
EVALUATION_PREFETCH = (
    "licenses",
    "exemptions",
    "qualifications",
    "training_records__credit_lines",
)


def lines_for(person: Person) -> list[rules.CreditLine]:
    """Engine lines for the person's approved, unvoided records and qualifications.

    Reads through `person.training_records.all()` and `person.qualifications.all()`,
    so a caller may prefetch them (`EVALUATION_PREFETCH`) to evaluate many people
    in few queries. A qualification is a zero-hour line
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
    def due_on(self) -> date | None:
        """The mandate's one due date, as stored standings and every screen show
        it: extensions included, waived requirements left out (`due_date`)."""
        return due_date((r.status, r.period.due_on) for r in self.result.requirements)

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
