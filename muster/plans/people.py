"""Plans for people in the database: ORM rows in, `Subject`s and `Option`s out.

A person's gaps come from `compliance.standing_for` (the engine's results the
person page shows); an agency's from the batch engine (`batch.needs_of_many`),
each person's licenses and their mandates read without evaluating anyone in
turn (`compliance.mandates_held`). Options are the online catalog, and the
scheduled live classes and external courses (`Offering`) open to the person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from muster.agencies import compliance
from muster.agencies.models import Agency, Employment, Person
from muster.catalog import recommend
from muster.catalog.models import Course
from muster.plans.agency import AgencyPlan, plan_agency
from muster.plans.batch import needs_of_many
from muster.plans.models import Offering
from muster.plans.needs import all_needs
from muster.plans.options import DEFAULT_HOUR_VALUE, Option, OptionKind, option_lines
from muster.plans.solver import Plan, solve
from muster.plans.subject import License, Subject
from muster.plans.verify import Verification, verify


def subject_from(
    person: Person,
    standings: Sequence[compliance.LicenseStanding],
    as_of: date,
    record_lines: list | None = None,
) -> Subject:
    """The person's engine inputs under each license the standings evaluated
    (`record_lines`: the records' lines, if read already; `compliance.lines_for`)."""
    licenses = tuple(
        License(
            compliance.person_to_engine(person, standing.license.jurisdiction),
            tuple(m.mandate for m in standing.mandates),
        )
        for standing in standings
        if standing.mandates
    )
    return _subject(person, licenses, as_of, record_lines)


def subject_of_person(person: Person, as_of: date) -> Subject:
    """The person's engine inputs under each license, with the mandates that
    apply to it (`compliance.mandates_held`): the `subject_from` of their
    standings, found without evaluating them (the batch engine does, once for
    everyone, in `needs_of_many`)."""
    licenses = tuple(
        License(compliance.person_to_engine(person, license.jurisdiction), mandates)
        for license, mandates in compliance.mandates_held(person)
        if mandates
    )
    return _subject(person, licenses, as_of)


def _subject(person: Person, licenses, as_of: date, record_lines=None) -> Subject:
    return Subject(
        str(person.pk),
        licenses,
        tuple(compliance.lines_for(person, record_lines)),
        tuple(compliance.exemptions_for(person)),
        as_of.year,
        as_of,
        name=person.get_full_name(),
        discipline=person.discipline,
    )


def course_option(course: Course, licenses, on: date) -> Option | None:
    """An online catalog course as an option, or None if no approval fits.

    Its lines are those of the approval in the first state (alphabetically) where
    the person holds a license, which is the approval `learning.actions` records a
    completion under; it counts only in states where the course is approved.
    """
    valid = {a.jurisdiction: a for a in course.approvals.all() if a.is_valid_on(on)}
    states = sorted(lic.jurisdiction for lic in licenses)
    recorded = next((valid[s] for s in states if s in valid), None)
    if recorded is None:
        return None
    credits = [
        (credit.hours, credit.area, frozenset(credit.topics))
        for credit in recorded.credits.all()
    ]
    seat_minutes = course.seat_time_minutes
    seat_hours = (
        Decimal(seat_minutes) / 60
        if seat_minutes is not None
        else course.credited_hours
    )
    return Option(
        key=f"course-{course.pk}",
        title=course.title,
        kind=OptionKind.ONLINE,
        on=on,
        lines=option_lines(
            on, credits, delivery="online", provider=recorded.provider_kind
        ),
        accepted_in=frozenset(valid),
        seat_hours=seat_hours.quantize(Decimal("0.01")),
        url=course.get_absolute_url(),
        audience=tuple(course.audience or ()),
    )


def offering_option(offering: Offering) -> Option:
    credits = [
        (credit.hours, credit.area, frozenset(credit.topics))
        for credit in offering.credits.all()
    ]
    return Option(
        key=f"offering-{offering.pk}",
        title=offering.title,
        kind=offering.kind,
        on=offering.held_on,
        lines=option_lines(
            offering.held_on,
            credits,
            delivery=offering.delivery,
            provider=offering.provider_kind,
        ),
        accepted_in=frozenset(offering.states),
        seat_hours=offering.seat_hours,
        fee=offering.fee,
        travel_cost=offering.travel_cost,
        travel_hours=offering.travel_hours,
        seats=offering.seats,
        session_cost=offering.session_cost if not offering.is_scheduled else Decimal(0),
    )


def catalog_options(licenses, disciplines: Iterable[str], on: date) -> list[Option]:
    """Online courses available on `on`, written for one of `disciplines`."""
    disciplines = set(disciplines)
    courses = Course.objects.available(on).prefetch_related("approvals__credits")
    found = []
    for course in courses:
        if not any(recommend.is_suggested_for(course, d) for d in disciplines):
            continue
        option = course_option(course, licenses, on)
        if option is not None:
            found.append(option)
    return found


def offering_options(
    agency_ids: set[int], states: set[str], on: date, *, proposed: bool = False
) -> list[Offering]:
    """Offerings from `on` open to people of `agency_ids` licensed in `states`:
    scheduled ones, and with `proposed` the ones an agency plan may schedule."""
    rows = Offering.objects.filter(held_on__gte=on).prefetch_related("credits")
    if not proposed:
        rows = rows.filter(is_scheduled=True)
    return [o for o in rows if o.is_open_to(agency_ids, states)]


def options_for(person: Person, on: date) -> list[Option]:
    """Everything the person could take from `on`: catalog, classes, external."""
    licenses = [lic for lic in person.licenses.all() if lic.is_active]
    states = {lic.jurisdiction for lic in licenses}
    disciplines = {lic.discipline for lic in licenses}
    employers = set(
        Employment.objects.current()
        .filter(person=person)
        .values_list("agency_id", flat=True)
    )
    return catalog_options(licenses, disciplines, on) + [
        offering_option(o) for o in offering_options(employers, states, on)
    ]


@dataclass
class PersonPlan:
    """A person's plan and the engine's verdict on it, for the pages."""

    subject: Subject
    plan: Plan
    verification: Verification

    @property
    def rows(self) -> list[tuple[Option, list]]:
        """Each chosen option with what the engine counted it toward."""
        reasons = self.verification.reasons
        return [(o, reasons.get(o.key, [])) for o in self.plan.options]

    @property
    def closes(self) -> list:
        return [n for n in self.plan.needs if self.verification.is_met(n)]

    @property
    def still_open(self) -> list:
        """Needs the engine still finds missing with the plan done."""
        return [n for n in self.plan.needs if not self.verification.is_met(n)]


def plan_for(
    person: Person,
    standings: Sequence[compliance.LicenseStanding],
    on: date,
    hour_value: Decimal = DEFAULT_HOUR_VALUE,
    *,
    record_lines: list | None = None,
) -> PersonPlan | None:
    """The person's cheapest plan from `on`, checked by the engine; None when
    nothing is missing. `record_lines`: as for `compliance.standing_for`."""
    needs = all_needs((m.result, m.mandate) for s in standings for m in s.mandates)
    needs = [n for n in needs if n.period.start <= on <= n.period.end]
    if not needs:
        return None
    subject = subject_from(person, standings, on, record_lines)
    plan = solve(needs, options_for(person, on), hour_value)
    return PersonPlan(subject, plan, verify(subject, needs, plan.options))


@dataclass
class AgencyPlanPage:
    """An agency's plan with the names of the people in it, for the page."""

    plan: AgencyPlan
    names: dict[str, Person]

    @property
    def rows(self) -> list[tuple[Person, list[Option], list]]:
        return sorted(
            (
                (self.names[pid], options, self.plan.short.get(pid, []))
                for pid, options in self.plan.assignments.items()
            ),
            key=lambda row: (not row[2], row[0].last_name, row[0].first_name),
        )


def agency_plan(
    agency: Agency, on: date, hour_value: Decimal = DEFAULT_HOUR_VALUE
) -> AgencyPlanPage:
    """Which live classes the agency should run (scheduled or proposed), and a
    plan for each of its current people, from `on`."""
    staff = (
        Person.objects.filter(
            pk__in=Employment.objects.current().filter(agency=agency).values("person")
        )
        .prefetch_related(*compliance.EVALUATION_PREFETCH)
        .order_by("pk")
    )
    subjects, names, kinds = [], {}, {}
    for person in staff:
        subject = subject_of_person(person, on)
        subjects.append(subject)
        names[subject.id] = person
        licenses = [lic for lic in person.licenses.all() if lic.is_active]
        kinds[subject.id] = (
            tuple(sorted(lic.jurisdiction for lic in licenses)),
            tuple(sorted({lic.discipline for lic in licenses})),
        )
    needs = needs_of_many(subjects, on.year, on)
    needs = {
        pid: [n for n in found if n.period.start <= on <= n.period.end]
        for pid, found in needs.items()
    }
    offered: dict[tuple, list[Option]] = {}

    def options_of(pid: str) -> list[Option]:
        kind = kinds[pid]
        if kind not in offered:
            licenses = [lic for lic in names[pid].licenses.all() if lic.is_active]
            offered[kind] = catalog_options(licenses, kind[1], on) + [
                offering_option(o)
                for o in offering_options({agency.pk}, set(kind[0]), on, proposed=True)
            ]
        return offered[kind]

    plan = plan_agency(needs, options_of, hour_value, kind_of=lambda pid: kinds[pid])
    return AgencyPlanPage(plan, names)
