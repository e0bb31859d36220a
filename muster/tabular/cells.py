"""The rules for one cell of an input file: dates, hours, choices, words, text, email.

Every parser takes the cell's text (already stripped) and returns a value or raises
`CellProblem`, whose message reads well after "row 7, Hours:" and quotes the cell.
The same rules serve the web imports and the `muster` CLI.

>>> parse_hours("1.50")
Decimal('1.50')
>>> parse_choice("Classroom", DELIVERY, "delivery", {"classroom": "live"})
'live'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from muster.tabular.problems import CellProblem

# A training record, a license or a hire before 1950 is a typing mistake (1901 for
# 2001); nothing that has happened can be dated after today.
EARLIEST_DATE = date(1950, 1, 1)
MAX_HOURS = Decimal("999.99")
HUNDREDTH = Decimal("0.01")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
WORD = re.compile(r"[a-z0-9][a-z0-9_-]*")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
DELIVERY = (("live", "Live"), ("online", "Online"))
DATE_FIX = "write dates as 2024-03-01 or 3/1/2024 (month first)"


def quoted(text: str) -> str:
    return '"' + text + '"'


def required(text: str) -> str:
    if not text.strip():
        raise CellProblem("is blank", "it is required")
    return text.strip()


def parse_date(text: str, *, today: date, latest: date | None = None) -> date:
    """A date written 2024-03-01 or 3/1/2024, from 1950 to `latest` (today).

    Pass `latest` only for a date that may lie ahead, such as an extension's end.
    """
    iso, us = ISO_DATE.match(text), US_DATE.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif us:
        month, day, year = (int(part) for part in us.groups())
    else:
        raise CellProblem(f"{quoted(text)} is not a date", DATE_FIX)
    try:
        value = date(year, month, day)
    except ValueError:
        raise CellProblem(f"{quoted(text)} is not a day of the calendar") from None
    latest = latest or today
    if value < EARLIEST_DATE:
        raise CellProblem(
            f"{quoted(text)} is before {EARLIEST_DATE.year}", "check the year"
        )
    if value > latest:
        when = "today" if latest == today else latest.isoformat()
        raise CellProblem(
            f"{quoted(text)} is after {when} ({latest.isoformat()})",
            "only dates that have passed can be recorded; check the year",
        )
    return value


def parse_year(text: str, *, today: date) -> int:
    """A year such as 2021, from 1950 to next year."""
    if not (re.fullmatch(r"\d{4}", text) and EARLIEST_DATE.year <= int(text)):
        raise CellProblem(f"{quoted(text)} is not a year", "write a year like 2021")
    if int(text) > today.year + 1:
        raise CellProblem(f"{quoted(text)} is after next year", "check the year")
    return int(text)


def parse_hours(text: str) -> Decimal:
    """Hours such as 4 or 1.5 (or 1,5): from 0 to 999.99, to the hundredth."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise CellProblem(
            f"{quoted(text)} is not a number of hours", "write hours like 2 or 1.5"
        )
    if value < 0 or value > MAX_HOURS:
        raise CellProblem(f"{quoted(text)} is not between 0 and {MAX_HOURS} hours")
    if value != value.quantize(HUNDREDTH):
        raise CellProblem(
            f"{quoted(text)} has more than two decimals",
            "record hours to the hundredth (1.25, not 1.255)",
        )
    return value.quantize(HUNDREDTH)


def parse_choice(
    text: str,
    choices: Iterable[tuple[str, str]],
    kind: str,
    synonyms: Mapping[str, str] | None = None,
) -> str:
    """One of `choices` (value, label pairs), by value, label or synonym, any case.

    `synonyms` maps other spellings ("Classroom") to a value; a spelling is
    compared without case, spaces or punctuation.
    """
    choices = list(choices)
    wanted = squash(text)
    for value, label in choices:
        if wanted in (squash(value), squash(str(label))):
            return value
    for spelling, value in (synonyms or {}).items():
        if wanted == squash(spelling):
            return value
    raise CellProblem(
        f"{quoted(text)} is not a known {kind}", _suggestion(text, choices)
    )


def _suggestion(text: str, choices: list[tuple[str, str]]) -> str:
    close = difflib.get_close_matches(
        text.strip().lower(), [value for value, _ in choices], n=1
    )
    if close:
        return f"did you mean {quoted(close[0])}?"
    return "use one of: " + ", ".join(value for value, _ in choices)


def parse_words(text: str, allowed: Iterable[str] | None = None, kind="word") -> list:
    """Words separated by semicolons or commas ("firearms; de-escalation"), sorted.

    With `allowed`, each word must be one of them.
    """
    words = sorted({w.strip().lower() for w in re.split(r"[;,]", text) if w.strip()})
    for word in words:
        if not WORD.fullmatch(word):
            raise CellProblem(
                f"{quoted(word)} is not a single {kind}",
                f"write {kind}s such as traffic-enforcement, separated by semicolons",
            )
    if allowed is not None:
        known = set(allowed)
        unknown = [word for word in words if word not in known]
        if unknown:
            pairs = [(word, word) for word in sorted(known)]
            raise CellProblem(
                f"{quoted(unknown[0])} is not a known {kind}",
                _suggestion(unknown[0], pairs),
            )
    return words


def parse_text(text: str, max_length: int) -> str:
    """Plain text of at most `max_length` characters, without control characters."""
    if len(text) > max_length:
        raise CellProblem(f"is longer than {max_length} characters", "shorten it")
    if any(ord(char) < 32 for char in text):
        raise CellProblem("contains control characters", "retype the cell")
    return text


def parse_email(text: str) -> str:
    """An email address: one @, a dotted domain, no spaces, at most 254 characters."""
    if len(text) > 254 or not EMAIL.match(text):
        raise CellProblem(f"{quoted(text)} is not an email address")
    return text


def squash(text: str) -> str:
    """Text compared without case, spaces or punctuation; "#" reads as "number"."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("#", "number"))
