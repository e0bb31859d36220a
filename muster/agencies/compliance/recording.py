"""What the engine says about a record while it is being entered.

The recording forms ask three questions of the rules: which requirements a person
owes (to offer them by name on a waiver), whether a make-up mark falls inside a
make-up window, and what one credit line would count toward. Each answer comes from
the mandates' own data (`Requirement.counts_line`, the cycles' grace rules), the
same rules the engine applies when it evaluates, so the form and the result agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.utils import timezone

from muster import rules
from muster.agencies.choices import Area
from muster.agencies.compliance import words
from muster.agencies.compliance.person import person_to_engine
from muster.agencies.models import License, Person
from muster.rules.columns import surname_letter
from muster.rules.dates import year_end
from muster.rules.mandate import SURNAME, at


def _mandates_of(person: Person) -> list[tuple[rules.Mandate, rules.Person]]:
    """Each encoded mandate that applies to one of the person's active licenses."""
    library = rules.load_mandates()
    found = []
    for license in person.licenses.all():
        code = license.jurisdiction.upper()
        if not license.is_active or code not in library.jurisdictions:
            continue
        engine_person = person_to_engine(person, code)
        found += [
            (mandate, engine_person)
            for mandate in library.get(code).mandates
            if mandate.applies(engine_person)
        ]
    return found


def mandates_of(people: Iterable[Person]) -> list[rules.Mandate]:
    """The distinct mandates that apply to any of `people`, in a stable order."""
    found: dict[str, rules.Mandate] = {}
    for person in people:
        for mandate, _ in _mandates_of(person):
            found.setdefault(mandate.id, mandate)
    return list(found.values())


def mandates_of_licenses(licenses: Iterable[License]) -> list[rules.Mandate]:
    """The distinct mandates that apply to any of the active `licenses`: for a class,
    whose attendees share a few kinds of license among many people."""
    library = rules.load_mandates()
    kinds = {
        (lic.jurisdiction.upper(), lic.discipline, frozenset(lic.attributes))
        for lic in licenses
        if lic.is_active
    }
    found: dict[str, rules.Mandate] = {}
    for code, discipline, attributes in sorted(kinds, key=lambda k: (k[0], k[1])):
        if code not in library.jurisdictions:
            continue
        engine_person = rules.Person("class", discipline, attributes=attributes)
        for mandate in library.get(code).mandates:
            if mandate.applies(engine_person):
                found.setdefault(mandate.id, mandate)
    return list(found.values())


def requirement_choices(person: Person) -> list[tuple[str, list[tuple[str, str]]]]:
    """The requirements the person owes, grouped by mandate, as form choices.

    A waiver names requirements by their id, which may repeat across mandates (a
    "firearms" requirement in two states); each id is offered once, under the
    first mandate that has it, since the engine applies it wherever it appears.
    """
    seen: set[str] = set()
    groups = []
    today = timezone.localdate()
    for mandate, _ in _mandates_of(person):
        choices = []
        # Repealed requirements (Missouri's three-year ones) cannot be waived.
        for requirement in _in_force(mandate, today):
            if requirement.id not in seen:
                seen.add(requirement.id)
                choices.append((requirement.id, requirement.label))
        if choices:
            groups.append((mandate.title, choices))
    return groups


def make_up_problem(
    people: Iterable[Person], counts_for: int, completed_on: date
) -> str | None:
    """Why hours completed on `completed_on` cannot make up `counts_for`, or None.

    They can when some mandate of each person has a cycle whose period holding
    31 December of `counts_for` allows make-up (a grace rule) until at least
    `completed_on`; a per-person cycle is read as the person's own (Illinois:
    the period of their surname's group).
    """
    for person in people:
        windows = []
        for mandate, engine_person in _mandates_of(person):
            own = mandate.for_person(_own_dates(engine_person))
            for cycle in own.cycles.values():
                if cycle.once_from is not None:
                    continue
                period = cycle.period_containing(year_end(counts_for))
                if period is None or period.grace_until is None:
                    continue
                if period.end < completed_on <= period.grace_until:
                    windows = []
                    break
                windows.append((mandate, period))
            else:
                continue
            break
        else:
            return _no_window(person, counts_for, windows)
    return None


