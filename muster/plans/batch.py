"""Needs of many people at once, with the batch engine.

Each mandate is evaluated once for everyone holding a license it applies to
(`engine.evaluate_population`), and the needs of the people it finds short are
read from its arrays: the same figures `Subject.needs` reads person by person
from the explained result (a test holds the two equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np

from muster.plans.needs import Need
from muster.plans.subject import Subject
from muster.rules.columns import Codebook, build_tables
from muster.rules.engine import ACCEPTED, MISSING, evaluate_population
from muster.rules.evaluation import line_sort_key
from muster.rules.mandate import Kind


def needs_of_many(
    subjects: Sequence[Subject], year: int, as_of: date
) -> dict[str, list[Need]]:
    """Every subject's open requirements, by subject id."""
    found: dict[str, list[Need]] = {s.id: [] for s in subjects}
    mandates = {}
    holders: dict[str, list] = {}
    for subject in subjects:
        for license in subject.licenses:
            for mandate in license.mandates:
                mandates[mandate.id] = mandate
                holders.setdefault(mandate.id, []).append((subject, license.person))
    book = Codebook.from_vocabulary()
    for mandate_id, held in holders.items():
        people = [person for _, person in held]
        own = [sorted(s.lines, key=line_sort_key) for s, _ in held]
        lines = [line for lines in own for line in lines]
        exemptions = [e for s, _ in held for e in s.exemptions]
        table, columns, rows, _ = build_tables(people, lines, exemptions, book)
        population = evaluate_population(
            table,
            columns,
            mandates[mandate_id],
            year=year,
            as_of=as_of,
            exemptions=rows,
            codebook=book,
            explain=True,
        )
        short = np.flatnonzero((population.requirement_status == MISSING).any(axis=0))
        people_needs = _population_needs(
            population, mandates[mandate_id], lines, columns.person, short
        )
        for row, found_needs in people_needs.items():
            found[held[row][0].id] += found_needs
    return found


def _population_needs(
    population, mandate, lines, owners, rows
) -> dict[int, list[Need]]:
    """The needs of `rows` of an evaluated population, read from its arrays.

    The same figures `needs_in` reads from one person's explained result: what
    is missing (required less earned), the period as the person sees it, and the
    cap room (the cap less what the engine counted from capped lines).
    """
    found: dict[int, list[Need]] = {int(row): [] for row in rows}
    for index, outcome in enumerate(population.outcomes):
        if outcome is None:
            continue
        requirement = outcome.requirement
        missing_rows = [
            int(r) for r in rows if population.requirement_status[index, r] == MISSING
        ]
        if not missing_rows:
            continue
        caps = outcome.caps if requirement.kind == Kind.HOURS else ()
        used = [
            _capped_use(cap, outcome, lines, owners, len(population.people))
            for cap in caps
        ]
        for row in missing_rows:
            units = int(population.required[index, row] - population.earned[index, row])
            room = None
            if caps:
                room = min(
                    max(Decimal(0), cap.value.hours - Decimal(int(counted[row])) / 100)
                    for cap, counted in zip(caps, used, strict=True)
                )
            period = outcome.period.of(row)
            found[row].append(
                Need(
                    jurisdiction=mandate.jurisdiction,
                    mandate=mandate,
                    requirement=requirement,
                    label=requirement.label,
                    missing=Decimal(units) / 100,
                    period=period,
                    caps=caps,
                    cap_room=room,
                )
            )
    return found


def _capped_use(cap, outcome, lines, owners, size):
    """Hundredths each person's lines limited by `cap` counted."""
    placement = outcome.lines
    matches = np.array(
        [
            placement.refusal[i] == ACCEPTED and cap.rule.matches(lines[int(r)])
            for i, r in enumerate(placement.rows)
        ],
        dtype=bool,
    )
    people = owners[placement.rows[matches]]
    return np.bincount(
        people,
        weights=placement.counted[matches].astype(np.float64),
        minlength=size,
    ).astype(np.int64)
