"""The columnar reader and the careful row-by-row reader give the same answers.

The columnar reader hands files it cannot number line for line (here: a blank
line) to the careful reader, so the same data through both must print the same.
"""

from __future__ import annotations

import pytest

from muster.cli import columnar
from muster.cli.tests.agency import PEOPLE, RECORDS

EXTRA = """\
A1,3/15/2021,1.50,legal,Implicit-Bias; de-escalation,Live,,,Spring
T3,2021-07-01,3,,racial-profiling,online,in-service,,
T3,2022-02-01,2,technical,,live,approved-provider,,Make-up
B2,2021-08-01,0,skill-development,firearms-qualification,live,other,fail,
"""


def with_blank_line(text: str) -> str:
    head, rest = text.split("\n", 1)
    return head + "\n\n" + rest


@pytest.mark.parametrize("output", ["json", "csv", "table"])
def test_both_readers_print_the_same(evaluate, output) -> None:
    records = RECORDS + EXTRA
    fast = evaluate("--format", output, records=records)
    careful = evaluate("--format", output, records=with_blank_line(records))
    assert fast.code == careful.code == 0, fast.err + careful.err
    assert fast.out == careful.out


def test_the_columnar_reader_reads_a_plain_file(write) -> None:
    assert columnar.read_fast(write("people.csv", PEOPLE), ["id"]) is None  # header
    found = columnar.read_fast(
        write("people.csv", PEOPLE), columnar.csvinput.PEOPLE_COLUMNS
    )
    assert found is not None
    assert found.lines.tolist() == [2, 3, 4]


def test_it_leaves_a_file_with_a_blank_line_to_the_careful_reader(write) -> None:
    path = write("people.csv", with_blank_line(PEOPLE))
    assert columnar.read_fast(path, columnar.csvinput.PEOPLE_COLUMNS) is None


def test_it_numbers_lines_past_a_line_of_empty_cells(evaluate) -> None:
    records = RECORDS.replace("\nB2,", "\n,,,,,,,,\nB2,", 1)
    run = evaluate(records=records + "B2,2021-02-01,-1,legal,,live,,,\n")
    assert 'records.csv, line 13, field "hours": "-1" is negative' in run.err
