"""Evaluate everyone in the input files against a jurisdiction's mandates.

Each person is evaluated against every mandate of the jurisdiction that applies to
them; a person to whom none applies gets one `not-applicable` result saying so.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from muster.cli.csvinput import Inputs
from muster.cli.fields import quoted
from muster.rules import ComplianceResult, Jurisdiction, Person, Status, evaluate

# A warning lists at most this many line numbers; the count says the rest.
MAX_LINES_SHOWN = 5


@dataclass(frozen=True)
class Evaluation:
    """The results for all people, and what the reader must be warned about."""

    jurisdiction: Jurisdiction
    year: int
    as_of: date
    results: tuple[ComplianceResult, ...]
    rule_warnings: tuple[str, ...]
    input_warnings: tuple[str, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings about the rules first: they qualify every result."""
        return self.rule_warnings + self.input_warnings


def evaluate_inputs(
    jurisdiction: Jurisdiction, inputs: Inputs, year: int, as_of: date
) -> Evaluation:
    """Results in people-file order, one per person and applicable mandate."""
    lines = defaultdict(list)
    for _, line in inputs.records:
        lines[line.person].append(line)
    exemptions = defaultdict(list)
    for exemption in inputs.exemptions:
        exemptions[exemption.person].append(exemption)
    results: list[ComplianceResult] = []
    for _, person in inputs.people:
        mandates = [m for m in jurisdiction.mandates if m.applies(person)]
        if not mandates:
            results.append(not_applicable(person, jurisdiction, as_of))
        for mandate in mandates:
            results.append(
                evaluate(
                    person,
                    lines[person.id],
                    mandate,
                    year=year,
                    as_of=as_of,
                    exemptions=exemptions[person.id],
                )
            )
    rule_warnings = dict.fromkeys(w for result in results for w in result.warnings)
    input_warnings = [
        *role_warnings(jurisdiction, inputs),
        *late_record_warnings(inputs, as_of),
    ]
    return Evaluation(
        jurisdiction,
        year,
        as_of,
        tuple(results),
        tuple(rule_warnings),
        tuple(input_warnings),
    )


def not_applicable(
    person: Person, jurisdiction: Jurisdiction, as_of: date
) -> ComplianceResult:
    code = jurisdiction.code
    discipline = quoted(person.discipline)
    attributes = ", ".join(sorted(person.attributes)) or "none"
    return ComplianceResult(
        person=person.id,
        mandate="",
        jurisdiction=code,
        as_of=as_of,
        status=Status.NOT_APPLICABLE,
        requirements=(),
        notes=(
            f"no {code} mandate applies to discipline {discipline} "
            f"(attributes: {attributes})",
        ),
    )


def named_roles(jurisdiction: Jurisdiction) -> tuple[set[str] | None, set[str]]:
    """Disciplines the mandates apply to (None: any), and every role word they use."""
    disciplines: set[str] | None = set()
    roles: set[str] = set()
    for mandate in jurisdiction.mandates:
        for alternative in mandate.applies_to:
            if not alternative.disciplines:
                disciplines = None
            elif disciplines is not None:
                disciplines |= alternative.disciplines
        alternatives = [*mandate.applies_to]
        for requirement in mandate.requirements:
            alternatives += requirement.applies_to
            roles |= {role for value in requirement.values for role, _ in value.by_role}
        for alternative in alternatives:
            roles |= alternative.disciplines | alternative.attributes
            roles |= alternative.without_attributes
    return disciplines, roles


def role_warnings(jurisdiction: Jurisdiction, inputs: Inputs) -> Iterable[str]:
    """Warn about disciplines no mandate names and attributes that look misspelt."""
    disciplines, roles = named_roles(jurisdiction)
    by_discipline: dict[str, list[int]] = defaultdict(list)
    by_attribute: dict[str, list[int]] = defaultdict(list)
    for number, person in inputs.people:
        by_discipline[person.discipline].append(number)
        for attribute in person.attributes:
            by_attribute[attribute].append(number)
    where, code = inputs.people_file, jurisdiction.code
    for discipline, numbers in by_discipline.items():
        if disciplines is not None and discipline not in disciplines:
            lines, word, known = (
                line_list(numbers),
                quoted(discipline),
                sorted(disciplines),
            )
            yield (
                f"{where}: discipline {word} ({lines}) is named by no {code} mandate, "
                f"so nothing applies to those officers; {code} mandates name "
                + ", ".join(known)
            )
    for attribute, numbers in by_attribute.items():
        close = difflib.get_close_matches(attribute, roles - {attribute}, n=1)
        if attribute not in roles and close:
            lines, word, guess = line_list(numbers), quoted(attribute), quoted(close[0])
            yield (
                f"{where}: attribute {word} ({lines}) is used by no {code} mandate; "
                f"did you mean {guess}?"
            )


def late_record_warnings(inputs: Inputs, as_of: date) -> Iterable[str]:
    """Records dated after the as-of day are left out; say so, they may be typos."""
    numbers = [number for number, line in inputs.records if line.completed_on > as_of]
    if numbers:
        where, lines = inputs.records_file, line_list(numbers)
        yield (
            f"{where}: records dated after the as-of date {as_of} ({lines}) are "
            "not counted"
        )


def line_list(numbers: list[int]) -> str:
    """
    >>> line_list([3]), line_list([2, 4, 6, 8, 10, 12, 14])
    ('line 3', 'lines 2, 4, 6, 8, 10 and 2 more')
    """
    shown = ", ".join(str(n) for n in numbers[:MAX_LINES_SHOWN])
    rest = len(numbers) - MAX_LINES_SHOWN
    word = "line" if len(numbers) == 1 else "lines"
    return f"{word} {shown}" + (f" and {rest} more" if rest > 0 else "")
