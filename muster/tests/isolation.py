"""The declarations read by the isolation matrix (muster/tests/test_isolation.py).

Each app with URLs keeps `muster/<app>/tests/isolation_cases.py` with a dict
`CASES` from URL name ("namespace:name") to a `Case`; see the docstring of
muster/agencies/tests/isolation_cases.py for the format and examples.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MUSTER = Path(__file__).resolve().parent.parent

# Builds the URL arguments (one dict per variant) from the running test case,
# which carries the shared cast of muster/test.py (self.charlie_person,
# self.other_agency, self.charlie_record...) and may create more rows.
Build = Callable[[Any], list[dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    """How to point one URL at another agency's data, and which methods to try.

    `build` returns the URL kwargs, one dict per variant (such as the other
    agency's code, or the user's own agency code with the other agency's
    person). `build=None` says the URL takes no object of another agency (a
    list of one's own things): then only the absence of the other agency's names
    is checked, whatever the status. `methods` lists "GET" and, for views that
    write, "POST"; `data` builds the POST body (an empty form by default).
    `extra["auditor_writes"]` (a reason) exempts a write that the state's
    auditors may make from the "auditors never write" check (what-if drafts).
    `extra["standing_of"]`, a function (test, person) -> URL kwargs, says the URL
    shows a person's standing or plan today, worked out from their whole history:
    the matrix then also asks it, for a person who left, as each of their former
    employers, which must get 404 (a current employer, the person's state's
    auditor and the person themself get 200).
    """

    build: Build | None
    methods: tuple[str, ...] = ("GET",)
    data: Callable[[Any], dict[str, Any]] | None = None
    query: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


NO_OBJECT = Case(build=None)


def declared_cases() -> dict[str, Case]:
    """Every app's CASES, merged; a URL declared twice is an error."""
    cases: dict[str, Case] = {}
    for path in sorted(MUSTER.glob("*/tests/isolation_cases.py")):
        module = importlib.import_module(
            f"muster.{path.parts[-3]}.tests.isolation_cases"
        )
        for name, case in module.CASES.items():
            if name in cases:
                raise AssertionError(f"{name} has a case in two files (one is {path}).")
            cases[name] = case
    return cases
