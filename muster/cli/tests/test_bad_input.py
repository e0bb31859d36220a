"""`muster evaluate` on bad input: exit 2, every problem on stderr, nothing on stdout.

Each case changes one line of the good agency files, so a case cannot pass because
something else was wrong.
"""

from __future__ import annotations

import pytest

from muster.cli.tests.agency import PEOPLE, RECORDS

# A good B2 record (records.csv line 7), to be changed one cell at a time.
GOOD = "B2,2021-02-01,2,legal,legislative-update,live,approved-provider,,Law update"
EXEMPTIONS_HEADER = "person,kind,starts_on,ends_on,reason,requirements\n"


def replace_line(text: str, number: int, new: str) -> str:
    """`text` with line `number` (the header is 1) replaced by `new`."""
    lines = text.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def errors(run) -> list[str]:
    """The lines of stderr, each file named without its folder."""
    return [line.rsplit("/", 1)[-1] for line in run.err.splitlines()]


def record(**cells: str) -> str:
    """The good record with some cells changed."""
    names = RECORDS.splitlines()[0].split(",")
    values = dict(zip(names, GOOD.split(","), strict=True)) | cells
    return ",".join(values[name] for name in names)


RECORD_CASES = [
    (record(date="2021-02-30"), "date", '"2021-02-30" is not a day of the calendar'),
    (
        record(date="soon"),
        "date",
        '"soon" is not a date; write dates as 2024-03-01 or 3/1/2024 (month first)',
    ),
    (record(date="1921-02-01"), "date", '"1921-02-01" is before 1950; check the year'),
    (record(date="2999-02-01"), "date", '"2999-02-01" is after today'),
    (record(hours="two"), "hours", '"two" is not a number of hours'),
    (record(hours=""), "hours", "is blank; it is required"),
    (record(hours="1.255"), "hours", '"1.255" has more than two decimals'),
    (record(hours="1e30"), "hours", '"1e30" is not between 0 and 999.99 hours'),
    (
        record(area="legall"),
        "area",
        '"legall" is not a known area; did you mean "legal"?',
    ),
    (
        record(topics="implicit bias; cooking"),
        "topics",
        '"cooking" is not a known topic',
    ),
    (
        record(topics="implicit-bais"),
        "topics",
        '"implicit-bais" is not a known topic; did you mean "implicit-bias"?',
    ),
    (record(label="a\tb"), "label", "contains control characters; retype the cell"),
    (record(delivery="zoom"), "delivery", '"zoom" is not a known delivery; use one of'),
    (record(provider="post"), "provider", '"post" is not a known provider'),
    (record(result="passed"), "result", '"passed" is not a known result'),
    (record(person="X9"), "person", '"X9" is not in the people file'),
]


@pytest.mark.parametrize(("line", "field", "message"), RECORD_CASES)
def test_it_refuses_a_bad_record_cell(evaluate, line, field, message) -> None:
    run = evaluate(records=replace_line(RECORDS, 7, line))
    assert run.code == 2
    assert run.out == ""
    assert f"records.csv, row 7, {field}: {message}" in run.err


def test_it_explains_negative_hours_in_full(evaluate) -> None:
    run = evaluate(records=replace_line(RECORDS, 7, record(hours="-2")))
    assert run.err.splitlines()[0].endswith(
        'records.csv, row 7, hours: "-2" is not between 0 and 999.99 hours'
    )


def test_it_reads_words_as_the_imports_do(evaluate) -> None:
    """Case, spaces and punctuation aside, a word or its description is accepted."""
    line = record(
        topics="Legislative Update", delivery="LIVE", provider="Approved provider"
    )
    fast = evaluate(records=replace_line(RECORDS, 7, line))
    assert fast.code == 0, fast.err
    assert fast.out == evaluate().out


def test_it_accepts_zero_hours_for_a_qualification(evaluate) -> None:
    line = record(hours="0", topics="firearms-qualification", result="pass")
    assert evaluate(records=replace_line(RECORDS, 7, line)).code == 0


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        (
            RECORDS.splitlines()[0].replace("hours", "hourz"),
            "hourz",
            "is not known; the columns are person, date, hours, area, topics, "
            "delivery, provider, result, counts_for, label",
        ),
        (
            RECORDS.splitlines()[0].replace("hours", "hourz"),
            "hours",
            "is missing; the header must name person, date, hours, area, topics, "
            "delivery, provider, result",
        ),
        (RECORDS.splitlines()[0] + ",Hours", "hours", "appears more than once"),
    ],
)
def test_it_refuses_a_bad_records_header(evaluate, header, field, message) -> None:
    run = evaluate(records=replace_line(RECORDS, 1, header))
    assert (run.code, run.out) == (2, "")
    assert f"records.csv, row 1, {field}: {message}" in run.err


