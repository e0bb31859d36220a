"""Isolation cases for plans (see muster/agencies/tests/isolation_cases.py)."""

from muster.accounts.choices import Role
from muster.plans.models import MandateDraft, WhatIfRun
from muster.plans.whatif import shipped_text
from muster.test import make_user
from muster.tests.isolation import Case

# Auditors write what-if drafts of their own state's rules: no record, standing or
# rule changes (docs/plans.md), so the matrix's "auditors never write" skips them.
AUDITOR_WRITES = {"auditor_writes": "a what-if draft changes no record or rule"}


def _draft(t) -> MandateDraft:
    """A Missouri draft, started by a Missouri auditor (not one of the attackers)."""
    author = make_user(
        f"mo-author-{MandateDraft.objects.count()}", (Role.STATE_AUDITOR, "MO")
    )
    return MandateDraft.objects.create(
        state="MO",
        mandate_id="us.mo.peace_officer",
        title="Charlie Chen's draft",
        text=shipped_text("us.mo.peace_officer"),
        created_by=author,
        changed_by=author,
    )


def _draft_args(t) -> list[dict]:
    draft = _draft(t)
    return [{"state": "mo", "pk": draft.pk}, {"state": "tn", "pk": draft.pk}]


def _run_args(t) -> list[dict]:
    draft = _draft(t)
    run = WhatIfRun.objects.create(
        draft=draft,
        year=2026,
        as_of="2026-06-01",
        text_hash=draft.text_hash,
        ran_by=draft.created_by,
        people=1,
        result={
            "totals": {"people": 1, "status_changes": 0, "affected": 0},
            "agencies": [],
            "requirements": [],
            "changes": [],
        },
    )
    return [
        {"state": "mo", "pk": draft.pk, "run": run.pk},
        {"state": "tn", "pk": draft.pk, "run": run.pk},
    ]


CASES = {
    # Another agency's officer's plan names them and their gaps.
    # It is worked out from every record: a former employer gets 404 too.
    "plans:person": Case(
        lambda t: [{"pk": t.charlie_person.pk}],
        extra={"standing_of": lambda t, person: {"pk": person.pk}},
    ),
    # The agency plan names every person of the agency.
    "plans:agency": Case(lambda t: [{"code": t.other_agency.code}]),
    "plans:agency-csv": Case(lambda t: [{"code": t.other_agency.code}]),
    # A state's drafts of its rules: only that state's auditors.
    "plans:drafts": Case(
        lambda t: [{"state": "mo"}],
        methods=("GET", "POST"),
        data=lambda t: {"new-mandate": "us.mo.peace_officer", "new-title": "Draft"},
        extra=AUDITOR_WRITES,
    ),
    "plans:draft": Case(
        _draft_args,
        methods=("GET", "POST"),
        data=lambda t: {"run": "1", "year": "2026"},
        extra=AUDITOR_WRITES,
    ),
    "plans:new-file": Case(
        lambda t: [{"state": "mo"}],
        methods=("GET", "POST"),
        data=lambda t: {"file_name": "mental_health", "title": "Draft", "text": ""},
        extra=AUDITOR_WRITES,
    ),
    "plans:draft-yaml": Case(_draft_args),
    "plans:run": Case(_run_args),
    "plans:run-csv": Case(_run_args),
    "plans:run-chart": Case(_run_args),
}
