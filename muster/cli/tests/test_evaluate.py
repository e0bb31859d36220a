"""`muster evaluate` on good CSV files: JSON, table and CSV output."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from muster.cli.tests.agency import PEOPLE, RECORDS


def result_of(report: dict, person: str) -> dict:
    (found,) = [r for r in report["results"] if r["person"] == person]
    return found


def requirement_of(result: dict, requirement_id: str) -> dict:
    (found,) = [r for r in result["requirements"] if r["id"] == requirement_id]
    return found


def test_it_finds_an_officer_deficient_without_implicit_bias(evaluate) -> None:
    run = evaluate()
    assert run.code == 0, run.err
    b2 = result_of(json.loads(run.out), "B2")
    assert b2["status"] == "deficient"
    implicit_bias = requirement_of(b2, "implicit-bias")
    assert implicit_bias["required"] == 1
    assert implicit_bias["earned"] == 0
    assert implicit_bias["missing"] == 1
    assert implicit_bias["status"] == "missing"
    assert implicit_bias["applicable"] is True


def test_it_finds_an_officer_with_the_same_hours_and_implicit_bias_compliant(
    evaluate,
) -> None:
    a1 = result_of(json.loads(evaluate().out), "A1")
    assert a1["status"] == "compliant"
    assert requirement_of(a1, "implicit-bias")["earned"] == 2
    assert all(r["missing"] == 0 for r in a1["requirements"])


def test_it_marks_racial_profiling_not_applicable_without_traffic_enforcement(
    evaluate,
) -> None:
    report = json.loads(evaluate().out)
    racial_profiling = requirement_of(result_of(report, "A1"), "racial-profiling")
    assert racial_profiling["applicable"] is False
    assert racial_profiling["status"] == "not-applicable"
    assert racial_profiling["missing"] == 0
    traffic = requirement_of(result_of(report, "T3"), "racial-profiling")
    assert traffic["applicable"] is True
    assert traffic["missing"] == 1


def test_it_writes_the_documented_json_shape(evaluate) -> None:
    report = json.loads(evaluate().out)
    assert report["jurisdiction"] == "MO"
    assert report["period"] == {"year": 2021, "as_of": "2022-04-01"}
    assert {m["id"] for m in report["mandates"]} >= {"us.mo.peace_officer"}
    assert set(report["mandates"][0]) == {
        "id",
        "title",
        "status",
        "uncertain",
        "uncertain_concerns",
        "uncertain_values",
    }
    assert report["warnings"] == []
    a1 = result_of(report, "A1")
    assert a1["mandate"] == "us.mo.peace_officer"
    total = requirement_of(a1, "total")
    assert total["period"] == {
        "start": "2021-01-01",
        "end": "2021-12-31",
        "due": "2021-12-31",
        "grace_until": "2022-03-15",
    }
    assert total["citation"]["title"] == "11 CSR 75-15.010(2)"
    online = a1["explanation"][-1]
    assert online["label"] == "Online modules"
    assert {"requirement": "total", "hours": 14} in online["counted"]
    assert online["not_counted"][0]["requirement"] == "approved-provider"


def test_it_gives_a_person_no_mandate_applies_to_a_not_applicable_result(
    evaluate,
) -> None:
    people = PEOPLE + "Z9,parking-attendant,,\n"
    report = json.loads(evaluate(people=people).out)
    z9 = result_of(report, "Z9")
    assert z9["status"] == "not-applicable"
    assert z9["mandate"] is None
    assert z9["requirements"] == []
    assert 'discipline "parking-attendant"' in report["warnings"][0]


def test_it_evaluates_each_mandate_that_applies(evaluate) -> None:
    people = PEOPLE + "D4,telecommunicator,,\n"
    d4 = result_of(json.loads(evaluate(people=people).out), "D4")
    assert d4["mandate"] == "us.mo.telecommunicator"
    # The 2021-2023 cycle is still open on 2022-04-01.
    assert d4["status"] == "at-risk"


def test_it_applies_a_waiver_from_the_exemptions_file(evaluate) -> None:
    exemptions = (
        "person,kind,starts_on,ends_on,reason,requirements\n"
        "B2,waiver,2021-01-01,2021-12-31,Medical leave,implicit-bias\n"
    )
    b2 = result_of(json.loads(evaluate(exemptions=exemptions).out), "B2")
    assert requirement_of(b2, "implicit-bias")["status"] == "exempt"
    assert b2["status"] == "compliant"


def test_it_counts_make_up_hours_marked_for_the_year(evaluate) -> None:
    records = (
        RECORDS.replace("label\n", "label,counts_for\n")
        + "B2,2022-02-01,1,interpersonal,implicit-bias,live,approved-provider,,,2021\n"
    )
    b2 = result_of(json.loads(evaluate(records=records).out), "B2")
    assert requirement_of(b2, "implicit-bias")["earned"] == 1
    assert b2["status"] == "compliant"


def test_it_uses_the_three_year_requirements_in_2017(cli, write) -> None:
    run = cli(
        "evaluate",
        "--jurisdiction", "us.mo",
        "--period", "2017",
        "--people", write("people.csv", PEOPLE),
        "--records", write("records.csv", RECORDS),
        "--as-of", "2018-06-01",
    )  # fmt: skip
    ids = {r["id"] for r in result_of(json.loads(run.out), "A1")["requirements"]}
    assert {"three-year-total", "total"} <= ids
    assert "implicit-bias" not in ids


def test_it_judges_status_as_of_today_by_default(cli, write, time_machine) -> None:
    time_machine.move_to(date(2021, 12, 1))
    run = cli(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "2021",
        "--people", write("people.csv", PEOPLE),
        "--records", write("records.csv", RECORDS),
    )  # fmt: skip
    report = json.loads(run.out)
    assert report["period"]["as_of"] == "2021-12-01"
    assert result_of(report, "B2")["status"] == "at-risk"


def test_it_warns_about_records_after_the_as_of_date(evaluate) -> None:
    records = RECORDS + "A1,2022-05-01,1,legal,,live,approved-provider,,Late\n"
    warnings = json.loads(evaluate(records=records).out)["warnings"]
    assert any("after the as-of date 2022-04-01 (row 12)" in w for w in warnings)


def test_it_warns_about_a_misspelt_attribute(evaluate) -> None:
    people = PEOPLE + "T4,peace-officer,2015-06-01,traffic_enforcement\n"
    warnings = json.loads(evaluate(people=people).out)["warnings"]
    assert any('did you mean "traffic-enforcement"' in w for w in warnings)


def test_it_accepts_excel_csv_with_a_bom_us_dates_and_blank_lines(
    evaluate, write
) -> None:
    records = RECORDS.replace("2021-04-01,2,interpersonal", "4/1/2021,2,interpersonal")
    records = records.replace("\nB2,", "\n,,,,,,,,\n\nB2,", 1)
    people = "\ufeff" + PEOPLE
    assert "4/1/2021" in records and ",,,,,,,,\n\nB2," in records
    run = evaluate(people=people, records=records)
    assert run.code == 0, run.err
    a1 = result_of(json.loads(run.out), "A1")
    assert a1["status"] == "compliant"
    assert [line["date"] for line in a1["explanation"]].count("2021-04-01") == 1


def test_it_prints_an_aligned_table_without_colour_when_not_a_tty(evaluate) -> None:
    run = evaluate("--format", "table")
    assert run.code == 0
    assert "\033[" not in run.out
    lines = run.out.splitlines()
    header = next(line for line in lines if line.startswith("PERSON"))
    rows = [line for line in lines if line[:2] in ("A1", "B2", "T3")]
    status_column = header.index("STATUS")
    assert all(row[status_column - 2 : status_column] == "  " for row in rows)
    assert [row[status_column:].split()[0] for row in rows] == [
        "compliant",
        "deficient",
        "deficient",
    ]
    b2 = next(row for row in rows if row.startswith("B2"))
    assert b2.endswith("implicit-bias 1 h")
    assert header.index("MANDATE") == rows[0].index("us.mo.peace_officer")


def test_it_colours_statuses_when_forced(evaluate, monkeypatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\033[31mdeficient\033[0m" in evaluate("--format", "table").out


def test_no_color_wins_over_force_color(evaluate, monkeypatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in evaluate("--format", "table").out


def test_it_writes_one_csv_row_per_person_and_requirement(evaluate) -> None:
    run = evaluate("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    assert list(rows[0]) == [
        "person", "mandate", "status", "requirement", "required", "earned",
        "missing", "requirement_status", "period_start", "period_end",
    ]  # fmt: skip
    (b2,) = [
        r for r in rows if r["person"] == "B2" and r["requirement"] == "implicit-bias"
    ]
    assert b2 == {
        "person": "B2",
        "mandate": "us.mo.peace_officer",
        "status": "deficient",
        "requirement": "implicit-bias",
        "required": "1",
        "earned": "0",
        "missing": "1",
        "requirement_status": "missing",
        "period_start": "2021-01-01",
        "period_end": "2021-12-31",
    }
    assert len([r for r in rows if r["person"] == "A1"]) == 9


@pytest.fixture
def unverified_root(mandates_copy: Path) -> str:
    path = mandates_copy / "us" / "mo" / "peace_officer.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: verified", "status: unverified"), "utf-8")
    return str(mandates_copy)


def test_it_puts_an_unverified_rules_warning_first_in_bold(
    evaluate, unverified_root, monkeypatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    run = evaluate("--format", "table", "--root", unverified_root)
    assert run.out.startswith("\033[1mUNVERIFIED RULES: the Missouri peace officer")


def test_it_flags_unverified_rules_in_json(evaluate, unverified_root) -> None:
    report = json.loads(evaluate("--root", unverified_root).out)
    statuses = {m["id"]: m["status"] for m in report["mandates"]}
    assert statuses["us.mo.peace_officer"] == "unverified"
    assert report["warnings"][0].startswith("UNVERIFIED RULES")
    assert result_of(report, "A1")["warnings"] == report["warnings"]


def test_it_puts_unverified_rules_before_input_warnings(
    evaluate, unverified_root
) -> None:
    people = PEOPLE + "Z9,parking-attendant,,\n"
    run = evaluate("--format", "table", "--root", unverified_root, people=people)
    lines = run.out.splitlines()
    assert lines[0].startswith("UNVERIFIED RULES")
    assert lines[1].startswith("warning: ")


OFFICERS_OF_1951 = """\
id,discipline,licensed_on,attributes
A1,peace-officer,1950-06-01,
B2,peace-officer,1950-06-01,
"""


@pytest.mark.parametrize("output", ["json", "table", "csv"])
def test_it_says_no_rules_are_encoded_for_a_period_before_them(
    cli, write, output
) -> None:
    # Missouri 1951: the officer was licensed and the mandate applies to them, but
    # nothing is encoded for 1951. That is not "not-applicable" (does not apply).
    run = cli(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "1951",
        "--people", write("people.csv", OFFICERS_OF_1951),
        "--records", write("records.csv", RECORDS),
        "--as-of", "1952-06-01",
        "--format", output,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert "not-applicable" not in run.out
    if output == "json":
        a1 = result_of(json.loads(run.out), "A1")
        assert a1["status"] == "not-encoded"
        assert any("NO RULES ENCODED" in w for w in a1["warnings"])
    elif output == "csv":
        rows = list(csv.DictReader(io.StringIO(run.out)))
        assert {r["status"] for r in rows} == {"not-encoded"}
    else:
        assert "NO RULES ENCODED for the period containing 31 December 1951" in run.out
        assert any(
            line.startswith("A1") and "not-encoded" in line
            for line in run.out.splitlines()
        )


def test_it_explains_hours_as_the_file_writes_them(evaluate) -> None:
    records = RECORDS.replace("A1,2021-02-01,2,", "A1,2021-02-01,2.50,")
    texts = [
        line["text"]
        for line in result_of(json.loads(evaluate(records=records).out), "A1")[
            "explanation"
        ]
    ]
    assert any(text.startswith("2021-02-01 2.50 h") for text in texts)
    assert any(text.startswith("2021-03-01 2 h") for text in texts)


def test_csv_rows_carry_each_persons_own_period_where_cycles_run_from_their_date(
    cli, write
) -> None:
    # Florida's four years run from each officer's certification: two officers
    # certified apart have different periods, and the CSV must say each one's
    # (it once wrote the first group's period on every row).
    people = write(
        "people.csv",
        "id,discipline,licensed_on,attributes\n"
        "F1,peace-officer,2018-03-01,\n"
        "F2,peace-officer,2019-08-15,\n",
    )
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n"
        "F1,2020-02-01,8,,use-of-force,live,approved-provider,,Use of force\n"
        "F2,2020-02-01,8,,use-of-force,live,approved-provider,,Use of force\n",
    )
    argv = ["evaluate", "--jurisdiction", "FL", "--period", "2021",
            "--people", people, "--records", records, "--as-of", "2021-12-31"]  # fmt: skip
    as_csv = cli(*argv, "--format", "csv")
    assert as_csv.code == 0, as_csv.err
    as_json = cli(*argv, "--format", "json")
    periods = {
        (result["person"], r["id"]): (r["period"]["start"], r["period"]["end"])
        for result in json.loads(as_json.out)["results"]
        for r in result["requirements"]
    }
    rows = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert rows
    for row in rows:
        key = (row["person"], row["requirement"])
        assert (row["period_start"], row["period_end"]) == periods[key], key
    starts = {row["person"]: row["period_start"] for row in rows}
    assert starts == {"F1": "2018-03-01", "F2": "2019-08-15"}


def test_a_person_without_the_date_their_cycle_runs_from_is_told_to_enter_it(
    cli, write
) -> None:
    # Florida's periods run from each officer's certification: without the date
    # nothing can be evaluated, and every output says which date to enter, not
    # that no rules are encoded.
    people = write(
        "people.csv",
        "id,discipline,licensed_on,attributes\n"
        "F1,peace-officer,2018-03-01,\n"
        "F2,peace-officer,,\n",
    )
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n"
        "F2,2021-02-01,40,technical,,live,approved-provider,,Hours\n",
    )
    argv = ["evaluate", "--jurisdiction", "FL", "--period", "2021",
            "--people", people, "--records", records, "--as-of", "2021-12-31"]  # fmt: skip
    reason = "no certification date recorded: enter it to evaluate"
    report = json.loads(cli(*argv, "--format", "json").out)
    result = result_of(report, "F2")
    assert result["status"] == "not-encoded"
    assert any(reason in w for w in result["warnings"])
    assert not any("NO RULES ENCODED" in w for w in result["warnings"])
    assert not any("F1" in w for w in report["warnings"])
    assert any("no certification date recorded for 1 person" in w and '"F2"' in w
               for w in report["warnings"])  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(cli(*argv, "--format", "csv").out)))
    own = [row for row in rows if row["person"] == "F2"]
    assert own and all(row["requirement_status"] == reason for row in own)
    assert all(
        row["requirement_status"] != reason for row in rows if row["person"] == "F1"
    )
    table = cli(*argv, "--format", "table").out
    line = next(text for text in table.splitlines() if text.startswith("F2"))
    assert "not-encoded" in line and reason in line


def test_it_reads_the_dates_of_a_break_in_service_and_refuses_one_ending_first(
    cli, write
) -> None:
    header = "id,discipline,licensed_on,attributes,separated_on,returned_on\n"
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n"
        "M1,2025-02-01,24,technical,,live,approved-provider,,Hours\n",
    )
    argv = ["evaluate", "--jurisdiction", "MS", "--period", "2025",
            "--records", records, "--as-of", "2026-01-31", "--format", "json"]  # fmt: skip
    good = write(
        "people.csv", header + "M1,peace-officer,2015-01-01,,2022-09-30,2024-10-01\n"
    )
    report = json.loads(cli(*argv, "--people", good).out)
    refresher = requirement_of(result_of(report, "M1"), "refresher-skills-law")
    assert refresher["status"] == "missing"
    assert refresher["period"]["due"] == "2025-10-01"
    bad = write(
        "bad.csv", header + "M1,peace-officer,2015-01-01,,2024-10-01,2022-09-30\n"
    )
    run = cli(*argv, "--people", bad)
    assert run.code != 0
    assert "returned_on" in run.err and "is before separated_on" in run.err


def test_a_long_break_then_a_short_one_still_owes_the_refresher(cli, write) -> None:
    header = "id,discipline,licensed_on,attributes,separated_on,returned_on"
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n"
        "M1,2025-02-01,24,technical,,live,approved-provider,,Hours\n"
        "M2,2025-02-01,24,technical,,live,approved-provider,,Hours\n",
    )
    argv = ["evaluate", "--jurisdiction", "MS", "--period", "2025",
            "--records", records, "--as-of", "2026-01-31", "--format", "json"]  # fmt: skip
    people = write(
        "people.csv",
        f"{header},earlier_breaks\n"
        "M1,peace-officer,2015-01-01,,2025-03-01,2025-06-01,2022-09-30 to 2024-10-01\n"
        "M2,peace-officer,2015-01-01,,2025-03-01,2025-06-01,\n",
    )
    report = json.loads(cli(*argv, "--people", people).out)
    owed = requirement_of(result_of(report, "M1"), "refresher-skills-law")
    assert owed["status"] == "missing"
    assert owed["period"]["start"] == "2024-10-01"
    assert owed["period"]["due"] == "2025-10-01"
    alone = requirement_of(result_of(report, "M2"), "refresher-skills-law")
    assert alone["status"] == "not-applicable"
    bad = write(
        "bad.csv",
        f"{header},earlier_breaks\n"
        "M1,peace-officer,2015-01-01,,2025-03-01,2025-06-01,2022-09-30 to 2025-04-01\n"
        "M2,peace-officer,2015-01-01,,,,2022-09-30 to 2024-10-01\n",
    )
    run = cli(*argv, "--people", bad)
    assert run.code != 0
    assert (
        "row 2, earlier_breaks: ends on 2025-04-01, after the latest break" in run.err
    )
    assert "row 3, earlier_breaks: is given without the latest break" in run.err


def test_evaluate_reads_only_the_jurisdiction_asked_for(
    evaluate, mandates_copy: Path
) -> None:
    # A broken file of another state does not stop an evaluation of Missouri;
    # `muster mandates check` is where every file is held to the rules.
    shutil.copytree(mandates_copy / "us" / "mo", mandates_copy / "us" / "zz")
    broken = mandates_copy / "us" / "zz" / "peace_officer.yaml"
    broken.write_text("id: [unclosed", encoding="utf-8")
    run = evaluate("--format", "csv", "--root", str(mandates_copy))
    assert run.code == 0, run.err
    assert run.out.startswith("person,mandate,status,")
    assert ",us.mo.peace_officer," in run.out


def test_evaluate_names_the_known_codes_for_an_unknown_one(
    evaluate, mandates_copy: Path
) -> None:
    for asked in ("ZZ", "*", "us.m?"):
        run = evaluate("--jurisdiction", asked, "--root", str(mandates_copy))
        assert (run.code, run.out) == (2, ""), asked
        assert "known jurisdictions are MO" in run.err, asked


def test_it_reads_the_last_name_that_places_an_illinois_officer_in_a_group(
    cli, write
) -> None:
    # Illinois's three-year period runs from the first day of the surname's
    # group: A-G from 2023-01-30, P-Z from 2025-01-30; without a last name the
    # officer is told to enter it.
    people = write(
        "people.csv",
        "id,discipline,licensed_on,attributes,surname\n"
        "I1,peace-officer,2010-01-01,,Garcia\n"
        "I2,peace-officer,2010-01-01,,patel\n"
        "I3,peace-officer,2010-01-01,,\n",
    )
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n"
        "I1,2025-02-01,12,,scenario-based-training,live,other,,Scenarios\n",
    )
    argv = ["evaluate", "--jurisdiction", "IL", "--period", "2025", "--people",
            people, "--records", records, "--as-of", "2026-06-01", "--format", "json"]  # fmt: skip
    report = json.loads(cli(*argv).out)
    periods = {
        person: requirement_of(result_of(report, person), "use-of-force-scenarios")[
            "period"
        ]
        for person in ("I1", "I2")
    }
    assert periods["I1"]["start"] == "2023-01-30"
    assert periods["I1"]["end"] == "2026-01-29"
    assert periods["I2"]["start"] == "2025-01-30"
    third = result_of(report, "I3")
    assert "use-of-force-scenarios" not in {r["id"] for r in third["requirements"]}
    # Its yearly topics are evaluated, so the reason is a note, not a warning.
    assert any(
        "no last name beginning with a letter A-Z recorded" in n for n in third["notes"]
    )


def test_a_year_before_a_surname_groups_first_period_comes_back_not_encoded(
    cli, write
) -> None:
    # 2023: A-G's first period has begun (30 January 2023), H-O's starts on
    # 30 January 2024. All three did their yearly topics.
    people = write(
        "people.csv",
        "id,discipline,licensed_on,attributes,surname\n"
        "G1,peace-officer,2010-01-01,,Garcia\n"
        "H1,peace-officer,2010-01-01,,Hughes\n"
        "H2,peace-officer,2010-01-01,,Ortiz\n",
    )
    yearly = "".join(
        f"{who},2023-0{month},{hours},,{topic},live,other,{result},\n"
        for who in ("G1", "H1", "H2")
        for month, hours, topic, result in (
            ("2-01", 8, "crisis-intervention", ""),
            ("3-01", 4, "legislative-update", ""),
            ("4-01", 4, "emergency-medical", ""),
            ("5-01", 0, "firearms-qualification", "pass"),
        )
    )
    records = write(
        "records.csv",
        "person,date,hours,area,topics,delivery,provider,result,label\n" + yearly,
    )

    def run(form: str) -> str:
        argv = ["evaluate", "--jurisdiction", "IL", "--period", "2023", "--people",
                people, "--records", records, "--as-of", "2026-06-01", "--format", form]  # fmt: skip
        done = cli(*argv)
        assert done.code == 0, done.err
        return done.out

    report = json.loads(run("json"))
    hughes = result_of(report, "H1")
    assert hughes["status"] == "not-encoded"
    assert "use-of-force-scenarios" not in {r["id"] for r in hughes["requirements"]}
    assert requirement_of(hughes, "firearms-qualification")["status"] == "met"
    (reason,) = [w for w in hughes["warnings"] if w.startswith("NO RULES ENCODED")]
    assert "31 December 2023 of Use of force" in reason
    assert "for last names H-O the first period encoded starts on 2024-01-30" in reason
    # A-G is evaluated, and its short three-year hours are a finding.
    assert result_of(report, "G1")["status"] == "deficient"

    table = run("table")
    assert '2 people ("H1", "H2"): NO RULES ENCODED for the period containing' in table
    (row,) = [line for line in table.splitlines() if line.startswith("H1 ")]
    assert "not-encoded" in row.split()[2]
    assert "use-of-force-scenarios" in row
    assert "before 2024-01-30 (last names H-O)" in row

    csv_rows = [line.split(",", 3) for line in run("csv").splitlines()[1:]]
    hughes_rows = {
        rest.split(",")[0]: rest for who, _, _, rest in csv_rows if who == "H1"
    }
    assert hughes_rows["use-of-force-scenarios"] == (
        "use-of-force-scenarios,,,,not-encoded: before the first period encoded "
        "for last names H-O (from 2024-01-30),,"
    )
    assert hughes_rows["firearms-qualification"].startswith(
        "firearms-qualification,1,1,0,met,2023-01-01"
    )
    assert {s for who, _, s, _ in csv_rows if who == "H1"} == {"not-encoded"}
