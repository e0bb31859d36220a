"""The fast columnar reader and the imports' row-by-row reader give the same answers.

`muster.tabular.columnar` hands files it cannot be sure to read as the csv module
does (here: a short row, a stray quote, old Mac line ends) to `read_table`, the
reader the imports use, so the same data through both must print the same.
"""

from __future__ import annotations

import pytest

from muster.cli.tests.agency import RECORDS

EXTRA = """\
A1,3/15/2021,1.50,legal,Implicit-Bias; de-escalation,Live,,,"Spring, again"
T3,2021-07-01,3,,racial-profiling,online,in-service,,
T3,2022-02-01,2,technical,,live,approved-provider,,Make-up
B2,2021-08-01,0,skill-development,firearms-qualification,live,other,fail,
"""


def with_blank_line(text: str) -> str:
    head, rest = text.split("\n", 1)
    return head + "\n\n" + rest


def with_old_mac_line_ends(text: str) -> str:
    return text.replace("\n", "\r")


def with_a_short_row(text: str) -> str:
    """The last row without its trailing empty cells, as some programs write it."""
    return text.rstrip("\n").rstrip(",") + "\n"


def with_a_stray_quote(text: str) -> str:
    """A quote inside an unquoted cell: the csv module keeps it as text."""
    return text.replace("Patrol procedures", 'Patrol "procedures', 1)


@pytest.mark.parametrize("output", ["json", "csv", "table"])
@pytest.mark.parametrize(
    "change", [with_blank_line, with_a_short_row, with_old_mac_line_ends]
)
def test_both_readers_print_the_same(evaluate, output, change) -> None:
    records = RECORDS + EXTRA
    fast = evaluate("--format", output, records=records)
    careful = evaluate("--format", output, records=change(records))
    assert fast.code == careful.code == 0, fast.err + careful.err
    assert fast.out == careful.out


def test_a_stray_quote_is_read_as_the_imports_read_it(evaluate) -> None:
    run = evaluate(records=with_a_stray_quote(RECORDS))
    assert run.code == 0, run.err
    assert 'Patrol \\"procedures' in run.out


def test_it_numbers_rows_past_a_row_of_empty_cells(evaluate) -> None:
    records = RECORDS.replace("\nB2,", "\n,,,,,,,,\nB2,", 1)
    run = evaluate(records=records + "B2,2021-02-01,-1,legal,,live,,,\n")
    assert 'records.csv, row 13, hours: "-1" is not between 0 and 999.99' in run.err


@pytest.mark.parametrize("change", [lambda text: text, with_blank_line])
def test_both_readers_number_a_row_after_a_cell_spanning_lines(evaluate, change):
    records = RECORDS + 'A1,2021-02-01,2,legal,,live,,,"Two\nlines"\n'
    records = change(records) + "A1,2021-02-01,-1,legal,,live,,,\n"
    run = evaluate(records=records)
    shift = 1 if change is with_blank_line else 0
    assert f"records.csv, row {12 + shift}, label: contains control characters" in (
        run.err
    )
    assert f'records.csv, row {13 + shift}, hours: "-1" is not between' in run.err
