"""A mandate as the engine sees it: cycles and requirements with dated, cited values.

These objects are built by `loader.py` from the YAML files in `mandates/`; nothing
here reads files. Every value that can change with the law is a sequence of dated
entries, and `at(entries, day)` picks the one in force on a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar

from muster.rules.dates import add_months, add_months_on, months_between
from muster.rules.model import Citation, CreditLine, Period, Person


class Dated(Protocol):
    starts_on: date


D = TypeVar("D", bound=Dated)


def at(entries: Sequence[D], day: date) -> D | None:
    """Return the newest entry that starts on or before `day` (entries are sorted)."""
    found = None
    for entry in entries:
        if entry.starts_on > day:
            break
        found = entry
    return found


def for_period(entries: Sequence[D], start: date, end: date) -> D | None:
    """The entry that governs the period from `start` to `end`.

    Normally the one in force on the period's first day: a change in the law
    applies from the next period. An entry marked `applies_within` (its text makes
    it govern the period it starts in) wins from inside the period, the newest
    such one if several.
    """
    found = None
    for entry in entries:
        if entry.starts_on <= start:
            found = entry
        elif entry.starts_on > end:
            break
        elif getattr(entry, "applies_within", False):
            found = entry
    return found


@dataclass(frozen=True, slots=True)
class Applicability:
    """One alternative of who a mandate or requirement applies to.

    Empty `disciplines` means any discipline; every one of `attributes` is needed and
    none of `without_attributes` may be present.
    """

    disciplines: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    without_attributes: frozenset[str] = frozenset()

    def matches(self, person: Person) -> bool:
        return (
            (not self.disciplines or person.discipline in self.disciplines)
            and self.attributes <= person.attributes
            and not (self.without_attributes & person.attributes)
        )


def applies(alternatives: Sequence[Applicability], person: Person) -> bool:
    """Whether any alternative matches; no alternatives means everyone."""
    return not alternatives or any(a.matches(person) for a in alternatives)


@dataclass(frozen=True, slots=True)
class CountRule:
    """Which credit lines count toward a requirement. An empty set allows anything."""

    areas: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    deliveries: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    # At least this many hours on one line: a named course of fixed length (the
    # Alabama 4-hour implicit-bias course), which a shorter line does not satisfy.
    min_hours: Decimal = Decimal(0)

    def is_about(self, line: CreditLine) -> bool:
        """Whether the line's subject (area and topics) fits."""
        return (not self.areas or line.area in self.areas) and (
            not self.topics or bool(self.topics & line.topics)
        )

    def refusal(self, line: CreditLine) -> str | None:
        """Why a line on the right subject still does not count, or None."""
        if self.deliveries and line.delivery not in self.deliveries:
            allowed = " or ".join(sorted(self.deliveries))
            return f"delivered {line.delivery}; only {allowed} hours count"
        if self.providers and line.provider not in self.providers:
            allowed = " or ".join(sorted(self.providers))
            return f"provider is {line.provider}; only {allowed} hours count"
        if line.hours < self.min_hours:
            return too_short(line.hours, self.min_hours)
        return None


def too_short(hours: Decimal, min_hours: Decimal) -> str:
    """
    >>> too_short(Decimal("1.00"), Decimal("4"))
    'a 1 h line; the course is 4 h'
    """
    return f"a {hours.normalize():f} h line; the course is {min_hours.normalize():f} h"


@dataclass(frozen=True, slots=True)
class Tier:
    """Hours owed once a person has served at least `from_years` full years."""

    from_years: int
    hours: Decimal


