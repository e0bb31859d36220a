"""People, credit lines and exemptions as columns: the engine's only input form.

The engine (`engine.py`) works on NumPy columns. Words become small integer codes
(`Codebook`), dates become day numbers and hours become integer hundredths, so
every sum is exact. `build_tables` turns the engine's dataclasses into columns; the
CLI and the Django side build them straight from their own rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from muster.rules.loader import Vocabulary, load_vocabulary
from muster.rules.model import CreditLine, Exemption, Person

NO_DAY = np.iinfo(np.int32).min  # licensed_on unknown
# A person's own dates besides the license date, each an optional column: the
# first appointment in the role (a new chief's course is due from it), and the
# latest break in service (left on `separated_on`, back on `returned_on`).
PERSON_DATES = ("appointed_on", "separated_on", "returned_on")
# Result codes; any other recorded word is OTHER_RESULT (neither passed nor failed).
RESULTS = {None: 0, "pass": 1, "fail": 2}
OTHER_RESULT = 3

EPOCH = date(1970, 1, 1).toordinal()

# The letter a surname is filed under, as a code: 1-26 for A-Z, NO_SURNAME when
# none is recorded, NO_LETTER when it begins with no letter A-Z (see
# `surname_letter`).
NO_SURNAME, NO_LETTER = 0, 27


def day_number(day: date) -> int:
    """Days since 1970-01-01, the epoch NumPy's datetime64[D] uses."""
    return day.toordinal() - EPOCH


def from_day_number(number: int) -> date:
    return date.fromordinal(int(number) + EPOCH)


def surname_letter(surname: str) -> int:
    """The code of the letter A-Z a surname is filed under: its first letter,
    accents dropped; NO_SURNAME for an empty one, NO_LETTER when its first
    letter is not a Latin letter (no rule read says where those are filed).

    >>> [surname_letter(s) for s in ("Garcia", "o'Brien", " Élie", "", "Ørsted")]
    [7, 15, 5, 0, 27]
    """
    first = next((c for c in surname if c.isalpha()), "")
    if not first:
        return NO_SURNAME if not surname.strip() else NO_LETTER
    base = unicodedata.normalize("NFKD", first)[0].upper()
    return ord(base) - ord("A") + 1 if "A" <= base <= "Z" else NO_LETTER


@dataclass
class Codebook:
    """Integer codes for the words used in columns (areas, topics, roles...).

    The four closed lists come from the vocabulary; disciplines and attributes are
    open lists that grow as people are coded.
    """

    areas: list[str]
    topics: list[str]
    deliveries: list[str]
    providers: list[str]
    disciplines: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary | None = None) -> Codebook:
        vocabulary = vocabulary or load_vocabulary()
        book = cls(
            sorted(vocabulary.areas),
            sorted(vocabulary.topics),
            sorted(vocabulary.deliveries),
            sorted(vocabulary.providers),
        )
        if len(book.topics) > 63:
            raise ValueError("more than 63 topics do not fit the topic bitmask")
        return book

    def code(self, words: list[str], word: str) -> int:
        """The code of `word`, adding it to an open list (disciplines, attributes)."""
        if word not in words:
            words.append(word)
        return words.index(word)

    def known(self, words: list[str], word: str) -> int:
        """The code of `word`, or -1 when no data uses it (so nothing can match)."""
        return words.index(word) if word in words else -1

    def mask(self, words: list[str], chosen: Iterable[str]) -> np.uint64:
        bits = 0
        for word in chosen:
            index = self.known(words, word)
            if index >= 0:
                if index > 63:
                    raise ValueError(f"too many distinct values to code {word!r}")
                bits |= 1 << index
        return np.uint64(bits)

    def words(self, words: list[str], bits: int) -> list[str]:
        """The words whose bits are set in `bits`, in code order."""
        return [word for index, word in enumerate(words) if bits >> index & 1]


@dataclass
class PeopleTable:
    """People as columns; row i is person `ids[i]` (ids may be left empty)."""

    ids: list[str]
    discipline: np.ndarray  # int16 codes
    licensed_on: np.ndarray  # int32 day numbers, NO_DAY when unknown
    attributes: np.ndarray  # uint64 bitmask
    # The other dates of `PERSON_DATES`, int32 day numbers (NO_DAY when unknown);
    # a name left out is unknown for everyone.
    dates: dict[str, np.ndarray] = field(default_factory=dict)
    # Breaks in service before the latest one, oldest first, for the rows that
    # had any (row -> ((left, back), ...)); the engine reads the one in play for
    # the year (`breaks.with_breaks_in_play`).
    earlier_breaks: dict[int, tuple[tuple[date, date], ...]] = field(
        default_factory=dict
    )
    # The letter each surname is filed under (`surname_letter` codes, int8);
    # empty when no surname is known for anyone.
    surnames: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))

    def __len__(self) -> int:
        return len(self.discipline)

    def surname_letters(self) -> np.ndarray:
        """Each person's `surname_letter` code (NO_SURNAME for all when none)."""
        if len(self.surnames) == len(self):
            return self.surnames
        return np.full(len(self), NO_SURNAME, dtype=np.int8)

    def date(self, name: str) -> np.ndarray:
        """The day numbers of `licensed_on` or one of `PERSON_DATES`."""
        if name == "licensed_on":
            return self.licensed_on
        found = self.dates.get(name)
        if found is None:
            return np.full(len(self), NO_DAY, dtype=np.int32)
        return found

    def take(self, rows: np.ndarray) -> PeopleTable:
        """The people of `rows`, in that order, with every column."""
        return PeopleTable(
            ids=[self.ids[r] for r in rows] if self.ids else [],
            discipline=self.discipline[rows],
            licensed_on=self.licensed_on[rows],
            attributes=self.attributes[rows],
            dates={name: column[rows] for name, column in self.dates.items()},
            earlier_breaks=_earlier_breaks_of(self.earlier_breaks, rows),
            surnames=self.surnames[rows] if len(self.surnames) else self.surnames,
        )


