"""A state auditor's pages: every agency of the state from stored standings, and
an agency's audit packet (docs/state.md). Read-only; nothing is evaluated here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from muster.accounts import access
from muster.agencies.choices import State
from muster.agencies.compliance.figures import kept_years
from muster.audit import checkpoints
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.audit.verify import verify
from muster.state import charts, packet
from muster.state import overview as reading

AT_RISK_SHOWN = 25
# The chart shows the agencies with the lowest compliance; the table, every one.
CHARTED = 25
AT_RISK_PAGE = 100


def _year(request: HttpRequest, years: list[int], default: int) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) not in years:
        raise Http404("Standings are kept for the years offered on the page.")
    return int(raw)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    states = access.audited_states(request.user)
    if len(states) == 1:
        return redirect("state:overview", state=states[0].lower())
    return render(
        request,
        "state/index.html",
        {"states": [(code, State(code).label) for code in states]},
    )


@login_required
def overview(request: HttpRequest, state: str) -> HttpResponse:
    code = access.audited_state(request.user, state)
    agencies = access.state_agencies(request.user, code)
    today = timezone.localdate()
    years = kept_years(today)
    year = _year(request, years, today.year)
    lines = reading.agency_lines(agencies, year, today)
    past = [y for y in years if y <= today.year]
    trend = reading.trends(access.state_people(request.user, code), past, today)
    summaries, at_risk_lines = reading.losing_certification(agencies, year, today)
    return render(
        request,
        "state/overview.html",
        {
            "state": code,
            "state_name": State(code).label,
            "today": today,
            "year": year,
            "years": years,
            "lines": lines,
            "charted": min(len(lines), CHARTED),
            "silent": [line for line in lines if not line.has_reported],
            "trend": trend,
            "trend_chart": charts.line_chart(
                f"{State(code).label}: percent compliant per year",
                [str(y.year) for y in trend],
                [y.percent for y in trend],
                table_id="trend-table",
            ),
            "agency_chart": charts.bar_chart(
                f"{State(code).label} {year}: percent compliant per agency",
                [line.agency.name for line in lines[:CHARTED]],
                [
                    charts.Series(
                        "Compliant (%)", [line.percent or 0 for line in lines[:CHARTED]]
                    )
                ],
                table_id="agency-table",
                unit="%",
            ),
            "at_risk": at_risk_lines(summaries[:AT_RISK_SHOWN]),
            "at_risk_count": summaries.count(),
            "due_soon_days": reading.DUE_SOON_DAYS,
        },
    )


@login_required
def losing_certification(request: HttpRequest, state: str) -> HttpResponse:
    code = access.audited_state(request.user, state)
    agencies = access.state_agencies(request.user, code)
    today = timezone.localdate()
    years = kept_years(today)
    year = _year(request, years, today.year)
    summaries, lines = reading.losing_certification(agencies, year, today)
    page = Paginator(summaries, AT_RISK_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "state/at_risk.html",
        {
            "state": code,
            "state_name": State(code).label,
            "today": today,
            "year": year,
            "page": page,
            "lines": lines(list(page.object_list)),
            "due_soon_days": reading.DUE_SOON_DAYS,
        },
    )


@login_required
def audit_packet(request: HttpRequest, state: str, code: str) -> FileResponse:
    agency = access.state_agency(request.user, state, code)
    user = request.user
    records = list(
        access.agency_records(user, agency)
        .select_related("person", "agency")
        .prefetch_related("credit_lines", "evidence")
        .order_by("completed_on", "pk")
    )
    qualifications = list(access.agency_qualifications(user, agency).order_by("pk"))
    exemptions = list(access.agency_exemptions(user, agency).order_by("pk"))
    name = f"{agency.code}-audit-packet-{timezone.localdate():%Y-%m-%d}.zip"
    with transaction.atomic():
        # Before the checkpoint, so that the packet's checkpoint covers its own
        # download: the export is on the trail it certifies.
        record_event(
            Action.EXPORT_DOWNLOAD,
            request=request,
            obj=agency,
            agency_id=agency.pk,
            reason=f"Audit packet ({name}): {len(records)} training records",
        )
    histories = {
        "agencies.TrainingRecord": access.history(user, records),
        "agencies.Qualification": access.history(user, qualifications),
        "agencies.Exemption": access.history(user, exemptions),
    }
    contents = packet.Contents(
        agency=agency,
        records=records,
        qualifications=qualifications,
        exemptions=exemptions,
        histories=histories,
        checkpoint=checkpoints.current(),
        report=verify(),
        generated_by=user.get_username(),
        generated_at=timezone.now().isoformat(),
    )
    return FileResponse(
        packet.build(contents),
        as_attachment=True,
        filename=name,
        content_type="application/zip",
    )
