"""The audit trail page and its CSV export, for those who may read the trail."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from muster.accounts import access
from muster.audit.choices import Action
from muster.audit.filters import TrailFilter
from muster.audit.log import record_event

PAGE_SIZE = 100
HEADER = ["#", "When (UTC)", "Who", "Action", "What", "Agency", "From", "Reason"]


def _filtered(request: HttpRequest):
    """The entries the user may read, narrowed by the request's filters."""
    if not access.can_read_audit(request.user):
        raise Http404("No such page.")
    form = TrailFilter(request.GET or None)
    person = None
    if form.is_valid() and form.cleaned_data.get("person"):
        person = get_object_or_404(
            access.people(request.user), pk=form.cleaned_data["person"]
        )
    entries = form.apply(access.audit_entries(request.user), person)
    return form, person, entries.order_by("-sequence")


@login_required
def trail(request: HttpRequest) -> HttpResponse:
    form, person, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/trail.html",
        {"page": page, "form": form, "person": person, "query": form.query()},
    )


@login_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    form, person, entries = _filtered(request)
    name = f"audit-trail-{timezone.localdate():%Y-%m-%d}.csv"
    # The export itself is on the trail: who took which entries out, and when.
    record_event(
        Action.AUDIT_EXPORT,
        request=request,
        reason=f"Audit trail CSV ({name}) {form.query() or 'all entries'}"[:500],
    )
    agencies = access.agency_names(request.user)
    rows = (_row(e, agencies) for e in entries.iterator(chunk_size=2000))
    response = StreamingHttpResponse(
        _csv_lines([HEADER], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _row(entry, agencies: dict[int, str]) -> list[str]:
    return [
        str(entry.sequence),
        entry.at.strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_name,
        entry.action_label,
        entry.object_label,
        agencies.get(entry.agency_id, ""),
        entry.ip_address or "",
        entry.reason,
    ]


class _Line:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(*groups):
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield "\ufeff"
    for group in groups:
        for row in group:
            yield writer.writerow([formula_safe(cell) for cell in row])


def formula_safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
