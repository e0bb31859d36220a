"""The shape of a mandate file, checked by pydantic before anything else reads it.

Keys are the ones a reviewer sees in the YAML; unknown keys are refused so that a
misspelt key cannot silently drop a rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


# What a value rests on, from the strongest kind of source to the weakest. A reader
# of a result must be able to tell a figure read in the rule from one found on a
# web page or in a vendor's FAQ.
SourceKind = Literal[
    "regulation",  # the administrative rule's own text
    "statute",  # the statute's own text
    "agency-page",  # the regulator's web page or notice
    "press-release",  # the regulator's news release
    "secondary",  # anyone else: a vendor, a county guide, another agency, a mirror
    "bill",  # a bill's text whose enactment is not confirmed
]
# How sure the figure is: the source states it as encoded; the source supports it
# only in part (part of the text read, or its date or scope inferred); or it could
# not be confirmed at all.
Confidence = Literal["stated", "partial", "unconfirmed"]


class ReferenceSpec(Spec):
    title: str = Field(min_length=3)
    href: str = ""
    source: SourceKind
    confidence: Confidence


class DatedSpec(Spec):
    from_: date = Field(alias="from")
    reference: ReferenceSpec | None = None
    note: str = ""


class TierSpec(Spec):
    from_years: int = Field(ge=0)
    hours: Decimal = Field(ge=0)


class ValueSpec(DatedSpec):
    hours: Decimal | None = Field(ge=0)
    by_role: dict[str, Decimal] = {}
    tiers: list[TierSpec] = []
    # True when the text makes the value govern the period it starts in (read on
    # the period's last day); by default a change applies from the next period.
    applies_within: bool = False


class CountsSpec(Spec):
    areas: list[str] = []
    topics: list[str] = []
    delivery: list[str] = []
    providers: list[str] = []
    # A named course of fixed length: a shorter line on its subject is refused.
    min_hours: Decimal = Field(default=Decimal(0), ge=0, decimal_places=2)


class ApplicabilitySpec(Spec):
    disciplines: list[str] = []
    attributes: list[str] = []
    without_attributes: list[str] = []


class CapValueSpec(DatedSpec):
    hours: Decimal | None = Field(ge=0)
    applies_within: bool = False


class ShortfallSpec(DatedSpec):
    # The share of the requirement an approved absence may leave undone: 0.10 is
    # 10 percent. At most half, so that a typo cannot excuse a whole course.
    share: Decimal = Field(gt=0, le=Decimal("0.5"), decimal_places=4)


class ConsequenceSpec(DatedSpec):
    misses: int = Field(ge=1, le=10)
    consequence: str = Field(min_length=3)


class AlternativeSpec(DatedSpec):
    # Another way to satisfy the requirement as a whole: a line on its subject
    # that also fits `counts`, completed or (a test-out) passed.
    label: str = Field(min_length=3)
    kind: Literal["completion", "qualification"] = "completion"
    counts: CountsSpec = CountsSpec()


class BreakSpec(Spec):
    # The length of the latest break in service (separated_on to returned_on)
    # after which a requirement is owed; 0 leaves a bound out.
    more_than_months: int = Field(default=0, ge=0, le=600)
    at_least_months: int = Field(default=0, ge=0, le=600)
    less_than_months: int = Field(default=0, ge=0, le=600)
    at_most_months: int = Field(default=0, ge=0, le=600)


class CapSpec(Spec):
    label: str
    counts: CountsSpec
    values: list[CapValueSpec] = Field(min_length=1)


class RequirementSpec(Spec):
    label: str
    cycle: str
    kind: Literal["hours", "qualification", "completion"] = "hours"
    counts: CountsSpec = CountsSpec()
    applies_to: list[ApplicabilitySpec] = []
    caps: list[CapSpec] = []
    waivable: bool = True
    tolerated_shortfall: list[ShortfallSpec] = []
    consequences: list[ConsequenceSpec] = []
    satisfied_by: list[AlternativeSpec] = []
    after_break: BreakSpec | None = None
    reference: ReferenceSpec | None = None
    values: list[ValueSpec] = Field(min_length=1)


class GraceSpec(DatedSpec):
    until: str = Field(pattern=r"^\d\d-\d\d$")


class OnceSpec(Spec):
    from_: date = Field(alias="from")
    due: date


class SurnameGroupSpec(Spec):
    # The surnames beginning with a letter from the first to the last ("A-G"),
    # and the first day of their first period.
    letters: str = Field(pattern=r"^[A-Z]-[A-Z]$")
    starts_on: date
    reference: ReferenceSpec
    note: str = ""
    # The group's own make-up windows (as a cycle's `grace`), in place of the
    # cycle's for this group.
    grace: list[GraceSpec] = []


class PerPersonSpec(Spec):
    """A cycle that runs from a date of each person's own (see mandate.Cycle),
    or (`surname_groups`, no `date`) from the first day of their surname's group."""

    date: Literal["licensed_on", "appointed_on", "returned_on"] | None = None
    surname_groups: list[SurnameGroupSpec] = []
    # Why the periods before each surname group's first are not known (said
    # with "NO RULES ENCODED" to the people of a group whose first period has
    # not begun in the year evaluated).
    before_first_note: str = ""
    # How people call the date ("certification date"), in "no ... recorded".
    date_label: str = ""
    anchor_month: int = Field(default=0, ge=0, le=12)
    due_months: int = Field(default=0, ge=0, le=120)
    due_end_of_first_full: str = ""
    # A window before the return: it opens on the day the person left
    # (`separated_on`) and is due on the return itself (Florida's reactivation).
    opens: Literal["separated_on"] | None = None


