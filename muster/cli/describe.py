"""`muster mandates show`: a jurisdiction's rules in force on a day, for reading.

It prints what evaluation uses: each requirement's amount, what counts toward it,
its citation and notes, and what the mandate file admits is uncertain.
"""

from __future__ import annotations

from calendar import month_name
from datetime import date
from decimal import Decimal

from muster.cli.mandates import jurisdiction_code, load, source_file
from muster.cli.output import BOLD, paint
from muster.rules import Mandate, Requirement
from muster.rules.mandate import (
    Applicability,
    CountRule,
    Cycle,
    Kind,
    RequirementValue,
    at,
    for_period,
)
from muster.rules.report import number


def in_hours(value: Decimal) -> str:
    """
    >>> in_hours(Decimal("1.50"))
    '1.5 h'
    """
    hours = number(value)
    return f"{hours} h"


def show(root: str | None, code: str, day: date, colour: bool) -> str:
    """Each mandate of a jurisdiction, with the values in force on `day`."""
    jurisdiction = load(root).get(jurisdiction_code(code))
    out = [
        f"{jurisdiction.name} ({jurisdiction.code}): rules in force on {day}",
        f"Regulator: {jurisdiction.regulator}",
        " ".join(jurisdiction.description.split()),
    ]
    for mandate in jurisdiction.mandates:
        out += ["", *describe_mandate(mandate, day, colour)]
    return "\n".join(out) + "\n"


def describe_mandate(mandate: Mandate, day: date, colour: bool) -> list[str]:
    out = [f"{mandate.id}: {mandate.title}"]
    out += [paint(f"!! {warning}", BOLD, colour) for warning in mandate.warnings()]
    status = "verified" if mandate.is_verified else "UNVERIFIED"
    who, path = describe_applicability(mandate.applies_to), source_file(mandate)
    out += [
        f"  status: {status}, last checked {mandate.last_checked}",
        f"  applies to: {who}",
        f"  source: {mandate.citation}",
        f"  file: {path}",
    ]
    if mandate.reporting:
        out.append(f"  reporting: {mandate.reporting}")
    if mandate.consequence:
        out.append(f"  if not met: {mandate.consequence}")
    out.append("  Cycles")
    in_use = {
        r.cycle
        for r in mandate.requirements
        if (value := at(r.values, day)) is not None and value.hours is not None
    }
    for cycle in mandate.cycles.values():
        out += describe_cycle(cycle, day, cycle.id in in_use)
    out += describe_new_licensees(mandate, day)
    out += describe_waivers(mandate, day)
    out += describe_requirements(mandate, day)
    # Notes on a requirement are under it, beside the value they qualify; those
    # on nothing shown today stay here, saying what they are about.
    shown = {
        r.id: value
        for r in mandate.requirements
        if (value := at(r.values, day)) is not None and value.hours is not None
    }
    left = [
        note.text if note.is_file_wide else f"{note.text} (about {note.about()})"
        for note in mandate.uncertain
        if not any(
            name in shown and note.qualifies(shown[name].starts_on)
            for name in note.concerns
        )
    ]
    if left:
        out.append("  Uncertain")
        out += [f"    - {note}" for note in left]
    return out


def describe_new_licensees(mandate: Mandate, day: date) -> list[str]:
    rule = at(mandate.new_licensee, day)
    if rule is None:
        return []
    if rule.rule == "exempt-period-of-licensing":
        what = "exempt for the rest of the period in which they are licensed"
    else:
        hours, months = in_hours(rule.hours_per_unit), rule.unit_months
        what = f"{hours} for each full {months} months left in the period"
    return [f"  New licensees: {what} ({rule.citation.title})"]


def describe_waivers(mandate: Mandate, day: date) -> list[str]:
    rule = at(mandate.waivers, day)
    if rule is None or rule.rule == "exempt":
        return ["  Waivers: exempt the waived requirements for the periods they touch"]
    hours, months = in_hours(rule.hours_per_unit), rule.unit_months
    what = f"prorate to {hours} for each {months} months no waiver touches"
    return [f"  Waivers: {what} ({rule.citation.title})"]


