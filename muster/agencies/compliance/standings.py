"""Keeping stored standings true: refresh them inside each write, verify them.

Every action that changes what a standing depends on (training records, credit
lines, qualifications, exemptions, licenses, people) calls `refresh_standings`
with the people it touched, in its own transaction, so that a committed change and
its standings go together. `verify_standings` evaluates again and lists every
stored row that differs: `manage.py standings verify` and the test suite use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from muster.agencies.compliance.figures import evaluate_figures, kept_years
from muster.agencies.models import Person, Standing, StandingSummary

# People refreshed per round: bounds memory and the number of SQL parameters.
CHUNK = 2000
# Fields compared by verify: everything but when the row was written.
STANDING_FIELDS = (
    "jurisdiction",
    "mandate_title",
    "period_start",
    "period_end",
    "grace_until",
    "requirements",
    "rules_version",
    "settled_status",
    "at_risk_on",
    "deficient_on",
    "due_on",
    "missing_hours",
)
SUMMARY_FIELDS = (
    "mandates",
    "not_evaluated",
    "settled_status",
    "at_risk_on",
    "deficient_on",
    "due_on",
    "missing_hours",
)

_deferred: list[set[int]] = []


@contextmanager
def deferred_refresh() -> Iterator[None]:
    """Collect the people of every `refresh_standings` call inside the block and
    refresh them once at its end (an import's undo voids records one by one)."""
    _deferred.append(set())
    try:
        yield
        people = _deferred[-1]
    finally:
        collected = _deferred.pop()
    if collected:
        refresh_standings(people)


def refresh_standings(person_ids: Iterable[int], years: list[int] | None = None):
    """Evaluate the people again and replace their stored standings for `years`
    (default: the years kept). Call inside the transaction of the write."""
    ids = sorted({int(pk) for pk in person_ids if pk is not None})
    if not ids:
        return
    if _deferred:
        _deferred[-1].update(ids)
        return
    years = years or kept_years()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            _refresh_chunk(ids[start : start + CHUNK], years)


def _refresh_chunk(ids: list[int], years: list[int]) -> None:
    # Locking the people makes two writes for one person refresh one after the
    # other, the second reading what the first committed.
    list(
        Person.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    standings, summaries = evaluate_figures(ids, years)
    Standing.objects.filter(person_id__in=ids, year__in=years).delete()
    StandingSummary.objects.filter(person_id__in=ids, year__in=years).delete()
    Standing.objects.bulk_create(standings, batch_size=500)
    StandingSummary.objects.bulk_create(summaries, batch_size=500)


def refresh_all(agency=None, years: list[int] | None = None) -> int:
    """Refresh everyone (or the current and past staff of `agency`); returns how
    many people."""
    people = Person.objects.all()
    if agency is not None:
        people = people.filter(employments__agency=agency).distinct()
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            refresh_standings(ids[start : start + CHUNK], years)
    return len(ids)


@dataclass(frozen=True)
class Difference:
    """One stored standing that is not what evaluating again gives."""

    person_id: int
    year: int
    what: str  # a mandate id, or "summary"
    problem: str

    def __str__(self) -> str:
        return f"person {self.person_id}, {self.year}, {self.what}: {self.problem}"


def verify_standings(
    person_ids: Iterable[int] | None = None,
    years: list[int] | None = None,
    *,
    stored_years_only: bool = False,
) -> list[Difference]:
    """Every stored standing that differs from a fresh evaluation, and every one
    missing or left over, for the people (default: everyone) and `years` (default:
    the years kept plus any stored). With `stored_years_only`, each person is
    checked for the years stored for them (tests whose clock moved)."""
    ids = (
        sorted(set(person_ids))
        if person_ids is not None
        else list(Person.objects.order_by("pk").values_list("pk", flat=True))
    )
    found: list[Difference] = []
    for start in range(0, len(ids), CHUNK):
        found += _verify_chunk(ids[start : start + CHUNK], years, stored_years_only)
    return found


def _verify_chunk(ids, years, stored_years_only) -> list[Difference]:
    stored = {
        (s.person_id, s.year, s.mandate_id): s
        for s in Standing.objects.filter(person_id__in=ids)
    }
    summaries = {
        (s.person_id, s.year): s
        for s in StandingSummary.objects.filter(person_id__in=ids)
    }
    stored_years = sorted({year for _, year in summaries} | {k[1] for k in stored})
    wanted_years = sorted(set(years or kept_years()) | set(stored_years))
    if stored_years_only:
        wanted_years = stored_years
    if not wanted_years:
        return []
    fresh, fresh_summaries = evaluate_figures(ids, wanted_years)
    checked = _checked(ids, summaries, stored_years_only, wanted_years)
    found = _compare(
        {(s.person_id, s.year, s.mandate_id): s for s in fresh},
        stored,
        STANDING_FIELDS,
        checked,
        lambda key: key[2],
    )
    found += _compare(
        {(s.person_id, s.year): s for s in fresh_summaries},
        summaries,
        SUMMARY_FIELDS,
        checked,
        lambda key: "summary",
    )
    return found


def _checked(ids, summaries, stored_years_only, wanted_years):
    """(person, year) pairs to compare: with `stored_years_only`, those stored,
    and every kept year for a person with nothing stored."""
    if not stored_years_only:
        return {(pk, year) for pk in ids for year in wanted_years}
    with_rows = {pk for pk, _ in summaries}
    return set(summaries) | {
        (pk, year) for pk in ids if pk not in with_rows for year in wanted_years
    }


def _compare(fresh, stored, fields, checked, label) -> list[Difference]:
    found = []
    for key in sorted(set(fresh) | set(stored), key=str):
        if (key[0], key[1]) not in checked:
            continue
        new, old = fresh.get(key), stored.get(key)
        if old is None:
            found.append(Difference(key[0], key[1], label(key), "not stored"))
        elif new is None:
            found.append(Difference(key[0], key[1], label(key), "stored, not owed"))
        else:
            changed = [f for f in fields if _value(old, f) != _value(new, f)]
            if changed:
                detail = ", ".join(
                    f"{f} stored {_value(old, f)!r}, now {_value(new, f)!r}"
                    for f in changed
                )
                found.append(Difference(key[0], key[1], label(key), detail))
    return found


def _value(row, name):
    value = getattr(row, name)
    if name == "missing_hours":
        return f"{value:.2f}"
    return value
