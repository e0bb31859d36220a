"""Read the first sheet of an .xlsx workbook, refusing hostile ones before parsing.

An .xlsx is a zip of XML. Three checks run before openpyxl parses anything:

1. the zip's directory: members, their unzipped sizes and compression ratios
   (Python's zipfile never unzips more than a member's declared size);
2. a streaming count over each XML part, at memory speed, which stops at the
   first limit passed (cells, shared strings, elements) and refuses any DTD,
   since Excel never writes one and entity bombs and XXE need one;
3. formula cells without a saved value, which openpyxl would read as blanks.

Then openpyxl reads the first sheet in read-only (streaming) mode, with
defusedxml, while rows, columns and time are counted.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

from muster.tabular.limits import Deadline, Limits, too_many
from muster.tabular.problems import TableError, refuse

RESAVE = "open it in Excel and save it again as .xlsx, or save it as CSV"
WORKSHEET = "spreadsheetml.worksheet+xml"
SHARED_STRINGS = "spreadsheetml.sharedStrings+xml"
CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
CHUNK = 1024 * 1024
MAX_TAG = 1024 * 1024


def read_xlsx(file: str, data: bytes, limits: Limits) -> list[list[str]]:
    """The rows of the first sheet, header first, as lists of text."""
    deadline = limits.deadline(file)
    archive = _open_zip(file, data)
    _check_directory(file, archive, len(data), limits)
    types = _content_types(file, archive, limits, deadline)
    # Every sheet is scanned, not only the first: opening a workbook, openpyxl
    # reads each sheet up to its dimension, or to its end when it has none.
    sheets: dict[str, SheetScan] = {}
    for info in archive.infolist():
        kind = types.get(info.filename, "")
        if WORKSHEET in kind:
            sheets[info.filename] = _scan(
                file, archive, info.filename, SheetScan(limits), deadline
            )
        elif SHARED_STRINGS in kind:
            _scan(file, archive, info.filename, StringScan(limits), deadline)
        elif _is_xml(info.filename, kind):
            _scan(file, archive, info.filename, ElementScan(limits), deadline)
    workbook = _load(file, data)
    try:
        if not workbook.worksheets:
            raise refuse(file, "the workbook has no sheet", RESAVE)
        sheet = workbook.worksheets[0]
        # openpyxl keeps the path of the sheet's part privately.
        scan = sheets.get(sheet._worksheet_path)
        if scan is None:
            raise refuse(file, "its first sheet is not a worksheet", RESAVE)
        if scan.formulas:
            raise _unsaved_formulas(file, scan.formulas)
        return _values(file, sheet, limits, deadline)
    finally:
        workbook.close()


def _open_zip(file: str, data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refuse(
            file, "is named .xlsx but is a damaged zip archive, not a workbook", RESAVE
        ) from None


def _check_directory(file, archive, size: int, limits: Limits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_zip_members:
        raise too_many(file, "parts inside its zip", limits.max_zip_members, RESAVE)
    names = {info.filename for info in members}
    if "[Content_Types].xml" not in names or not any(
        name.startswith("xl/") for name in names
    ):
        raise refuse(
            file, "is a zip archive but not an Excel workbook (no xl/ folder)", RESAVE
        )
    unzipped = sum(info.file_size for info in members)
    if unzipped > limits.max_unzipped_bytes:
        raise refuse(
            file,
            f"unzips to {unzipped / 1048576:,.0f} MB, more than the limit of "
            f"{limits.max_unzipped_bytes / 1048576:,.0f} MB",
            "split it into smaller files",
        )
    for info in members:
        if info.file_size > limits.max_zip_ratio * max(info.compress_size, 1024):
            raise refuse(
                file,
                f"its part {info.filename} unzips to "
                f"{info.file_size // max(info.compress_size, 1):,} times its size, "
                f"more than the limit of {limits.max_zip_ratio}; Excel never "
                "compresses a sheet that much",
                RESAVE,
            )
    if any(info.flag_bits & 0x1 for info in members):
        raise refuse(file, "is encrypted", "remove the password in Excel, then save")


def _content_types(file, archive, limits, deadline) -> dict[str, str]:
    """Each member's content type, from [Content_Types].xml."""
    scan = _scan(
        file, archive, "[Content_Types].xml", ContentTypesScan(limits), deadline
    )
    defaults, overrides = scan.types()
    types = {}
    for info in archive.infolist():
        extension = info.filename.rpartition(".")[2].lower()
        types[info.filename] = overrides.get(
            "/" + info.filename, defaults.get(extension, "")
        )
    return types


