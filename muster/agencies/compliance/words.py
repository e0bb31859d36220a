"""The engine's keys in the words a person reads: labels, never internal ids.

The engine names requirements, topics, deliveries and provider kinds by their keys
(`approved-provider`, `skill-development`); pages and PDFs show the labels from
the mandate files, `topics.yaml` and the model choices instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from muster import rules
from muster.agencies.choices import Area, Delivery, ProviderKind
from muster.rules.model import Allocation, LineExplanation


@cache
def _topic_labels() -> dict[str, str]:
    vocabulary = rules.load_mandates().vocabulary
    return {topic: short_label(text) for topic, text in vocabulary.descriptions.items()}


def short_label(description: str) -> str:
    """ "Firearms skill development (hours on the range)" -> "Firearms skill
    development": the name without its explanation in brackets."""
    return description.split(" (", 1)[0].strip()


def topic_label(topic: str) -> str:
    return _topic_labels().get(topic, topic.replace("-", " "))


def topics_in_words(topics: Iterable[str]) -> str:
    return ", ".join(topic_label(topic) for topic in topics)


def area_label(area: str) -> str:
    return str(Area(area).label) if area in Area.values else area


@cache
def _requirement_labels() -> dict[str, str]:
    """Requirement id -> label across every mandate (the first label wins)."""
    labels: dict[str, str] = {}
    for jurisdiction in rules.load_mandates().jurisdictions.values():
        for mandate in jurisdiction.mandates:
            for requirement in mandate.requirements:
                labels.setdefault(requirement.id, requirement.label)
    return labels


def requirement_label(requirement_id: str, mandate: rules.Mandate | None = None) -> str:
    if mandate is not None:
        for requirement in mandate.requirements:
            if requirement.id == requirement_id:
                return requirement.label
    return _requirement_labels().get(requirement_id, requirement_id)


def line_in_words(explanation: LineExplanation, mandate: rules.Mandate) -> str:
    """What one training line counted toward, with requirement names and reasons in
    words: "counted 2 h toward Hours from an approved provider", not the ids."""
    line = explanation.line
    head = f"{line.completed_on} {line.hours} h"
    if line.label:
        head += f" ({line.label})"
    parts = [_counted(a, mandate) for a in explanation.counted]
    parts += [
        f"not toward {requirement_label(a.requirement, mandate)}: "
        f"{_reason(a, line, mandate)}"
        for a in explanation.not_counted
    ]
    parts += [f"not counted: {reason}" for reason in explanation.outside]
    return f"{head}: " + ("; ".join(parts) if parts else "counted toward nothing")


def _counted(allocation: Allocation, mandate: rules.Mandate) -> str:
    label = requirement_label(allocation.requirement, mandate)
    if allocation.unit == "h":
        return f"counted {allocation.hours} h toward {label}"
    return f"counted as a {allocation.unit} toward {label}"


def _reason(allocation: Allocation, line: rules.CreditLine, mandate) -> str:
    """The engine's refusal, rebuilt with labels when it is a delivery or provider
    refusal (whose text names keys); any other reason is already in words."""
    requirement = next(
        (r for r in mandate.requirements if r.id == allocation.requirement), None
    )
    if requirement is None or requirement.counts.refusal(line) != allocation.reason:
        return allocation.reason
    counts = requirement.counts
    if counts.deliveries and line.delivery not in counts.deliveries:
        allowed = " or ".join(_choice(Delivery, d) for d in sorted(counts.deliveries))
        return (
            f"delivered {_choice(Delivery, line.delivery)}; only {allowed} hours count"
        )
    allowed = " or ".join(_choice(ProviderKind, p) for p in sorted(counts.providers))
    return (
        f"the provider is {_choice(ProviderKind, line.provider)}; "
        f"only hours from {allowed} count"
    )


@cache
def _choice(choices, value: str) -> str:
    """A choice's label as it reads inside a sentence ("an approved provider")."""
    label = short_label(str(choices(value).label)) if value in choices.values else value
    return label[0].lower() + label[1:] if label else label


def rules_summary(jurisdictions: Iterable[str]) -> tuple[str, ...]:
    """Each encoded mandate of the jurisdictions, with the day it was last checked
    against its source: "Missouri peace officer ... (rules checked 2025-01-15)"."""
    library = rules.load_mandates()
    found = []
    for code in sorted({code.upper() for code in jurisdictions if code}):
        if code not in library.jurisdictions:
            continue
        for mandate in library.get(code).mandates:
            checked = f"rules checked {mandate.last_checked:%Y-%m-%d}"
            if not mandate.is_verified:
                checked += ", unverified"
            found.append(f"{mandate.title} ({checked})")
    return tuple(found)


def attribute_choices() -> list[tuple[str, str]]:
    """(attribute, description) pairs of the closed list in topics.yaml, for forms."""
    vocabulary = rules.load_mandates().vocabulary
    return sorted(
        ((key, vocabulary.descriptions.get(key, key)) for key in vocabulary.attributes),
        key=lambda choice: choice[1],
    )
