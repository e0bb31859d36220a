"""Run a YAML scenario: a person, their training and what the law says they owe.

Scenario files live under `scenarios/` at the path of the mandate file they test.
Each entry names the rule it shows in `name`; see docs/adding-a-state.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from muster.rules import CreditLine, Exemption, Person, evaluate, load_mandates
from muster.rules.model import ComplianceResult

# `mandates: shapes` runs a scenario against the test-only mandates of
# `tests/shapes/`, which show rule shapes no shipped state uses yet.
SHAPES = Path(__file__).parent / "shapes"

SCENARIO_KEYS = {
    "name",
    "jurisdiction",
    "mandate",
    "period",
    "as_of",
    "input",
    "output",
    "mandates",
}
OUTPUT_KEYS = {
    "status",
    "missing",
    "earned",
    "required",
    "statuses",
    "not_listed",
    "warned",
    "notes_contain",
    "notes_exclude",
    "warnings_contain",
    "carried_over",
    "periods",
}


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


PERSON_DATES = ("licensed_on", "appointed_on", "separated_on", "returned_on")


def build_person(spec: dict[str, Any]) -> Person:
    dates = {
        name: _day(spec[name]) if spec.get(name) else None for name in PERSON_DATES
    }
    # Breaks before the latest, oldest first: [{separated_on, returned_on}, ...].
    earlier = tuple(
        (_day(b["separated_on"]), _day(b["returned_on"]))
        for b in spec.get("earlier_breaks", ())
    )
    return Person(
        id="P",
        discipline=spec.get("discipline", "peace-officer"),
        attributes=frozenset(spec.get("attributes", ())),
        earlier_breaks=earlier,
        surname=spec.get("surname", ""),
        **dates,
    )


def build_line(spec: dict[str, Any]) -> CreditLine:
    return CreditLine(
        person="P",
        completed_on=_day(spec["completed_on"]),
        hours=Decimal(str(spec.get("hours", 0))),
        area=spec.get("area"),
        topics=frozenset(spec.get("topics", ())),
        delivery=spec.get("delivery", "live"),
        provider=spec.get("provider", "other"),
        result=spec.get("result"),
        counts_for=spec.get("counts_for"),
        label=spec.get("label", ""),
    )


def build_exemption(spec: dict[str, Any]) -> Exemption:
    return Exemption(
        person="P",
        kind=spec["kind"],
        starts_on=_day(spec["starts_on"]),
        ends_on=_day(spec["ends_on"]),
        reason=spec.get("reason", ""),
        requirements=frozenset(spec.get("requirements", ())),
    )


def run_scenario(scenario: dict[str, Any]) -> ComplianceResult:
    """Evaluate a scenario; `as_of` defaults to long after every deadline (final)."""
    unknown = set(scenario) - SCENARIO_KEYS
    assert not unknown, f"unknown scenario keys {sorted(unknown)}"
    library = load_mandates(SHAPES if scenario.get("mandates") == "shapes" else None)
    inputs = scenario.get("input", {})
    person = build_person(inputs.get("person", {}))
    if "mandate" in scenario:
        mandate = library.mandate(scenario["mandate"])
    else:
        jurisdiction = library.get(scenario["jurisdiction"])
        candidates = [m for m in jurisdiction.mandates if m.applies(person)]
        assert len(candidates) == 1, f"name the mandate: {[m.id for m in candidates]}"
        mandate = candidates[0]
    year = int(scenario["period"])
    as_of = _day(scenario["as_of"]) if "as_of" in scenario else date(year + 5, 1, 1)
    return evaluate(
        person,
        [build_line(line) for line in inputs.get("training", ())],
        mandate,
        year=year,
        as_of=as_of,
        exemptions=[build_exemption(e) for e in inputs.get("exemptions", ())],
    )


def check_output(result: ComplianceResult, expected: dict[str, Any]) -> list[str]:
    """Every difference between the result and the expected output, as sentences."""
    assert expected, "the scenario has no output to check"
    unknown = set(expected) - OUTPUT_KEYS
    assert not unknown, f"unknown output keys {sorted(unknown)}"
    problems: list[str] = []
    listed = {r.id: r for r in result.requirements}
    if "status" in expected and result.status != expected["status"]:
        problems.append(f"status is {result.status}, expected {expected['status']}")
    for key, attribute in (
        ("missing", "missing"),
        ("earned", "earned"),
        ("required", "required"),
        ("carried_over", "carried_over"),
    ):
        for requirement_id, want in expected.get(key, {}).items():
            if requirement_id not in listed:
                problems.append(
                    f"{requirement_id} is not listed, expected {key} {want}"
                )
                continue
            got = getattr(listed[requirement_id], attribute)
            if got != Decimal(str(want)):
                problems.append(f"{requirement_id} {key} is {got}, expected {want}")
    for requirement_id, want in expected.get("statuses", {}).items():
        got = listed[requirement_id].status if requirement_id in listed else "absent"
        if got != want:
            problems.append(f"{requirement_id} status is {got}, expected {want}")
    for requirement_id, want in expected.get("periods", {}).items():
        # {start, end, due}: the person's own period (per-person cycles).
        got = listed[requirement_id].period if requirement_id in listed else None
        for part, attribute in (("start", "start"), ("end", "end"), ("due", "due_on")):
            if part in want and (
                got is None or getattr(got, attribute) != _day(want[part])
            ):
                problems.append(
                    f"{requirement_id} period {part} is "
                    f"{getattr(got, attribute, None)}, expected {want[part]}"
                )
    for requirement_id in expected.get("not_listed", ()):
        if requirement_id in listed:
            problems.append(
                f"{requirement_id} is listed, expected it not to be in force"
            )
    if "warned" in expected and bool(result.warnings) != expected["warned"]:
        problems.append(
            f"warnings are {list(result.warnings)}, expected warned={expected['warned']}"
        )
    for fragment in expected.get("warnings_contain", ()):
        if not any(fragment in warning for warning in result.warnings):
            problems.append(
                f"no warning contains {fragment!r}; warnings are {list(result.warnings)}"
            )
    for fragment in expected.get("notes_contain", ()):
        notes = list(result.notes) + [n for r in result.requirements for n in r.notes]
        if not any(fragment in note for note in notes):
            problems.append(f"no note contains {fragment!r}; notes are {notes}")
    for fragment in expected.get("notes_exclude", ()):
        notes = list(result.notes) + [n for r in result.requirements for n in r.notes]
        if any(fragment in note for note in notes):
            problems.append(f"a note contains {fragment!r}; notes are {notes}")
    return problems
