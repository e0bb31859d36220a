"""Transfer request pages: an agency's incoming and outgoing requests, and the
officer's own. Thin over `access` (who may see and decide) and `actions`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.transfers import actions
from muster.transfers.forms import TransferDecisionForm, WithdrawForm


@login_required
def agency_transfers(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    user = request.user
    incoming = access.incoming_transfers(user).filter(releasing_agency=agency)
    outgoing = access.outgoing_transfers(user).filter(requesting_agency=agency)
    return render(
        request,
        "transfers/transfers.html",
        {
            "agency": agency,
            "incoming": incoming.select_related("person", "requesting_agency"),
            "outgoing": outgoing,
            "can_withdraw": access.can_write_at(user, agency),
            "is_admin": access.is_platform_admin(user),
        },
    )


@require_POST
@login_required
def release_transfer(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The releasing agency's answer (or a platform administrator's)."""
    agency = access.get_agency(request.user, code)
    transfer = access.releasable_transfer(request.user, agency, pk)
    form = TransferDecisionForm(request.POST)
    if form.is_valid():
        if form.approves:
            _decide(request, actions.approve_transfer, transfer, "Transfer approved.")
        else:
            _decide(
                request,
                actions.decline_transfer,
                transfer,
                "Transfer declined.",
                reason=form.cleaned_data["reason"],
            )
    else:
        _form_errors(request, form)
    return redirect("transfers:transfers", code=agency.code)


@require_POST
@login_required
def withdraw_transfer(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    transfer = access.withdrawable_transfer(request.user, agency, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        _decide(
            request,
            actions.withdraw_transfer,
            transfer,
            "Request withdrawn.",
            reason=form.cleaned_data["reason"],
        )
    else:
        _form_errors(request, form)
    return redirect("transfers:transfers", code=agency.code)


@login_required
def my_transfers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "transfers/my_transfers.html",
        {
            "requests": access.own_transfers(request.user).select_related(
                "requesting_agency", "releasing_agency"
            )
        },
    )


@require_POST
@login_required
def answer_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer's own answer: accept (join the agency) or decline."""
    transfer = access.answerable_transfer(request.user, pk)
    form = TransferDecisionForm(request.POST)
    if form.is_valid():
        if form.approves:
            _decide(request, actions.accept_transfer, transfer, "Transfer accepted.")
        else:
            _decide(
                request,
                actions.decline_transfer,
                transfer,
                "Transfer declined.",
                reason=form.cleaned_data["reason"],
            )
    else:
        _form_errors(request, form)
    return redirect("my_transfers:list")


def _decide(request, action, transfer, done: str, **fields) -> None:
    try:
        action(transfer, actor=request.user, request=request, **fields)
    except actions.TransferClosed as closed:
        messages.error(request, str(closed))
    else:
        messages.success(request, done)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
