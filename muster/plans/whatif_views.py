"""Pages of a what-if: a state's drafts of rule changes, a draft's editor, and
its runs with their chart and CSV report (docs/plans.md, "What-if").

Only the state's auditors (and platform administrators) reach them, through
`access.mandate_drafts`; a draft never changes a rule, a record or a standing.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from muster import rules
from muster.accounts import access
from muster.agencies.choices import State
from muster.agencies.compliance.figures import kept_years
from muster.plans import actions, whatif
from muster.plans.forms import (
    DatedValueForm,
    DraftForm,
    NewDraftForm,
    NewFileForm,
    RunForm,
)
from muster.plans.models import RunStatus
from muster.rules import MandateError
from muster.state import charts
from muster.tabular.escape import csv_bytes, spreadsheet_value

CHARTED = 25
CSV_HEADER = [
    "kind",
    "agency_code",
    "agency",
    "person_id",
    "name",
    "badge",
    "people",
    "status_changes",
    "status_before",
    "status_after",
    "hours_missing_before",
    "hours_missing_after",
    "hours_more",
]


@login_required
def drafts(request: HttpRequest, state: str) -> HttpResponse:
    code = access.audited_state(request.user, state)
    found = access.mandate_drafts(request.user, code).select_related("changed_by")
    form = NewDraftForm(
        request.POST or None, mandates=whatif.state_mandates(code), prefix="new"
    )
    if request.method == "POST" and form.is_valid():
        mandate_id = form.cleaned_data["mandate"]
        draft = actions.save_draft(
            request.user,
            state=code,
            mandate_id=mandate_id,
            title=form.cleaned_data["title"],
            text=whatif.shipped_text(mandate_id),
            request=request,
        )
        return redirect(draft)
    return render(
        request,
        "plans/drafts.html",
        {"state": code, "state_name": State(code).label, "drafts": found, "form": form},
    )


@login_required
def new_file(request: HttpRequest, state: str) -> HttpResponse:
    """A draft of a new mandate file of the state, saved once the loader accepts it."""
    code = access.audited_state(request.user, state)
    if code not in rules.load_mandates().jurisdictions:
        raise Http404("This state has no rules encoded to add a file beside.")
    form = NewFileForm(request.POST or None, state=code)
    if request.method == "POST" and form.is_valid():
        draft = actions.save_draft(
            request.user,
            state=code,
            mandate_id=form.mandate_id(),
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            request=request,
        )
        messages.success(request, "Draft saved; the shipped rules are unchanged.")
        return redirect(draft)
    return render(
        request,
        "plans/new_file.html",
        {"state": code, "state_name": State(code).label, "form": form},
    )


@login_required
def draft(request: HttpRequest, state: str, pk: int) -> HttpResponse:
    code = access.audited_state(request.user, state)
    found = access.mandate_draft(request.user, code, pk)
    posted = request.POST if request.method == "POST" else None
    # Which of the page's three forms was sent: evaluate, add a value, or save.
    sent = next((k for k in ("run", "add_value") if posted and k in posted), "save")
    form = DraftForm(
        posted if sent == "save" else None,
        initial={"title": found.title, "text": found.text},
        mandate_id=found.mandate_id,
    )
    run_form = RunForm(
        posted if sent == "run" else None,
        years=kept_years(),
        initial={"year": timezone.localdate().year},
    )
    value_form = DatedValueForm(
        posted if sent == "add_value" else None,
        requirements=_hour_requirements(found),
        prefix="value",
    )
    if posted and sent == "save" and form.is_valid():
        actions.save_draft(
            request.user,
            state=code,
            mandate_id=found.mandate_id,
            draft=found,
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, "Draft saved; the shipped rules are unchanged.")
        return redirect(found)
    if sent == "add_value" and value_form.is_valid():
        try:
            text = whatif.add_dated_value(found.text, value_form.value())
            actions.save_draft(
                request.user,
                state=code,
                mandate_id=found.mandate_id,
                draft=found,
                title=found.title,
                text=text,
                request=request,
            )
        except (MandateError, whatif.DraftEditError) as error:
            value_form.add_error(None, str(error))
        else:
            messages.success(
                request, "Value added to the draft; the shipped rules are unchanged."
            )
            return redirect(found)
    if sent == "run" and run_form.is_valid():
        try:
            run = actions.ask_what_if(
                request.user,
                found,
                agencies=access.state_agencies(request.user, code),
                year=run_form.cleaned_data["year"],
                today=timezone.localdate(),
                request=request,
            )
        except MandateError as error:
            messages.error(request, str(error))
            return redirect(found)
        return redirect("plans:run", state=code.lower(), pk=found.pk, run=run.pk)
    return render(
        request,
        "plans/draft.html",
        {
            "state": code,
            "state_name": State(code).label,
            "draft": found,
            "form": form,
            "run_form": run_form,
            "value_form": value_form,
            "is_new_file": whatif.shipped(found.mandate_id) is None,
            "runs": found.runs.select_related("ran_by")[:20],
        },
    )


def _hour_requirements(found) -> list:
    """The hour requirements of the draft as saved (it always loads when saved)."""
    try:
        mandate = whatif.load_draft(found.text, found.mandate_id)
    except MandateError:
        return []  # the rules files changed under it; the YAML form says why
    return [r for r in mandate.requirements if r.kind == "hours"]


@login_required
def draft_yaml(request: HttpRequest, state: str, pk: int) -> HttpResponse:
    found = access.mandate_draft(request.user, state, pk)
    response = HttpResponse(found.text, content_type="application/yaml; charset=utf-8")
    name = found.mandate_id.split(".")[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response


def _people(request, code: str, result: dict) -> dict:
    ids = [change["person"] for change in result["changes"]]
    visible = access.state_people(request.user, code).filter(pk__in=ids)
    return {p.pk: p for p in visible}


def _hours(text: str) -> Decimal:
    return Decimal(text)


@login_required
def run(request: HttpRequest, state: str, pk: int, run: int) -> HttpResponse:
    code = access.audited_state(request.user, state)
    found = access.what_if_run(request.user, code, pk, run)
    if request.headers.get("HX-Request") and found.status not in _PENDING:
        # The waiting page asked again and the run has ended: show it whole.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if not found.is_done:
        return _waiting(request, code, found)
    result = found.result
    people = _people(request, code, result)
    agencies = result["agencies"]
    changes = [
        {**change, "who": people[change["person"]], "more": _more(change)}
        for change in result["changes"]
        if change["person"] in people
    ]
    totals = result["totals"]
    charted = _charted(agencies)
    return render(
        request,
        "plans/run.html",
        {
            "state": code,
            "state_name": State(code).label,
            "draft": found.draft,
            "run": found,
            "totals": totals,
            "more": _hours(totals["hours_after"]) - _hours(totals["hours_before"]),
            "agencies": [{**a, "more": _more(a)} for a in agencies],
            "requirements": [{**r, "more": _more(r)} for r in result["requirements"]],
            "status_changes": [c for c in changes if c["before"] != c["after"]],
            "hour_changes": [c for c in changes if c["before"] == c["after"]],
            "hidden": len(result["changes"]) - len(changes),
            "is_current": found.text_hash == found.draft.text_hash,
            "charted": len(charted),
            "chart": _chart(found, charted),
        },
    )


def _charted(agencies: list[dict]) -> list[dict]:
    """The agencies the draft changes most: the chart's, the table has them all."""
    moved = [a for a in agencies if _more(a) or a["status_changes"]]
    return sorted(moved, key=lambda a: (-_more(a), a["name"]))[:CHARTED]


