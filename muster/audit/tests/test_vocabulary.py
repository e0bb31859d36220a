"""One audit vocabulary: every entry names an action of `Action`."""

import ast
from pathlib import Path

import pytest

from muster.audit.choices import Action
from muster.audit.log import Event, record_event, record_events
from muster.audit.models import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
WRITERS = {"record_event", "Event"}


def _calls_with_a_literal_action() -> list[str]:
    """`record_event("...")` or `Event("...")` in the application's code."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name in WRITERS and isinstance(first, ast.Constant | ast.JoinedStr):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def test_every_writer_names_its_action_from_the_vocabulary() -> None:
    assert _calls_with_a_literal_action() == []


@pytest.mark.django_db
def test_an_action_outside_the_vocabulary_is_refused_and_writes_nothing() -> None:
    with pytest.raises(ValueError, match="'create' is not an audit action"):
        record_events([Event(Action.TRAINING_CREATE), Event("create")])
    with pytest.raises(ValueError, match="'training.created' is not an audit"):
        record_event("training.created")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_an_entry_shows_its_actions_label() -> None:
    entry = record_event(Action.TRAINING_VOID)
    assert entry.action == "training.void"
    assert entry.action_label == "Training voided"


def test_actions_are_noun_dot_verb() -> None:
    assert all(value.count(".") == 1 for value in Action.values)
    assert {"transfer.request", "transfer.approve", "transfer.decline"} <= set(
        Action.values
    )
