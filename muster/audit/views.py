"""The audit trail page: newest entries first, filtered by action or object."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from muster.accounts import access

PAGE_SIZE = 100


@login_required
def trail(request: HttpRequest) -> HttpResponse:
    if not access.can_read_audit(request.user):
        raise Http404("No such page.")
    entries = access.audit_entries(request.user).order_by("-sequence")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action=action)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {
            "page": page,
            "action": action,
            "actions": access.audit_entries(request.user)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct(),
        },
    )
