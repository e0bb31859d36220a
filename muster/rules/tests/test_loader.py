"""The loader refuses bad mandate files with messages that name the file, key and fix."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from muster.rules import MandateError, load_mandates
from muster.rules.loader import MANDATES_DIR, load_mandate_file, stale_mandates
from muster.rules.mandate import at

INVALID = Path(__file__).parent / "invalid"

# Each fixture in invalid/ and the words its message must contain.
EXPECTED_MESSAGES = {
    "wrong_date.yaml": ["values > 0 > from", "not a date", "YYYY-MM-DD"],
    "duplicate_key.yaml": ["duplicate key 'total'", "line"],
    "missing_reference.yaml": ["no reference", "2016-01-01", "Add `reference`"],
    "unknown_key.yaml": ["hourz", "not a known key", "spelling"],
    "unknown_topic.yaml": ["unknown topic 'implicit-bais'", "implicit-bias"],
    "out_of_order.yaml": ["out of order", "2017-01-01 after 2021-01-01"],
    "unknown_cycle.yaml": ["cycle 'biennial'", "not defined", "annual"],
    "uncertain_unknown_requirement.yaml": [
        "uncertain > 1 > concerns",
        "unknown requirement 'totl'",
        "Use requirement ids of this file: total",
    ],
    "uncertain_tied_to_nothing.yaml": [
        "uncertain > 1",
        "is tied to nothing",
        "`concerns: [requirement ids]`",
        "`file_wide: true`",
    ],
    "uncertain_tied_and_file_wide.yaml": [
        "uncertain > 1",
        "names requirements and says `file_wide: true`",
    ],
    "uncertain_unknown_value.yaml": [
        "uncertain > 1 > values",
        "names 2018-01-01, when no value of requirement 'total' starts",
        "Use the `from` of one of its values: 2017-01-01",
    ],
    "bad_anchor.yaml": ["anchor", "not the first of a month"],
    "carry_over.yaml": [
        "carry_over > 0 > requirements",
        "'course', which is not an hours requirement",
    ],
    "shortfall_share.yaml": [
        "tolerated_shortfall > 0 > share",
        "less than or equal to 0.5",
    ],
    "bad_grace.yaml": ["until", "'02-30'", "MM-DD"],
    "both_cycle_kinds.yaml": ["either repeating or one-time"],
    "missing_key.yaml": ["requirements > total > label", "is missing", "add `label:`"],
    "negative_hours.yaml": ["hours", "greater than or equal to 0"],
    "tiers_not_from_zero.yaml": ["tiers", "from_years: 0"],
    "qualification_hours.yaml": ["other than 1", "hours: 1"],
    "not_yaml.yaml": ["not valid YAML"],
    "prorate_without_unit.yaml": ["waivers > 0", "prorates without a unit"],
    "negative_min_hours.yaml": ["counts > min_hours", "greater than or equal to 0"],
    "wrong_id.yaml": ["`id` is us.tx.peace_officer", "path makes it us.zz.wrong_id"],
    "unknown_discipline.yaml": [
        "applies_to > 0 > disciplines",
        "unknown discipline 'peace_oficer'",
        "peace-officer",
        "telecommunicator",
    ],
    "unknown_attribute.yaml": [
        "requirements > profiling > applies_to > 0 > attributes",
        "unknown attribute 'trafic-enforcement'",
        "traffic-enforcement",
    ],
    "unknown_role.yaml": ["by_role", "unknown role 'cheif'", "chief"],
    "missing_source.yaml": [
        "requirements > total > values > 0 > reference > source",
        "is missing",
        "regulation, statute, agency-page, press-release, secondary, bill",
    ],
    "unknown_source.yaml": ["reference > source", "'regulation'", "'secondary'"],
    "break_not_from_return.yaml": [
        "requirements > refresher > after_break",
        "cycle 'annual'",
        "date: returned_on",
    ],
    "opens_not_on_return.yaml": [
        "cycles > before > per_person > opens",
        "licensed_on",
        "date: returned_on",
    ],
    "break_two_upper_bounds.yaml": [
        "requirements > refresher > after_break",
        "does not give a length of break",
        "`at_most_months` (not both)",
    ],
    "empty_alternative.yaml": [
        "requirements > total > satisfied_by > 0 > counts",
        "is empty",
        "topics: [test-out]",
    ],
    "before_first_note_on_a_date.yaml": [
        "cycles > block > per_person > before_first_note",
        "is given on a cycle that runs from a person's date",
    ],
    "surname_letters_repeat.yaml": [
        "cycles > block > per_person > surname_groups > 1 > letters",
        "M-Z repeats M, already in A-M",
    ],
    "surname_grace_out_of_order.yaml": [
        "cycles > block > per_person > surname_groups > 0 > grace",
        "out of order (2020-01-29 after 2026-01-29)",
    ],
    "grace_on_one_time_window.yaml": [
        "cycles > first > grace",
        "is given for a one-time window",
    ],
    "surname_months_not_years.yaml": [
        "cycles > block > months",
        "is 30, not a whole number of years",
    ],
    "verified_but_unconfirmed.yaml": [
        "requirements > total",
        "confidence: unconfirmed",
        "status: unverified",
    ],
}


def test_every_invalid_fixture_has_an_expected_message() -> None:
    assert sorted(p.name for p in INVALID.glob("*.yaml")) == sorted(EXPECTED_MESSAGES)


@pytest.mark.parametrize("name", sorted(EXPECTED_MESSAGES))
def test_it_refuses_a_bad_file_naming_the_file_and_the_fix(name: str) -> None:
    with pytest.raises(MandateError) as refused:
        load_mandate_file(INVALID / name)
    message = str(refused.value)
    assert name in message
    for words in EXPECTED_MESSAGES[name]:
        assert words in message, message


def test_it_loads_every_shipped_mandate_with_citations() -> None:
    library = load_mandates()
    assert "MO" in library.jurisdictions
    for jurisdiction in library.jurisdictions.values():
        for mandate in jurisdiction.mandates:
            for requirement in mandate.requirements:
                for value in requirement.values:
                    assert value.citation.title, (mandate.id, requirement.id)


def test_it_picks_the_value_in_force_on_a_day() -> None:
    mandate = load_mandates().mandate("us.mo.peace_officer")
    total = next(r for r in mandate.requirements if r.id == "three-year-total")
    assert at(total.values, date(2014, 12, 31)) is None
    assert at(total.values, date(2017, 6, 1)).hours == Decimal(48)
    assert at(total.values, date(2018, 1, 1)).hours is None  # repealed


def test_it_refuses_a_jurisdiction_folder_whose_files_disagree(tmp_path: Path) -> None:
    folder = tmp_path / "us" / "mo"
    shutil.copytree(MANDATES_DIR / "us" / "mo", folder)
    text = (folder / "telecommunicator.yaml").read_text()
    (folder / "telecommunicator.yaml").write_text(
        text.replace("jurisdiction: MO", "jurisdiction: TN")
    )
    with pytest.raises(MandateError, match="index.yaml says MO"):
        load_mandates(tmp_path)


def test_it_names_the_known_jurisdictions_for_an_unknown_code() -> None:
    with pytest.raises(MandateError, match="unknown jurisdiction 'XX'.*MO"):
        load_mandates().get("XX")


def test_it_lists_mandates_not_checked_for_a_year() -> None:
    library = load_mandates()
    mo = library.mandate("us.mo.peace_officer")
    assert mo in stale_mandates(
        library, mo.last_checked.replace(year=mo.last_checked.year + 2)
    )
    assert mo not in stale_mandates(library, mo.last_checked)


def test_it_refuses_a_copied_file_so_no_id_is_used_twice(tmp_path: Path) -> None:
    # Ids are held to file paths, which are unique, so a copy cannot reuse an id.
    folder = tmp_path / "us" / "mo"
    shutil.copytree(MANDATES_DIR / "us" / "mo", folder)
    shutil.copy(folder / "telecommunicator.yaml", folder / "telecommunicator_copy.yaml")
    with pytest.raises(MandateError, match="path makes it us.mo.telecommunicator_copy"):
        load_mandates(tmp_path)


def test_it_refuses_a_file_under_one_state_claiming_another(tmp_path: Path) -> None:
    folder = tmp_path / "us" / "mo"
    shutil.copytree(MANDATES_DIR / "us" / "mo", folder)
    text = (folder / "peace_officer.yaml").read_text()
    (folder / "peace_officer.yaml").write_text(
        text.replace("id: us.mo.peace_officer", "id: us.tx.peace_officer")
    )
    with pytest.raises(MandateError) as refused:
        load_mandates(tmp_path)
    assert "`id` is us.tx.peace_officer" in str(refused.value)
    assert "path makes it us.mo.peace_officer" in str(refused.value)


def test_it_refuses_a_state_folder_named_unlike_its_code(tmp_path: Path) -> None:
    shutil.copytree(MANDATES_DIR / "us" / "mo", tmp_path / "us" / "mx")
    with pytest.raises(MandateError, match="`code` is MO but the folder is mx/"):
        load_mandates(tmp_path)


def test_it_refuses_a_state_folder_without_an_index(tmp_path: Path) -> None:
    shutil.copytree(MANDATES_DIR / "us" / "mo", tmp_path / "us" / "mo")
    (tmp_path / "us" / "zz").mkdir()
    shutil.copy(
        MANDATES_DIR / "us" / "mo" / "telecommunicator.yaml", tmp_path / "us" / "zz"
    )
    with pytest.raises(
        MandateError, match="us/zz: has mandate files but no index.yaml"
    ):
        load_mandates(tmp_path)
