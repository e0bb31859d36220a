"""The model choices that reach the engine use exactly the engine's words."""

from muster.agencies.choices import (
    Area,
    Delivery,
    Discipline,
    ExemptionKind,
    ProviderKind,
)
from muster.rules import load_mandates


def test_it_uses_the_engines_areas_deliveries_and_providers() -> None:
    vocabulary = load_mandates().vocabulary
    assert set(Area.values) == vocabulary.areas
    assert set(Delivery.values) == vocabulary.deliveries
    assert set(ProviderKind.values) == vocabulary.providers


def test_it_uses_the_engines_exemption_kinds() -> None:
    assert set(ExemptionKind.values) == {"waiver", "extension"}


def test_its_disciplines_are_in_the_engines_closed_list() -> None:
    # Mandate files may name only these; a discipline the app records but the
    # list lacks could never be matched by any mandate.
    assert set(Discipline.values) <= load_mandates().vocabulary.disciplines
