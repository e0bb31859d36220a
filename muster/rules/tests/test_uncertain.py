"""What a mandate file says its sources leave open is tied to the figures it
qualifies: requirements, and of those some dated values, or the file as a whole."""

from __future__ import annotations

from datetime import date

import yaml

from muster.rules import load_mandates
from muster.rules.mandate import at
from muster.rules.model import Period


def test_every_note_names_what_it_qualifies_or_says_it_is_file_wide() -> None:
    """No plain sentence in any shipped file: a reader of a file can tell a note
    about the whole mandate from one nobody tied to its figure."""
    library = load_mandates()
    plain = []
    for jurisdiction in library.jurisdictions.values():
        for mandate in jurisdiction.mandates:
            spec = load_spec(mandate.source)
            plain += [
                f"{mandate.id}: uncertain > {index}"
                for index, entry in enumerate(spec.get("uncertain", []))
                if isinstance(entry, str)
            ]
    assert plain == []


def load_spec(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), date(year, 12, 31))


def test_a_note_on_some_values_is_beside_them_only() -> None:
    ohio = load_mandates().mandate("us.oh.peace_officer")
    unfunded = "2019 to 2021 are encoded as 0 hours"
    total = next(r for r in ohio.requirements if r.id == "total")
    for year, beside in ((2019, True), (2021, True), (2022, False), (2017, False)):
        notes = ohio.uncertain_in_period("total", period(year))
        assert any(unfunded in note for note in notes) is beside, year
        value = at(total.values, date(year, 6, 1))
        assert (
            any(unfunded in n for n in ohio.uncertain_about("total", value)) is beside
        )
    # Every value: the note is about the requirement all the same.
    assert any(unfunded in note for note in ohio.uncertain_about("total"))
    # Not about the topic requirements, nor the mandate as a whole.
    assert not any(unfunded in n for n in ohio.uncertain_about("legal-updates"))
    assert not any(unfunded in n for n in ohio.uncertain_overall)


def test_a_file_wide_note_is_beside_no_requirement() -> None:
    georgia = load_mandates().mandate("us.ga.peace_officer")
    basic = "The basic-course exception is for the calendar year"
    assert any(basic in note for note in georgia.uncertain_overall)
    for requirement in georgia.requirements:
        assert not any(basic in n for n in georgia.uncertain_about(requirement.id))


def test_a_split_note_keeps_each_part_with_what_it_concerns() -> None:
    california = load_mandates().mandate("us.ca.peace_officer")
    hands_on = (
        "PSP hours must be psychomotor (hands-on) except strategic communications"
    )
    for requirement in ("arrest-and-control", "use-of-force"):
        assert any(hands_on in n for n in california.uncertain_about(requirement))
    assert not any(
        hands_on in n for n in california.uncertain_about("strategic-communications")
    )
    assert any(
        "`reserve` discipline is not covered" in n for n in california.uncertain_overall
    )


def test_texas_split_notes_sit_beside_what_each_part_concerns() -> None:
    texas = load_mandates().mandate("us.tx.peace_officer")
    partway = "How an officer licensed partway through a unit or cycle"
    alerrt = "The 16 hours of ALERRT training: read from the statute's effective date"
    for requirement in ("total", "active-shooter", "de-escalation"):
        assert any(partway in n for n in texas.uncertain_about(requirement))
    assert any(alerrt in n for n in texas.uncertain_about("active-shooter"))
    for requirement in ("firearms-qualification", "new-chief-program"):
        notes = texas.uncertain_about(requirement)
        assert not any(partway in n or alerrt in n for n in notes)
    assert not any(alerrt in n for n in texas.uncertain_about("total"))
    overall = texas.uncertain_overall
    assert any("The sanction for missed hours" in n for n in overall)
    assert any("Reactivation (37 TAC 219.11)" in n for n in overall)
    assert not any(partway in n or alerrt in n for n in overall)


def test_illinois_split_notes_sit_beside_what_each_part_concerns() -> None:
    illinois = load_mandates().mandate("us.il.peace_officer")
    calendar = "the yearly period is taken as the calendar year"
    from_2023 = "the yearly topics are applied from calendar 2023"
    crisis = "MTU 9 lists crisis intervention yearly with no hour minimum"
    versions = "Several versions of 50 ILCS 705/10.6 exist"
    topics = ("firearms-qualification", "crisis-intervention", "legislative-update")
    for requirement in (*topics, "emergency-medical"):
        notes = illinois.uncertain_about(requirement)
        assert any(calendar in n for n in notes)
        assert any(from_2023 in n for n in notes)
    # Chiefs' 20 hours run from 2006: only the calendar-year reading is theirs.
    chief = illinois.uncertain_about("chief-training")
    assert any(calendar in n for n in chief)
    assert not any(from_2023 in n for n in chief)
    assert any(crisis in n for n in illinois.uncertain_about("crisis-intervention"))
    assert not any(
        versions in n for n in illinois.uncertain_about("crisis-intervention")
    )
    for requirement in ("use-of-force-scenarios", "high-risk-traffic-stops"):
        notes = illinois.uncertain_about(requirement)
        assert any(versions in n for n in notes)
        assert not any(crisis in n for n in notes)
    overall = illinois.uncertain_overall
    assert any("Not encoded: officer wellness" in n for n in overall)
    assert any("The failed HB 3816" in n for n in overall)
    assert not any(calendar in n or crisis in n or versions in n for n in overall)
