"""One person against the engine: licenses, lines and exemptions in, standings out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet

from muster import rules
from muster.agencies.choices import Approval
from muster.agencies.compliance.figures import due_date
from muster.agencies.compliance.rows import _raw_rows
from muster.agencies.models import (
    License,
    Person,
    TrainingRecord,
    record_counts,
)
from muster.rules.model import HUNDREDTH, LineExplanation


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
        earlier_breaks=license.breaks_before_latest,
        surname=person.last_name,
    )


# What evaluating a person reads, for `prefetch_related(*EVALUATION_PREFETCH)`: with
# it, evaluating many people takes a fixed number of queries.
EVALUATION_PREFETCH = (
    "licenses",
    "exemptions",
    "qualifications",
    "training_records__credit_lines",
)


def lines_for(
    person: Person, record_lines: list[rules.CreditLine] | None = None
) -> list[rules.CreditLine]:
    """Engine lines for the person's approved, unvoided records and qualifications.

    `record_lines` are the records' lines when the caller has read them already
    (`read_history`); otherwise they come through `person.training_records.all()`,
    which a caller may prefetch (`EVALUATION_PREFETCH`) to evaluate many people in
    few queries. Qualifications come through `person.qualifications.all()`. A
    qualification is a zero-hour line with the topic `firearms-qualification` and
    its pass or fail.
    """
    if record_lines is None:
        record_lines = _record_lines(person)
    return record_lines + _qualification_lines(person)


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
        _engine_line(
            person.pk,
            record.completed_on,
            line.hours,
            line.area,
            line.topics,
            record.delivery,
            record.provider_kind,
            record.result,
            record.counts_for,
            record.title,
        )
        for record in person.training_records.all()
        if record.counts
        for line in record.credit_lines.all()
    ]


def _engine_line(
    person_id,
    completed_on,
    hours,
    area,
    topics,
    delivery,
    provider,
    result,
    counts_for,
    title,
) -> rules.CreditLine:
    """One credit line of a record that counts, as the engine takes it."""
    return rules.CreditLine(
        person=str(person_id),
        completed_on=completed_on,
        hours=hours,
        area=area or None,
        topics=frozenset(topics),
        delivery=delivery,
        provider=provider,
        result=result or None,
        counts_for=counts_for,
        label=title,
    )


@dataclass(frozen=True)
class YearTotal:
    """One year of a transcript: records that count and their hours, and the
    records that do not (void, pending or rejected)."""

    year: int
    records: int = 0
    hours: Decimal = Decimal(0)
    other: int = 0


@dataclass(frozen=True)
class TrainingHistory:
    """Every record of a person that a reader may read, read once as plain rows.

    Holds what the person page needs of all of them: how many there are, the
    engine's lines of those that count (in the order `_record_lines` gives) and
    the totals per year completed, newest first. The records a page shows in full
    are read separately, a page at a time.
    """

    record_count: int
    lines: list[rules.CreditLine]
    transcript: list[YearTotal]


# The columns `read_history` reads: a record's, then one of its credit lines'
# (null for a record without lines).
_HISTORY_COLUMNS = (
    "pk",
    "person_id",
    "completed_on",
    "title",
    "is_void",
    "approval",
    "delivery",
    "provider_kind",
    "result",
    "counts_for",
    "credit_lines__pk",
    "credit_lines__hours",
    "credit_lines__area",
    "credit_lines__topics",
)


def read_history(records: QuerySet[TrainingRecord]) -> TrainingHistory:
    """`records` (one person's, as the caller may read them) in one query, one row
    per credit line, without building a model instance per record or line.

    The rows come straight from the cursor, past Django's field converters (a
    JSON decode and a decimal per line of a thousand-record history cost more
    than the query), and each distinct raw date, hours and topics value is
    converted once (`_RawValues`), as the dashboard's bulk reads do."""
    # The readable records as a subquery of their ids: the reader's queryset is
    # DISTINCT (`access`), and read directly the database would compare whole
    # rows, a record with a line each, to drop none (9.1 against 4.2 ms for the
    # benchmark's 1,000 records on SQLite).
    rows = _raw_rows(
        TrainingRecord.objects.filter(pk__in=records.values("pk"))
        .order_by("-completed_on", "pk", "credit_lines__pk")
        .values_list(*_HISTORY_COLUMNS)
    )
    raw = _RawValues()
    lines: list[rules.CreditLine] = []
    years: dict[int, list] = {}
    seen: set[int] = set()
    for (
        pk,
        person_id,
        completed_on,
        title,
        is_void,
        approval,
        delivery,
        provider,
        result,
        counts_for,
        line_pk,
        hours,
        area,
        topics,
    ) in rows:
        counts = record_counts(bool(is_void), approval)
        completed_on = raw.day(completed_on)
        total = years.setdefault(completed_on.year, [0, Decimal(0), 0])
        if pk not in seen:
            seen.add(pk)
            total[0 if counts else 2] += 1
        if counts and line_pk is not None:
            hours = raw.hours(hours)
            total[1] += hours
            lines.append(
                _engine_line(
                    person_id,
                    completed_on,
                    hours,
                    area,
                    raw.topics(topics),
                    delivery,
                    provider,
                    result,
                    counts_for,
                    title,
                )
            )
    transcript = [
        YearTotal(year, records, hours, other)
        for year, (records, hours, other) in sorted(years.items(), reverse=True)
    ]
    return TrainingHistory(len(seen), lines, transcript)


