"""The columnar reader reads a file as `read_table` does, or leaves it to it."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muster.tabular import CellProblem, Limits, TableError, cells, read_table
from muster.tabular.columnar import (
    ColumnTable,
    from_table,
    read_columns,
    read_plain_csv,
)

LIMITS = Limits()
PLAIN = b"id,hours,label\nA1,2,Law update\nB2,1.5,\nA1,2,Range day\n"


def seen(table: ColumnTable) -> tuple:
    """What a reader found, independent of the order of each column's values."""
    return (
        table.headers,
        table.rows.tolist(),
        [column.texts() for column in table.columns],
        [str(problem) for problem in table.problems_found],
    )


def careful(data: bytes, name: str = "f.csv") -> ColumnTable:
    return from_table(read_table(name, data, LIMITS))


@pytest.mark.parametrize(
    "data",
    [
        PLAIN,
        PLAIN.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + PLAIN,
        PLAIN.replace(b",", b";"),
        PLAIN.replace(b",", b"\t"),
        PLAIN + b"\n\n",
        PLAIN.replace(b"\nB2", b"\n\n\nB2"),  # blank lines count as rows
        PLAIN.replace(b"\n", b"\r\n").replace(b"\nB2", b"\n\r\nB2"),
        b"id\nA1\n\nB2\n",
        PLAIN.replace(b"Law update", b'"Law, update"'),
        PLAIN.replace(b"Law update", b'"Say ""hi"", twice"'),
        PLAIN.replace(b"Law update", b'"Two\nlines"'),
        PLAIN.replace(b"\n", b"\r\n").replace(b"Law update", b'"Two\r\nlines"'),
        PLAIN.replace(b"Law update", b'""'),
        PLAIN.replace(b"B2,1.5,", b" B2 , 1.5 ,  "),
        PLAIN.replace(b"B2,1.5,", b",,"),
        PLAIN.replace(b"\n", b",\n"),
        PLAIN.replace(b"id,hours,label", b"id,,label"),
        PLAIN.replace(b"Law update", "Jos\u00e9 \u2014 caf\u00e9".encode()),
        b"id,hours,label\n",
        b"id,hours,label",
    ],
)
def test_a_plain_file_is_read_fast_and_as_read_table_reads_it(data) -> None:
    fast = read_plain_csv("f.csv", data, LIMITS)
    assert fast is not None
    assert seen(fast) == seen(careful(data))


@pytest.mark.parametrize(
    "data",
    [
        PLAIN.replace(b"\n", b"\r"),  # old Mac line ends
        PLAIN.replace(b"B2,1.5,", b"B2,1.5"),  # a short row
        PLAIN.replace(b"B2,1.5,", b"B2,1.5,,x"),  # a long row
        PLAIN.replace(b"Law update", b'Law "update'),  # a quote inside a cell
        PLAIN.replace(b"Law update", b'"Law" update'),  # text after a quote
        PLAIN.replace(b"Law update", b'"Law update'),  # an unclosed quote
        PLAIN.replace(b"Law update", b"Law\x01update"),  # a control character
        PLAIN.replace(b"Law update", b"Law \xe9"),  # Latin-1, not UTF-8
        "id,hours,label\nA1,2,x\n".encode("utf-16"),
        b"id,hours,label\nA1,2," + b"x" * (LIMITS.max_line_chars + 1) + b"\n",
        b"\n\nid,hours\n",
        b",,\nA1,2,x\n",
        PLAIN.replace(b"id,hours,label", b"id,hours,label,"),  # only the header
    ],
)
def test_anything_else_is_left_to_read_table(data) -> None:
    assert read_plain_csv("f.csv", data, LIMITS) is None
    try:
        expected = seen(careful(data))
    except TableError as error:
        with pytest.raises(TableError) as raised:
            read_columns("f.csv", data, LIMITS)
        assert str(raised.value) == str(error)
    else:
        assert seen(read_columns("f.csv", data, LIMITS)) == expected


def test_a_row_wider_than_the_header_is_a_problem_at_its_row() -> None:
    table = read_columns("f.csv", PLAIN.replace(b"B2,1.5,", b"B2,1.5,,x"), LIMITS)
    assert [str(p) for p in table.problems_found] == [
        "f.csv, row 3: has more cells than the header row; name every column in "
        "row 1, or remove the extra cells"
    ]


