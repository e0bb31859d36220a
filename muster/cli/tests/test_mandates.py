"""`muster mandates check`, `show` and `stale`."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path


def test_check_lists_each_jurisdiction_and_mandate(cli) -> None:
    run = cli("mandates", "check")
    assert run.code == 0, run.err
    assert "MO  Missouri" in run.out
    assert "us.mo.peace_officer" in run.out
    assert "us.mo.telecommunicator" in run.out
    assert "verified" in run.out
    assert run.out.splitlines()[-1].startswith("OK: ")


def test_check_accepts_another_folder(cli, mandates_copy: Path) -> None:
    run = cli("mandates", "check", "--root", str(mandates_copy))
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == (
        "OK: 2 mandates in 1 jurisdiction load without errors."
    )


def test_check_names_the_bad_file_and_exits_2(cli, mandates_copy: Path) -> None:
    path = mandates_copy / "us" / "mo" / "peace_officer.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("last_checked: 2025-01-15", "last_checked: soon"))
    run = cli("mandates", "check", "--root", str(mandates_copy))
    assert (run.code, run.out) == (2, "")
    assert "peace_officer.yaml" in run.err
    assert "last_checked" in run.err


def test_check_refuses_a_folder_without_jurisdictions(cli, tmp_path: Path) -> None:
    run = cli("mandates", "check", "--root", str(tmp_path))
    assert (run.code, run.out) == (2, "")
    assert "no jurisdiction folders" in run.err


def test_check_refuses_a_state_folder_without_an_index(
    cli, mandates_copy: Path
) -> None:
    stray = mandates_copy / "us" / "zz"
    stray.mkdir()
    shutil.copy(mandates_copy / "us" / "mo" / "peace_officer.yaml", stray)
    run = cli("mandates", "check", "--root", str(mandates_copy))
    assert (run.code, run.out) == (2, "")
    assert "us/zz: has mandate files but no index.yaml" in run.err


def test_check_refuses_a_jurisdiction_code_used_twice(cli, mandates_copy: Path) -> None:
    # Folders are held to their codes, so a second MO folder is refused by name.
    shutil.copytree(mandates_copy / "us" / "mo", mandates_copy / "us" / "mo2")
    run = cli("mandates", "check", "--root", str(mandates_copy))
    assert (run.code, run.out) == (2, "")
    assert "`code` is MO but the folder is mo2/" in run.err


def test_show_prints_values_in_force_with_citations(cli) -> None:
    run = cli("mandates", "show", "MO", "--on", "2021-06-01")
    assert run.code == 0, run.err
    assert "Missouri (MO): rules in force on 2021-06-01" in run.out
    assert "    implicit-bias: Implicit bias: 1 h per annual period" in run.out
    assert "POST Commission emergency rule, effective 2021-01-01" in run.out
    assert "      only for: anyone with traffic-enforcement" in run.out
    assert "three-year-total (repealed 2018-01-01)" in run.out
    assert "  Uncertain\n    - Only subsections (1)-(3)" in run.out
    assert "make-up until 2022-03-15" in run.out
    assert "\n  reporting: Each licensed officer is responsible" in run.out


def test_show_puts_what_the_law_leaves_unclear_next_to_the_figure(cli) -> None:
    run = cli("mandates", "show", "MO", "--on", "2021-06-01")
    assert run.code == 0, run.err
    unclear = (
        "      uncertain: The regulatory text adding implicit bias and de-escalation "
        "was not found"
    )
    # One block per requirement (and cycle), whose lines under it are indented more.
    blocks = re.split(r"\n    (?=\S)", run.out)
    about = [b.split(":")[0] for b in blocks if unclear.strip() in b]
    assert about == ["implicit-bias", "de-escalation"]
    head, _, rest = run.out.partition("  Uncertain\n")
    assert unclear not in rest  # not repeated with the mandate's own notes
    assert "    - Only subsections (1)-(3)" in rest
    # Before those requirements are in force, the note stays with the mandate's,
    # saying what it is about.
    before = cli("mandates", "show", "MO", "--on", "2019-06-01").out
    assert (
        "    - The regulatory text adding implicit bias and de-escalation was not "
        "found; the 2021-01-01 effective date comes from the DPS news release. "
        "(about de-escalation, implicit-bias)"
    ) in before


def test_show_puts_a_note_on_some_values_beside_them_while_they_are_in_force(
    cli,
) -> None:
    unfunded = "2019 to 2021 are encoded as 0 hours"
    during = cli("mandates", "show", "OH", "--on", "2020-06-01").out
    blocks = re.split(r"\n    (?=\S)", during)
    assert [b.split(":")[0] for b in blocks if unfunded in b] == ["total"]
    assert f"      uncertain: {unfunded}" in during
    after = cli("mandates", "show", "OH", "--on", "2022-06-01").out
    assert f"      uncertain: {unfunded}" not in after
    _, _, mandate_notes = after.partition("  Uncertain\n")
    assert "(about total (the values from 2019-01-01))" in mandate_notes
    assert unfunded in mandate_notes


def test_show_says_what_a_shortfall_and_repeated_misses_mean(cli) -> None:
    run = cli("mandates", "show", "tn", "--on", "2024-06-01")
    assert run.code == 0, run.err
    assert "missing 10% or less is not a failure" in run.out
    assert "1110-09-.05(1)(d)" in run.out
    assert "[regulation text; partly confirmed]" in run.out
    assert "if missed 2 periods in a row: missing annual in-service" in run.out


def test_show_says_which_breaks_in_service_owe_a_step_and_when_it_is_due(cli) -> None:
    run = cli("mandates", "show", "FL", "--on", "2025-06-01")
    assert run.code == 0, run.err
    assert (
        "owed only after a break in service of more than 48 months and at most "
        "96 months (separated_on to returned_on)"
    ) in run.out
    assert "owed only after a break in service of more than 96 months" in run.out
    assert (
        "once, from the day each person left service (separated_on) to their date "
        "of employment after the break (returned_on), due on that day"
    ) in run.out
    assert (
        "[secondary source, not verified against the rule; partly confirmed]" in run.out
    )


def test_show_leaves_out_a_shortfall_before_it_took_effect(cli) -> None:
    run = cli("mandates", "show", "tn", "--on", "2021-06-01")
    assert run.code == 0, run.err
    # (The file's "Uncertain" notes still say when the tolerance starts.)
    assert "missing 10% or less is not a failure" not in run.out
    assert "periods in a row" not in run.out


def test_show_leaves_out_a_requirement_before_it_took_effect(cli) -> None:
    run = cli("mandates", "show", "us.mo", "--on", "2020-06-01")
    assert "    implicit-bias:" not in run.out
    assert "implicit-bias (from 2021-01-01)" in run.out


def test_show_defaults_to_today(cli, time_machine) -> None:
    time_machine.move_to(date(2016, 3, 1))
    run = cli("mandates", "show", "mo")
    assert "rules in force on 2016-03-01" in run.out
    assert "    three-year-total: Total CLEE hours (three-year period): 48 h" in run.out


def test_show_flags_unverified_rules(cli, mandates_copy: Path) -> None:
    path = mandates_copy / "us" / "mo" / "telecommunicator.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: verified", "status: unverified"))
    run = cli("mandates", "show", "MO", "--root", str(mandates_copy))
    assert "!! UNVERIFIED RULES: the Missouri telecommunicator" in run.out
    assert "status: UNVERIFIED" in run.out


def test_show_refuses_an_unknown_jurisdiction(cli) -> None:
    run = cli("mandates", "show", "ZZ")
    assert (run.code, run.out) == (2, "")
    assert "unknown jurisdiction 'ZZ'" in run.err


def test_stale_lists_mandates_checked_over_a_year_ago(cli, time_machine) -> None:
    time_machine.move_to(date(2026, 2, 1))
    run = cli("mandates", "stale")
    assert run.code == 0
    assert "last checked more than 365 days ago" in run.out
    assert "us.mo.peace_officer" in run.out
    assert "last checked 2025-01-15 (382 days ago)" in run.out


def test_stale_is_quiet_about_recently_checked_mandates(
    cli, time_machine, mandates_copy: Path
) -> None:
    time_machine.move_to(date(2026, 2, 1))
    run = cli("mandates", "stale", "--days", "400", "--root", str(mandates_copy))
    assert run.code == 0
    assert "us.mo.peace_officer" not in run.out
    assert "within 400 days" in run.out


def test_stale_refuses_a_negative_number_of_days(cli) -> None:
    run = cli("mandates", "stale", "--days", "-5")
    assert (run.code, run.out) == (2, "")
    assert '"-5" is not a number of days; write one like 365' in run.err