def test_it_matches_headers_as_the_imports_do(evaluate) -> None:
    header = "Person,Date,Hours,Area,Topics,Delivery,Provider,Result,Label"
    run = evaluate(records=replace_line(RECORDS, 1, header))
    assert run.code == 0, run.err
    assert run.out == evaluate().out


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (
            "A1,peace-officer,2015-06-01,",
            "id",
            '"A1" is listed twice (first on row 2); list each officer once',
        ),
        (
            "B2,peace-officer,06/31/2015,",
            "licensed_on",
            '"06/31/2015" is not a day of the calendar',
        ),
        ("B2,peace-officer,1915-06-01,", "licensed_on", '"1915-06-01" is before 1950'),
        ("B2,,2015-06-01,", "discipline", "is blank; it is required"),
        (
            "B2,peace officer,2015-06-01,",
            "discipline",
            '"peace officer" is not a single discipline',
        ),
        ("B2,chief,2015-06-01,a b", "attributes", '"a b" is not a single attribute'),
        (",peace-officer,2015-06-01,", "id", "is blank; it is required"),
    ],
)
def test_it_refuses_a_bad_person(evaluate, line, field, message) -> None:
    run = evaluate(people=replace_line(PEOPLE, 3, line))
    assert (run.code, run.out) == (2, "")
    assert f"people.csv, row 3, {field}: {message}" in run.err


def test_it_refuses_a_people_file_without_an_attributes_column(evaluate) -> None:
    people = "id,discipline,licensed_on\nA1,peace-officer,2015-06-01\n"
    run = evaluate(people=people)
    assert (run.code, run.out) == (2, "")
    assert "people.csv, row 1, attributes: is missing" in run.err


@pytest.mark.parametrize("name", ["people", "records"])
def test_it_refuses_an_empty_file(evaluate, name) -> None:
    run = evaluate(**{name: ""})
    assert (run.code, run.out) == (2, "")
    assert f"{name}.csv: is empty; the first row must name the columns" in run.err


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_it_reads_a_file_separated_by_semicolons_or_tabs(evaluate, delimiter) -> None:
    """As the imports do: Excel in many European locales writes semicolons."""
    both = "implicit-bias;de-escalation"
    records = RECORDS.replace(both, "BOTH").replace(",", delimiter)
    records = records.replace("BOTH", f'"{both}"')
    run = evaluate(people=PEOPLE.replace(",", delimiter), records=records)
    assert run.code == 0, run.err
    assert run.out == evaluate().out


def test_it_refuses_a_value_in_a_column_without_a_name(evaluate) -> None:
    header = RECORDS.splitlines()[0].replace(",label", ",,label")
    records = replace_line(RECORDS.replace("\n", ",\n", 0), 1, header)
    records = "\n".join(
        line if number == 0 else line.rsplit(",", 1)[0] + ",," + line.rsplit(",", 1)[1]
        for number, line in enumerate(records.splitlines())
    )
    records = replace_line(records + "\n", 7, GOOD.rsplit(",", 1)[0] + ",surprise,x")
    run = evaluate(records=records)
    assert (run.code, run.out) == (2, "")
    assert errors(run) == [
        'records.csv, row 7: cell 9 holds "surprise", but its column has no name; '
        "name the column in row 1, or remove the cell"
    ]


def test_it_refuses_a_value_past_the_named_columns(evaluate) -> None:
    run = evaluate(records=replace_line(RECORDS, 7, GOOD + ",surprise"))
    assert (run.code, run.out) == (2, "")
    assert errors(run) == [
        "records.csv, row 7: has more cells than the header row; name every column "
        "in row 1, or remove the extra cells"
    ]


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("B2,pardon,2021-01-01,2021-12-31,,", "kind", '"pardon" is not a known'),
        ("B2,waiver,2021-01-01,2021-12-31,,implicit-bais", "requirements",
         '"implicit-bais" is not a known requirement id; did you mean "implicit-bias"'),
        ("B2,waiver,2021-06-01,2021-01-01,,", "ends_on",
         "2021-01-01 is before starts_on 2021-06-01"),
        ("Q1,waiver,2021-01-01,2021-12-31,,", "person", '"Q1" is not in the people'),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_exemption(evaluate, line, field, message) -> None:
    run = evaluate(exemptions=EXEMPTIONS_HEADER + line + "\n")
    assert (run.code, run.out) == (2, "")
    assert f"exemptions.csv, row 2, {field}: {message}" in run.err


