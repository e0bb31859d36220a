"""`muster.rules.report`: engine results as plain, JSON-ready dicts."""

from __future__ import annotations

import doctest
import json
from datetime import date
from decimal import Decimal

import muster.rules.report
from muster.rules import CreditLine, Person, evaluate, load_mandates
from muster.rules.report import number, result_to_dict

OFFICER = Person("B2", "peace-officer", date(2015, 6, 1))


def result_for(*lines: CreditLine) -> dict:
    mandate = load_mandates().mandate("us.mo.peace_officer")
    result = evaluate(OFFICER, lines, mandate, year=2021, as_of=date(2022, 4, 1))
    return result_to_dict(result)


def test_its_doctests_pass() -> None:
    assert doctest.testmod(muster.rules.report).failed == 0


def test_number_keeps_whole_hours_whole_and_parts_exact() -> None:
    assert number(Decimal("24.00")) == 24
    assert isinstance(number(Decimal("24.00")), int)
    assert number(Decimal("0.25")) == 0.25


def test_it_gives_the_documented_keys() -> None:
    report = result_for(
        CreditLine("B2", date(2021, 3, 2), Decimal("1.5"), area="legal", label="Law")
    )
    assert list(report) == [
        "person", "mandate", "jurisdiction", "status", "as_of", "requirements",
        "explanation", "notes", "warnings",
    ]  # fmt: skip
    legal = next(r for r in report["requirements"] if r["id"] == "legal")
    assert legal == {
        "id": "legal",
        "label": "Legal studies",
        "unit": "hours",
        "required": 2,
        "earned": 1.5,
        "missing": 0.5,
        "status": "missing",
        "applicable": True,
        "period": {
            "start": "2021-01-01",
            "end": "2021-12-31",
            "due": "2021-12-31",
            "grace_until": "2022-03-15",
        },
        "citation": {
            "title": "11 CSR 75-15.020 core curriculum areas; "
            "DPS CLEE requirements page",
            "href": "https://dps.mo.gov/dir/programs/post/clee-training.php",
            "source": "agency-page",
            "confidence": "stated",
            "sureness": "agency web page, not verified against the rule",
        },
        "notes": [],
    }
    json.dumps(report)


def test_it_explains_each_line() -> None:
    line = CreditLine(
        "B2",
        date(2021, 5, 1),
        Decimal(3),
        area="skill-development",
        topics=frozenset({"firearms", "de-escalation"}),
        delivery="online",
        label="Simulator",
    )
    (explained,) = result_for(line)["explanation"]
    assert explained["date"] == "2021-05-01"
    assert explained["hours"] == 3
    assert explained["topics"] == ["de-escalation", "firearms"]
    assert {"requirement": "de-escalation", "hours": 3} in explained["counted"]
    assert {
        "requirement": "firearms",
        "hours": 3,
        "reason": "delivered online; only live hours count",
    } in explained["not_counted"]
    assert explained["text"].startswith("2021-05-01 3 h (Simulator): counted")
