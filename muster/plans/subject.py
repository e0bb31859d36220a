"""A person as the planner sees them: engine inputs under every license held.

Pure Python over `muster.rules`: the Django side (`plans.people`) builds a
`Subject` from ORM rows, the tests and the benchmark build them directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from muster import rules
from muster.plans.needs import Need, all_needs
from muster.rules.mandate import Mandate


@dataclass(frozen=True)
class License:
    """The engine's person under one state's license, and the mandates that apply."""

    person: rules.Person
    mandates: tuple[Mandate, ...] = field(repr=False)


@dataclass(frozen=True)
class Subject:
    """One person's engine inputs for the periods containing 31 December `year`."""

    id: str
    licenses: tuple[License, ...]
    lines: tuple[rules.CreditLine, ...]
    exemptions: tuple[rules.Exemption, ...]
    year: int
    as_of: date
    name: str = ""
    discipline: str = ""

    def results(
        self, extra: Iterable[rules.CreditLine] = (), as_of: date | None = None
    ) -> list[tuple[rules.ComplianceResult, Mandate]]:
        """The engine's result for every mandate of every license."""
        lines = list(self.lines) + list(extra)
        return [
            (
                rules.evaluate(
                    license.person,
                    lines,
                    mandate,
                    year=self.year,
                    as_of=as_of or self.as_of,
                    exemptions=self.exemptions,
                ),
                mandate,
            )
            for license in self.licenses
            for mandate in license.mandates
        ]

    def needs(self) -> list[Need]:
        return all_needs(self.results())


def subject_of(
    person_id: str,
    licenses: Sequence[tuple[rules.Person, Sequence[Mandate]]],
    lines: Iterable[rules.CreditLine],
    exemptions: Iterable[rules.Exemption],
    year: int,
    as_of: date,
    **names: str,
) -> Subject:
    """A `Subject`, keeping only the mandates that apply to each license."""
    return Subject(
        person_id,
        tuple(
            License(person, tuple(m for m in mandates if m.applies(person)))
            for person, mandates in licenses
        ),
        tuple(lines),
        tuple(exemptions),
        year,
        as_of,
        **names,
    )
