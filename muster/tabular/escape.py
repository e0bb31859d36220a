"""Writing cells that people open in a spreadsheet program."""

import csv
import io

# A cell starting with one of these is run as a formula by Excel, LibreOffice and
# Google Sheets ("=HYPERLINK(...)" can leak data or open a link when clicked).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> str:
    """The cell as text that a spreadsheet shows as text, never runs as a formula.

    >>> spreadsheet_safe('=HYPERLINK("http://x")'), spreadsheet_safe(-2)
    ('\\'=HYPERLINK("http://x")', "'-2")
    >>> spreadsheet_safe(None), spreadsheet_safe("Live")
    ('', 'Live')
    """
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def spreadsheet_value(value: object) -> object:
    """A text cell escaped as `spreadsheet_safe` does; a number left a number, so
    that a spreadsheet computes with it (a negative difference is not a formula).

    >>> spreadsheet_value("=1+2"), spreadsheet_value(-2)
    ("'=1+2", -2)
    """
    return spreadsheet_safe(value) if isinstance(value, str) else value


def csv_bytes(header: list[str], rows, cell=spreadsheet_safe) -> bytes:
    """A CSV file as spreadsheet programs open it: a UTF-8 byte order mark, CRLF
    line ends, every cell through `cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