def describe_cycle(cycle: Cycle, day: date, in_use: bool) -> list[str]:
    if cycle.is_per_person:
        return describe_per_person_cycle(cycle)
    if cycle.once_from is not None:
        head = f"once, from {cycle.once_from}, due {cycle.once_due}"
    else:
        head = f"every {cycle.months} months from {cycle.anchor}"
    out = [f"    {cycle.id}: {cycle.label}, {head}"]
    period = cycle.period_containing(day)
    if not in_use:
        out.append(f"      no requirement in force on {day} is counted over it")
    elif period is None:
        out.append(f"      not yet begun on {day}")
    else:
        grace = f", make-up until {period.grace_until}" if period.grace_until else ""
        span = f"{period.start} to {period.end}{grace}"
        out.append(f"      period containing {day}: {span}")
    out.append(f"      source: {cycle.citation}")
    return out


def describe_per_person_cycle(cycle: Cycle) -> list[str]:
    """A cycle of each person's own: no period is common to everyone."""
    if cycle.surname_groups:
        return [
            f"    {cycle.id}: {cycle.label}, every {cycle.months} months from the "
            "first day of the group of each person's last name:",
            *(
                f"      {g.letters}: from {g.starts_on} ({g.citation})"
                for g in cycle.surname_groups
            ),
            "      a person without a last name in a group is told to enter it",
            f"      source: {cycle.citation}",
        ]
    if cycle.months:
        ends = (
            f"periods end on the day before 1 {month_name[cycle.anchor_month]}"
            if cycle.anchor_month
            else "periods end with the month of each anniversary"
        )
        head = (
            f"every {cycle.months} months from each person's {cycle.person_date} "
            f"({ends}; the first runs from the date itself)"
        )
    elif cycle.opens_from:
        head = (
            f"once, from the day each person left service ({cycle.opens_from}) "
            f"to their {cycle.date_words} ({cycle.person_date}), due on that day"
        )
    elif cycle.due_months:
        head = f"once, from each person's {cycle.person_date}, due {cycle.due_months} months later"
    else:
        head = (
            f"once, from each person's {cycle.person_date}, due at the end of the "
            f"first full {cycle.due_end_of_first_full} period beginning on or after it"
        )
    return [
        f"    {cycle.id}: {cycle.label}, {head}",
        "      per person: each person's period is on their own page and in evaluations",
        f"      source: {cycle.citation}",
    ]


def describe_requirements(mandate: Mandate, day: date) -> list[str]:
    out = [f"  Requirements in force on {day}"]
    idle = []
    for requirement in mandate.requirements:
        value = at(requirement.values, day)
        if value is None:
            idle.append(f"{requirement.id} (from {requirement.values[0].starts_on})")
        elif value.hours is None:
            idle.append(f"{requirement.id} (repealed {value.starts_on})")
        else:
            out += describe_requirement(requirement, value, mandate, day)
    if idle:
        out.append(f"  Not in force on {day}: " + ", ".join(idle))
    return out