class _RawValues:
    """Raw cursor values as the model fields give them, each distinct one once:
    a date (SQLite returns text), hours in hundredths (SQLite returns a number)
    and topics (JSON text on every backend)."""

    def __init__(self) -> None:
        self._days: dict[object, date] = {}
        self._hours: dict[object, Decimal] = {}
        self._topics: dict[object, frozenset[str]] = {}

    def day(self, value) -> date:
        found = self._days.get(value)
        if found is None:
            found = value if isinstance(value, date) else date.fromisoformat(value)
            self._days[value] = found
        return found

    def hours(self, value) -> Decimal:
        found = self._hours.get(value)
        if found is None:
            found = Decimal(str(value)).quantize(HUNDREDTH)
            self._hours[value] = found
        return found

    def topics(self, value) -> frozenset[str]:
        key = value if isinstance(value, str) else json.dumps(value)
        found = self._topics.get(key)
        if found is None:
            found = frozenset(json.loads(key) if isinstance(value, str) else value)
            self._topics[key] = found
        return found


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
    person: Person,
    jurisdiction_code: str,
    year: int,
    as_of: date,
    *,
    lines: list[rules.CreditLine] | None = None,
    exemptions: list[rules.Exemption] | None = None,
) -> list[rules.ComplianceResult]:
    """Evaluate the person against every mandate of the jurisdiction that applies.

    Returns one result per applicable mandate, for the periods containing
    31 December `year`, judged on `as_of`. `lines` and `exemptions` default to
    `lines_for(person)` and `exemptions_for(person)`. Raises `MandateError` when no
    rules are encoded for the jurisdiction and `License.DoesNotExist` without a
    license there.
    """
    jurisdiction = rules.load_mandates().get(jurisdiction_code)
    engine_person = person_to_engine(person, jurisdiction_code)
    lines = lines_for(person) if lines is None else lines
    exemptions = exemptions_for(person) if exemptions is None else exemptions
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

    # Worked out once: a page asks for each several times (frozen dataclasses
    # still take a cached_property, which writes to the instance's __dict__).
    @cached_property
    def periods(self) -> list[rules.Period]:
        """The distinct periods the requirements were counted over, in order."""
        return list(dict.fromkeys(r.period for r in self.result.requirements))

    @property
    def period_lines(self) -> list[LineExplanation]:
        """Explanations of lines dated inside a period, or its make-up window."""
        return self._lines_by_period[0]

    @property
    def other_lines(self) -> list[LineExplanation]:
        """Explanations of lines from other periods: they count for nothing here."""
        return self._lines_by_period[1]

    @cached_property
    def _lines_by_period(self) -> tuple[list[LineExplanation], list[LineExplanation]]:
        """(inside, outside): a line is inside when it counted toward something
        or is dated within a period of one of the requirements. One pass over the
        lines (a long history has a thousand), each period's bounds once."""
        bounds = list(
            dict.fromkeys(
                (r.period.start, r.period.final_day) for r in self.result.requirements
            )
        )
        inside: list[LineExplanation] = []
        outside: list[LineExplanation] = []
        for explanation in self.result.lines:
            if explanation.counted:
                inside.append(explanation)
                continue
            day = explanation.line.completed_on
            for start, end in bounds:  # a loop, not any(): no call per line
                if start <= day <= end:
                    inside.append(explanation)
                    break
            else:
                outside.append(explanation)
        return inside, outside


@dataclass(frozen=True)
class LicenseStanding:
    """What one license of a person owes, or why it was not evaluated."""

    license: License
    mandates: tuple[MandateStanding, ...] = ()
    not_evaluated: str = ""


def standing_for(
    person: Person,
    year: int,
    as_of: date,
    *,
    record_lines: list[rules.CreditLine] | None = None,
) -> list[LicenseStanding]:
    """The person's standing under each of their licenses, for pages and reports.

    A license is evaluated only while active and only where rules are encoded;
    otherwise `not_evaluated` says why, so the page never implies a clean record.
    `record_lines` are the lines of every record of the person, when the caller
    read them already (`read_history`); see `lines_for`.
    """
    library = rules.load_mandates()
    standings = []
    lines = exemptions = None
    for license in person.licenses.all():
        reason = why_not_evaluated(license, library)
        if reason:
            standings.append(LicenseStanding(license, not_evaluated=reason))
            continue
        if lines is None:  # read once for every license
            lines = lines_for(person, record_lines)
            exemptions = exemptions_for(person)
        results = evaluate_person(
            person,
            license.jurisdiction,
            year,
            as_of,
            lines=lines,
            exemptions=exemptions,
        )
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


def why_not_evaluated(license: License, library: rules.Library) -> str:
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