def _is_xml(name: str, kind: str) -> bool:
    return kind.endswith("xml") or name.lower().endswith((".xml", ".rels", ".vml"))


def _scan(file, archive, member: str, scan, deadline: Deadline):
    """Feed one member to `scan` a chunk at a time, each ending before a tag."""
    tail = b""
    try:
        with archive.open(member) as source:
            head = source.read(CHUNK)
            _check_encoding(file, member, head)
            chunk = head
            while chunk:
                buffer = tail + chunk
                cut = buffer.rfind(b"<")
                if cut <= 0:
                    cut = len(buffer)
                scan.feed(buffer[:cut])
                tail = buffer[cut:]
                if len(tail) > MAX_TAG:
                    raise refuse(
                        file,
                        f"its part {member} holds a tag longer than "
                        f"{MAX_TAG // 1024} KB",
                        RESAVE,
                    )
                deadline.check()
                chunk = source.read(CHUNK)
            scan.feed(tail)
        return scan
    except KeyError:
        raise refuse(file, f"the workbook lacks its part {member}", RESAVE) from None
    except _Doctype:
        raise refuse(
            file,
            f"its part {member} declares a DTD or XML entities, which Excel never "
            "writes (they are how entity-bomb and XXE attacks work), so it is "
            "refused",
            RESAVE,
        ) from None
    except _Limit as limit:
        raise too_many(file, limit.what, limit.limit) from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise refuse(file, f"its part {member} is damaged ({error})", RESAVE) from None


def _check_encoding(file: str, member: str, head: bytes) -> None:
    # Excel writes UTF-8. The byte counts below read markup as ASCII, which UTF-16
    # is not, so a UTF-16 part is refused rather than let through uncounted.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
        raise refuse(file, f"its part {member} is not UTF-8 XML", RESAVE)


class _Doctype(Exception):
    pass


class _Limit(Exception):
    def __init__(self, what: str, limit: int) -> None:
        self.what, self.limit = what, limit


def _count(data: bytes, name: bytes) -> int:
    """How many start tags of element `name` (with any prefix) `data` holds.

    bytes.count runs at memory speed; a regex or a parser callback per element
    would take seconds on a hostile part. Text that happens to look like a tag
    is counted too, which can only make a limit come sooner.
    """
    return sum(
        data.count(start + name + end)
        for start in (b"<", b":")
        for end in (b" ", b">", b"/", b"\t", b"\n", b"\r")
    )


class ElementScan:
    """Counts the elements of an XML part, and refuses any DTD."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.elements = 0

    def feed(self, data: bytes) -> None:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise _Doctype
        self.elements += data.count(b"<") - data.count(b"</")
        if self.elements > self.limits.max_xml_elements:
            raise _Limit("XML elements in one part", self.limits.max_xml_elements)


class ContentTypesScan(ElementScan):
    """Keeps [Content_Types].xml, which is small, to read its types."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.data = b""

    def feed(self, data: bytes) -> None:
        super().feed(data)
        self.data += data

    def types(self) -> tuple[dict[str, str], dict[str, str]]:
        attrs = re.compile(rb'(\w+)="([^"]*)"')
        defaults, overrides = {}, {}
        for tag in re.findall(rb"<(?:\w+:)?(?:Default|Override)\b[^>]*>", self.data):
            values = {k.decode(): v.decode() for k, v in attrs.findall(tag)}
            if "Extension" in values:
                defaults[values["Extension"].lower()] = values.get("ContentType", "")
            elif "PartName" in values:
                overrides[values["PartName"]] = values.get("ContentType", "")
        return defaults, overrides


