"""Read an uploaded or given file into a `Table`: its name, headers and text rows.

The file's name and content must agree: a .csv must be text, an .xlsx a workbook.
Everything downstream sees plain strings, so one set of cell rules serves both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from muster.tabular.csvfile import read_csv
from muster.tabular.limits import Limits, too_many
from muster.tabular.problems import refuse
from muster.tabular.xlsxfile import read_xlsx

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Files people upload by mistake, by their first bytes.
OTHER_KINDS = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    OLE_MAGIC: "an old-style Office file (.xls or .doc) or a password-protected one",
    ZIP_MAGIC: "a zip archive (perhaps an Excel workbook)",
}
BLANK = re.compile(rb"\s*\Z")
UPLOAD_FIX = "upload a CSV file (.csv) or an Excel workbook (.xlsx)"


@dataclass(frozen=True)
class Table:
    """A sheet: the file's name, headers as written, rows of text padded to them."""

    name: str
    headers: list[str]
    rows: list[list[str]]

    # Data rows start on row 2 of the file, under the header row.
    FIRST_ROW = 2


def read_table(
    name: str, data: bytes, limits: Limits | None = None, *, any_name_as_csv=False
) -> Table:
    """The table in `data`, read as the extension of `name` says.

    `any_name_as_csv` reads a name without a table's extension as CSV, for the
    CLI, where the operator names their own files; the web imports refuse it.

    Raises:
        TableError: the file is empty, too large, of the wrong kind or damaged.
    """
    limits = limits or Limits()
    if file_kind(name, data, limits, any_name_as_csv=any_name_as_csv) == "xlsx":
        raw = read_xlsx(name, data, limits)
    else:
        raw = read_csv(name, data, limits)
    return _to_table(name, raw, limits)


def file_kind(name: str, data: bytes, limits: Limits, *, any_name_as_csv=False) -> str:
    """ "csv" or "xlsx", as the name says and the first bytes agree.

    Raises:
        TableError: the file is empty, too large, or not what its name says.
    """
    if len(data) > limits.max_bytes:
        raise refuse(
            name,
            f"is larger than {limits.max_bytes / 1048576:g} MB, the limit",
            "split it into smaller files",
        )
    if BLANK.match(data):
        raise refuse(name, "is empty", "the first row must name the columns")
    extension = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if extension in XLSX_EXTENSIONS:
        _expect(name, data, ZIP_MAGIC, "an Excel workbook")
        return "xlsx"
    if extension == ".xls":
        raise refuse(
            name, "is in the old Excel 97-2003 format", "save it in Excel as .xlsx"
        )
    if extension not in CSV_EXTENSIONS and not any_name_as_csv:
        shown = f"ends in {extension}" if extension else "has no extension"
        raise refuse(name, f"is not a CSV or Excel file: its name {shown}", UPLOAD_FIX)
    _expect(name, data, None, "text (CSV)")
    return "csv"


def _expect(name: str, data: bytes, magic: bytes | None, wanted: str) -> None:
    """Refuse a file whose first bytes say it is not what its name says."""
    if magic is not None and data.startswith(magic):
        return
    for start, kind in OTHER_KINDS.items():
        if data.startswith(start):
            fix = UPLOAD_FIX
            if start == ZIP_MAGIC:
                fix = "if it is an Excel workbook, keep its .xlsx name"
            elif start == OLE_MAGIC:
                fix = "remove any password and save it in Excel as .xlsx"
            raise refuse(name, f"is {kind}, not {wanted}", fix)
    if magic is not None:
        raise refuse(
            name,
            f"is named {name.rpartition('.')[2]} but is not {wanted}",
            "save it again from Excel as .xlsx, or as CSV",
        )


def _to_table(name: str, raw: list[list[str]], limits: Limits) -> Table:
    rows = [[cell.strip() for cell in row] for row in raw]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise refuse(
            name,
            "the first row must hold the column names; it is empty",
            "put the column names in row 1",
        )
    headers = rows[0]
    while headers and not headers[-1]:
        headers = headers[:-1]
    if len(rows) - 1 > limits.max_rows:
        raise too_many(name, "rows", limits.max_rows)
    width = len(headers)
    body = [
        (row + [""] * width)[:width] if len(row) <= width else row for row in rows[1:]
    ]
    return Table(name, headers, body)
