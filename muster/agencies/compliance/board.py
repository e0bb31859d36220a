"""Reading stored standings: the agency dashboard, one person's figures, the API.

Nothing here evaluates anyone: searching, filtering, sorting, counting and paging
are SQL over `StandingSummary` and `Standing` (written by `standings`), and the
status of the day comes from the stored dates (`standing.status_expression`).
`standings_for_agency` and `standings_for_person` are the read functions for
pages, exports and the JSON API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window

from muster import rules
from muster.agencies.models import (
    STATUS_ORDER,
    Agency,
    Employment,
    License,
    Standing,
    StandingSummary,
    status_expression,
    status_on,
    status_rank_expression,
)

PAGE_SIZE = 50
SORTS = {
    # Worst first, then the nearest deadline: who needs attention now.
    "status": ("rank", F("due_on").asc(nulls_last=True), "person__last_name"),
    "due": (F("due_on").asc(nulls_last=True), "rank", "person__last_name"),
    "name": ("person__last_name", "person__first_name", "person_id"),
    "missing": ("-missing_hours", "rank", "person__last_name"),
}


@dataclass(frozen=True)
class Progress:
    """One requirement's progress for one person: earned of required."""

    label: str
    unit: str
    earned: Decimal
    required: Decimal
    status: str

    @property
    def figure(self) -> str:
        """Such as "4/24": earned of required, without trailing zeros."""
        return f"{_plain(self.earned)}/{_plain(self.required)}"

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(self.earned * 100 / self.required))


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class BoardCell:
    """A person's standing under one mandate, as stored, on the day read."""

    mandate_id: str
    title: str
    status: str
    due_on: date | None
    progress: tuple[Progress, ...]


@dataclass(frozen=True)
class BoardRow:
    """One line of the dashboard: a person, their job here and their standing."""

    person_id: int
    first_name: str
    last_name: str
    external_id: str
    discipline: str
    unit: str
    title: str
    license_numbers: str
    status: str
    due_on: date | None
    missing_hours: Decimal
    cells: tuple[BoardCell, ...]
    as_of: date
    not_evaluated: str = ""

    @property
    def days_left(self) -> int | None:
        return (self.due_on - self.as_of).days if self.due_on else None


@dataclass(frozen=True)
class Filters:
    """What the dashboard is asked for; blank means everything."""

    q: str = ""
    status: str = ""
    mandate: str = ""
    unit: str = ""
    discipline: str = ""
    sort: str = "status"

    @classmethod
    def from_query(cls, query) -> Filters:
        values = {name: query.get(name, "").strip() for name in cls.names()}
        if values["sort"] not in SORTS:
            values["sort"] = "status"
        return cls(**values)

    @staticmethod
    def names() -> tuple[str, ...]:
        return ("q", "status", "mandate", "unit", "discipline", "sort")

    @property
    def narrows(self) -> bool:
        return any((self.q, self.status, self.mandate, self.unit, self.discipline))

    @property
    def only_status(self) -> bool:
        """Narrowed by status alone, which the status counts already count."""
        return not any((self.q, self.mandate, self.unit, self.discipline))


@dataclass
class AgencyStandings:
    """One page of an agency's standings for a year, with the whole agency's tally."""

    year: int
    as_of: date
    page: Page
    rows: list[BoardRow]
    tally: dict[str, int]
    not_evaluated: int
    staff: int
    mandates: list[tuple[str, str]]
    units: list[str]
    disciplines: list[str]
    warnings: tuple[str, ...] = field(default=())

    @property
    def evaluated(self) -> int:
        return sum(self.tally.values())

    def at_a_glance(self) -> str:
        """Such as "31 of 42 compliant; 6 at risk; 5 deficient"."""
        counts = self.tally
        parts = [f"{counts['compliant']} of {self.evaluated} compliant"]
        parts += [
            f"{counts[status]} {status.replace('-', ' ')}"
            for status in STATUS_ORDER
            if status != "compliant" and counts[status]
        ]
        return "; ".join(parts)


