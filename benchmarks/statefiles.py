"""Seeded synthetic people.csv and records.csv for a state, as `muster evaluate` reads them.

Shared by the CLI benchmark (`benchmarks/cli.py`). The files look like a state
system's export: ISO dates (a few in US M/D/YYYY form), hours from a quarter hour
to eight hours, areas, one or two topics, deliveries, providers, passed firearms
qualifications, 1 % make-up records for the year before, course labels.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from muster.rules.columns import day_number

DISCIPLINES = ["peace-officer", "telecommunicator", "corrections", "chief"]
DISCIPLINE_WEIGHTS = [0.8, 0.08, 0.1, 0.02]
AREAS = ["", "legal", "technical", "interpersonal", "skill-development"]
TOPICS = [""] * 11 + [
    "implicit-bias",
    "de-escalation",
    "racial-profiling",
    "firearms",
    "implicit-bias;de-escalation",
]
HOURS = ["0.25", "0.5", "1", "1", "2", "2", "4", "8", "1.75"]
DELIVERIES = ["live", "live", "online", ""]
PROVIDERS = ["approved-provider", "in-service", "other", ""]
LABELS = ["", "Legal update", "Range day", "Patrol procedures", "Calm voices"]
PEOPLE_HEADER = "id,discipline,licensed_on,attributes"
RECORDS_HEADER = (
    "person,date,hours,area,topics,delivery,provider,result,counts_for,label"
)


def iso_dates(days: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(days.astype("datetime64[D]")), format="%Y-%m-%d")


def write_lines(path: Path, header: str, columns: list[pa.Array]) -> None:
    """One line per row: the cells joined by commas (no cell needs quoting)."""
    lines = pc.binary_join_element_wise(*columns, ",")
    with open(path, "wb") as handle:
        handle.write(header.encode() + b"\n")
        for chunk in range(0, len(lines), 1_000_000):
            part = lines[chunk : chunk + 1_000_000]
            handle.write(("\n".join(part.to_pylist()) + "\n").encode())


def pick(rng, words: list[str], size: int) -> pa.Array:
    return pa.array(np.array(words, dtype=object)[rng.integers(0, len(words), size)])


def write_state(folder: Path, people: int, records: int, seed: int = 2021):
    """Write people.csv and records.csv into `folder`; return their paths."""
    rng = np.random.default_rng(seed)
    ids = pc.binary_join_element_wise(
        "P", pc.utf8_lpad(pa.array(np.arange(people).astype(str)), 7, "0"), ""
    )
    licensed = rng.integers(
        day_number(date(1990, 1, 1)), day_number(date(2022, 1, 1)), people
    )
    licensed_on = pc.if_else(
        pa.array(rng.random(people) < 0.02), "", iso_dates(licensed)
    )
    discipline = pa.array(
        np.array(DISCIPLINES, dtype=object)[
            rng.choice(len(DISCIPLINES), size=people, p=DISCIPLINE_WEIGHTS)
        ]
    )
    traffic = pc.if_else(pa.array(rng.random(people) < 0.7), "traffic-enforcement", "")
    people_path = folder / "people.csv"
    write_lines(people_path, PEOPLE_HEADER, [ids, discipline, licensed_on, traffic])

    person = rng.integers(0, people, records)
    days = rng.integers(
        day_number(date(2020, 1, 1)), day_number(date(2021, 12, 31)) + 1, records
    )
    completed = iso_dates(days)
    us = rng.random(records) < 0.05  # as US Excel writes them
    completed = pc.if_else(
        pa.array(us),
        pc.strftime(pa.array(days.astype("datetime64[D]")), format="%m/%d/%Y"),
        completed,
    )
    topics = pick(rng, TOPICS, records)
    result = pc.if_else(pc.equal(topics, "firearms"), "pass", "")
    make_up = rng.random(records) < 0.01
    counts_for = pc.if_else(pa.array(make_up), "2020", "")
    records_path = folder / "records.csv"
    write_lines(
        records_path,
        RECORDS_HEADER,
        [
            ids.take(pa.array(person)),
            completed,
            pick(rng, HOURS, records),
            pick(rng, AREAS, records),
            topics,
            pick(rng, DELIVERIES, records),
            pick(rng, PROVIDERS, records),
            result,
            counts_for,
            pick(rng, LABELS, records),
        ],
    )
    return people_path, records_path