def _own_dates(person: rules.Person) -> dict[str, date | int | None]:
    """What the person's own cycles run from, by the name a cycle reads."""
    return {
        "licensed_on": person.licensed_on,
        "appointed_on": person.appointed_on,
        "separated_on": person.separated_on,
        "returned_on": person.returned_on,
        SURNAME: surname_letter(person.surname),
    }


def _no_window(person: Person, counts_for: int, windows) -> str:
    if not windows:
        return (
            f"{person}'s rules allow no make-up for {counts_for}: "
            "leave this blank so the hours count for the year they were completed."
        )
    mandate, period = windows[0]
    return (
        f"Make-up for {counts_for} ends on {period.grace_until:%-d %B %Y} under the "
        f"{mandate.title}: completed on this date, the hours cannot count for "
        f"{counts_for}. Leave this blank, or check the dates."
    )


@dataclass(frozen=True)
class LineDraft:
    """One credit line as typed in a form, not yet saved."""

    hours: Decimal
    area: str
    topics: frozenset[str]
    delivery: str
    provider_kind: str
    completed_on: date
    result: str = ""

    def engine_line(self) -> rules.CreditLine:
        return rules.CreditLine(
            person="draft",
            completed_on=self.completed_on,
            hours=self.hours,
            area=self.area or None,
            topics=self.topics,
            delivery=self.delivery,
            provider=self.provider_kind,
            result=self.result or None,
        )


@dataclass(frozen=True)
class Toward:
    """What a draft line counts toward under one mandate, and what it narrowly
    misses: requirements it would count toward with one more topic ticked."""

    mandate: str
    requirements: tuple[str, ...]
    with_topic: tuple[tuple[str, str], ...] = ()


def counts_toward(mandates: Iterable[rules.Mandate], draft: LineDraft) -> list[Toward]:
    """For each of `mandates`, what `draft` counts toward and narrowly misses.

    A line counts toward a requirement when the requirement's own count rule
    takes it (`Requirement.counts_line`), as when the engine evaluates and as the
    catalog's "counts toward" asks.
    """
    line = draft.engine_line()
    found = [_toward(mandate, line) for mandate in mandates]
    return [toward for toward in found if toward.requirements or toward.with_topic]


def _toward(mandate: rules.Mandate, line: rules.CreditLine) -> Toward:
    counted, near = [], []
    for requirement in _in_force(mandate, line.completed_on):
        if requirement.counts_line(line):
            counted.append(requirement.label)
        elif line.area and requirement.counts.topics and not requirement.counts.areas:
            topic = _one_topic_away(requirement, line)
            if topic:
                near.append((requirement.label, words.topic_label(topic)))
    return Toward(mandate.title, tuple(counted), tuple(near))


def _one_topic_away(requirement: rules.Requirement, line: rules.CreditLine):
    """The topic that would make the line count, when the requirement's label names
    the line's area: Missouri's "Skill development - firearms (live)" counts only
    lines with the topic firearms, which an hour of skill development lacks unless
    it is ticked."""
    area_label = str(Area(line.area).label).lower() if line.area in Area else ""
    if not area_label or not requirement.label.lower().startswith(area_label):
        return None
    for topic in sorted(requirement.counts.topics):
        if requirement.counts_line(replace(line, topics=line.topics | {topic})):
            return topic
    return None


def _in_force(mandate: rules.Mandate, day: date) -> list[rules.Requirement]:
    """The mandate's requirements with a value (not a repeal) in force on `day`."""
    return [
        requirement
        for requirement in mandate.requirements
        if (value := at(requirement.values, day)) is not None
        and (value.hours is not None or value.by_role or value.tiers)
    ]
