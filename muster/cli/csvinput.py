"""Turn people, records and exemptions CSV files into engine inputs.

Every file is read to the end and every problem kept (up to a limit per file), so
that one run lists all there is to fix. Any problem raises `CsvError`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from muster.cli import fields
from muster.cli.csvtable import CsvError, Report, Row, iter_problems, read_rows
from muster.rules import CreditLine, Exemption, Person
from muster.rules.loader import Vocabulary
from muster.rules.model import EXEMPTION_KINDS

PEOPLE_COLUMNS = ("id", "discipline", "licensed_on", "attributes")
RECORD_COLUMNS = (
    "person",
    "date",
    "hours",
    "area",
    "topics",
    "delivery",
    "provider",
    "result",
)
RECORD_OPTIONAL = ("counts_for", "label")
EXEMPTION_COLUMNS = ("person", "kind", "starts_on", "ends_on", "reason", "requirements")
RESULTS = ("pass", "fail")


@dataclass(frozen=True)
class Inputs:
    """Everything read from the files; each person and record keeps its line number."""

    people: tuple[tuple[int, Person], ...]
    records: tuple[tuple[int, CreditLine], ...]
    exemptions: tuple[Exemption, ...]
    people_file: str = "people.csv"
    records_file: str = "records.csv"


def read_inputs(
    people_path: str,
    records_path: str,
    exemptions_path: str | None,
    vocabulary: Vocabulary,
    requirement_ids: Collection[str],
) -> Inputs:
    """Read and check all files.

    Raises:
        CsvError: listing every problem found, file by file.
    """
    people, people_report, known = read_people(people_path)
    records, records_report = read_records(records_path, vocabulary, known)
    reports = [people_report, records_report]
    exemptions: list[Exemption] = []
    if exemptions_path is not None:
        exemptions, exemptions_report = read_exemptions(
            exemptions_path, known, requirement_ids
        )
        reports.append(exemptions_report)
    problems = list(iter_problems(reports))
    if problems:
        raise CsvError(problems)
    return Inputs(
        tuple(people), tuple(records), tuple(exemptions), people_path, records_path
    )


def read_people(
    path: str,
) -> tuple[list[tuple[int, Person]], Report, set[str] | None]:
    """The people, the report, and every id seen (None when the file was unusable).

    Ids of people whose other cells are wrong still count as known, so that their
    records are not also reported as belonging to nobody.
    """
    rows, report = read_rows(Path(path), path, PEOPLE_COLUMNS)
    if not rows and report.problems:
        return [], report, None
    people: list[tuple[int, Person]] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        person_id = row.parse("id", fields.required)
        if person_id is not None and person_id in first_seen:
            row.fail(
                "id",
                f"{fields.quoted(person_id)} is listed twice (first on line "
                f"{first_seen[person_id]}); list each officer once",
            )
            continue
        if person_id is not None:
            first_seen[person_id] = row.line
        person = person_from(row, person_id)
        if person is not None:
            people.append((row.line, person))
    return people, report, set(first_seen)


def person_from(row: Row, person_id: str | None) -> Person | None:
    discipline = row.parse("discipline", fields.required)
    licensed_on = row.parse("licensed_on", fields.parse_optional_date)
    if (
        person_id is None
        or discipline is None
        or (licensed_on is None and row.text("licensed_on"))
    ):
        return None
    return Person(
        id=person_id,
        discipline=discipline.lower(),
        licensed_on=licensed_on,
        attributes=frozenset(
            a.lower() for a in fields.split_list(row.text("attributes"))
        ),
    )


def read_records(
    path: str, vocabulary: Vocabulary, known_people: set[str] | None
) -> tuple[list[tuple[int, CreditLine]], Report]:
    """Training records; `known_people` None skips the check that each person exists."""
    rows, report = read_rows(Path(path), path, RECORD_COLUMNS, RECORD_OPTIONAL)
    records = []
    for row in rows:
        line = record_from(row, vocabulary, known_people)
        if line is not None:
            records.append((row.line, line))
    return records, report


def record_from(
    row: Row, vocabulary: Vocabulary, known_people: set[str] | None
) -> CreditLine | None:
    person = row.parse("person", known_person(known_people))
    completed_on = row.parse("date", fields.parse_date)
    hours = row.parse("hours", fields.parse_hours)
    area = row.parse("area", fields.choice(vocabulary.areas, "area"))
    topics = row.parse("topics", fields.words(vocabulary.topics, "topic"))
    delivery = row.parse("delivery", fields.choice(vocabulary.deliveries, "delivery"))
    provider = row.parse("provider", fields.choice(vocabulary.providers, "provider"))
    result = row.parse("result", fields.choice(RESULTS, "result"))
    counts_for = row.parse("counts_for", fields.parse_year)
    if person is None or completed_on is None or hours is None:
        return None
    return CreditLine(
        person=person,
        completed_on=completed_on,
        hours=hours,
        area=area,
        topics=topics or frozenset(),
        # Blank delivery and provider mean the common case, as docs/cli.md says.
        delivery=delivery or "live",
        provider=provider or "other",
        result=result,
        counts_for=counts_for,
        label=row.text("label"),
    )


def known_person(known: set[str] | None) -> Callable[[str], str]:
    """A parser for a person id that must be in the people file (unless None)."""

    def parse(text: str) -> str:
        person = fields.required(text)
        if known is not None and person not in known:
            raise ValueError(
                f"{fields.quoted(person)} is not in the people file; add the officer "
                "there or correct the id"
            )
        return person

    return parse


def read_exemptions(
    path: str, known_people: set[str] | None, requirement_ids: Collection[str]
) -> tuple[list[Exemption], Report]:
    rows, report = read_rows(Path(path), path, EXEMPTION_COLUMNS)
    exemptions = []
    for row in rows:
        exemption = exemption_from(row, known_people, requirement_ids)
        if exemption is not None:
            exemptions.append(exemption)
    return exemptions, report


def exemption_from(
    row: Row, known_people: set[str] | None, requirement_ids: Collection[str]
) -> Exemption | None:
    person = row.parse("person", known_person(known_people))
    kind = row.parse("kind", fields.choice(EXEMPTION_KINDS, "exemption kind"))
    starts_on = row.parse("starts_on", fields.parse_date)
    ends_on = row.parse("ends_on", fields.parse_date)
    requirements = row.parse(
        "requirements", fields.words(requirement_ids, "requirement id")
    )
    if not (person and kind and starts_on and ends_on) or requirements is None:
        return None
    if ends_on < starts_on:
        row.fail(
            "ends_on",
            f"{ends_on} is before starts_on {starts_on}; an exemption "
            "cannot end before it starts",
        )
        return None
    return Exemption(person, kind, starts_on, ends_on, row.text("reason"), requirements)
