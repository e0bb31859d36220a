"""Exporting a cmi5 course: its course structure (13) and course package (14).

cmi5 6.1: the LMS "SHOULD implement the export of the course data structure
defined in Section 13 and the Course Package defined in Section 14".

Muster keeps no way to edit a course structure (6.1's other SHOULD), so the
structure it runs is the one it imported: the export is that cmi5.xml, read from
the stored upload, never rebuilt from the AU rows. Rebuilding would lose what
the rows do not keep and the schema requires (block titles and descriptions,
AU descriptions, every langstring after the first, vendor extensions, 13.1.5).
The publisher ids are the structure's identity, so they leave as they came in.

Before anything is handed out, the structure is read again exactly as an import
reads it (`actions.read_package`: the schema of 13.2, then the rules beside it)
and compared with what Muster launches: each AU's id, url, moveOn,
masteryScore, launchMethod, launchParameters, entitlementKey and blocks, in
order. A structure that would not import, or that differs from the course's
AUs, is not exported; the error says which AU and value.
"""

from __future__ import annotations

import io
import zipfile

from muster.packages import actions
from muster.packages.models import Package
from muster.packages.zipcheck import Limits, PackageError

# What an AU row keeps of the structure, compared field by field on export.
COMPARED = (
    ("identifier", "id"),
    ("href", "url"),
    ("move_on", "moveOn"),
    ("mastery_score", "masteryScore"),
    ("launch_method", "launchMethod"),
    ("parameters", "launchParameters"),
    ("entitlement_key", "entitlementKey"),
    ("blocks", "blocks"),
)


class ExportError(ValueError):
    """Why a course structure cannot be exported; the message names what differs."""


def is_zipped(package: Package) -> bool:
    """Whether the course came as a zip with its media (14.1) rather than a
    course structure alone (14.2)."""
    return package.file_count > 0


def course_package(package: Package) -> bytes:
    """The course package as imported (14): the zip, or the structure alone."""
    with package.original.open("rb") as original:
        return original.read()


def course_structure(package: Package) -> bytes:
    """The cmi5.xml of the course (13), checked as an import checks it and
    against the AUs Muster launches; ExportError if it does not match."""
    if package.kind != "cmi5":
        raise ExportError("Only a cmi5 course has a course structure to export.")
    data = course_package(package)
    try:
        _, outline = actions.read_package(io.BytesIO(data), Limits.from_settings())
    except PackageError as error:
        raise ExportError(
            f"The stored course structure no longer imports: {error}"
        ) from error
    _compare(package, outline)
    if not is_zipped(package):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("cmi5.xml")


def _compare(package: Package, outline) -> None:
    items = list(package.items.order_by("position"))
    if len(items) != len(outline.items):
        raise ExportError(
            f"cmi5.xml: the stored structure has {len(outline.items)} AUs; the "
            f"course launches {len(items)}."
        )
    if outline.identifier != package.identifier:
        raise ExportError(
            f"cmi5.xml: <course> id '{outline.identifier}' is not the course's "
            f"'{package.identifier}'."
        )
    for item, read in zip(items, outline.items, strict=True):
        for column, name in COMPARED:
            kept = getattr(item, column)
            found = getattr(read, column)
            if column == "blocks":
                kept, found = list(kept or []), list(found)
            if kept != found:
                raise ExportError(
                    f"cmi5.xml: AU {item.position} <au id='{item.identifier}'>: "
                    f"{name} is '{found}' in the stored structure, '{kept}' in "
                    "the course Muster launches."
                )
