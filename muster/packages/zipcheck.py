"""Reading an uploaded package zip safely: bounded, no escape from its own folder.

A package comes from a vendor, not from Muster, so its zip is treated as hostile
until read: the number of entries, the total size once unpacked and each entry's
compression ratio are bounded before anything is stored (a zip bomb is refused
from its central directory, and again while reading, since the sizes it declares
can lie), and every name must stay inside the package: no `..`, no absolute
path, no drive letter or backslash, no symbolic link, no encrypted entry.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings


class PackageError(Exception):
    """Why a package is refused; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one package; defaults from settings (PACKAGE_MAX_*)."""

    max_entries: int
    max_unzipped_bytes: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_entries=settings.PACKAGE_MAX_ENTRIES,
            max_unzipped_bytes=settings.PACKAGE_MAX_UNZIPPED_BYTES,
            max_ratio=settings.PACKAGE_MAX_ZIP_RATIO,
        )


# Entries this small are never a bomb whatever their ratio (a 4 KB page of spaces
# compresses 100:1 and harms nobody).
RATIO_FREE_BYTES = 1024 * 1024


def open_package(upload: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """The zip, once its directory has passed every check; else PackageError."""
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError):
        raise PackageError("The file is not a zip archive.") from None
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise PackageError(
            f"The zip holds {len(entries)} entries; at most "
            f"{limits.max_entries} are accepted."
        )
    total = 0
    for entry in entries:
        check_entry(entry, limits)
        total += entry.file_size
    if total > limits.max_unzipped_bytes:
        raise PackageError(
            f"The zip unpacks to {total} bytes; at most "
            f"{limits.max_unzipped_bytes} are accepted."
        )
    names = [safe_name(e.filename) for e in entries if not e.is_dir()]
    if len(set(names)) != len(names):
        raise PackageError("The zip holds the same file name twice.")
    return archive


def check_entry(entry: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse an entry that is encrypted, a link, outside the package or a bomb."""
    name = entry.filename
    if entry.flag_bits & 0x1:
        raise PackageError(f"{name}: the entry is encrypted.")
    mode = entry.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise PackageError(f"{name}: symbolic links are not accepted.")
    safe_name(name)
    compressed = max(entry.compress_size, 1)
    if (
        entry.file_size > RATIO_FREE_BYTES
        and entry.file_size / compressed > limits.max_ratio
    ):
        raise PackageError(
            f"{name}: compressed {entry.file_size // compressed}:1, more than "
            f"{limits.max_ratio}:1 (a zip bomb?)."
        )


def safe_name(name: str) -> str:
    """The entry's path inside the package, or PackageError if it would leave it."""
    if "\\" in name or "\x00" in name:
        raise PackageError(f"{name}: backslashes and NUL are not allowed in names.")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        raise PackageError(f"{name}: absolute paths are not allowed.")
    if ".." in path.parts:
        raise PackageError(f"{name}: '..' would leave the package.")
    return path.as_posix()


def file_names(archive: zipfile.ZipFile) -> set[str]:
    """The package's file paths (folders left out), as checked by `safe_name`."""
    return {safe_name(e.filename) for e in archive.infolist() if not e.is_dir()}


def read_small(archive: zipfile.ZipFile, name: str, limit: int = 10 * 1024 * 1024):
    """The bytes of one small entry (a manifest), read at most `limit` bytes."""
    entry = archive.getinfo(name)
    return BoundedEntry(archive, entry, limit).read()


class BoundedEntry:
    """A zip entry read as a file, refusing more bytes than `room` allows.

    zipfile itself stops at the size the central directory declares and checks
    the CRC, so a size that lies ends in "damaged"; `room` bounds what the whole
    package may still unpack to.
    """

    def __init__(self, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, room: int):
        self.name = entry.filename
        self.handle = archive.open(entry)
        self.room = room
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        want = self.room - self.count + 1 if size < 0 else size
        try:
            data = self.handle.read(want)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
            raise PackageError(f"{self.name}: the entry is damaged.") from None
        self.count += len(data)
        if self.count > self.room:
            raise PackageError(
                f"{self.name}: unpacks to more than its zip says; the package "
                "would exceed the size limit."
            )
        return data

    def close(self) -> None:
        self.handle.close()
