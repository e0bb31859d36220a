"""Parse one CSV cell into a value, or raise ValueError with a message for a person.

Each message quotes the cell and says what would be accepted, so that it reads
well after `records.csv, line 7, field "hours": `.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from muster.rules.model import HUNDREDTH

US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
YEAR = re.compile(r"^\d{4}$")
# Years outside this range are typing mistakes, and would overflow date arithmetic.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def quoted(text: str) -> str:
    return '"' + text + '"'


def required(text: str) -> str:
    """
    >>> required("  ")
    Traceback (most recent call last):
    ValueError: is empty; a value is required
    """
    if not text.strip():
        raise ValueError("is empty; a value is required")
    return text.strip()


def parse_date(text: str) -> date:
    """Accept ISO dates and, as US Excel writes them, M/D/YYYY.

    >>> parse_date("2021-03-02"), parse_date("3/2/2021")
    (datetime.date(2021, 3, 2), datetime.date(2021, 3, 2))
    """
    text = required(text)
    try:
        if US_DATE.match(text):
            return datetime.strptime(text, "%m/%d/%Y").date()
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{quoted(text)} is not a date; write dates as YYYY-MM-DD (or M/D/YYYY)"
        ) from None


def parse_optional_date(text: str) -> date | None:
    return parse_date(text) if text.strip() else None


def parse_hours(text: str) -> Decimal:
    """Hours: zero or more, to the hundredth of an hour.

    >>> parse_hours("1.50")
    Decimal('1.50')
    >>> parse_hours("-2")
    Traceback (most recent call last):
    ValueError: "-2" is negative; hours must be zero or more
    """
    text = required(text)
    try:
        hours = Decimal(text)
    except InvalidOperation:
        hours = Decimal("NaN")
    if not hours.is_finite():
        raise ValueError(f"{quoted(text)} is not a number; write hours like 2 or 1.5")
    if hours < 0:
        raise ValueError(f"{quoted(text)} is negative; hours must be zero or more")
    try:
        exact = hours == hours.quantize(HUNDREDTH)
    except InvalidOperation:  # too many digits to hold in hundredths
        raise ValueError(f"{quoted(text)} is too large to be hours") from None
    if not exact:
        raise ValueError(
            f"{quoted(text)} has more than two decimals; hours are recorded to the "
            "hundredth (1.25, not 1.255)"
        )
    return hours


def parse_year(text: str) -> int | None:
    """An optional year, from 1900 to 2999.

    >>> parse_year(""), parse_year("2021")
    (None, 2021)
    """
    text = text.strip()
    if not text:
        return None
    if not (YEAR.match(text) and FIRST_YEAR <= int(text) <= LAST_YEAR):
        raise ValueError(f"{quoted(text)} is not a year; write a year like 2021")
    return int(text)


def parse_choice(text: str, allowed: Collection[str], kind: str) -> str:
    """One word from a closed list (case-insensitive), suggesting a near miss.

    >>> parse_choice("Live", ["live", "online"], "delivery")
    'live'
    >>> parse_choice("onlin", ["online"], "mode")
    Traceback (most recent call last):
    ValueError: "onlin" is not a known mode; did you mean "online"?
    """
    word = text.strip().lower()
    if word in allowed:
        return word
    choices = ", ".join(sorted(allowed))
    message = f"{quoted(text.strip())} is not a known {kind}"
    close = difflib.get_close_matches(word.replace("_", "-"), allowed, n=1)
    if close:
        message += f"; did you mean {quoted(close[0])}?"
    else:
        message += f"; use one of: {choices}"
    raise ValueError(message)


def choice(allowed: Collection[str], kind: str) -> Callable[[str], str | None]:
    """A parser for one word of `allowed`; an empty cell gives None.

    >>> choice(["pass", "fail"], "result")("")
    """

    def parse(text: str) -> str | None:
        return parse_choice(text, allowed, kind) if text.strip() else None

    return parse


def words(allowed: Collection[str], kind: str) -> Callable[[str], frozenset[str]]:
    """A parser for `;`-separated words of `allowed`; an empty cell gives none.

    >>> sorted(words(["firearms", "ethics"], "topic")("Firearms; ethics;"))
    ['ethics', 'firearms']
    """

    def parse(text: str) -> frozenset[str]:
        return frozenset(parse_choice(word, allowed, kind) for word in split_list(text))

    return parse


def split_list(text: str) -> list[str]:
    """Split a `;`-separated cell, dropping blanks.

    >>> split_list(" firearms; de-escalation ;")
    ['firearms', 'de-escalation']
    """
    return [part.strip() for part in text.split(";") if part.strip()]