def surname_column(surnames: Sequence[str]) -> np.ndarray:
    """The `surname_letter` codes of `surnames` (empty when none is given)."""
    if not any(surnames):
        return np.zeros(0, np.int8)
    return np.array([surname_letter(s) for s in surnames], dtype=np.int8)


def _earlier_breaks_of(found: dict[int, tuple], rows: np.ndarray) -> dict[int, tuple]:
    """The earlier breaks of `rows`, keyed by position in `rows`."""
    if not found:
        return {}
    return {at: found[int(row)] for at, row in enumerate(rows) if int(row) in found}


@dataclass
class LinesTable:
    """Credit lines as columns; `person` is a row index into the PeopleTable.

    Where caps cut a person's lines, the earliest rows of that person are allocated
    first, so give rows in the order explanations should follow.
    """

    person: np.ndarray  # int32
    completed_on: np.ndarray  # int32 day numbers
    centihours: np.ndarray  # int64 hundredths of an hour
    area: np.ndarray  # int8, -1 for none
    topics: np.ndarray  # uint64 bitmask
    delivery: np.ndarray  # int8
    provider: np.ndarray  # int8
    result: np.ndarray  # int8: 0 none, 1 pass, 2 fail, 3 other
    counts_for: np.ndarray  # int16 year, 0 for none

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class ExemptionRow:
    """One waiver or extension; `person` is a row index into the PeopleTable."""

    person: int
    kind: str
    starts_on: int
    ends_on: int
    requirements: frozenset[str]
    reason: str = ""


def build_tables(
    people: Sequence[Person],
    lines: Iterable[CreditLine],
    exemptions: Iterable[Exemption] = (),
    codebook: Codebook | None = None,
) -> tuple[PeopleTable, LinesTable, list[ExemptionRow], Codebook]:
    """Turn engine objects into columns; lines of people not listed are left out."""
    book = codebook or Codebook.from_vocabulary()
    index = {person.id: i for i, person in enumerate(people)}
    table = PeopleTable(
        ids=[p.id for p in people],
        discipline=np.array(
            [book.code(book.disciplines, p.discipline) for p in people], dtype=np.int16
        ),
        licensed_on=np.array(
            [day_number(p.licensed_on) if p.licensed_on else NO_DAY for p in people],
            dtype=np.int32,
        ),
        attributes=np.array(
            [attribute_bits(book, p.attributes) for p in people], dtype=np.uint64
        ),
        dates={
            name: np.array(
                [
                    day_number(day) if (day := getattr(p, name)) else NO_DAY
                    for p in people
                ],
                dtype=np.int32,
            )
            for name in PERSON_DATES
            if any(getattr(p, name) for p in people)
        },
        earlier_breaks={
            row: p.earlier_breaks for row, p in enumerate(people) if p.earlier_breaks
        },
        surnames=surname_column([p.surname for p in people]),
    )
    columns = lines_table(lines, index, book)
    exemption_rows = [
        ExemptionRow(
            index[e.person],
            e.kind,
            day_number(e.starts_on),
            day_number(e.ends_on),
            e.requirements,
            e.reason,
        )
        for e in exemptions
        if e.person in index
    ]
    return table, columns, exemption_rows, book


def lines_table(
    lines: Iterable[CreditLine], index: dict[str, int], book: Codebook
) -> LinesTable:
    """Credit lines as columns; `index` gives each person id's row (others are left out)."""
    rows = [line for line in lines if line.person in index]
    # Each distinct word and topic set coded once, not once per line.
    areas, deliveries, providers = (
        _codes(words) for words in (book.areas, book.deliveries, book.providers)
    )
    masks: dict[frozenset[str], int] = {}
    topic_bits = []
    for line in rows:
        try:
            bits = masks[line.topics]
        except KeyError:
            bits = masks[line.topics] = int(book.mask(book.topics, line.topics))
        except TypeError:  # topics given as a list: not a key
            bits = int(book.mask(book.topics, line.topics))
        topic_bits.append(bits)
    return LinesTable(
        person=np.array([index[r.person] for r in rows], dtype=np.int32),
        completed_on=np.array(
            [day_number(r.completed_on) for r in rows], dtype=np.int32
        ),
        centihours=np.array([int(r.hours * 100) for r in rows], dtype=np.int64),
        area=np.array(
            [areas.get(r.area, -1) if r.area else -1 for r in rows],
            dtype=np.int8,
        ),
        topics=np.array(topic_bits, dtype=np.uint64),
        delivery=np.array(
            [deliveries.get(r.delivery, -1) for r in rows], dtype=np.int8
        ),
        provider=np.array([providers.get(r.provider, -1) for r in rows], dtype=np.int8),
        result=np.array(
            [RESULTS.get(r.result, OTHER_RESULT) for r in rows], dtype=np.int8
        ),
        counts_for=np.array([r.counts_for or 0 for r in rows], dtype=np.int16),
    )


def _codes(words: list[str]) -> dict[str, int]:
    """`Codebook.known` for every word of `words` at once: word -> its code."""
    codes: dict[str, int] = {}
    for code, word in enumerate(words):
        codes.setdefault(word, code)
    return codes


def attribute_bits(book: Codebook, attributes: Iterable[str]) -> int:
    bits = 0
    for attribute in attributes:
        code = book.code(book.attributes, attribute)
        if code > 63:
            raise ValueError(f"more than 64 distinct attributes, at {attribute!r}")
        bits |= 1 << code
    return bits
