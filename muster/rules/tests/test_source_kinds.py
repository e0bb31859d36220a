"""Every value in every mandate file carries its source kind (issue 10): each
citation the loaded rules hold, on a mandate, a cycle or any dated value, names
what it rests on (`source`) and how sure it is (`confidence`)."""

from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

from muster.rules import load_mandates
from muster.rules.mandate import Mandate
from muster.rules.model import CONFIDENCES, SOURCE_KINDS, Citation


def citations(value, where: str):
    """(where, citation) for every Citation inside `value`, however deep."""
    if isinstance(value, Citation):
        yield where, value
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            yield from citations(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from citations(item, f"{where}[{key}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from citations(item, f"{where}[{index}]")


MANDATES = sorted(
    (m for j in load_mandates().jurisdictions.values() for m in j.mandates),
    key=lambda m: m.id,
)


@pytest.mark.parametrize("mandate", MANDATES, ids=[m.id for m in MANDATES])
def test_every_citation_names_its_source_kind_and_confidence(mandate: Mandate):
    found = list(citations(mandate, mandate.id))
    assert len(found) > len(mandate.requirements)
    missing = [
        f"{where}: {c.title!r} source={c.source!r} confidence={c.confidence!r}"
        for where, c in found
        if c.source not in SOURCE_KINDS or c.confidence not in CONFIDENCES
    ]
    assert not missing, f"{Path(mandate.source).name}: " + "; ".join(missing)
