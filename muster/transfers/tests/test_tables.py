"""Reading uploaded tables: formats, encodings and file-level refusals."""

import pytest

from muster.transfers.tables import FileProblem, read_table
from muster.transfers.tests.helpers import xlsx_bytes


def test_workbooks_are_parsed_with_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "install defusedxml so hostile XML in a workbook is refused"


def test_it_reads_semicolon_separated_csv_with_a_byte_order_mark() -> None:
    table = read_table("a.csv", "\ufeffFirst name;Last name\nAnn;Lee\n".encode())
    assert table.headers == ["First name", "Last name"]
    assert table.rows == [["Ann", "Lee"]]


def test_it_reads_an_excel_date_as_an_iso_date() -> None:
    from datetime import datetime

    table = read_table("a.xlsx", xlsx_bytes(["Date"], [[datetime(2024, 3, 1)]]))
    assert table.rows == [["2024-03-01"]]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.csv", b"   \n", "The file is empty."),
        ("a.xlsx", b"First,Last\n", "named .xlsx but is not an Excel workbook"),
        ("a.csv", b"PK\x03\x04broken", "Excel workbook cannot be opened"),
        ("a.csv", b"\n\nAnn,Lee\n", "first row must hold the column names"),
        ("a.csv", "Name\nJos\xe9\n".encode("latin-1"), "not UTF-8 text (byte 9"),
    ],
)
def test_it_refuses_unreadable_files_saying_why(name, data, message) -> None:
    with pytest.raises(FileProblem, match=message.replace("(", r"\(")):
        read_table(name, data)
