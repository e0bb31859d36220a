"""The model choices that reach the engine use exactly the engine's words."""

from muster.agencies.choices import (
    Area,
    Delivery,
    Discipline,
    ExemptionKind,
    ProviderKind,
)
from muster.agencies.compliance.words import attribute_choices
from muster.rules import load_mandates
from muster.rules.model import EXEMPTION_KINDS


def test_it_uses_the_engines_areas_deliveries_and_providers() -> None:
    vocabulary = load_mandates().vocabulary
    assert set(Area.values) == vocabulary.areas
    assert set(Delivery.values) == vocabulary.deliveries
    assert set(ProviderKind.values) == vocabulary.providers


def test_it_uses_the_engines_exemption_kinds() -> None:
    assert set(ExemptionKind.values) == set(EXEMPTION_KINDS)


def test_its_disciplines_are_the_engines_closed_list() -> None:
    # Mandate files may name only these. A discipline the app records but the list
    # lacks could never be matched by any mandate; one the list has but the app
    # lacks (deputy-sheriff, once) could never be recorded, so its rules applied to
    # nobody.
    assert set(Discipline.values) == load_mandates().vocabulary.disciplines


def test_every_discipline_and_attribute_a_mandate_names_can_be_recorded() -> None:
    library = load_mandates()
    disciplines, attributes = set(), set()
    for jurisdiction in library.jurisdictions.values():
        for mandate in jurisdiction.mandates:
            groups = [mandate.applies_to]
            groups += [r.applies_to for r in mandate.requirements]
            for alternative in (a for group in groups for a in group):
                disciplines |= alternative.disciplines
                attributes |= alternative.attributes | alternative.without_attributes
            for value in (v for r in mandate.requirements for v in r.values):
                for role, _ in value.by_role:
                    (disciplines if role in Discipline.values else attributes).add(role)
    assert disciplines <= set(Discipline.values)
    # The license form offers exactly the vocabulary's attributes.
    assert attributes <= {key for key, _ in attribute_choices()}