class CycleSpec(Spec):
    label: str
    months: int | None = Field(default=None, ge=1, le=120)
    anchor: date | None = None
    once: OnceSpec | None = None
    per_person: PerPersonSpec | None = None
    grace: list[GraceSpec] = []
    reference: ReferenceSpec | None = None
    note: str = ""


class NewLicenseeSpec(DatedSpec):
    rule: Literal["exempt-period-of-licensing", "prorate"]
    unit_months: int = Field(default=0, ge=0)
    hours_per_unit: Decimal = Field(default=Decimal(0), ge=0)


class WaiverRuleSpec(DatedSpec):
    rule: Literal["exempt", "prorate"]
    unit_months: int = Field(default=0, ge=0)
    hours_per_unit: Decimal = Field(default=Decimal(0), ge=0)


class CarryOverSpec(DatedSpec):
    # At most this many excess hours of a period count toward the next (0: none).
    hours: Decimal = Field(ge=0, decimal_places=2)
    requirements: list[str] = []


class UncertainSpec(Spec):
    # What the sources leave open about some figures: shown next to them (the
    # person page, `muster mandates show`, the standings JSON). A note names the
    # requirements it concerns, or says `file_wide: true` (it is about the
    # mandate as a whole, shown under it); a plain sentence is file-wide too.
    note: str = Field(min_length=3)
    concerns: list[str] = []  # requirement ids of this file
    # Of those requirements, only the values starting on these days (their
    # `from`); none: every value.
    values: list[date] = []
    file_wide: bool = False


class MandateSpec(Spec):
    id: str = Field(pattern=r"^[a-z]{2}(\.[a-z0-9_]+)+$")
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}$")
    title: str
    regulator: str
    status: Literal["verified", "unverified"]
    last_checked: date
    documentation: str = ""
    reporting: str = ""
    consequence: str = ""
    applies_to: list[ApplicabilitySpec] = Field(min_length=1)
    reference: ReferenceSpec | None = None
    uncertain: list[str | UncertainSpec] = []
    cycles: dict[str, CycleSpec] = Field(min_length=1)
    new_licensee: list[NewLicenseeSpec] = []
    waivers: list[WaiverRuleSpec] = []
    carry_over: list[CarryOverSpec] = []
    requirements: dict[str, RequirementSpec] = Field(min_length=1)


class JurisdictionSpec(Spec):
    code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    regulator: str
    description: str
    documentation: str = ""


class VocabularySpec(Spec):
    areas: dict[str, str]
    topics: dict[str, str]
    deliveries: dict[str, str]
    providers: dict[str, str]
    disciplines: dict[str, str]
    attributes: dict[str, str]