def staff_ids(agency, on: date) -> QuerySet:
    """The people employed by `agency` on `on`, as a subquery."""
    return Employment.objects.current(on).filter(agency=agency).values("person_id")


def summaries(agency, year: int, today: date) -> QuerySet[StandingSummary]:
    """The agency's staff's summaries for `year`, with the day's status and rank."""
    return StandingSummary.objects.filter(
        year=year, person__in=staff_ids(agency, today)
    ).annotate(status=status_expression(today), rank=status_rank_expression(today))


def standings_for_agency(
    agency, year: int, filters: Filters, today: date, page_number=1, choices=True
) -> AgencyStandings:
    """The page of the agency's current staff that `filters` ask for, in SQL.
    Without `choices` (the htmx fragment of the board, which has no filter form),
    the mandates, units and disciplines to choose from are not read."""
    everyone = summaries(agency, year, today)
    counts = status_counts(everyone)
    tally = {status: counts.get(status, 0) for status in STATUS_ORDER}
    chosen = _narrowed(everyone, filters, agency, year, today)
    ordered = chosen.order_by(*SORTS[filters.sort]).values(*SUMMARY_FIELDS)
    page = _page_of(ordered, filters, counts, page_number)
    jobs = Employment.objects.current(today).filter(agency=agency)
    staff = jobs.values("person_id").distinct().count()
    mandates, kinds = [], set()
    if choices:
        # Each current job's unit, its holder's discipline and the states of
        # their licenses: the two lists and the states to look for mandates in,
        # in one query (a person without a license gives no state).
        kinds = set(
            jobs.order_by()
            .values_list("unit", "person__discipline", "person__licenses__jurisdiction")
            .distinct()
        )
        states = {state for _, _, state in kinds if state}
        mandates = mandates_shown(agency, year, today, states)
    return AgencyStandings(
        year=year,
        as_of=today,
        page=page,
        rows=rows_from_values(list(page.object_list), agency, year, today),
        tally=tally,
        not_evaluated=staff - sum(tally.values()),
        staff=staff,
        mandates=mandates,
        units=sorted({unit for unit, _, _ in kinds if unit}),
        disciplines=sorted({discipline for _, discipline, _ in kinds}),
        warnings=warnings_of([m for m, _ in mandates]),
    )