class StringScan(ElementScan):
    """Counts shared strings: a sheet cannot use more strings than it has cells."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.strings = 0

    def feed(self, data: bytes) -> None:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise _Doctype
        self.strings += _count(data, b"si")
        if self.strings > self.limits.max_cells:
            raise _Limit("shared strings", self.limits.max_cells)
        # Rich text makes a few elements per string; past that, it is padding.
        self.elements += data.count(b"<") - data.count(b"</")
        if self.elements > 10 * self.limits.max_cells:
            raise _Limit(
                "XML elements in its shared strings", 10 * self.limits.max_cells
            )


class SheetScan(ElementScan):
    """Counts a sheet's cells, and finds formulas with no saved value.

    openpyxl builds a whole row in memory before returning it, so the cells are
    bounded here, before it reads; rows and columns are bounded while it reads.
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__(limits)
        self.cells = 0
        self.formulas: list[str] = []

    def feed(self, data: bytes) -> None:
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise _Doctype
        self.cells += _count(data, b"c")
        if self.cells > self.limits.max_cells:
            raise _Limit("cells", self.limits.max_cells)
        self.elements += data.count(b"<") - data.count(b"</")
        if self.elements > 8 * self.limits.max_cells:
            raise _Limit("XML elements in its sheet", 8 * self.limits.max_cells)
        if b"<f" in data and len(self.formulas) < 100:
            self.formulas += _unsaved(data)


# A formula cell, as Excel and openpyxl write it, whose value is missing or empty.
UNSAVED = re.compile(
    rb"<c\b([^>]*)>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _unsaved(data: bytes) -> list[str]:
    refs = []
    for match in UNSAVED.finditer(data):
        attrs = match.group(1)
        # A formula whose result is text may leave an empty text value.
        if re.search(rb'\bt="str"', attrs):
            continue
        ref = re.search(rb'\br="([A-Z]+\d+)"', attrs)
        refs.append(ref.group(1).decode() if ref else "?")
    return refs


def column_index(letters: str) -> int:
    """The column number of Excel's letters: A is 1, Z 26, AA 27.

    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (1, 27, 16384)
    """
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _unsaved_formulas(file: str, refs: list[str]) -> TableError:
    shown = ", ".join(refs[:5]) + (
        f" and {len(refs) - 5:,} more" if len(refs) > 5 else ""
    )
    cells = "cell" if len(refs) == 1 else "cells"
    holds = "holds a formula" if len(refs) == 1 else "hold formulas"
    return refuse(
        file,
        f"{cells} {shown} {holds} with no saved value",
        "open the file in Excel and save it, or paste values",
    )


def _load(file: str, data: bytes):
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise refuse(
            file, f"the workbook cannot be opened ({_describe(error)})", RESAVE
        ) from None


def _values(file: str, sheet, limits: Limits, deadline: Deadline) -> list:
    # The sheet's own dimension may claim any size; read only the cells present.
    sheet.reset_dimensions()
    rows = []
    try:
        for row in sheet.iter_rows(values_only=True):
            # openpyxl pads a row up to its last cell, and yields a skipped row
            # number as empty rows: both are bounded as they come.
            if len(row) > limits.max_columns:
                raise too_many(file, "columns", limits.max_columns)
            if len(rows) > limits.max_rows:
                raise too_many(file, "rows", limits.max_rows)
            rows.append([cell_text(value) for value in row])
            deadline.check()
    except TableError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged sheet
        raise refuse(
            file, f"the first sheet cannot be read ({_describe(error)})", RESAVE
        ) from None
    return rows


def _describe(error: Exception) -> str:
    detail = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV file would hold.

    >>> cell_text(datetime(2024, 3, 1)), cell_text(4.0), cell_text(0.1 + 0.2)
    ('2024-03-01', '4', '0.3')
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        # A date typed in Excel is a datetime at midnight; a time of day on a
        # completion does not change the day it counts for.
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits; more are binary noise (0.30000000000000004).
        return format(value, ".15g")
    return str(value)
