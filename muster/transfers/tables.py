"""Read an uploaded CSV or XLSX file into a header row and data rows of text.

Everything downstream sees plain strings, so one set of cell parsers serves both
formats. A file that cannot be read raises `FileProblem` with a sentence that says
what is wrong and how to fix it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a row or a cell)."""


@dataclass(frozen=True)
class Table:
    """A sheet: headers as written, and rows of text cells padded to the headers."""

    headers: list[str]
    rows: list[list[str]]

    # Data rows start on line 2 of the file, under the header row.
    FIRST_ROW = 2


def read_table(name: str, data: bytes) -> Table:
    """The table in `data`: XLSX if it is a zip archive, otherwise CSV text."""
    if not data.strip():
        raise FileProblem("The file is empty.")
    if len(data) > MAX_BYTES:
        raise FileProblem(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it."
        )
    if data.startswith(XLSX_MAGIC):
        raw = _xlsx_rows(data)
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(
            "The file is named .xlsx but is not an Excel workbook; "
            "save it again from Excel as .xlsx, or as CSV."
        )
    else:
        raw = _csv_rows(data)
    return _to_table(raw)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "In Excel use Save As > 'CSV UTF-8', or upload the .xlsx file."
        ) from None
    if "\x00" in text:
        raise FileProblem("The file contains NUL characters; it is not a CSV file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as error:
        raise FileProblem(f"The CSV file cannot be read: {error}.") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise FileProblem(
            f"The Excel workbook cannot be opened ({type(error).__name__}); "
            "save it again from Excel as .xlsx, or as CSV."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        # One row past the limit is enough to refuse the file; stop reading there.
        rows = islice(sheet.iter_rows(values_only=True), MAX_ROWS + 2)
        return [[_cell_text(value) for value in row] for row in rows]
    except Exception as error:  # openpyxl raises many kinds on damaged sheets
        raise FileProblem(
            f"The first sheet of the workbook cannot be read ({type(error).__name__})."
        ) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_table(raw: list[list[str]]) -> Table:
    rows = [[cell.strip() for cell in row] for row in raw]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise FileProblem("The first row must hold the column names; it is empty.")
    headers = rows[0]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(rows) - 1 > MAX_ROWS:
        raise FileProblem(f"The file has more than {MAX_ROWS:,} rows; split it.")
    width = len(headers)
    body = []
    for row in rows[1:]:
        body.append((row + [""] * width)[:width] if len(row) <= width else row)
    return Table(headers, body)
