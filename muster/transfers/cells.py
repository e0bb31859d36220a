"""Parse one cell of an import: dates, hours, choices and word lists.

Each parser takes the cell's text and returns a value or raises `CellProblem`
with a message that completes "row 7, <field>: ...".
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import models


class CellProblem(ValueError):
    """One cell holds a value that cannot be used."""


US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
EARLIEST = date(1950, 1, 1)
LATEST = date(2100, 12, 31)


def parse_date(text: str) -> date:
    """A date written 2024-03-01 or 3/1/2024 (month first, as in US spreadsheets)."""
    iso, us = ISO_DATE.match(text), US_DATE.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
    else:
        raise CellProblem(f"{text!r} is not a date; write 2024-03-01 or 03/01/2024")
    try:
        value = date(year, month, day)
    except ValueError:
        raise CellProblem(f"{text!r} is not a day of the calendar") from None
    if not EARLIEST <= value <= LATEST:
        raise CellProblem(f"{text!r} is outside the years 1950 to 2100")
    return value


def parse_hours(text: str) -> Decimal:
    """A number of hours such as 4 or 1.5, at most two decimals and under 1,000."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise CellProblem(f"{text!r} is not a number of hours") from None
    if not value.is_finite() or value < 0 or value >= 1000:
        raise CellProblem(f"{text!r} must be between 0 and 999.99 hours")
    if value != value.quantize(Decimal("0.01")):
        raise CellProblem(f"{text!r} has more than two decimals")
    return value.quantize(Decimal("0.01"))


def parse_choice(text: str, choices: type[models.TextChoices]) -> str:
    """A choice given by its value or its label, in any case ("Peace officer")."""
    wanted = _squash(text)
    for value, label in choices.choices:
        if wanted in (_squash(value), _squash(str(label))):
            return value
    allowed = ", ".join(value for value, _ in choices.choices)
    raise CellProblem(f"{text!r} is not one of: {allowed}")


def parse_words(text: str) -> list[str]:
    """Words separated by semicolons or commas: "firearms; de-escalation"."""
    words = [w.strip().lower() for w in re.split(r"[;,]", text) if w.strip()]
    if any(not re.fullmatch(r"[a-z0-9][a-z0-9-]*", word) for word in words):
        raise CellProblem(
            f"{text!r} must be words such as traffic-enforcement, "
            "separated by semicolons"
        )
    return sorted(set(words))


def parse_text(text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise CellProblem(f"is longer than {max_length} characters")
    if any(ord(char) < 32 for char in text):
        raise CellProblem("contains control characters")
    return text


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())
