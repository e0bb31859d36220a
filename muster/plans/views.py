"""Pages for plans: a person's cheapest plan (docs/plans.md)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from muster.accounts import access
from muster.agencies import compliance
from muster.plans import people
from muster.plans.forms import HourValueForm
from muster.plans.milp import SolverError


@login_required
def person_plan(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        access.people(request.user).prefetch_related(*compliance.EVALUATION_PREFETCH),
        pk=pk,
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
