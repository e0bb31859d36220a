"""docs/mandates.md documents every key a mandate file, an index.yaml or the
vocabulary may have: a key the schema accepts but the page does not name is a
key nobody reviewing a file can look up."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from muster.rules import schema

DOC = Path(__file__).resolve().parents[3] / "docs" / "mandates.md"


def keys(model: type[BaseModel], seen: set[type]) -> set[str]:
    """Every key of `model` and of the models its fields hold, as written in YAML."""
    if model in seen:
        return set()
    seen.add(model)
    found = set()
    for name, info in model.model_fields.items():
        found.add(info.alias or name)
        for inner in _models(info.annotation):
            found |= keys(inner, seen)
    return found


def _models(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def test_every_schema_key_is_documented_in_mandates_md() -> None:
    text = DOC.read_text(encoding="utf-8")
    # The words inside `code spans`, where the page names keys.
    named = set(re.findall(r"[a-z_]+", " ".join(re.findall(r"`([^`]*)`", text))))
    seen: set[type] = set()
    every = set()
    for model in (schema.MandateSpec, schema.JurisdictionSpec, schema.VocabularySpec):
        every |= keys(model, seen)
    missing = sorted(every - named)
    assert not missing, f"docs/mandates.md does not name {missing}"
