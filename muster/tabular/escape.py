"""Writing cells that people open in a spreadsheet program."""

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