def describe_requirement(
    requirement: Requirement, value: RequirementValue, mandate: Mandate, day: date
) -> list[str]:
    amount = describe_amount(requirement, value)
    out = [
        f"    {requirement.id}: {requirement.label}: {amount} "
        f"per {requirement.cycle} period"
    ]
    if requirement.applies_to:
        who = describe_applicability(requirement.applies_to)
        out.append(f"      only for: {who}")
    if requirement.after_break is not None:
        out.append(
            f"      owed only after {requirement.after_break.words()} "
            "(separated_on to returned_on)"
        )
    counts = describe_counts(requirement.counts)
    if counts:
        out.append(f"      counts: {counts}")
    for cap in requirement.caps:
        cap_value = at(cap.values, day)
        if cap_value is not None and cap_value.hours is not None:
            hours = in_hours(cap_value.hours)
            out.append(f"      at most {hours} of {cap.label} count")
            out.append(f"        source: {cap_value.citation}")
    if not requirement.is_waivable:
        out.append("      cannot be waived")
    shortfall = at(requirement.shortfalls, day)
    if shortfall is not None:
        share = f"{(shortfall.share * 100).normalize():f}%"
        out.append(
            f"      with an approved absence recorded, missing {share} or less is "
            "not a failure"
        )
        out.append(f"        source: {shortfall.citation}")
    for consequence in requirement.consequences:
        if consequence.starts_on <= day:
            run = (
                "missed"
                if consequence.misses == 1
                else (f"missed {consequence.misses} periods in a row")
            )
            out.append(f"      if {run}: {consequence.consequence}")
            out.append(f"        source: {consequence.citation}")
    carry = at(mandate.carry_over, day)
    if carry is not None and carry.covers(requirement):
        out.append(
            f"      up to {in_hours(carry.hours)} over the amount carry over to the "
            "next period"
        )
        out.append(f"        source: {carry.citation}")
    out.append(f"      source: {value.citation}")
    if value.note:
        out.append(f"      note: {value.note}")
    out += [
        f"      uncertain: {note}"
        for note in mandate.uncertain_about(requirement.id, value)
    ]
    if value.applies_within:
        out.append(
            f"      governs the whole period containing {value.starts_on}, which it "
            "starts inside"
        )
    out += period_start_difference(requirement, value, mandate, day)
    return out


def period_start_difference(
    requirement: Requirement, value: RequirementValue, mandate: Mandate, day: date
) -> list[str]:
    """Evaluation uses the value in force when a period starts (or one marked to
    govern the period it starts in); say if that differs."""
    period = mandate.cycles[requirement.cycle].period_containing(day)
    if period is None:
        return []
    applied = for_period(requirement.values, period.start, period.end)
    if applied is value:
        return []
    amount = "nothing"
    if applied is not None and applied.hours is not None:
        amount = describe_amount(requirement, applied)
    return [
        f"      for the period that began {period.start}, evaluation applies "
        f"the value that governs it: {amount}"
    ]


def describe_amount(requirement: Requirement, value: RequirementValue) -> str:
    if requirement.kind == Kind.QUALIFICATION:
        return "a passed qualification"
    if requirement.kind == Kind.COMPLETION:
        return "one completion"
    assert value.hours is not None
    text = in_hours(value.hours)
    if value.tiers:
        tiers = ", ".join(
            f"{tier.from_years}+ years " + in_hours(tier.hours) for tier in value.tiers
        )
        text += f" (by years of service: {tiers})"
    for role, hours in value.by_role:
        text += f"; {role}: " + in_hours(hours)
    return text


def describe_counts(counts: CountRule) -> str:
    parts = [
        name + " " + ", ".join(sorted(words))
        for name, words in (
            ("areas", counts.areas),
            ("topics", counts.topics),
            ("delivery", counts.deliveries),
            ("providers", counts.providers),
        )
        if words
    ]
    if counts.min_hours:
        parts.append(f"a line of at least {in_hours(counts.min_hours)}")
    return "; ".join(parts)


def describe_applicability(alternatives: tuple[Applicability, ...]) -> str:
    """
    >>> describe_applicability((Applicability(frozenset({"chief"})),))
    'chief'
    >>> describe_applicability(())
    'everyone'
    """
    texts = []
    for alternative in alternatives:
        words = [" or ".join(sorted(alternative.disciplines)) or "anyone"]
        words += [f"with {a}" for a in sorted(alternative.attributes)]
        words += [f"without {a}" for a in sorted(alternative.without_attributes)]
        texts.append(" ".join(words))
    return "; or ".join(texts) or "everyone"
