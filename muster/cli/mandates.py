"""`muster mandates check` and `stale`: read the mandate files, no database.

Each function returns the text to print; a bad mandate file raises `MandateError`,
which `main` turns into exit status 2. `show` lives in `describe.py`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from muster.rules import Jurisdiction, Library, Mandate, load_mandates
from muster.rules.loader import (
    MANDATES_DIR,
    Vocabulary,
    display,
    load_jurisdiction,
    load_vocabulary,
    stale_mandates,
)


def jurisdiction_code(text: str) -> str:
    """Accept `MO`, `mo` or `us.mo`.

    >>> jurisdiction_code("us.mo")
    'MO'
    """
    return text.strip().split(".")[-1].upper()


def load(root: str | None) -> Library:
    return load_mandates(Path(root) if root else None)


def load_one(root: str | None, code: str) -> tuple[Jurisdiction, Vocabulary]:
    """The jurisdiction `code` names, reading only its own folder's files (an
    evaluation needs no other state's); when no folder has that name, the whole
    library, so that the error lists the known codes."""
    folder_name = jurisdiction_code(code).lower()
    base = Path(root) if root else MANDATES_DIR
    folders = []
    if folder_name.isalpha():  # a code, never a pattern
        folders = [
            f for f in base.glob(f"*/{folder_name}") if (f / "index.yaml").exists()
        ]
    if len(folders) != 1:
        library = load(root)
        return library.get(jurisdiction_code(code)), library.vocabulary
    vocabulary = load_vocabulary()
    return load_jurisdiction(folders[0], vocabulary), vocabulary


def plural(count: int, word: str) -> str:
    """
    >>> plural(1, "mandate"), plural(2, "mandate")
    ('1 mandate', '2 mandates')
    """
    return f"{count} {word}" + ("" if count == 1 else "s")


def source_file(mandate: Mandate) -> str:
    return display(Path(mandate.source))


def check(root: str | None) -> str:
    """List every jurisdiction and mandate; loading them is the check.

    The loader refuses a state folder without an index.yaml and a jurisdiction
    code or mandate id used twice.
    """
    library = load(root)
    out = []
    mandates = 0
    for jurisdiction in library.jurisdictions.values():
        out.append(f"{jurisdiction.code}  {jurisdiction.name}")
        width = max((len(m.id) for m in jurisdiction.mandates), default=0)
        for mandate in jurisdiction.mandates:
            mandates += 1
            name = mandate.id.ljust(width)
            status = ("verified" if mandate.is_verified else "UNVERIFIED").ljust(10)
            size = plural(len(mandate.requirements), "requirement")
            out.append(
                f"  {name}  {status}  {size}, last checked {mandate.last_checked}"
            )
    jurisdictions = plural(len(library.jurisdictions), "jurisdiction")
    count = plural(mandates, "mandate")
    out.append(f"OK: {count} in {jurisdictions} load without errors.")
    return "\n".join(out) + "\n"


def stale(root: str | None, days: int, today: date) -> str:
    """Mandates whose source was last checked more than `days` before `today`."""
    found = stale_mandates(load(root), today, days)
    if not found:
        return f"Every mandate was checked against its source within {days} days.\n"
    count = plural(len(found), "mandate")
    out = [f"{count} last checked more than {days} days ago:"]
    width = max(len(mandate.id) for mandate in found)
    for mandate in found:
        name, checked_on = mandate.id.ljust(width), mandate.last_checked
        age = (today - checked_on).days
        path = source_file(mandate)
        out.append(f"  {name}  last checked {checked_on} ({age} days ago)  {path}")
    return "\n".join(out) + "\n"