def _page_of(ordered: QuerySet, filters: Filters, counts: dict, page_number):
    """The page asked for, counting the rows in SQL only when nothing else says
    how many there are: the status counts do when nothing but the status narrows
    the board, and a first page shorter than a page (a search, most often) is
    all there is."""
    if not filters.narrows:
        return CountedPaginator(ordered, PAGE_SIZE, sum(counts.values())).get_page(
            page_number
        )
    if filters.only_status:
        known = counts.get(filters.status, 0)
        return CountedPaginator(ordered, PAGE_SIZE, known).get_page(page_number)
    # Otherwise the page's rows carry the number of rows (a window count over
    # the same scan and sort), not a second query reading every match again.
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        number = 1
    if number < 1:  # the paginator's own fallback (the last page)
        return Paginator(ordered, PAGE_SIZE).get_page(page_number)
    start = (number - 1) * PAGE_SIZE
    counted = ordered.annotate(matching=Window(Count("pk")))
    rows = list(counted[start : start + PAGE_SIZE])
    if not rows and number == 1:  # nothing matches
        return CountedPaginator([], PAGE_SIZE, 0).get_page(1)
    if not rows:  # past the last page: the paginator's own fallback
        return Paginator(ordered, PAGE_SIZE).get_page(page_number)
    total = rows[0]["matching"]
    for row in rows:
        del row["matching"]
    page = CountedPaginator(ordered, PAGE_SIZE, total).get_page(number)
    page.object_list = rows
    return page


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the status counts already say
    so) instead of asking SQL a second time."""

    def __init__(self, object_list, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def mandates_shown(
    agency, year: int, today: date, states: set[str] | None = None
) -> list[tuple[str, str]]:
    """(id, title) of each mandate someone on the staff has a standing under, by
    title: one EXISTS per mandate of the states the staff hold licenses in (a
    standing is always under a license's state), each stopping at its first row
    (the index on year, mandate and person), not a DISTINCT over every standing.
    Building an EXISTS costs more in Python than running it: asking for every
    mandate of the library took a third of the dashboard's time. `states`, if
    the caller read them already, are the states of the staff's licenses."""
    if states is None:
        states = set(
            License.objects.filter(person__in=staff_ids(agency, today))
            .order_by()
            .values_list("jurisdiction", flat=True)
            .distinct()
        )
    known = {
        mandate.id: mandate.title
        for code, jurisdiction in rules.load_mandates().jurisdictions.items()
        if code in states
        for mandate in jurisdiction.mandates
    }
    if not known:
        return []
    employed = Exists(
        Employment.objects.current(today).filter(
            agency=agency, person=OuterRef("person_id")
        )
    )
    checks = {
        f"m{index}": Exists(
            Standing.objects.filter(year=year, mandate_id=mandate_id).filter(employed)
        )
        for index, mandate_id in enumerate(known)
    }
    found = Agency.objects.filter(pk=agency.pk).annotate(**checks).values(*checks)
    present = found.first() or {}
    shown = [
        (mandate_id, known[mandate_id])
        for index, mandate_id in enumerate(known)
        if present.get(f"m{index}")
    ]
    return sorted(shown, key=lambda pair: pair[1])


def tally_of(agency, year: int, today: date) -> dict[str, int]:
    """How many of the agency's staff have each status on `today`, worst first."""
    counts = status_counts(summaries(agency, year, today))
    return {status: counts.get(status, 0) for status in STATUS_ORDER}


def status_counts(found: QuerySet[StandingSummary]) -> dict[str, int]:
    """How many of `found` (annotated by `summaries`) have each status, including
    those with none (nobody evaluated them: a blank status)."""
    grouped = found.order_by().values_list("status").annotate(n=Count("pk"))
    return dict(grouped.values_list("status", "n"))


def _narrowed(queryset, filters: Filters, agency, year: int, today: date):
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.discipline:
        queryset = queryset.filter(person__discipline=filters.discipline)
    if filters.unit:
        in_unit = Employment.objects.current(today).filter(
            agency=agency, unit=filters.unit
        )
        queryset = queryset.filter(person__in=in_unit.values("person_id"))
    if filters.mandate:
        queryset = queryset.filter(
            Exists(
                Standing.objects.filter(
                    person=OuterRef("person"), year=year, mandate_id=filters.mandate
                )
            )
        )
    for word in _words(filters.q):
        queryset = queryset.filter(_matches(word))
    return queryset


def _words(text: str) -> list[str]:
    """ "Castellano, Hector" and "hector castellano" both give two words, each
    matched against any of the names, the badge and the license numbers."""
    return [word for word in re.split(r"[\s,]+", text) if word][:5]


def _matches(word: str) -> Q:
    licensed = License.objects.filter(person=OuterRef("person"), number__icontains=word)
    return (
        Q(person__first_name__icontains=word)
        | Q(person__last_name__icontains=word)
        | Q(person__external_id__icontains=word)
        | Q(Exists(licensed))
    )


# A summary as `rows_for` reads it: plain values, no model instances.
SUMMARY_FIELDS = (
    "person_id",
    "person__first_name",
    "person__last_name",
    "person__external_id",
    "person__discipline",
    "status",
    "due_on",
    "missing_hours",
    "not_evaluated",
)
STANDING_FIELDS = (
    "person_id",
    "mandate_id",
    "mandate_title",
    "settled_status",
    "at_risk_on",
    "deficient_on",
    "due_on",
    "requirements",
)


def rows_for(
    found: list[StandingSummary], agency, year: int, today: date
) -> list[BoardRow]:
    """The board's rows for summaries read as model instances (with their
    person, as the JSON API reads them)."""
    as_values = [
        {
            "person_id": s.person_id,
            "person__first_name": s.person.first_name,
            "person__last_name": s.person.last_name,
            "person__external_id": s.person.external_id,
            "person__discipline": s.person.discipline,
            "status": s.status,
            "due_on": s.due_on,
            "missing_hours": s.missing_hours,
            "not_evaluated": s.not_evaluated,
        }
        for s in found
    ]
    return rows_from_values(as_values, agency, year, today)


def rows_from_values(
    found: list[dict], agency, year: int, today: date
) -> list[BoardRow]:
    """The board's rows for `found`, summaries read as `.values(*SUMMARY_FIELDS)`
    of `summaries()`: three more queries (jobs, standings, license numbers),
    each read as plain values in one pass."""
    ids = [s["person_id"] for s in found]
    jobs: dict[int, tuple[str, str]] = {}
    # The current jobs of the people shown, anywhere, those elsewhere dropped
    # here: with the agency in the WHERE, SQLite reads every job of the agency
    # (through its index) to find the page's fifty.
    for pk, employer, unit, title in (
        Employment.objects.current(today)
        .filter(person_id__in=ids)
        .values_list("person_id", "agency_id", "unit", "title")
    ):
        if employer == agency.pk:
            jobs.setdefault(pk, (unit, title))
    cells: dict[int, list[BoardCell]] = {pk: [] for pk in ids}
    # People share most figures ("0/1", "24/24"): each is converted once.
    shared: dict[tuple, Progress] = {}
    for pk, mandate_id, title, settled, at_risk_on, deficient_on, due_on, parts in (
        Standing.objects.filter(person_id__in=ids, year=year)
        .order_by("mandate_title")
        .values_list(*STANDING_FIELDS)
    ):
        progress = []
        for part in parts:
            key = (
                part["label"],
                part["unit"],
                part["earned"],
                part["required"],
                part["status"],
            )
            bar = shared.get(key)
            if bar is None:
                bar = shared[key] = Progress(
                    key[0], key[1], Decimal(key[2]), Decimal(key[3]), key[4]
                )
            progress.append(bar)
        status = status_on(today, settled, at_risk_on, deficient_on)
        cells[pk].append(BoardCell(mandate_id, title, status, due_on, tuple(progress)))
    numbers: dict[int, list[str]] = {}
    for pk, number in License.objects.filter(person_id__in=ids).values_list(
        "person_id", "number"
    ):
        if number:
            numbers.setdefault(pk, []).append(number)
    return [
        BoardRow(
            person_id=s["person_id"],
            first_name=s["person__first_name"],
            last_name=s["person__last_name"],
            external_id=s["person__external_id"],
            discipline=s["person__discipline"],
            unit=jobs.get(s["person_id"], ("", ""))[0],
            title=jobs.get(s["person_id"], ("", ""))[1],
            license_numbers=", ".join(numbers.get(s["person_id"], [])),
            status=s["status"] or "",
            due_on=s["due_on"],
            missing_hours=s["missing_hours"],
            cells=tuple(cells[s["person_id"]]),
            as_of=today,
            not_evaluated=s["not_evaluated"],
        )
        for s in found
    ]


def warnings_of(mandate_ids: list[str]) -> tuple[str, ...]:
    """The engine's warnings (such as unverified rules) of the mandates shown."""
    library = rules.load_mandates()
    found: dict[str, None] = {}
    for mandate_id in mandate_ids:
        try:
            found.update(dict.fromkeys(library.mandate(mandate_id).warnings()))
        except rules.MandateError:
            continue
    return tuple(found)


def standings_for_person(person, year: int | None = None) -> list[Standing]:
    """The person's stored standings (one year, or every year kept), by mandate."""
    found = Standing.objects.filter(person=person)
    if year is not None:
        found = found.filter(year=year)
    return list(found.order_by("year", "mandate_title"))
