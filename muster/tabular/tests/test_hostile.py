"""Hostile workbooks, tiny on disk and huge inside, are refused before openpyxl
parses them, with a message naming the limit (issue 8.3).

The real attacks were 14 M inline cells in one row (1.5 MB) and 25 M shared
strings (1 MB); the files here are smaller versions of the same shapes, each past
a default limit. benchmarks/hostile_imports.py times the full-size ones.
"""

from unittest import mock

import pytest

from muster.tabular import Limits, TableError, read_table
from muster.tabular.tests import hostile

MB = 1024 * 1024


def refusal(data: bytes, limits: Limits | None = None) -> str:
    """The refusal's text; fails if openpyxl was asked to open the workbook."""
    with (
        mock.patch("openpyxl.load_workbook") as load,
        pytest.raises(TableError) as error,
    ):
        read_table("hostile.xlsx", data, limits)
    assert not load.called
    return str(error.value)


def test_one_row_of_millions_of_inline_cells_is_refused_by_its_unzipped_size():
    data = hostile.workbook(hostile.sheet(hostile.one_row_of_inline_cells(3_000_000)))
    assert len(data) < MB
    assert "hostile.xlsx: unzips to 109 MB, more than the limit of 100 MB" in (
        refusal(data)
    )


def test_a_part_compressed_far_more_than_excel_does_is_refused():
    data = hostile.workbook(hostile.sheet(hostile.one_row_of_inline_cells(500_000)))
    assert "unzips to 3" in refusal(data)
    assert "times its size, more than the limit of 100" in refusal(data)


def test_cells_past_the_limit_are_counted_before_openpyxl_reads_the_row():
    # Varying numbers compress like real data, so only the cell count stops it.
    data = hostile.workbook(hostile.sheet(hostile.numbered_cells(510_000)))
    assert "hostile.xlsx: the file has more than 500,000 cells, the limit" in (
        refusal(data)
    )


def test_shared_strings_past_the_limit_are_refused():
    strings = hostile.varied_shared_strings(510_000)
    data = hostile.workbook(hostile.sheet(hostile.text_rows([["a"]])), strings)
    assert "more than 500,000 shared strings, the limit" in refusal(data)


def test_millions_of_empty_shared_strings_are_refused_by_their_ratio():
    strings = hostile.shared_strings(3_000_000)
    data = hostile.workbook(hostile.sheet(hostile.text_rows([["a"]])), strings)
    assert len(data) < 200_000
    assert "xl/sharedStrings.xml unzips to" in refusal(data)


@pytest.mark.parametrize("dtd", [hostile.ENTITY_BOMB, hostile.XXE])
def test_entity_bombs_and_external_entities_are_refused_by_name(dtd):
    cell = b'<row r="1"><c t="inlineStr"><is><t>&i;</t></is></c></row>'
    message = refusal(hostile.workbook(hostile.sheet([cell], dtd)))
    assert "xl/worksheets/sheet1.xml declares a DTD or XML entities" in message
    assert "entity-bomb and XXE" in message


def test_a_dtd_in_any_part_is_refused():
    book = hostile.XXE + hostile.WORKBOOK.encode().split(b"?>", 1)[1]
    data = hostile.workbook(
        hostile.sheet(hostile.text_rows([["a"]])), parts={"xl/workbook.xml": book}
    )
    assert "its part xl/workbook.xml declares a DTD" in refusal(data)


def test_a_cell_far_to_the_right_is_refused_as_too_many_columns():
    cell = b'<row r="1"><c r="XFD1"><v>1</v></c></row>'
    with pytest.raises(TableError, match="more than 200 columns, the limit"):
        read_table("hostile.xlsx", hostile.workbook(hostile.sheet([cell])))


def test_a_row_numbered_past_the_limit_is_refused():
    row = b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    with pytest.raises(TableError, match="more than 20,000 rows, the limit"):
        read_table("hostile.xlsx", hostile.workbook(hostile.sheet([row])))


def test_reading_stops_at_the_time_limit():
    ticks = iter(range(0, 10_000, 100))
    limits = Limits(max_seconds=60, clock=lambda: next(ticks))
    data = hostile.workbook(hostile.sheet(hostile.text_rows([["a"], ["b"]])))
    with pytest.raises(TableError, match="took longer than 60 seconds, the limit"):
        read_table("slow.xlsx", data, limits)


def test_csv_bounds_rows_cells_and_line_length():
    limits = Limits(max_rows=3, max_cells=10, max_line_chars=50)
    with pytest.raises(TableError, match="more than 3 rows"):
        read_table("a.csv", b"a\n1\n2\n3\n4\n", limits)
    with pytest.raises(TableError, match="more than 10 cells"):
        read_table("a.csv", b"a,b,c,d\n1,2,3,4\n5,6,7,8\n", limits)
    with pytest.raises(TableError, match="a.csv, row 2: is longer than 50 char"):
        read_table("a.csv", b"a\n" + b"x" * 51 + b"\n", limits)
    with pytest.raises(TableError, match="larger than 1 MB, the limit"):
        read_table("a.csv", b"a\n" + b"x" * MB, Limits(max_bytes=MB))
