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

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db.models import QuerySet

from muster import rules
from muster.agencies.compliance.drafts import evaluate_under
from muster.agencies.models import STATUS_ORDER, Agency, Employment, Person
from muster.rules.loader import MANDATES_DIR, display, load_mandate_text

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


def shipped(mandate_id: str) -> rules.Mandate | None:
    """The shipped mandate with this id, or None for a draft of a new file."""
    try:
        return rules.load_mandates().mandate(mandate_id)
    except rules.MandateError:
        return None


# A new file's name: what the loader makes the last part of its id.
NEW_FILE_NAME = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
NEW_FILE_EXAMPLE = "new_requirement"


def new_file_id(state: str, name: str) -> str:
    """The id of a new mandate file `name` of `state` (docs/adding-a-state.md)."""
    return f"us.{state.lower()}.{name}"


def new_file_text(state: str, name: str) -> str:
    """Where a new mandate file's draft starts: the keys the loader asks for, with
    every value still to be written (the loader refuses it until they are)."""
    return NEW_FILE_TEMPLATE.format(id=new_file_id(state, name), state=state.upper())


NEW_FILE_TEMPLATE = """\
# A new mandate file (what-if draft): a requirement no shipped file holds.
# Write every value below from the proposed rule, with its reference; nothing
# here is a value until you write it.
id: {id}
jurisdiction: {state}
title: <what the proposed rule is called>
regulator: <who would set it>
status: unverified
last_checked: <YYYY-MM-DD>
documentation: >
  <what the proposed rule asks, in a sentence or two>
applies_to:
  - disciplines: [<discipline>]
reference:
  title: <the proposal's title or section>
  href: <https://... where it is published>
  source: <regulation, statute, agency-page, ...>
  confidence: <stated, partial or unconfirmed>

cycles:
  annual:
    label: <the period's name>
    months: 12
    anchor: <YYYY-01-01>

requirements:
  <requirement-id>:
    label: <what people see>
    cycle: annual
    kind: hours
    values:
      - from: <YYYY-MM-DD>
        hours: <hours>
        reference:
          title: <the proposal's section>
          href: <https://...>
          source: <regulation, statute, agency-page, ...>
          confidence: <stated, partial or unconfirmed>
"""


def draft_path(mandate_id: str) -> Path:
    """The file a draft stands for: the shipped one, or the new file it would be."""
    found = shipped(mandate_id)
    if found is not None:
        return Path(found.source)
    _country, state, name = mandate_id.split(".")
    return MANDATES_DIR / "us" / state / f"{name}.yaml"


def load_draft(text: str, mandate_id: str) -> rules.Mandate:
    """The draft as the engine would load it in place of `mandate_id`'s file (or
    beside the state's files, for a new one).

    Raises:
        MandateError: naming the file, the key, what is wrong and how to fix it
            (the loader's own checks, and that the draft stays in its state).
    """
    path = draft_path(mandate_id)
    draft = load_mandate_text(text, path, rules.load_mandates().vocabulary)
    state = mandate_id.split(".")[1].upper()
    if draft.jurisdiction != state:
        raise rules.MandateError(
            f"{display(path)}: `jurisdiction` is {draft.jurisdiction} but this draft "
            f"is of a {state} mandate; keep `jurisdiction: {state}` (a draft "
            "changes one state's rules)."
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
    if draft is not None and all(m.id != draft.id for m in jurisdiction.mandates):
        mandates.append(draft)  # a new file, beside the shipped ones
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


def staff_of(agencies: QuerySet[Agency], today: date) -> QuerySet[Person]:
    """Everyone working at one of `agencies` on `today`: whom a run evaluates."""
    jobs = Employment.objects.current(today).filter(agency__in=agencies)
    return Person.objects.filter(pk__in=jobs.values("person"))


def run(
    state: str,
    draft: rules.Mandate,
    people: QuerySet[Person],
    agencies: QuerySet[Agency],
    year: int,
    today: date,
    progress: Callable[[str], None] = lambda step: None,
) -> dict:
    """The comparison as a run stores it: totals, per agency, and each person
    whose status or hours missing change (see `WhatIfRun.result`). `progress` is
    told each step as it starts (a queued run's page shows it)."""
    progress("Evaluating everyone under the shipped rules")
    before = evaluate_state(state, None, people, year, today)
    progress(f"Evaluating {len(before)} people with the draft")
    after = evaluate_state(state, draft, people, year, today)
    progress("Comparing person by person")
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


class DraftEditError(ValueError):
    """The form's change cannot be written into this draft's text."""


@dataclass(frozen=True)
class DatedValue:
    """A new dated value of one hour requirement, with the reference it rests on."""

    requirement: str
    starts: date
    hours: Decimal
    title: str
    href: str
    source: str
    confidence: str
    note: str = ""

    def lines(self, indent: str) -> list[str]:
        # JSON strings are YAML double-quoted scalars: no text can break the file.
        quoted = json.dumps
        found = [
            f"{indent}- from: {self.starts.isoformat()}\n",
            f"{indent}  hours: {self.hours.normalize():f}\n",
            f"{indent}  reference:\n",
            f"{indent}    title: {quoted(self.title)}\n",
        ]
        if self.href:
            found.append(f"{indent}    href: {quoted(self.href)}\n")
        found += [
            f"{indent}    source: {self.source}\n",
            f"{indent}    confidence: {self.confidence}\n",
        ]
        if self.note:
            found.append(f"{indent}  note: {quoted(self.note)}\n")
        return found


def add_dated_value(text: str, value: DatedValue) -> str:
    """The draft's text with `value` after the requirement's last dated value,
    everything else (comments included) as it was. The loader then checks it.

    Raises:
        DraftEditError: no such requirement under `requirements:`, or its values
            are shared with others through a YAML anchor (edit the YAML then).
    """
    lines = text.splitlines(keepends=True)
    block = _requirement_block(lines, value.requirement)
    start = next((i for i in block if re.match(r"^    values:", lines[i])), None)
    if start is None:
        raise DraftEditError(
            f"`requirements > {value.requirement}` has no `values:` list to add to."
        )
    rest = lines[start].split(":", 1)[1]
    if "*" in rest or "&" in rest:
        raise DraftEditError(
            f"`requirements > {value.requirement} > values` is shared with other "
            "requirements through a YAML anchor, so a value added there would "
            "change them too: edit the YAML to give it a list of its own."
        )
    end, indent = start, "      "
    for i in range(start + 1, block[-1] + 1):
        line = lines[i]
        if line.strip() and not line.startswith("     "):
            break
        if line.strip():
            end = i
            item = re.match(r"^(\s*)- ", line)
            if item and i == start + 1:
                indent = item.group(1)
    return "".join(lines[: end + 1] + value.lines(indent) + lines[end + 1 :])


def _requirement_block(lines: list[str], requirement: str) -> list[int]:
    """Indices of the lines of `requirements > requirement` (its key line first)."""
    top = next(
        (i for i, line in enumerate(lines) if line.rstrip() == "requirements:"), None
    )
    if top is not None:
        key = re.compile(rf"^  {re.escape(requirement)}:\s*(#.*)?$")
        for i in range(top + 1, len(lines)):
            if lines[i].strip() and not lines[i].startswith((" ", "#")):
                break
            if key.match(lines[i].rstrip("\n")):
                found = [i]
                for j in range(i + 1, len(lines)):
                    line = lines[j]
                    if (
                        line.strip()
                        and not line.startswith("   ")
                        and not line.lstrip().startswith("#")
                    ):
                        break
                    found.append(j)
                return found
    raise DraftEditError(f"The draft has no requirement `{requirement}`.")
