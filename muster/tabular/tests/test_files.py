"""Reading CSV and XLSX files: formats, quoting, encodings and file-level refusals."""

from datetime import datetime

import pytest
from openpyxl import Workbook

from muster.tabular import TableError, read_table
from muster.tabular.tests.hostile import XXE, sheet, text_rows, workbook
from muster.transfers.tests.helpers import xlsx_bytes


def test_workbooks_are_parsed_with_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML, functions

    assert DEFUSEDXML, "install defusedxml so hostile XML in a workbook is refused"
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_it_keeps_doubled_quotes_and_quoted_commas_in_one_cell() -> None:
    data = b'Title,Hours\r\n"ALERRT ""Stop the Killing"" refresher","1,5"\r\n'
    table = read_table("a.csv", data)
    assert table.rows == [['ALERRT "Stop the Killing" refresher', "1,5"]]


def test_it_keeps_a_line_break_inside_a_quoted_cell() -> None:
    table = read_table("a.csv", b'Title,Hours\n"Two\nlines",2\nNext,3\n')
    assert table.rows == [["Two\nlines", "2"], ["Next", "3"]]


def test_it_reads_semicolon_separated_csv_with_a_byte_order_mark() -> None:
    table = read_table("a.csv", "\ufeffFirst name;Last name\nAnn;Lee\n".encode())
    assert table.headers == ["First name", "Last name"]
    assert table.rows == [["Ann", "Lee"]]


def test_it_reads_excel_unicode_text_in_utf16() -> None:
    table = read_table(
        "a.txt", "First name\tLast name\r\nJosé\tLee\r\n".encode("utf-16")
    )
    assert table.rows == [["José", "Lee"]]


def test_it_reads_an_excel_date_as_an_iso_date() -> None:
    table = read_table("a.xlsx", xlsx_bytes(["Date"], [[datetime(2024, 3, 1)]]))
    assert table.rows == [["2024-03-01"]]


def test_it_ignores_a_sheet_dimension_that_claims_the_whole_grid() -> None:
    rows = text_rows([["First"], ["Ann"]])
    data = workbook(sheet(rows, dimension="A1:XFD1048576"))
    assert read_table("a.xlsx", data).rows == [["Ann"]]


def formula_workbook(formula: str) -> bytes:
    book = Workbook()
    book.active.append(["First name", "Last name"])
    book.active.append(["Ann", formula])
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", b"   \n", "a.csv: is empty"),
        ("a.png", b"First,Last\n", "a.png: is not a CSV or Excel file: its name ends"),
        ("a.csv", b"\x89PNG\r\n\x1a\n", "a.csv: is a PNG image, not text"),
        ("a.csv", b"%PDF-1.4", "a.csv: is a PDF document"),
        ("a.xls", b"\xd0\xcf\x11\xe0", "old Excel 97-2003 format"),
        ("a.xlsx", b"First,Last\n", "a.xlsx: is named xlsx but is not an Excel"),
        ("a.csv", b"PK\x03\x04broken", "a.csv: is a zip archive"),
        ("a.xlsx", b"PK\x03\x04broken", "a.xlsx: is named .xlsx but is a damaged zip"),
        ("a.csv", b"\n\nAnn,Lee\n", "first row must hold the column names"),
        (
            "a.csv",
            "Name\nJos\xe9\n".encode("latin-1"),
            "a.csv, row 2: is not UTF-8 text: byte 0xE9 in 'José'",
        ),
        ("a.csv", b"Name\nA\x01B\n", "a.csv, row 2: holds the control character"),
        ("a.csv", b'Name,Title\nAnn,"open\n', "a.csv, row 2: cannot be read as CSV"),
        (
            "a.xlsx",
            formula_workbook('=A2&"x"'),
            "cell B2 holds a formula with no saved value; open the file in Excel "
            "and save it, or paste values",
        ),
        (
            "a.xlsx",
            workbook(sheet(text_rows([["a"]]), XXE)),
            "its part xl/worksheets/sheet1.xml declares a DTD or XML entities",
        ),
    ],
)
def test_it_refuses_unreadable_files_saying_why(name, data, message) -> None:
    with pytest.raises(TableError) as error:
        read_table(name, data)
    assert message in str(error.value)
