"""A year before a surname group's first period (Illinois: H-O before 30 January
2024, P-Z before 30 January 2025) is not encoded: the engine lists who is there
(`PopulationResult.unencoded`) and says why, never that nothing is owed."""

from datetime import date
from decimal import Decimal

from muster.rules import CreditLine, Person, load_mandates
from muster.rules.columns import build_tables
from muster.rules.engine import OVERALL_STATUS, evaluate_population
from muster.rules.model import Status

THREE_YEAR = (
    "use-of-force-scenarios",
    "use-of-force-techniques",
    "high-risk-traffic-stops",
)
SURNAMES = ("Garcia", "Hughes", "Smith", "Owens", "", "Patel", "Adams")


def yearly(person: str, year: int) -> list[CreditLine]:
    return [
        CreditLine(person, date(year, 2, 1), Decimal(8), topics=frozenset({"crisis-intervention"})),
        CreditLine(person, date(year, 3, 1), Decimal(4), topics=frozenset({"legislative-update"})),
        CreditLine(person, date(year, 4, 1), Decimal(4), topics=frozenset({"emergency-medical"})),
        CreditLine(person, date(year, 5, 1), Decimal(0), topics=frozenset({"firearms-qualification"}), result="pass"),
    ]  # fmt: skip


def evaluated(year: int):
    people = [
        Person(f"P{i}", "peace-officer", date(2010, 1, 1), surname=name)
        for i, name in enumerate(SURNAMES)
    ]
    lines = [line for p in people for line in yearly(p.id, year)]
    table, columns, rows, book = build_tables(people, lines, [])
    return evaluate_population(
        table,
        columns,
        load_mandates().mandate("us.il.peace_officer"),
        year=year,
        as_of=date(year + 3, 6, 1),
        exemptions=rows,
        codebook=book,
    )


def statuses(population) -> dict[str, str]:
    return {
        name: OVERALL_STATUS[code]
        for name, code in zip(SURNAMES, population.status.tolist(), strict=True)
    }


def test_in_2023_only_the_a_g_group_is_evaluated_on_the_three_year_topics():
    population = evaluated(2023)
    # The yearly topics are done by all; A-G have no three-year hours (deficient).
    assert statuses(population) == {
        "Garcia": Status.DEFICIENT,
        "Hughes": Status.NOT_ENCODED,
        "Smith": Status.NOT_ENCODED,
        "Owens": Status.NOT_ENCODED,
        "": Status.COMPLIANT,  # told to enter the last name (undated), as before
        "Patel": Status.NOT_ENCODED,
        "Adams": Status.DEFICIENT,
    }
    for requirement in THREE_YEAR:
        assert population.unencoded[requirement].tolist() == [
            False, True, True, True, False, True, False,
        ]  # fmt: skip
    hughes = population.unencoded_reason(SURNAMES.index("Hughes"))
    assert hughes.startswith(
        "NO RULES ENCODED for the period containing 31 December 2023 of Use of force"
    )
    assert "for last names H-O the first period encoded starts on 2024-01-30" in hughes
    assert "for last names P-Z the first period encoded starts on 2025-01-30" in (
        population.unencoded_reason(SURNAMES.index("Patel"))
    )
    assert population.unencoded_reason(SURNAMES.index("Garcia")) == ""


def test_in_2024_the_p_z_group_alone_is_before_its_first_period():
    population = evaluated(2024)
    before = population.before_first_people()
    assert [s for s, b in zip(SURNAMES, before.tolist(), strict=True) if b] == [
        "Smith",
        "Patel",
    ]
    assert statuses(population)["Owens"] == Status.DEFICIENT  # O is H-O's


def test_from_2025_every_group_is_evaluated():
    assert not evaluated(2025).before_first_people().any()