@dataclass(frozen=True, slots=True)
class RequirementValue:
    """The amount a requirement asks for from `starts_on`; None hours means repealed."""

    starts_on: date
    hours: Decimal | None
    citation: Citation
    by_role: tuple[tuple[str, Decimal], ...] = ()
    tiers: tuple[Tier, ...] = ()
    note: str = ""
    applies_within: bool = False  # governs the period it starts in (`for_period`)

    def hours_for(self, person: Person, period_start: date) -> Decimal:
        """Hours owed by this person: a role override, a tenure tier, or the default."""
        for role, hours in self.by_role:
            if person.has_role(role):
                return hours
        if self.tiers and person.licensed_on is not None:
            served = full_years(person.licensed_on, period_start)
            owed = self.tiers[0].hours
            for tier in self.tiers:
                if served >= tier.from_years:
                    owed = tier.hours
            return owed
        assert self.hours is not None
        return self.hours


def full_years(start: date, day: date) -> int:
    """Whole years from `start` to `day` (0 when `day` is earlier)."""
    return max(0, months_between(start, day) // 12)


@dataclass(frozen=True, slots=True)
class CapValue:
    """From `starts_on`, at most `hours` of matching lines count (None: no cap)."""

    starts_on: date
    hours: Decimal | None
    citation: Citation
    note: str = ""
    applies_within: bool = False  # governs the period it starts in (`for_period`)


@dataclass(frozen=True, slots=True)
class Cap:
    """A limit on how many hours of one kind (say, online) count toward a requirement."""

    counts: CountRule
    label: str
    values: tuple[CapValue, ...]

    def matches(self, line: CreditLine) -> bool:
        return self.counts.is_about(line) and self.counts.refusal(line) is None


class CapInForce(NamedTuple):
    """A cap and its limit in force on a day."""

    rule: Cap
    value: CapValue


class Kind:
    """Requirement kinds: hours, a passed qualification, or a completed course."""

    HOURS = "hours"
    QUALIFICATION = "qualification"
    COMPLETION = "completion"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One measurable part of a mandate, counted over one cycle."""

    id: str
    label: str
    cycle: str
    kind: str
    counts: CountRule
    values: tuple[RequirementValue, ...]
    applies_to: tuple[Applicability, ...] = ()
    caps: tuple[Cap, ...] = ()
    is_waivable: bool = True
    shortfalls: tuple[ShortfallRule, ...] = ()
    consequences: tuple[ConsequenceRule, ...] = ()
    # Other ways to satisfy the requirement as a whole (a listed course, a test).
    satisfied_by: tuple[Alternative, ...] = ()
    # Owed only after a break in service of this length (reactivation).
    after_break: BreakRule | None = None

    @property
    def unit(self) -> str:
        return "hours" if self.kind == Kind.HOURS else "completions"

    def caps_for(self, start: date, end: date) -> tuple[CapInForce, ...]:
        """Every cap with a limit governing the period, in the file's order.

        Each applies on its own (at most 6 online hours, and at most 12 hours
        taught): a line may be cut by several, and the engine applies them in turn.
        """
        found = []
        for cap in self.caps:
            value = for_period(cap.values, start, end)
            if value is not None and value.hours is not None:
                found.append(CapInForce(cap, value))
        return tuple(found)

    def counts_line(self, line: CreditLine) -> bool:
        """Whether the line, inside the period, counts at all (before caps)."""
        if not self.counts.is_about(line) or self.counts.refusal(line) is not None:
            return False
        if self.kind == Kind.QUALIFICATION:
            return line.result == "pass"
        if self.kind == Kind.COMPLETION:
            return line.result == "pass" or (line.result is None and line.hours > 0)
        return True


@dataclass(frozen=True, slots=True)
class Alternative:
    """From `starts_on`, another way to satisfy a requirement as a whole, whatever
    the hours: a line on the requirement's subject (its areas and topics) that
    also fits `counts`, completed (`completion`: California's listed non-POST
    courses satisfy CPT) or passed (`qualification`: a test in lieu of the
    training, California's Perishable Skills test-out), in the period."""

    starts_on: date
    label: str
    kind: str
    counts: CountRule
    citation: Citation
    note: str = ""


@dataclass(frozen=True, slots=True)
class BreakRule:
    """Who owes a requirement after a break in service: the break from
    `separated_on` to `returned_on` lasted more than `more_than_months`, at least
    `at_least_months`, less than `less_than_months` and at most `at_most_months`
    (0: no such bound). Mississippi 31-301-9.2: more than two years, and less than
    five, asks for the refresher's skill tests and law courses; five years or more,
    the whole course. Florida: more than four years and at most eight, the
    Equivalency of Training; more than eight, the basic recruit academy."""

    more_than_months: int = 0
    at_least_months: int = 0
    less_than_months: int = 0
    at_most_months: int = 0

    def matches(self, left: date, back: date) -> bool:
        """Whether a break from `left` to `back` has this length.

        >>> rule = BreakRule(more_than_months=24, less_than_months=60)
        >>> rule.matches(date(2020, 3, 1), date(2022, 3, 1))  # exactly 2 years
        False
        >>> rule.matches(date(2020, 3, 1), date(2022, 3, 2))
        True
        >>> BreakRule(more_than_months=48, at_most_months=96).matches(
        ...     date(2016, 3, 1), date(2024, 3, 1))  # exactly 8 years
        True
        """
        if self.more_than_months and back <= add_months_on(left, self.more_than_months):
            return False
        if self.at_least_months and back < add_months_on(left, self.at_least_months):
            return False
        if self.at_most_months and back > add_months_on(left, self.at_most_months):
            return False
        return not (
            self.less_than_months and back >= add_months_on(left, self.less_than_months)
        )

    def words(self) -> str:
        """
        >>> BreakRule(at_least_months=60).words()
        'a break in service of at least 60 months'
        """
        parts = []
        if self.more_than_months:
            parts.append(f"more than {self.more_than_months} months")
        if self.at_least_months:
            parts.append(f"at least {self.at_least_months} months")
        if self.less_than_months:
            parts.append(f"less than {self.less_than_months} months")
        if self.at_most_months:
            parts.append(f"at most {self.at_most_months} months")
        return "a break in service of " + " and ".join(parts)


@dataclass(frozen=True, slots=True)
class ShortfallRule:
    """From `starts_on`, a person with an approved absence recorded in the period
    may miss up to `share` of what the requirement asks (Tennessee: 10 percent of
    the in-service course, 1110-09-.05(1)(d)) without failing it."""

    starts_on: date
    share: Decimal
    citation: Citation
    note: str = ""


@dataclass(frozen=True, slots=True)
class ConsequenceRule:
    """What follows when a requirement is missed in `misses` consecutive periods,
    from `starts_on` (Tennessee: the first miss costs the pay supplement, the
    second in a row the certification). Said to people; it changes no status."""

    starts_on: date
    misses: int
    consequence: str
    citation: Citation


@dataclass(frozen=True, slots=True)
class CarryOverRule:
    """Hours earned over what a period asks that count toward the next period,
    at most `hours` (0: none), for the `requirements` named (all hours
    requirements when empty). Hours carried in do not carry again."""

    starts_on: date
    hours: Decimal
    citation: Citation
    requirements: frozenset[str] = frozenset()

    def covers(self, requirement: Requirement) -> bool:
        return (
            self.hours > 0
            and requirement.kind == Kind.HOURS
            and (not self.requirements or requirement.id in self.requirements)
        )


@dataclass(frozen=True, slots=True)
class GraceRule:
    """Periods ending on or after `starts_on` may be made up until the first
    month/day after their end (Missouri: a year ending 31 December, until 15 March
    of the next; Illinois A-G: a period ending 29 January, until 31 March)."""

    starts_on: date
    month: int
    day: int
    citation: Citation

    def until(self, period_end: date) -> date:
        same_year = date(period_end.year, self.month, self.day)
        if same_year > period_end:
            return same_year
        return date(period_end.year + 1, self.month, self.day)


# How each date a per-person cycle may count from is named to people.
DATE_WORDS = {
    "licensed_on": "license date",
    "appointed_on": "appointment date",
    "returned_on": "date of return to service",
    "surname": "last name",
}
# What a cycle staggered by surname reads of each person instead of a date: the
# letter their surname is filed under (`columns.surname_letter` codes).
SURNAME = "surname"


@dataclass(frozen=True, slots=True)
class SurnameGroup:
    """The people whose surname begins with a letter from `first` to `last`, and
    the first day of their first period (Illinois: A-G from 2023-01-30)."""

    first: str
    last: str
    starts_on: date
    citation: Citation
    note: str = ""
    # The group's own make-up windows (Illinois: A-G only); none: the cycle's.
    grace: tuple[GraceRule, ...] = ()

    @property
    def letters(self) -> str:
        return f"{self.first}-{self.last}"

    def holds(self, code: int) -> bool:
        """Whether the letter of code `code` (1 for A ... 26 for Z) is in it."""
        return ord(self.first) - 64 <= code <= ord(self.last) - 64

    def before_first(self, why: str) -> str:
        """Why a day before this group's first period is not evaluated: when that
        period starts, on what, and `why` the earlier ones are not known."""
        sureness = self.citation.sureness
        said = f"{self.citation.title}{f' [{sureness}]' if sureness else ''}"
        known = why or "no rule read says what was owed before it."
        return (
            f"for last names {self.letters} the first period encoded starts on "
            f"{self.starts_on} ({said}); {known}"
        )


@dataclass(frozen=True, slots=True)
class Cycle:
    """A counting window: repeating blocks of `months` from `anchor`, or one window.

    A one-time window (`once_from`, `once_due`) stays open after its due date: a late
    completion still satisfies it, but the person was deficient in between.
    """

    id: str
    label: str
    citation: Citation
    months: int = 0
    anchor: date | None = None
    once_from: date | None = None
    once_due: date | None = None
    grace: tuple[GraceRule, ...] = ()
    note: str = ""
    # Per-person cycles (`per_person` in the file): the cycle runs from a date of
    # each person's own (`person_date`: `licensed_on`, `appointed_on` or
    # `returned_on`, named to people as `date_label`). A repeating one
    # is anchored on the first first-of-`anchor_month` after that date (0: the
    # first of the next month), and its first period runs from the date itself to
    # the end of the period starting on that anchor (Florida: certified on
    # 1997-11-21, first deadline 2002-06-30). A one-time one opens on the date and
    # is due `due_months` later, or at the end of the first full period of the
    # cycle `due_end_of_first_full` that starts on or after it, or (`opens_from`:
    # `separated_on`) opens on the day the person left and is due on the return
    # itself, what must be done before coming back. `for_person` turns it into an
    # ordinary cycle for one person; the engine never evaluates it as is.
    person_date: str = ""
    anchor_month: int = 0
    due_months: int = 0
    due_end_of_first_full: str = ""
    opens_from: str = ""
    date_label: str = ""
    opens_on: date | None = None  # resolved: the first period starts on this day
    # Resolved for a window due on the return: values are read on this day (the
    # return), not on the window's first day, so a rule's `from` is the first
    # return it governs.
    values_on: date | None = None
    # Resolved for someone without the date: the cycle has no period, and the
    # result says that the date must be entered (not for `returned_on`, whose
    # absence means no break in service, so nothing to reactivate).
    awaits_date: bool = False
    # A repeating cycle staggered by surname (`person_date` is SURNAME): each
    # group's periods of `months` run from its own first day, which may be any
    # day of the month; a person is placed by the letter their surname begins
    # with, and one whose letter is in no group has no period (as without a date).
    surname_groups: tuple[SurnameGroup, ...] = ()
    # Why no period before a surname group's first is encoded (the file's
    # `before_first_note`); resolved for one person (`for_person`), the whole
    # reason: the cycle then has no period before its anchor, and a day there
    # comes back "not encoded" with this reason, not as owing nothing.
    before_first: str = ""

    @property
    def is_per_person(self) -> bool:
        return bool(self.person_date)

    @property
    def date_words(self) -> str:
        """The person's date this cycle counts from, as people call it."""
        return self.date_label or DATE_WORDS.get(self.person_date, self.person_date)

    def group_of(self, letter: int | None) -> SurnameGroup | None:
        """The surname group holding the letter code `letter`, if any."""
        if letter is None:
            return None
        return next((g for g in self.surname_groups if g.holds(letter)), None)

    def before_first_of(self, letter: int) -> str:
        """Why a day before the first period is not evaluated, for someone whose
        surname is filed under `letter` (the cycle as it is, or made theirs)."""
        group = self.group_of(letter) if self.surname_groups else None
        return group.before_first(self.before_first) if group else self.before_first

    def for_person(
        self,
        day: date | int | None,
        cycles: dict[str, Cycle],
        opened: date | None = None,
    ) -> Cycle:
        """This per-person cycle as an ordinary cycle for someone whose date is
        `day` (and, for a window due on the return, who left on `opened`); None
        (date unknown) gives a cycle with no period at all. A window due on the
        return of someone whose separation is not recorded opens on the return.
        For a cycle staggered by surname `day` is the letter code of the
        person's surname, and the cycle runs from their group's first day."""
        if self.surname_groups:
            group = self.group_of(day)  # type: ignore[arg-type]
            if group is None:
                return replace(self, surname_groups=()).for_person(None, cycles)
            return replace(
                self,
                person_date="",
                surname_groups=(),
                anchor=group.starts_on,
                label=f"{self.label} (surnames {group.letters})",
                citation=group.citation,
                grace=group.grace or self.grace,
                note=" ".join(n for n in (self.note, group.note) if n),
                before_first=group.before_first(self.before_first),
            )
        if day is None:
            return replace(
                self,
                person_date="",
                anchor=None,
                once_from=date.max,
                once_due=date.max,
                awaits_date=self.person_date != "returned_on",
                date_label=self.date_words,
            )
        if self.months:
            month = self.anchor_month or day.month % 12 + 1
            year = day.year if day.month < month else day.year + 1
            return replace(
                self, person_date="", anchor=date(year, month, 1), opens_on=day
            )
        if self.opens_from:
            start = day if opened is None or opened > day else opened
            return replace(
                self, person_date="", once_from=start, once_due=day, values_on=day
            )
        if self.due_months:
            due = add_months_on(day, self.due_months)
        else:
            other = cycles[self.due_end_of_first_full]
            first = other.period_containing(day)
            assert first is not None
            if first.start != day:
                first = other.period_containing(first.end + timedelta(days=1))
                assert first is not None
            due = first.end
        return replace(self, person_date="", once_from=day, once_due=due)

    def phase(
        self,
        day: date | None,
        cycles: dict[str, Cycle],
        since: date,
        opened: date | None = None,
    ) -> tuple:
        """What two people must share to have the same periods of this cycle from
        `since` on: the anchor month modulo the cycle's length (and the person's
        date while their first period ends after `since`), or the one-time window."""
        own = self.for_person(day, cycles, opened)
        if own.anchor is not None:
            phase = (own.anchor.year * 12 + own.anchor.month - 1) % self.months
            first_end = add_months_on(own.anchor, self.months)
            opens = own.opens_on if first_end > since else None
            # Two surname groups could share a phase yet not a grace rule.
            return (phase, own.anchor.day, opens, own.grace)
        return (own.once_from, own.once_due)

    def period_containing(self, day: date) -> Period | None:
        """The period of this cycle that contains `day`, or None before it begins
        (and always None for a per-person cycle not yet made a person's own with
        `for_person`: it has no period common to everyone)."""
        if self.person_date:
            return None  # a per-person cycle has periods only once made a person's own
        if self.once_from is not None and self.once_due is not None:
            if day < self.once_from:
                return None
            return Period(self.once_from, max(day, self.once_due), self.once_due)
        assert self.anchor is not None
        if self.before_first and day < self.anchor:
            return None  # before a surname group's first period: not encoded
        index = months_between(self.anchor, day) // self.months
        if self.opens_on is not None and index == -1 and day >= self.opens_on:
            index = 0  # before the anchor, from the person's own date: the first period
        # An anchor is the first of a month, or (a surname group's first day) any
        # day of a cycle of whole years, so every period starts on that day.
        start = add_months_on(self.anchor, index * self.months)
        end = add_months_on(self.anchor, (index + 1) * self.months) - timedelta(days=1)
        if self.opens_on is not None and index == 0:
            start = min(start, self.opens_on)
        elif self.opens_on is not None and day < self.opens_on:
            # Before the person's own cycle: a period they are licensed after.
            end = min(end, self.opens_on - timedelta(days=1))
        grace = at(self.grace, end)  # grace rules are dated by the period's end
        return Period(start, end, end, grace.until(end) if grace else None)


@dataclass(frozen=True, slots=True)
class NewLicenseeRule:
    """What a person licensed during a period owes for it.

    `exempt-period-of-licensing`: nothing for the period in which they were licensed.
    `prorate`: `hours_per_unit` for each full block of `unit_months` left in it.
    """

    starts_on: date
    rule: str
    citation: Citation
    unit_months: int = 0
    hours_per_unit: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class WaiverRule:
    """What a waiver does to a period it touches.

    `exempt` (the default when a mandate has no rule): the waived requirements are
    not owed for any period the waiver overlaps. `prorate`: `hours_per_unit` are
    owed for each block of `unit_months`, counted from the period's start, that the
    waiver does not touch (Utah: 10 hours per full quarter worked).
    """

    starts_on: date
    rule: str
    citation: Citation
    unit_months: int = 0
    hours_per_unit: Decimal = Decimal(0)

    def blocks(self, period_start: date, months: int) -> list[tuple[date, date]]:
        """The period's blocks of `unit_months`, as (first day, last day)."""
        return [
            (
                add_months(period_start, i * self.unit_months),
                add_months(period_start, (i + 1) * self.unit_months)
                - timedelta(days=1),
            )
            for i in range(months // self.unit_months)
        ]


@dataclass(frozen=True, slots=True)
class UncertainNote:
    """What a mandate file says its sources leave open, and what it qualifies:
    the requirements of `concerns` (none: the mandate as a whole) and, of those,
    only the values starting on a day of `values` (none: all their values)."""

    text: str
    concerns: frozenset[str] = frozenset()
    values: frozenset[date] = frozenset()

    @property
    def is_file_wide(self) -> bool:
        return not self.concerns

    def qualifies(self, starts_on: date) -> bool:
        """Whether the note is about the value of its requirements starting then."""
        return not self.values or starts_on in self.values

    def about(self) -> str:
        """What the note is about, in words: "total (the values from 2019-01-01)"."""
        what = ", ".join(sorted(self.concerns)) or "the mandate as a whole"
        if self.values:
            days = ", ".join(str(day) for day in sorted(self.values))
            what += f" (the values from {days})"
        return what


@dataclass(frozen=True, slots=True)
class Mandate:
    """A jurisdiction's rule set for some disciplines, as dated and cited data."""

    id: str
    jurisdiction: str
    title: str
    regulator: str
    is_verified: bool
    last_checked: date
    citation: Citation
    applies_to: tuple[Applicability, ...]
    cycles: dict[str, Cycle]
    requirements: tuple[Requirement, ...]
    new_licensee: tuple[NewLicenseeRule, ...] = ()
    waivers: tuple[WaiverRule, ...] = ()
    carry_over: tuple[CarryOverRule, ...] = ()
    # What the file admits the sources leave open, each note tied to what it
    # qualifies (see UncertainNote).
    uncertain: tuple[UncertainNote, ...] = ()
    reporting: str = ""
    consequence: str = ""
    source: str = ""

    def applies(self, person: Person) -> bool:
        return applies(self.applies_to, person)

    def uncertain_about(
        self, requirement_id: str, value: Dated | None = None
    ) -> tuple[str, ...]:
        """The uncertain notes that qualify requirement `requirement_id` when
        `value` (one of its dated values) is the one that governs; without a
        value, every note about the requirement."""
        return tuple(
            note.text
            for note in self.uncertain
            if requirement_id in note.concerns
            and (value is None or note.qualifies(value.starts_on))
        )

    def uncertain_in_period(
        self, requirement_id: str, period: Period
    ) -> tuple[str, ...]:
        """The notes beside a requirement's result for `period`: those about the
        requirement and the value that governs that period (none in force: the
        notes about the requirement as a whole)."""
        found = [r for r in self.requirements if r.id == requirement_id]
        value = found and for_period(found[0].values, period.start, period.end)
        if not value:
            return tuple(
                n.text
                for n in self.uncertain
                if requirement_id in n.concerns and not n.values
            )
        return self.uncertain_about(requirement_id, value)

    @property
    def uncertain_overall(self) -> tuple[str, ...]:
        """The uncertain notes about the mandate as a whole (no requirement named)."""
        return tuple(note.text for note in self.uncertain if note.is_file_wide)

    @property
    def per_person_cycles(self) -> tuple[Cycle, ...]:
        return tuple(c for c in self.cycles.values() if c.is_per_person)

    def for_person(self, dates: Mapping[str, date | None] | date | None) -> Mandate:
        """This mandate with every per-person cycle made ordinary for someone
        whose own dates are `dates` (by name: `licensed_on`, `appointed_on`,
        `returned_on`; a lone date is the license date)."""
        if not self.per_person_cycles:
            return self
        if not isinstance(dates, Mapping):
            dates = {"licensed_on": dates}
        cycles = {
            key: cycle.for_person(
                dates.get(cycle.person_date),
                self.cycles,
                dates.get(cycle.opens_from) if cycle.opens_from else None,
            )
            if cycle.is_per_person
            else cycle
            for key, cycle in self.cycles.items()
        }
        return replace(self, cycles=cycles)

    def not_encoded_reason(self, year: int) -> str:
        """Why no requirement is evaluated for `year`: the warning a result carries.

        Said out loud because "nothing in force" here means the rules for those
        periods are not in the file, not that the person owes nothing. The notes of
        `hours: null` entries in force on 31 December say why (a figure not found).
        """
        day = date(year, 12, 31)
        values = [v for r in self.requirements for v in r.values]
        gaps = {
            found.note
            for r in self.requirements
            if (found := at(r.values, day)) is not None
            and found.hours is None
            and found.note
        }
        starts = sorted(v.starts_on for v in values if v.hours is not None)
        # A rule starting during the year is read only from a period beginning
        # on or after its day, so it may still be the next one for this period.
        later = [start for start in starts if start > date(year, 1, 1)]
        if starts and year <= starts[0].year:
            # Values are read on a period's first day, so a rule starting inside
            # the year applies only from the next period.
            where = (
                f"the earliest encoded rule starts on {starts[0]} and applies from "
                "the first period beginning on or after that day"
            )
        elif later and later[0] <= day:
            where = (
                f"the next encoded rule starts on {later[0]} and applies from the "
                "first period beginning on or after that day"
            )
        elif later:
            where = f"the next encoded rule starts on {later[0]}"
        else:
            where = "no later rule is encoded"
        why = " ".join(sorted(gaps))
        return (
            f"NO RULES ENCODED for the period containing 31 December {year} in the "
            f"{self.title} ({where}). {why + ' ' if why else ''}This is not a "
            "finding that nothing is owed: check the official text for that period."
        )

    def warnings(self) -> tuple[str, ...]:
        """What every evaluation against this mandate must say out loud."""
        if self.is_verified:
            return ()
        return (
            f"UNVERIFIED RULES: the {self.title} could not be confirmed against the "
            "official text. Treat this result as an estimate, not a determination.",
        )
