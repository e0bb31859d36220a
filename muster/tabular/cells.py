"""The rules for one cell of an input file: dates, years, hours, choices, words,
text, email.

Every parser takes the cell's text (already stripped) and returns a value or raises
`CellProblem`, whose message reads well after "row 7, Hours:" and quotes the cell.
The same rules serve the web imports and the `muster` CLI, so both accept the same
files: dates and years from 1950, dates no later than today unless the caller names
a later bound (`latest=`), years no later than next year.

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
# 2001); nothing that has happened can be dated after today. A year (a make-up
# mark, a reporting period) may be next year's, not later.
EARLIEST_DATE = date(1950, 1, 1)
MAX_HOURS = Decimal("999.99")
HUNDREDTH = Decimal("0.01")
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
WORD = re.compile(r"[a-z0-9][a-z0-9_-]*")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
CONTROL = re.compile(r"[\x00-\x1f]")
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


def end_of_next_year(today: date) -> date:
    """The latest day a date that may lie ahead can take, as years can: 31 December
    of next year (an exemption's end, the day status is judged on).

    >>> end_of_next_year(date(2026, 6, 1))
    datetime.date(2027, 12, 31)
    """
    return date(today.year + 1, 12, 31)


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


def parse_choices(
    text: str,
    choices: Iterable[tuple[str, str]],
    kind: str,
    synonyms: Mapping[str, str] | None = None,
) -> list[str]:
    """Several of `choices` in one cell, as `split_list` separates them, each found
    as `parse_choice` finds it; sorted, without repeats.

    >>> topics = [("implicit-bias", "Implicit bias"), ("de-escalation", "De-escalation")]
    >>> parse_choices("De-escalation; implicit bias", topics, "topic")
    ['de-escalation', 'implicit-bias']
    """
    choices = list(choices)
    return sorted(
        {parse_choice(part, choices, kind, synonyms) for part in split_list(text)}
    )


def split_list(text: str) -> list[str]:
    """The parts of a list in one cell: separated by semicolons or, in a cell
    without any, by commas. A name in a closed list may hold a comma ("Civil
    rights, human rights and procedural justice"), so semicolons win.

    >>> split_list(" firearms; de-escalation ;"), split_list("a, b")
    (['firearms', 'de-escalation'], ['a', 'b'])
    >>> split_list("Civil rights, human rights; ethics")
    ['Civil rights, human rights', 'ethics']
    """
    separator = ";" if ";" in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


BREAK_FIX = (
    "write each break as 2015-03-01 to 2017-06-30 (left service, then back), "
    "oldest first, separated by semicolons"
)


def parse_breaks(text: str, *, today: date) -> tuple[tuple[date, date], ...]:
    """Breaks in service written "2015-03-01 to 2017-06-30; 2019-01-01 to
    2019-04-01": each from leaving service to the return, oldest first, none
    overlapping the next. Dates as `parse_date` reads them.

    >>> parse_breaks("2015-03-01 to 2017-06-30; 1/1/2019 to 4/1/2019",
    ...     today=date(2026, 1, 1))[1]
    (datetime.date(2019, 1, 1), datetime.date(2019, 4, 1))
    """
    found: list[tuple[date, date]] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        ends = re.split(r"\s+to\s+", part, flags=re.IGNORECASE)
        if len(ends) != 2:
            raise CellProblem(f"{quoted(part)} is not a break in service", BREAK_FIX)
        try:
            left, back = (parse_date(end.strip(), today=today) for end in ends)
        except CellProblem as problem:
            raise CellProblem(
                f"in {quoted(part)}: {problem.message}", problem.fix
            ) from None
        if back < left:
            raise CellProblem(
                f"{quoted(part)} ends before it starts",
                "a break in service ends after it starts; check both dates",
            )
        if found and left < found[-1][1]:
            raise CellProblem(
                f"{quoted(part)} starts before the break listed before it ends "
                f"({found[-1][1].isoformat()})",
                "list breaks oldest first, each after the one before",
            )
        found.append((left, back))
    return tuple(found)


def breaks_text(breaks) -> str:
    """Breaks as `parse_breaks` reads them back.

    >>> breaks_text([(date(2015, 3, 1), date(2017, 6, 30))])
    '2015-03-01 to 2017-06-30'
    """
    return "; ".join(
        f"{left.isoformat()} to {back.isoformat()}" for left, back in breaks
    )


def parse_word(text: str, kind: str = "word") -> str:
    """One word, in lower case: letters, digits, hyphens and underscores.

    >>> parse_word("Peace-Officer", "discipline")
    'peace-officer'
    """
    word = text.strip().lower()
    if not WORD.fullmatch(word):
        raise CellProblem(
            f"{quoted(text.strip())} is not a single {kind}",
            "a word holds letters, digits and hyphens (traffic-enforcement); "
            "separate words with semicolons",
        )
    return word


def parse_words(text: str, allowed: Iterable[str] | None = None, kind="word") -> list:
    """Words, as `split_list` separates them ("firearms; de-escalation"), sorted.

    With `allowed`, each word must be one of them.
    """
    words = sorted({parse_word(part, kind) for part in split_list(text)})
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
    if CONTROL.search(text):
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
