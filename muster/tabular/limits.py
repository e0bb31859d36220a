"""How large an input file may be, checked before and while it is parsed.

A spreadsheet is small on disk and can be enormous inside: an .xlsx is a zip of
XML, and 1.5 MB of it once held 14 million cells. Each limit is checked as early
as it can be (the upload's size first, then the zip's directory, then a counting
pass over the XML) so that a hostile file is refused in a fraction of a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from muster.tabular.problems import refuse

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The bounds for one file. The defaults fit a 20,000-row import."""

    # The file as uploaded.
    max_bytes: int = 10 * MB
    # Data rows (the header row is not counted), columns, and rows x columns.
    max_rows: int = 20_000
    max_columns: int = 200
    max_cells: int = 500_000
    # One line of a CSV file, in characters.
    max_line_chars: int = 100_000
    # An .xlsx: all its members unzipped, and how much larger than on disk.
    max_unzipped_bytes: int = 100 * MB
    max_zip_ratio: int = 100
    max_zip_members: int = 1_000
    # Elements in one XML member other than the sheet read (styles, workbook...).
    max_xml_elements: int = 200_000
    # Wall-clock time for reading one file.
    max_seconds: float = 60.0
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def for_local_files(cls) -> Limits:
        """Bounds for files an operator reads on their own machine (the CLI)."""
        return cls(
            max_bytes=64 * 1024 * MB,
            max_rows=100_000_000,
            max_cells=2_000_000_000,
            max_unzipped_bytes=64 * 1024 * MB,
            max_seconds=24 * 3600.0,
        )

    def deadline(self, file: str) -> Deadline:
        return Deadline(file, self.max_seconds, self.clock)


class Deadline:
    """Refuses the file once reading it has taken longer than allowed."""

    def __init__(self, file: str, seconds: float, clock: Callable[[], float]) -> None:
        self.file, self.seconds, self.clock = file, seconds, clock
        self.ends_at = clock() + seconds

    def check(self) -> None:
        if self.clock() > self.ends_at:
            raise refuse(
                self.file,
                f"reading the file took longer than {self.seconds:g} seconds, "
                "the limit",
                "split it into smaller files, or save it as CSV",
            )


def too_many(
    file: str, what: str, limit: int, fix: str = "split it into smaller files"
) -> Exception:
    """The refusal for a count past its limit: "more than 20,000 rows"."""
    return refuse(file, f"the file has more than {limit:,} {what}, the limit", fix)