def _chart(found, charted: list[dict]):
    return charts.bar_chart(
        f"Hours missing per agency, {found.year}: shipped rules and draft",
        [a["name"] for a in charted],
        [
            charts.Series(
                "Shipped rules", [_hours(a["hours_before"]) for a in charted]
            ),
            charts.Series(
                "With the draft", [_hours(a["hours_after"]) for a in charted]
            ),
        ],
        table_id="run-agencies",
        unit="h",
    )


def _waiting(request: HttpRequest, code: str, found) -> HttpResponse:
    """A run not done yet: where it is (the page asks again every few seconds and
    reloads itself when the figures are in), or why it failed."""
    return render(
        request,
        "plans/run_waiting.html",
        {
            "state": code,
            "state_name": State(code).label,
            "draft": found.draft,
            "run": found,
            "pending": found.status in _PENDING,
        },
    )


_PENDING = (RunStatus.QUEUED, RunStatus.RUNNING)


def _done_run(request: HttpRequest, state: str, pk: int, run: int):
    code = access.audited_state(request.user, state)
    found = access.what_if_run(request.user, code, pk, run)
    if not found.is_done:
        raise Http404("The run has not finished.")
    return code, found


@login_required
def run_chart(request: HttpRequest, state: str, pk: int, run: int) -> HttpResponse:
    """The run's chart as an SVG file, for a report or a slide."""
    _code, found = _done_run(request, state, pk, run)
    chart = _chart(found, _charted(found.result["agencies"]))
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + chart,
        content_type="image/svg+xml; charset=utf-8",
    )
    name = f"what-if-{found.draft.state.lower()}-{found.draft.pk}-run-{found.pk}.svg"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _more(row: dict) -> Decimal:
    before = row.get("hours_before", row.get("before"))
    after = row.get("hours_after", row.get("after"))
    return (_hours(after) - _hours(before)).quantize(Decimal("0.01"))


@login_required
def run_csv(request: HttpRequest, state: str, pk: int, run: int) -> HttpResponse:
    code, found = _done_run(request, state, pk, run)
    result = found.result
    people = _people(request, code, result)
    codes = {a["id"]: a for a in result["agencies"]}
    totals = result["totals"]
    rows = [
        ["state", "", code, "", "", "", totals["people"], totals["status_changes"]]
        + ["", "", totals["hours_before"], totals["hours_after"], _more(totals)]
    ]
    rows += [
        ["agency", a["code"], a["name"], "", "", "", a["people"], a["status_changes"]]
        + ["", "", a["hours_before"], a["hours_after"], _more(a)]
        for a in result["agencies"]
    ]
    for change in result["changes"]:
        person = people.get(change["person"])
        if person is None:
            continue
        where = [codes[i] for i in change["agencies"] if i in codes]
        rows.append(
            [
                "person",
                " ".join(a["code"] for a in where),
                "; ".join(a["name"] for a in where),
                person.pk,
                person.get_full_name(),
                person.external_id,
                "",
                "",
                change["before"],
                change["after"],
                change["hours_before"],
                change["hours_after"],
                _more(change),
            ]
        )
    response = HttpResponse(
        csv_bytes(CSV_HEADER, rows, spreadsheet_value),
        content_type="text/csv; charset=utf-8",
    )
    name = f"what-if-{code.lower()}-{found.draft.pk}-{found.year}-run-{found.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
