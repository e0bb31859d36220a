"""What-if: a draft mandate change evaluated against every person of a state.

The draft is a mandate file's text (`MandateDraft`), checked by the mandate
loader with its usual messages. It is evaluated with the batch engine the stored
standings use (`compliance.drafts.evaluate_under`, a population per mandate), once
under the shipped mandates and once with the draft in place of the one it
changes, and the two are compared person by person on one day: who changes
status, and how many hours more the state and each agency will owe. Nothing is
written but the run's figures; the shipped rules and the stored standings stay as
they were (docs/plans.md, "What-if").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet

from muster import rules
from muster.agencies.compliance.drafts import evaluate_under
from muster.agencies.models import STATUS_ORDER, Agency, Employment, Person
from muster.rules.loader import display, load_mandate_text

# A person with an active license whom no mandate of the state applies to.
NONE = "not-applicable"


def state_mandates(state: str) -> list[rules.Mandate]:
    """The shipped mandates of `state` (none if it has no rules encoded)."""
    library = rules.load_mandates()
    if state.upper() not in library.jurisdictions:
        return []
    return list(library.get(state).mandates)


def shipped_text(mandate_id: str) -> str:
    """The shipped file of a mandate, as a draft starts from it."""
    return Path(rules.load_mandates().mandate(mandate_id).source).read_text("utf-8")


def load_draft(text: str, mandate_id: str) -> rules.Mandate:
    """The draft as the engine would load it in place of `mandate_id`'s file.

    Raises:
        MandateError: naming the file, the key, what is wrong and how to fix it
            (the loader's own checks, and that the draft stays in its state).
    """
    shipped = rules.load_mandates().mandate(mandate_id)
    path = Path(shipped.source)
    draft = load_mandate_text(text, path, rules.load_mandates().vocabulary)
    if draft.jurisdiction != shipped.jurisdiction:
        raise rules.MandateError(
            f"{display(path)}: `jurisdiction` is {draft.jurisdiction} but this draft "
            f"changes a {shipped.jurisdiction} mandate; keep `jurisdiction: "
            f"{shipped.jurisdiction}` (a draft changes one state's rules)."
        )
    return draft


@dataclass(frozen=True)
class Figures:
    """One person's standing under a state's mandates for a year, on a day."""

    status: str
    missing_hours: Decimal
    # (requirement id, label) -> hours missing, for hour requirements still open.
    missing: dict[tuple[str, str], Decimal]


def evaluate_state(
    state: str,
    draft: rules.Mandate | None,
    people: QuerySet[Person],
    year: int,
    today: date,
) -> dict[int, Figures]:
    """Each person's figures under the state's mandates, with `draft` (if given)
    in place of the shipped mandate with its id."""
    jurisdiction = rules.load_mandates().get(state)
    mandates = [
        draft if draft is not None and m.id == draft.id else m
        for m in jurisdiction.mandates
    ]
    standings, summaries = evaluate_under(jurisdiction, mandates, people, [year])
    missing: dict[int, dict[tuple[str, str], Decimal]] = defaultdict(dict)
    for standing in standings:
        for part in standing.requirements:
            if part["status"] == rules.Status.MISSING and part["unit"] == "hours":
                key = (f"{standing.mandate_id}:{part['id']}", part["label"])
                gap = Decimal(part["required"]) - Decimal(part["earned"])
                missing[standing.person_id][key] = gap
    return {
        s.person_id: Figures(
            status=s.status_on(today) or NONE,
            missing_hours=s.missing_hours,
            missing=missing.get(s.person_id, {}),
        )
        for s in summaries
    }


def run(
    state: str,
    draft: rules.Mandate,
    people: QuerySet[Person],
    agencies: QuerySet[Agency],
    year: int,
    today: date,
) -> dict:
    """The comparison as a run stores it: totals, per agency, and each person
    whose status or hours missing change (see `WhatIfRun.result`)."""
    before = evaluate_state(state, None, people, year, today)
    after = evaluate_state(state, draft, people, year, today)
    employers = _employers(people, agencies, today)
    changes = [
        _change(pk, before[pk], after.get(pk), employers.get(pk, []))
        for pk in sorted(before)
        if _differs(before[pk], after.get(pk))
    ]
    return {
        "totals": _totals(before, after, changes),
        "agencies": _by_agency(agencies, employers, before, after),
        "requirements": _by_requirement(before, after),
        "changes": changes,
    }


def _employers(people, agencies, today) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    jobs = Employment.objects.current(today).filter(
        agency__in=agencies, person__in=people.values("pk")
    )
    for person_id, agency_id in jobs.values_list("person_id", "agency_id").distinct():
        found[person_id].append(agency_id)
    return found


def _differs(old: Figures, new: Figures | None) -> bool:
    return new is None or (old.status, old.missing_hours) != (
        new.status,
        new.missing_hours,
    )


def _change(pk: int, old: Figures, new: Figures | None, agencies) -> dict:
    new = new or Figures(NONE, Decimal(0), {})
    return {
        "person": pk,
        "agencies": sorted(agencies),
        "before": old.status,
        "after": new.status,
        "hours_before": _text(old.missing_hours),
        "hours_after": _text(new.missing_hours),
    }


def _text(hours: Decimal) -> str:
    """Hours as stored in a run: exact, in hundredths ("4.00")."""
    return str(Decimal(hours).quantize(Decimal("0.01")))


def _hours(figures) -> Decimal:
    return sum((f.missing_hours for f in figures), Decimal(0))


def _tally(figures) -> dict[str, int]:
    counts = Counter(f.status for f in figures)
    return {s: counts[s] for s in (*STATUS_ORDER, NONE) if counts[s]}


def _totals(before, after, changes) -> dict:
    return {
        "people": len(before),
        "status_changes": sum(1 for c in changes if c["before"] != c["after"]),
        "affected": len(changes),
        "hours_before": _text(_hours(before.values())),
        "hours_after": _text(_hours(after.values())),
        "statuses_before": _tally(before.values()),
        "statuses_after": _tally(after.values()),
    }


def _by_agency(agencies, employers, before, after) -> list[dict]:
    staff: dict[int, list[int]] = defaultdict(list)
    for pk, ids in employers.items():
        for agency_id in ids:
            staff[agency_id].append(pk)
    rows = []
    for agency in agencies.order_by("name"):
        ids = [pk for pk in staff.get(agency.pk, []) if pk in before]
        old = [before[pk] for pk in ids]
        new = [after[pk] for pk in ids if pk in after]
        rows.append(
            {
                "id": agency.pk,
                "code": agency.code,
                "name": agency.name,
                "people": len(ids),
                "status_changes": sum(
                    1
                    for pk in ids
                    if before[pk].status != after.get(pk, before[pk]).status
                ),
                "hours_before": _text(_hours(old)),
                "hours_after": _text(_hours(new)),
            }
        )
    return rows


def _by_requirement(before, after) -> list[dict]:
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for index, figures in enumerate((before, after)):
        for one in figures.values():
            for key, gap in one.missing.items():
                totals.setdefault(key, [Decimal(0), Decimal(0)])[index] += gap
    return [
        {"id": key[0], "label": key[1], "before": _text(b), "after": _text(a)}
        for key, (b, a) in sorted(totals.items())
    ]
