"""Bulk reads for the dashboard: the rows of a whole agency in a handful of queries.

Lines come straight from the cursor, past Django's field converters, and become
the engine's columns with each distinct raw value converted once.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection

from muster import rules
from muster.agencies.choices import Approval, LicenseStatus
from muster.agencies.models import (
    CreditLine,
    Exemption,
    License,
    Person,
    Qualification,
)
from muster.rules.columns import (
    OTHER_RESULT,
    RESULTS,
    Codebook,
    LinesTable,
    day_number,
)

# Lines older than this many years before the period cannot fall in any encoded
# cycle (the longest is three years), so the dashboard does not load them.
LOOKBACK_YEARS = 4


def board_people(staff) -> dict[int, tuple]:
    units = {}
    for person_id, unit, title in staff.values_list("person_id", "unit", "title"):
        units.setdefault(person_id, (unit, title))
    found = Person.objects.filter(pk__in=staff.values("person_id")).values_list(
        "pk", "first_name", "last_name", "external_id", "discipline"
    )
    return {
        pk: (first, last, badge, discipline, *units[pk])
        for pk, first, last, badge, discipline in found.order_by(
            "last_name", "first_name", "pk"
        )
    }


# What the engine reads of a license, in the order `figures._evaluate` takes it.
LICENSE_VALUES = (
    "person_id",
    "jurisdiction",
    "discipline",
    "licensed_on",
    "attributes",
    "appointed_on",
    "separated_on",
    "returned_on",
    "earlier_breaks",
    # The holder's last name: a cycle staggered by surname (Illinois) reads its
    # first letter.
    "person__last_name",
)


def board_licenses(staff) -> list[tuple]:
    return list(
        License.objects.filter(
            person__in=staff.values("person_id"), status=LicenseStatus.ACTIVE
        ).values_list(*LICENSE_VALUES)
    )


def board_lines(staff, year: int) -> list[tuple]:
    """Credit lines and qualifications as raw tuples, read past Django's converters.

    Converting 125,000 rows through the ORM (JSON topics, decimals, dates) costs
    more than evaluating them, so the rows come straight from the cursor and each
    distinct raw value is converted once (`LineCoder`).
    """
    since = date(year - LOOKBACK_YEARS, 1, 1)
    people = staff.values("person_id")
    records = CreditLine.objects.filter(
        record__person__in=people,
        record__is_void=False,
        record__approval=Approval.APPROVED,
        record__completed_on__gte=since,
    ).values_list(
        "record__person_id",
        "record__completed_on",
        "hours",
        "area",
        "topics",
        "record__delivery",
        "record__provider_kind",
        "record__result",
        "record__counts_for",
    )
    rows = _raw_rows(records)
    qualifications = Qualification.objects.filter(
        person__in=people, is_void=False, qualified_on__gte=since
    ).values_list("person_id", "qualified_on", "result")
    rows += [
        (pk, done, 0, "", QUALIFICATION_TOPICS, "live", "other", result, None)
        for pk, done, result in _raw_rows(qualifications)
    ]
    return rows


QUALIFICATION_TOPICS = '["firearms-qualification"]'


def _raw_rows(queryset) -> list[tuple]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class LineCoder:
    """Turns raw line tuples into the engine's columns, memoising each value."""

    def __init__(self, book: Codebook) -> None:
        self.book = book
        self.days: dict[object, int] = {}
        self.hours: dict[object, int] = {}
        self.topics: dict[object, int] = {}

    def day(self, value) -> int:
        if value not in self.days:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
            self.days[value] = day_number(day)
        return self.days[value]

    def centihours(self, value) -> int:
        if value not in self.hours:
            self.hours[value] = int(round(Decimal(str(value)) * 100))
        return self.hours[value]

    def topic_mask(self, value) -> int:
        key = value if isinstance(value, str) else json.dumps(value)
        if key not in self.topics:
            words = json.loads(key) if isinstance(value, str) else value
            self.topics[key] = int(self.book.mask(self.book.topics, words))
        return self.topics[key]

    def columns(self, rows: list[tuple], index: dict[int, int]) -> LinesTable:
        book = self.book
        kept = [row for row in rows if row[0] in index]
        areas = {a: book.known(book.areas, a) for a in {r[3] for r in kept} if a}
        deliveries = {d: book.known(book.deliveries, d) for d in {r[5] for r in kept}}
        providers = {p: book.known(book.providers, p) for p in {r[6] for r in kept}}
        return LinesTable(
            person=np.array([index[r[0]] for r in kept], dtype=np.int32),
            completed_on=np.array([self.day(r[1]) for r in kept], dtype=np.int32),
            centihours=np.array([self.centihours(r[2]) for r in kept], dtype=np.int64),
            area=np.array([areas.get(r[3], -1) for r in kept], dtype=np.int8),
            topics=np.array([self.topic_mask(r[4]) for r in kept], dtype=np.uint64),
            delivery=np.array([deliveries[r[5]] for r in kept], dtype=np.int8),
            provider=np.array([providers[r[6]] for r in kept], dtype=np.int8),
            result=np.array(
                [RESULTS.get(r[7] or None, OTHER_RESULT) for r in kept],
                dtype=np.int8,
            ),
            counts_for=np.array([r[8] or 0 for r in kept], dtype=np.int16),
        )


def board_exemptions(staff) -> dict[str, list[rules.Exemption]]:
    found: dict[str, list[rules.Exemption]] = {}
    rows = Exemption.objects.filter(
        person__in=staff.values("person_id"), approval=Approval.APPROVED
    ).values_list("person_id", "kind", "starts_on", "ends_on", "requirements")
    for pk, kind, starts_on, ends_on, requirements in rows:
        found.setdefault(str(pk), []).append(
            rules.Exemption(
                person=str(pk),
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                requirements=frozenset(requirements),
            )
        )
    return found
