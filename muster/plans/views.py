"""Pages for plans: a person's cheapest plan (docs/plans.md)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from muster.accounts import access
from muster.agencies import compliance
from muster.plans import people
from muster.plans.forms import HourValueForm
from muster.plans.milp import SolverError
from muster.tabular.escape import csv_bytes, spreadsheet_value


@login_required
def person_plan(request: HttpRequest, pk: int) -> HttpResponse:
    # Those who follow the person today only: a former employer reads the
    # records it entered, not a plan worked out from the person's whole history.
    person = access.followed_person(
        request.user, pk, prefetch=compliance.EVALUATION_PREFETCH
    )
    form = HourValueForm(request.GET if "hour_value" in request.GET else None)
    today = timezone.localdate()
    standings = compliance.standing_for(person, today.year, today)
    return render(
        request,
        "plans/person.html",
        {
            "person": person,
            "form": form,
            "today": today,
            "person_plan": people.plan_for(person, standings, today, form.value()),
        },
    )


@login_required
def agency_plan(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    form = HourValueForm(request.GET if "hour_value" in request.GET else None)
    today = timezone.localdate()
    try:
        page, problem = people.agency_plan(agency, today, form.value()), ""
    except SolverError as error:
        # Said, not hidden: a plan not proven is not shown as one.
        page, problem = None, f"No plan could be proven in time ({error})."
    return render(
        request,
        "plans/agency.html",
        {
            "agency": agency,
            "form": form,
            "today": today,
            "page": page,
            "problem": problem,
        },
    )


AGENCY_CSV_HEADER = [
    "kind",
    "title_or_name",
    "person_id",
    "badge",
    "date",
    "run",
    "seats_filled",
    "seats",
    "cost",
    "courses_and_classes",
    "still_open",
]


@login_required
def agency_plan_csv(request: HttpRequest, code: str) -> HttpResponse:
    """The agency plan as a spreadsheet: one row per seat-limited class (run it or
    not, seats filled), one per person (what they take, its cost, what stays
    open), for scheduling and rosters."""
    agency = access.get_agency(request.user, code)
    form = HourValueForm(request.GET if "hour_value" in request.GET else None)
    today = timezone.localdate()
    hour = form.value()
    page = people.agency_plan(agency, today, hour)
    rows = [
        ["class", use.option.title, "", "", use.option.on, "yes" if use.run else "no"]
        + [use.seats_used, use.option.seats, use.option.session_cost, "", ""]
        for use in page.plan.classes
    ]
    for person, options, left in page.rows:
        cost = sum((o.cost(hour) for o in options), Decimal(0))
        rows.append(
            ["person", person.get_full_name(), person.pk, person.external_id, ""]
            + ["", "", "", cost.quantize(Decimal("0.01"))]
            + ["; ".join(f"{o.title} ({o.on})" for o in options)]
            + ["; ".join(f"{n.label} ({n.state_period})" for n, _ in left)]
        )
    response = HttpResponse(
        csv_bytes(AGENCY_CSV_HEADER, rows, spreadsheet_value),
        content_type="text/csv; charset=utf-8",
    )
    name = f"training-plan-{agency.code}-{today}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
