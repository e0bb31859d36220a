"""Read CSV text with the csv module, bounded, naming the row of any problem.

Quoting follows RFC 4180 as Excel writes it: a cell in double quotes may hold the
delimiter, line breaks and doubled quotes (`"ALERRT ""Stop the Killing"" refresher"`). Only
the delimiter is guessed, from the header row: comma, or semicolon or tab when the
header splits into more columns by those (Excel in many European locales).
"""

from __future__ import annotations

import codecs
import csv
import io
import re

from muster.tabular.limits import Deadline, Limits, too_many
from muster.tabular.problems import Problem, TableError, refuse

DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = (
    "in Excel use Save As > 'CSV UTF-8 (Comma delimited)', or upload the .xlsx file"
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_csv(file: str, data: bytes, limits: Limits) -> list[list[str]]:
    """The rows of a CSV file, header first, as lists of text."""
    text = decode(file, data)
    _check_text(file, text, limits)
    delimiter = guess_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(
        io.StringIO(text, newline=""), csv.excel, delimiter=delimiter, strict=True
    )
    return _bounded_rows(file, reader, limits, limits.deadline(file))


def decode(file: str, data: bytes) -> str:
    """The text of the file: UTF-8 (with or without a BOM) or UTF-16 with a BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" is UTF-16 with a byte-order mark.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise refuse(
                file, "is not UTF-16 text, though it starts as such", SAVE_AS_UTF8
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_utf8(file, data, error.start) from None


def _not_utf8(file: str, data: bytes, start: int) -> TableError:
    row = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    line = data[line_start : line_end if line_end >= 0 else len(data)]
    word = re.findall(rb"\S*$", line[: start - line_start])[0]
    word += re.findall(rb"^\S*", line[start - line_start :])[0]
    seen = word[:40].decode("cp1252", errors="replace")
    return TableError(
        Problem(
            file,
            row,
            None,
            f"is not UTF-8 text: byte 0x{data[start]:02X} in {seen!r} (as Windows "
            "reads it) shows the file was saved as Windows-1252 or Latin-1",
            SAVE_AS_UTF8,
        )
    )


def _check_text(file: str, text: str, limits: Limits) -> None:
    control = CONTROL.search(text)
    if control:
        row = text.count("\n", 0, control.start()) + 1
        raise TableError(
            Problem(
                file,
                row,
                None,
                f"holds the control character U+{ord(control.group()):04X}, so it "
                "is not a text (CSV) file",
                "upload the CSV or .xlsx file itself",
            )
        )
    long_line = re.search(f"[^\r\n]{{{limits.max_line_chars + 1}}}", text)
    if long_line:
        row = text.count("\n", 0, long_line.start()) + 1
        raise TableError(
            Problem(
                file,
                row,
                None,
                f"is longer than {limits.max_line_chars:,} characters, the limit "
                "for one line",
                "check that the file is a table with one row a line",
            )
        )


def guess_delimiter(header: str) -> str:
    """The delimiter that splits the header row into the most columns.

    >>> guess_delimiter("id;discipline;licensed_on"), guess_delimiter("a,b")
    (';', ',')
    """

    def width(delimiter: str) -> int:
        try:
            return len(next(csv.reader([header], delimiter=delimiter), []))
        except csv.Error:
            return 0

    # Comma comes first, so it wins a tie.
    return max(DELIMITERS, key=width)


def _bounded_rows(file, reader, limits: Limits, deadline: Deadline) -> list:
    rows: list[list[str]] = []
    cells = 0
    try:
        for row in reader:
            rows.append(row)
            cells += len(row)
            if len(row) > limits.max_columns:
                raise too_many(file, "columns", limits.max_columns)
            if len(rows) > limits.max_rows + 1:
                raise too_many(file, "rows", limits.max_rows)
            if cells > limits.max_cells:
                raise too_many(file, "cells", limits.max_cells)
            if len(rows) % 1000 == 0:
                deadline.check()
    except csv.Error as error:
        raise TableError(
            Problem(
                file,
                len(rows) + 1,
                None,
                f"cannot be read as CSV ({error})",
                "a quoted cell must end with a quote; a quote inside a cell is "
                'written twice ("")',
            )
        ) from None
    return rows
