"""Pages for coordinators: everyone's standing at a glance, and one person in detail."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from muster.agencies import compliance
from muster.agencies.models import Person

EARLIEST_YEAR = 2000


def _people():
    return Person.objects.prefetch_related(
        "licenses", "exemptions", "qualifications", "training_records__credit_lines"
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = compliance.overview(_people(), today.year, today)
    return render(
        request,
        "agencies/home.html",
        {
            "rows": rows,
            "today": today,
            "year": today.year,
            "previous_year": today.year - 1,
            "counts": compliance.count_statuses(row.current for row in rows),
            "warnings": compliance.warnings_in(row.current for row in rows),
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(_people(), pk=pk)
    today = timezone.localdate()
    year = _year_param(request, today.year)
    standings = compliance.standing_for(person, year, today)
    return render(
        request,
        "agencies/person_detail.html",
        {
            "person": person,
            "today": today,
            "year": year,
            "years": range(today.year, max(EARLIEST_YEAR, today.year - 7) - 1, -1),
            "standings": standings,
            "warnings": compliance.warnings_in(standings),
            "records": [
                r for r in person.training_records.all() if r.is_for_year(year)
            ],
            "exemptions": person.exemptions.all(),
        },
    )


def _year_param(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return default
    if not raw.isdigit() or not EARLIEST_YEAR <= int(raw) <= default + 1:
        raise Http404("No such year.")
    return int(raw)
