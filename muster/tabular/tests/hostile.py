"""Build .xlsx workbooks by hand with zipfile: small on disk, as large inside as asked.

Each part is written through a streaming zip writer, so a workbook that unzips to
hundreds of megabytes never exists in memory. Used by the tests and by
benchmarks/hostile_imports.py.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="{PKG}/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{TYPE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{TYPE}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{TYPE}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PKG}/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'
EMPTY_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}"/>'


def workbook(
    sheet: Iterable[bytes],
    strings: Iterable[bytes] | None = None,
    *,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """A workbook whose sheet XML is `sheet` (chunks) and shared strings `strings`.

    `parts` replaces or adds members, such as a hostile xl/workbook.xml.
    """
    members: dict[str, Iterable[bytes]] = {
        "[Content_Types].xml": [CONTENT_TYPES.encode()],
        "_rels/.rels": [ROOT_RELS.encode()],
        "xl/workbook.xml": [WORKBOOK.encode()],
        "xl/_rels/workbook.xml.rels": [WORKBOOK_RELS.encode()],
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings or [EMPTY_STRINGS.encode()],
    }
    members.update({name: [data] for name, data in (parts or {}).items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return buffer.getvalue()


def sheet(
    rows: Iterable[bytes], prolog: bytes = b"", dimension: str = ""
) -> Iterator[bytes]:
    """The chunks of a sheet part: the worksheet element around `rows`."""
    yield SHEET_START.encode().replace(b"<worksheet", prolog + b"<worksheet", 1)
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def text_rows(rows: list[list[str]]) -> Iterator[bytes]:
    """Rows of inline-string cells, as Excel's XML."""
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(row)
        )
        yield f'<row r="{number}">{cells}</row>'.encode()


def one_row_of_inline_cells(count: int, batch: int = 100_000) -> Iterator[bytes]:
    """One row holding `count` inline-string cells (the 14 M-cell attack)."""
    yield b'<row r="1">'
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    for start in range(0, count, batch):
        yield cell * min(batch, count - start)
    yield b"</row>"


def numbered_cells(count: int) -> Iterator[bytes]:
    """`count` number cells of varying values, which compress like real data."""
    yield b'<row r="1">'
    for start in range(0, count, 10_000):
        yield b"".join(
            b"<c><v>%d</v></c>" % (i * 7919 % 1_000_003)
            for i in range(start, min(start + 10_000, count))
        )
    yield b"</row>"


def shared_strings(count: int, batch: int = 100_000) -> Iterator[bytes]:
    """A shared-strings part with `count` empty strings (the 25 M-string attack)."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'.encode()
    for start in range(0, count, batch):
        yield b"<si><t/></si>" * min(batch, count - start)
    yield b"</sst>"


def varied_shared_strings(count: int) -> Iterator[bytes]:
    """`count` distinct shared strings, which compress like real data."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{MAIN}">'.encode()
    for start in range(0, count, 10_000):
        yield b"".join(
            b"<si><t>%d</t></si>" % (i * 7919 % 1_000_003)
            for i in range(start, min(start + 10_000, count))
        )
    yield b"</sst>"


# "Billion laughs": each entity is ten of the one before, 10**9 letters in all.
ENTITY_BOMB = (
    b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(8)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>'