def test_it_lists_every_problem_in_line_order(evaluate) -> None:
    people = replace_line(PEOPLE, 4, "T3,peace-officer,someday,")
    records = replace_line(RECORDS, 3, record(hours="-1"))
    records = replace_line(records, 9, record(area="law"))
    run = evaluate(people=people, records=records)
    places = [line.split(": ")[0] for line in run.err.splitlines()]
    assert [place.rsplit("/", 1)[-1] for place in places] == [
        "people.csv, row 4, licensed_on",
        "records.csv, row 3, hours",
        "records.csv, row 9, area",
    ]


def test_it_lists_a_row_s_problems_in_column_order(evaluate) -> None:
    run = evaluate(records=replace_line(RECORDS, 5, record(area="x", hours="-1")))
    places = [line.split(": ")[0].rsplit("/", 1)[-1] for line in run.err.splitlines()]
    assert places == ["records.csv, row 5, hours", "records.csv, row 5, area"]


def test_it_shows_at_most_twenty_problems_per_file(evaluate) -> None:
    bad = "\n".join(record(hours="-1") for _ in range(25))
    run = evaluate(records=RECORDS + bad + "\n")
    lines = run.err.splitlines()
    assert len(lines) == 21
    assert lines[-1].endswith("records.csv: 5 more problems not shown")


def test_it_refuses_an_unknown_jurisdiction(cli, write) -> None:
    run = cli(
        "evaluate",
        "--jurisdiction", "ZZ",
        "--period", "2021",
        "--people", write("people.csv", PEOPLE),
        "--records", write("records.csv", RECORDS),
    )  # fmt: skip
    assert (run.code, run.out) == (2, "")
    assert "unknown jurisdiction 'ZZ'; known jurisdictions are" in run.err


def test_it_refuses_a_missing_file(cli, write, tmp_path) -> None:
    run = cli(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "2021",
        "--people", write("people.csv", PEOPLE),
        "--records", str(tmp_path / "nowhere.csv"),
    )  # fmt: skip
    assert (run.code, run.out) == (2, "")
    assert "nowhere.csv: cannot be read: No such file or directory" in run.err


def test_it_refuses_a_file_that_is_not_utf8(cli, write) -> None:
    people = write("people.csv", PEOPLE.replace("A1", "Ä1"), encoding="cp1252")
    run = cli(
        "evaluate",
        "--jurisdiction", "MO",
        "--period", "2021",
        "--people", people,
        "--records", write("records.csv", ""),
    )  # fmt: skip
    assert (run.code, run.out) == (2, "")
    assert "people.csv, row 2: is not UTF-8 text: byte 0xC4 in 'Ä1,peace-officer," in (
        run.err
    )
    assert "in Excel use Save As > 'CSV UTF-8 (Comma delimited)'" in run.err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--period", "21", '"21" is not a year; write a year like 2021'),
        ("--period", "0000", '"0000" is not a year'),
        ("--as-of", "2022-13-01", '"2022-13-01" is not a day of the calendar'),
        ("--as-of", "1 May", '"1 May" is not a date; write dates as 2024-03-01'),
        ("--as-of", "2999-01-01", '"2999-01-01" is after'),
        ("--period", "2999", '"2999" is after next year; check the year'),
        ("--format", "xml", "invalid choice: 'xml'"),
    ],
)
def test_it_refuses_bad_options(evaluate, option, value, message) -> None:
    run = evaluate(option, value)
    assert (run.code, run.out) == (2, "")
    assert message in run.err


def test_it_refuses_a_make_up_mark_that_is_not_a_year(evaluate) -> None:
    records = RECORDS.replace("label\n", "label,counts_for\n")
    records = replace_line(records, 7, GOOD + ",21")
    run = evaluate(records=records)
    assert (run.code, run.out) == (2, "")
    assert 'records.csv, row 7, counts_for: "21" is not a year' in run.err


def test_it_reports_a_column_named_twice_once(evaluate) -> None:
    header = RECORDS.splitlines()[0] + ",hours,hours"
    run = evaluate(records=replace_line(RECORDS, 1, header))
    assert run.err.count("appears more than once") == 1