def test_a_workbook_is_read_into_columns_too() -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in (["id", "hours"], ["A1", 2], [None, None], ["B2", 1.5]):
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    table = read_columns("f.xlsx", data.getvalue(), LIMITS)
    assert seen(table) == (["id", "hours"], [2, 4], [["A1", "B2"], ["2", "1.5"]], [])


def test_a_name_without_an_extension_is_csv_only_when_asked() -> None:
    with pytest.raises(TableError, match="its name has no extension"):
        read_columns("people", PLAIN, LIMITS)
    assert len(read_columns("people", PLAIN, LIMITS, any_name_as_csv=True)) == 3


def test_each_distinct_text_is_checked_once_and_failures_named_by_row() -> None:
    table = read_columns("f.csv", PLAIN.replace(b"1.5", b"-1"), LIMITS)
    calls = []

    def hours(text: str):
        calls.append(text)
        return cells.parse_hours(text)

    where, problems = table.locate(["id", "hours"], ["label"])
    assert (where, problems) == ({"id": 0, "hours": 1, "label": 2}, [])
    parsed = table.check(where["hours"], "hours", hours, required=True)
    assert sorted(calls) == ["-1", "2"]
    assert None in parsed
    shown, hidden = table.problems()
    assert [str(p) for p in shown] == [
        'f.csv, row 3, hours: "-1" is not between 0 and 999.99 hours'
    ]
    assert hidden == 0


def test_problems_come_in_row_then_column_order_up_to_a_limit() -> None:
    rows = b"".join(b"x%d,-1,\n" % n for n in range(30))
    table = read_columns("f.csv", b"id,hours,label\n" + rows, LIMITS)
    table.check(1, "hours", cells.parse_hours)
    table.check(0, "id", cells.parse_hours)
    shown, hidden = table.problems(limit=4)
    assert [(p.row, p.column) for p in shown] == [
        (2, "id"),
        (2, "hours"),
        (3, "id"),
        (3, "hours"),
    ]
    assert hidden == 56


def test_a_blank_required_cell_and_an_absent_column() -> None:
    table = read_columns("f.csv", PLAIN, LIMITS)
    table.check(2, "label", lambda text: text, required=True)
    assert table.check(None, "counts_for", int) == [None]
    shown, _ = table.problems()
    assert [str(p) for p in shown] == ["f.csv, row 3, label: is blank; it is required"]


def test_the_header_is_checked_against_a_fixed_set_of_columns() -> None:
    data = b"ID,Hourz,id,,label\nA1,2,A1,x,\n"
    table = read_columns("f.csv", data, LIMITS)
    where, problems = table.locate(["id", "hours"], ["label"])
    assert [str(p) for p in problems] == [
        "f.csv, row 1, Hourz: is not known; the columns are id, hours, label",
        "f.csv, row 1, id: appears more than once; keep one",
        "f.csv, row 1, hours: is missing; the header must name id, hours",
    ]
    assert where["label"] == 4
    assert [str(p) for p in table.problems()[0]] == [
        'f.csv, row 2: cell 4 holds "x", but its column has no name; name the '
        "column in row 1, or remove the cell"
    ]


def test_a_failure_found_by_the_caller_is_kept_with_the_cells() -> None:
    table = read_columns("f.csv", PLAIN, LIMITS)
    table.fail(np.array([2]), "id", lambda at: CellProblem("is listed twice"))
    assert [str(p) for p in table.problems()[0]] == [
        "f.csv, row 4, id: is listed twice"
    ]


CELL = st.text(alphabet='ab ,;"\n\r\t\x01\xe9', max_size=6)


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=6))
def test_whatever_the_fast_reader_reads_it_reads_as_read_table_does(rows) -> None:
    text = "\n".join(",".join(row) for row in rows)
    data = text.encode()
    fast = read_plain_csv("f.csv", data, LIMITS)
    if fast is not None:
        assert seen(fast) == seen(careful(data))


TEXT = st.text(alphabet='ab ,;"\n\r\t\xe9', max_size=5)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda width: st.lists(
            st.lists(TEXT, min_size=width, max_size=width), min_size=1, max_size=6
        )
    ),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_a_table_as_spreadsheets_write_it_reads_the_same_both_ways(
    rows, delimiter, line_end, quote_all
) -> None:
    out = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(
        out, delimiter=delimiter, lineterminator=line_end, quoting=quoting
    )
    writer.writerows([["h"] * len(rows[0]), *rows])
    data = out.getvalue().encode()
    fast = read_plain_csv("f.csv", data, LIMITS)
    if fast is not None:
        assert seen(fast) == seen(careful(data))
