"""Import and export pages, under /agencies/<code>/: thin over access and actions."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from muster.accounts import access
from muster.agencies import actions as agency_actions
from muster.agencies import compliance
from muster.agencies.compliance.figures import kept_years
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.replica import reads_from_replica
from muster.tabular import TableError
from muster.tabular.escape import csv_bytes
from muster.transfers import actions, exports, pdf
from muster.transfers.columns import VALUES
from muster.transfers.forms import MappingForm, UndoForm, UploadForm
from muster.transfers.models import ImportBatch, ImportKind

EARLIEST_YEAR = 2000
# The preview lists every problem but only this many of the rows that change.
SHOWN_CHANGES = 500
ACTIONS = ("create", "update", "unchanged", "transfer")


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Refuse a huge file before reading it into memory.
        data = upload.read(actions.import_limits().max_bytes + 1)
        try:
            table = actions.read_upload(upload.name, data)
        except TableError as error:
            form.add_error("file", str(error))
        else:
            batch = actions.upload_batch(
                agency, kind, upload.name, data, table.headers, actor=request.user
            )
            return redirect("transfers:mapping", code=agency.code, pk=batch.pk)
    return render(
        request,
        "transfers/upload.html",
        {
            "agency": agency,
            "form": form,
            "kind": ImportKind(kind),
            "columns": actions.KINDS[kind].columns_with_choices(),
        },
    )


@login_required
def import_template(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A CSV with the header row an import reads and one example row."""
    access.writable_agency(request.user, code)
    response = HttpResponse(
        actions.template_csv(kind), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


def _batch(request: HttpRequest, code: str, pk: int) -> ImportBatch:
    return access.import_batch(request.user, code, pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    batch = _batch(request, code, pk)
    if batch.is_applied:
        return redirect("transfers:preview", code=code, pk=pk)
    try:
        table = actions.read_upload(batch.file_name, bytes(batch.content))
    except TableError:
        raise Http404("The stored file cannot be read.") from None
    columns = actions.columns_for(batch)
    initial = {
        k: ("" if v is None else str(v))
        for k, v in batch.mapping.items()
        if k != VALUES
    }
    uses = actions.value_uses(batch, table)
    form = MappingForm(
        request.POST or None,
        columns=columns,
        headers=table.headers,
        uses=[use for use in uses if use.is_translated or not use.value],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        actions.map_columns(batch, form.mapping())
        return redirect("transfers:preview", code=code, pk=pk)
    return render(
        request,
        "transfers/mapping.html",
        {
            "agency": batch.agency,
            "batch": batch,
            "form": form,
            # Each cell with its header, which labels it when the table turns
            # into cards on a phone.
            "sample": [
                list(zip(table.headers, row, strict=False)) for row in table.rows[:3]
            ],
            "headers": table.headers,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    batch = _batch(request, code, pk)
    # Whose shared details this user may change is access's to say.
    kept = partial(access.kept_fields_of, request.user)
    error = ""
    if request.method == "POST" and not batch.is_applied:
        try:
            actions.apply_batch(batch, request.user, kept)
        except ValueError as problem:
            error = str(problem)
        else:
            return redirect("transfers:preview", code=code, pk=pk)
    plan = None if batch.is_applied else actions.plan_batch(batch, kept)
    # Unchanged rows are left out unless they carry a note (a request already sent).
    changes = (
        [p for p in plan.plans if p.action != "unchanged" or p.changes] if plan else []
    )
    return render(
        request,
        "transfers/preview.html",
        {
            "agency": batch.agency,
            "batch": batch,
            "plan": plan,
            "error": error,
            "counts": {a: plan.count(a) for a in ACTIONS} if plan else batch.summary,
            "changes": changes[:SHOWN_CHANGES],
            "translated": plan.translated if plan else [],
            "more_changes": max(0, len(changes) - SHOWN_CHANGES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_undo(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Void, with one reason, every training record an applied import created."""
    batch = _batch(request, code, pk)
    if not batch.is_applied or batch.kind != ImportKind.TRAINING:
        raise Http404("Only a confirmed training import can be undone.")
    records = actions.records_created_by(batch)
    live = records.filter(is_void=False)
    form = UndoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voided = agency_actions.void_records(
            actor=request.user,
            records=list(live),
            reason=f"Import #{batch.pk} undone: {form.cleaned_data['reason']}",
            request=request,
        )
        messages.success(request, f"{voided} imported records are now void.")
        return redirect("transfers:preview", code=code, pk=pk)
    return render(
        request,
        "transfers/undo.html",
        {
            "agency": batch.agency,
            "batch": batch,
            "form": form,
            "live": live.select_related("person")[:SHOWN_CHANGES],
            "live_count": live.count(),
            "void_count": records.filter(is_void=True).count(),
        },
    )


def _year(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return default
    if not raw.isdigit() or not EARLIEST_YEAR <= int(raw) <= default + 1:
        raise Http404("No such year.")
    return int(raw)


def _export(request, agency, name: str, what: str, year: int) -> None:
    record_event(
        Action.EXPORT_DOWNLOAD,
        request=request,
        obj=agency,
        agency_id=agency.pk,
        reason=f"{what} {year} ({name})",
    )


def _csv(header: list[str], rows: list[list[str]], name: str) -> HttpResponse:
    response = HttpResponse(
        csv_bytes(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@reads_from_replica
def compliance_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The report of a year whose standings are stored, at once; an older year
    would evaluate the whole agency, so it is asked for (a form) and made by
    `ask_compliance_export` instead."""
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    year = _year(request, today.year)
    if year not in kept_years(today):
        return render(
            request,
            "transfers/export_ask.html",
            {"agency": agency, "year": year, "fmt": fmt},
        )
    rows = exports.compliance_rows(access.people(request.user), agency, year, today)
    name = f"{agency.code}-compliance-{year}.{fmt}"
    _export(request, agency, name, "Compliance report", year)
    content = exports.compliance_file(
        rows,
        agency,
        year,
        today,
        fmt,
        printed_by=exports.printer_name(request.user),
        printed_at=timezone.localtime(),
    )
    if fmt == "csv":
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return _pdf(content, name)


@login_required
@require_http_methods(["POST"])
def compliance_export_ask(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    fmt = request.POST.get("fmt", "")
    raw = request.POST.get("year", "")
    if fmt not in ("csv", "pdf") or not raw.isdigit():
        raise Http404("No such export.")
    year = int(raw)
    if not EARLIEST_YEAR <= year <= today.year + 1:
        raise Http404("No such year.")
    people = exports.staff(access.people(request.user), agency, today)
    job = actions.ask_compliance_export(
        request.user,
        agency,
        person_ids=list(people.prefetch_related(None).values_list("pk", flat=True)),
        year=year,
        fmt=fmt,
        today=today,
        request=request,
    )
    return redirect("transfers:export-job", code=agency.code, pk=job.pk)


@login_required
def export_job(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Where a queued export is; htmx asks again every 3 seconds (`#job-status`)
    until it is done or failed."""
    job = access.export_job(request.user, code, pk)
    return render(
        request,
        "transfers/export_job.html",
        {"agency": job.agency, "job": job, "pending": not job.is_finished},
    )


@login_required
def export_job_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    job = access.export_job(request.user, code, pk)
    if not job.is_done:
        raise Http404("This export is not ready.")
    _export(request, job.agency, job.file_name, "Compliance report", job.year)
    kind = "text/csv; charset=utf-8" if job.fmt == "csv" else "application/pdf"
    response = HttpResponse(bytes(job.content), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response


@login_required
@reads_from_replica
def tennessee_export(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    year = _year(request, today.year)
    rows = exports.tennessee_rows(access.people(request.user), agency, year, today)
    name = f"{agency.code}-tn-in-service-{year}.csv"
    _export(request, agency, name, "Tennessee in-service completion report", year)
    return _csv(exports.TN_HEADER, rows, name)


@login_required
@reads_from_replica
def missouri_export(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    year = _year(request, today.year)
    rows = exports.missouri_rows(access.people(request.user), agency, year, today)
    name = f"{agency.code}-mo-clee-roster-{year}.csv"
    _export(request, agency, name, "Missouri CLEE roster", year)
    return _csv(exports.MO_HEADER, rows, name)


@login_required
@reads_from_replica
def transcript_export(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    people = exports.staff(access.people(request.user), agency, today)
    person = get_object_or_404(people, pk=pk)
    records = (
        access.records(request.user)
        .filter(person=person)
        .prefetch_related("credit_lines")
        .order_by("completed_on", "pk")
    )
    standings = compliance.standing_for(person, today.year, today)
    name = f"transcript-{person.pk}.pdf"
    record_event(
        Action.EXPORT_DOWNLOAD,
        request=request,
        obj=person,
        agency_id=agency.pk,
        reason=f"Transcript PDF ({name})",
    )
    return _pdf(pdf.transcript(person, records, standings, today, agency=agency), name)


@login_required
def export_list(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    can_import = access.can_write_at(request.user, agency)
    return render(
        request,
        "transfers/exports.html",
        {
            "agency": agency,
            "year": timezone.localdate().year,
            "can_import": can_import,
        },
    )
