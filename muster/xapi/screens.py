"""The coordinator's xAPI page: clients, activities to map, forwarding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.xapi import actions
from muster.xapi.forms import ClientForm, ForwardForm, MappingForm


def _page(request, agency, **forms):
    target = access.lrs_forward_target(agency)
    context = {
        "agency": agency,
        "clients": access.lrs_clients(agency).order_by("revoked_at", "name"),
        "mappings": access.activity_mappings(agency).prefetch_related("completions"),
        "client_form": forms.get("client_form") or ClientForm(),
        "forward_form": forms.get("forward_form")
        or ForwardForm(
            initial={
                "endpoint": target.endpoint,
                "username": target.username,
                "is_active": target.is_active,
            }
            if target
            else None
        ),
        "target": target,
        "new_secret": forms.get("new_secret"),
    }
    return render(request, "xapi/agency.html", context)


@login_required
def agency_page(request, code):
    agency = access.lrs_managed_agency(request.user, code)
    return _page(request, agency)


@login_required
@require_POST
def client_new(request, code):
    agency = access.lrs_managed_agency(request.user, code)
    form = ClientForm(request.POST)
    if not form.is_valid():
        return _page(request, agency, client_form=form)
    client, secret = actions.create_client(
        actor=request.user,
        agency=agency,
        name=form.cleaned_data["name"],
        request=request,
    )
    return _page(request, agency, new_secret={"client": client, "secret": secret})


@login_required
@require_POST
def client_revoke(request, code, pk):
    agency = access.lrs_managed_agency(request.user, code)
    client = access.lrs_clients(agency).filter(pk=pk, revoked_at__isnull=True).first()
    if client is None:
        raise Http404("No such client.")
    actions.revoke_client(actor=request.user, client=client, request=request)
    messages.success(request, f"{client.name} can no longer use the LRS.")
    return redirect("xapi-screens:agency", code=agency.code)


@login_required
def mapping(request, code, pk):
    agency = access.lrs_managed_agency(request.user, code)
    row = access.activity_mappings(agency).filter(pk=pk).first()
    if row is None:
        raise Http404("No such activity.")
    courses = access.catalog_courses(request.user)
    form = MappingForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        made = actions.map_activity(
            actor=request.user,
            mapping=row,
            course=form.cleaned_data["course"],
            hours=form.cleaned_data["hours"],
            area=form.cleaned_data["area"],
            topics=form.cleaned_data["topic_list"],
            request=request,
        )
        messages.success(request, f"Mapped; {made} training record(s) made.")
        return redirect("xapi-screens:agency", code=agency.code)
    return render(
        request, "xapi/mapping.html", {"agency": agency, "mapping": row, "form": form}
    )


@login_required
@require_POST
def forwarding(request, code):
    agency = access.lrs_managed_agency(request.user, code)
    form = ForwardForm(request.POST)
    if not form.is_valid():
        return _page(request, agency, forward_form=form)
    actions.set_forwarding(
        actor=request.user, agency=agency, request=request, **form.cleaned_data
    )
    messages.success(request, "Forwarding saved.")
    return redirect("xapi-screens:agency", code=agency.code)
