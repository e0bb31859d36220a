"""The model choices that reach the engine use exactly the engine's words."""

from muster.agencies.choices import Area, Delivery, ExemptionKind, ProviderKind
from muster.rules import load_mandates


def test_it_uses_the_engines_areas_deliveries_and_providers() -> None:
    vocabulary = load_mandates().vocabulary
    assert set(Area.values) == vocabulary.areas
    assert set(Delivery.values) == vocabulary.deliveries
    assert set(ProviderKind.values) == vocabulary.providers


def test_it_uses_the_engines_exemption_kinds() -> None:
    assert set(ExemptionKind.values) == {"waiver", "extension"}
