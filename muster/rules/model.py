"""The engine's inputs and outputs: plain frozen dataclasses, no Django.

Hours are `Decimal` with at most two decimal places (a hundredth of an hour is the
finest unit a training record carries), so sums are exact; the engine works in
integer hundredths of an hour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from muster.rules.errors import InputError

HUNDREDTH = Decimal("0.01")


def to_hours(value: Decimal | int | float | str) -> Decimal:
    """Return `value` as exact hours, refusing negatives and sub-hundredths.

    >>> to_hours("1.25")
    Decimal('1.25')
    >>> to_hours(2)
    Decimal('2')
    >>> to_hours("1e30")
    Traceback (most recent call last):
    muster.rules.errors.InputError: hours are too large, not '1e30'
    """
    hours = Decimal(str(value))
    if not hours.is_finite() or hours < 0:
        raise InputError(f"hours must be a number of zero or more, not {value!r}")
    try:
        exact = hours == hours.quantize(HUNDREDTH)
    except InvalidOperation:  # too many digits to hold in hundredths
        raise InputError(f"hours are too large, not {value!r}") from None
    if not exact:
        raise InputError(f"hours may have at most two decimals, not {value!r}")
    return hours


@dataclass(frozen=True, slots=True)
class Person:
    """Who is evaluated: discipline, first license date and attributes.

    `attributes` are facts that change what applies, such as `traffic-enforcement`
    or `chief`. `appointed_on` is the first appointment in the role held (a chief's
    first appointment as chief: a new chief's course is due from it);
    `separated_on` and `returned_on` bound the latest break in service (left
    service, back in service), from which reactivation rules count;
    `earlier_breaks` lists the breaks before it as (left, back) pairs, oldest
    first (`evaluate` picks the one in play for the year, `break_in_play`).
    `surname` is the last name: a cycle staggered by surname (Illinois's
    three-year period, by the letter it begins with) reads only its first letter.
    """

    id: str
    discipline: str
    licensed_on: date | None = None
    attributes: frozenset[str] = frozenset()
    appointed_on: date | None = None
    separated_on: date | None = None
    returned_on: date | None = None
    earlier_breaks: tuple[tuple[date, date], ...] = ()
    surname: str = ""

    def __post_init__(self) -> None:
        if (
            self.separated_on is not None
            and self.returned_on is not None
            and self.returned_on < self.separated_on
        ):
            raise InputError(
                "a break in service cannot end (returned_on) before it starts "
                "(separated_on)"
            )
        previous = None
        for left, back in self.earlier_breaks:
            if back < left:
                raise InputError(
                    f"an earlier break in service cannot end ({back}) before it "
                    f"starts ({left})"
                )
            if previous is not None and left < previous:
                raise InputError(
                    "earlier breaks in service must be listed oldest first and "
                    f"must not overlap: one starts on {left}, before {previous}"
                )
            previous = back
        latest = self.separated_on or self.returned_on
        if previous is not None and (latest is None or latest < previous):
            raise InputError(
                "the latest break in service (separated_on, returned_on) must "
                f"start after the earlier breaks end (the last ends on {previous})"
            )

    def has_role(self, role: str) -> bool:
        """Whether `role` names the person's discipline or one of their attributes."""
        return role == self.discipline or role in self.attributes


@dataclass(frozen=True, slots=True)
class CreditLine:
    """Hours of one training record credited to one area and set of topics.

    A record that credits two areas is two lines. `counts_for` marks a make-up line
    completed in a grace period for the year it names.
    """

    person: str
    completed_on: date
    hours: Decimal
    area: str | None = None
    topics: frozenset[str] = frozenset()
    delivery: str = "live"
    provider: str = "other"
    result: str | None = None
    counts_for: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", to_hours(self.hours))


# What an exemption can be. An `absence` is an approved absence from part of a
# course (Tennessee 1110-09-.05(1)(d)): it exempts nothing by itself, but a
# requirement with a `tolerated_shortfall` then accepts a small shortfall.
EXEMPTION_KINDS = ("waiver", "extension", "absence")


@dataclass(frozen=True, slots=True)
class Exemption:
    """A dated waiver, extension or approved absence granted to one person.

    A `waiver` exempts the person from the requirements it names (all when empty)
    in every period it overlaps, unless the mandate marks them non-waivable. An
    `extension` moves the deadline of the periods ending inside it to `ends_on`.
    An `absence` lets the requirements it names (all when empty) that tolerate a
    shortfall for an approved absence, in the periods it overlaps, accept one.
    """

    person: str
    kind: str
    starts_on: date
    ends_on: date
    reason: str = ""
    requirements: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.kind not in EXEMPTION_KINDS:
            raise InputError(
                "exemption kind must be waiver, extension or absence, not "
                f"{self.kind!r}"
            )
        if self.ends_on < self.starts_on:
            raise InputError("an exemption cannot end before it starts")

    def overlaps(self, start: date, end: date) -> bool:
        return self.starts_on <= end and self.ends_on >= start


# How each kind of source is named to people (see `schema.SourceKind`). Anything but
# the rule's or the statute's own text says so, so that nobody takes a web page for
# the law.
SOURCE_KINDS = {
    "regulation": "regulation text",
    "statute": "statute text",
    "agency-page": "agency web page, not verified against the rule",
    "press-release": "agency press release, not verified against the rule",
    "secondary": "secondary source, not verified against the rule",
    "bill": "bill text, enactment not confirmed",
}
CONFIDENCES = {
    "stated": "",
    "partial": "partly confirmed",
    "unconfirmed": "NOT CONFIRMED",
}


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a value comes from: a title and URL, the kind of source and how sure.

    `source` is one of `SOURCE_KINDS` and `confidence` one of `CONFIDENCES`; both
    are empty only for a citation built outside a mandate file.
    """

    title: str
    href: str = ""
    source: str = ""
    confidence: str = ""

    def __str__(self) -> str:
        text = f"{self.title} <{self.href}>" if self.href else self.title
        return f"{text} [{self.sureness}]" if self.sureness else text

    @property
    def sureness(self) -> str:
        """What the value rests on, in words: "regulation text", "bill text, ..."

        >>> Citation("r. 1", source="agency-page", confidence="partial").sureness
        'agency web page, not verified against the rule; partly confirmed'
        >>> Citation("r. 1").sureness
        ''
        """
        words = [
            SOURCE_KINDS.get(self.source, self.source),
            CONFIDENCES.get(self.confidence, self.confidence),
        ]
        return "; ".join(word for word in words if word)

    @property
    def is_confirmed(self) -> bool:
        """Whether the value rests on the rule's or statute's text, which states it."""
        return self.source in ("regulation", "statute") and self.confidence == "stated"


@dataclass(frozen=True, slots=True)
class Period:
    """One counting window of a cycle, with its deadlines.

    `due_on` is the end of the window unless an extension moved it; `grace_until`
    is the last day make-up hours may be completed, when the rules allow it.
    """

    start: date
    end: date
    due_on: date
    grace_until: date | None = None

    @property
    def final_day(self) -> date:
        """The last day on which the person can still close a gap."""
        return max(self.due_on, self.grace_until or self.due_on)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_dict(self) -> dict[str, str | None]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "due": self.due_on.isoformat(),
            "grace_until": self.grace_until.isoformat() if self.grace_until else None,
        }


class Status:
    """Overall and per-requirement statuses (plain strings, stable in JSON)."""

    COMPLIANT = "compliant"
    DEFICIENT = "deficient"
    EXEMPT = "exempt"
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    NOT_APPLICABLE = "not-applicable"
    # The mandate applies to the person, but no rule of it is encoded for the
    # period (before the first encoded value, or a year whose figure was not found).
    # Never "not-applicable": nobody may read it as "owes nothing".
    NOT_ENCODED = "not-encoded"

    MET = "met"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Allocation:
    """How one credit line fared against one requirement."""

    requirement: str
    hours: Decimal
    reason: str = ""
    unit: str = "h"  # "completion" for course and qualification requirements


@dataclass(frozen=True, slots=True)
class LineExplanation:
    """What one credit line counted toward, and what it did not and why.

    `outside` says why the line falls outside a period evaluated (once per cycle);
    `not_counted` names requirements whose subject fits but which refuse the line.
    """

    line: CreditLine
    counted: tuple[Allocation, ...] = ()
    not_counted: tuple[Allocation, ...] = ()
    outside: tuple[str, ...] = ()

    def text(self) -> str:
        head = f"{self.line.completed_on} {self.line.hours} h"
        if self.line.label:
            head += f" ({self.line.label})"
        parts = [
            f"counted {a.hours} h toward {a.requirement}"
            if a.unit == "h"
            else f"counted as a {a.unit} toward {a.requirement}"
            for a in self.counted
        ]
        parts += [f"not toward {a.requirement}: {a.reason}" for a in self.not_counted]
        parts += [f"not counted: {reason}" for reason in self.outside]
        return f"{head}: " + ("; ".join(parts) if parts else "counted toward nothing")


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One requirement's outcome for one person and period."""

    id: str
    label: str
    unit: str
    period: Period
    required: Decimal
    earned: Decimal
    status: str
    citation: Citation
    notes: tuple[str, ...] = ()
    # Of `earned`, the hours carried over from the period before (no line of this
    # period counted them); zero unless the mandate allows carry-over.
    carried_over: Decimal = Decimal(0)

    @property
    def missing(self) -> Decimal:
        if self.status in (Status.EXEMPT, Status.NOT_APPLICABLE):
            return Decimal(0)
        return max(Decimal(0), self.required - self.earned)

    @property
    def is_applicable(self) -> bool:
        return self.status != Status.NOT_APPLICABLE


@dataclass(frozen=True, slots=True)
class ComplianceResult:
    """One person's standing against one mandate for the selected periods."""

    person: str
    mandate: str
    jurisdiction: str
    as_of: date
    status: str
    requirements: tuple[RequirementResult, ...]
    lines: tuple[LineExplanation, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def requirement(self, requirement_id: str) -> RequirementResult:
        for result in self.requirements:
            if result.id == requirement_id:
                return result
        raise KeyError(requirement_id)
