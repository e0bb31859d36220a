"""Pages for coordinators, heads, auditors and officers.

Each view loads rows only through `muster.accounts.access`, checks what the user
may do, calls one function from `actions` and renders. Reading is open to every
role that can see the rows; writing needs a coordinator of a current employer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.agencies import actions, compliance, forms
from muster.agencies.choices import Approval
from muster.agencies.compliance import recording
from muster.agencies.compliance.figures import kept_years
from muster.agencies.models import EARLIEST_DAY, TrainingRecord
from muster.plans import people as plans
from muster.reminders import notify
from muster.transfers import pdf

# Every year a record may be dated in has a page, so every transcript link works.
EARLIEST_YEAR = EARLIEST_DAY.year
PAGE_SIZE = 50
STATUS_FILTERS = (
    "deficient",
    "at-risk",
    "on-track",
    "not-encoded",
    "compliant",
    "exempt",
)
SORT_CHOICES = (
    ("status", "Status, worst first"),
    ("due", "Due date, nearest first"),
    ("name", "Name"),
    ("missing", "Hours missing, most first"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    agencies = access.readable_agencies(request.user)
    if agencies.count() == 1 and not request.user.person_id:
        return redirect("agencies:dashboard", code=agencies.get().code)
    person_plan, standings = None, []
    if request.user.person_id:
        today = timezone.localdate()
        evaluable = _evaluable(request.user.person)
        standings = compliance.standing_for(evaluable, today.year, today)
        person_plan = plans.plan_for(evaluable, standings, today)
    return render(
        request,
        "agencies/home.html",
        {
            "agencies": agencies,
            "person_plan": person_plan,
            "standings": [
                (s, [(m, compliance.gaps_in_words(m)) for m in s.mandates])
                for s in standings
            ],
            "can_author": access.can_author(request.user),
            "audited_states": access.audited_states(request.user),
        },
    )


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """The agency's staff and their stored standings: searched, filtered, sorted
    and paged in SQL (`compliance.board`); nothing is evaluated here."""
    agency = access.get_agency(request.user, code)
    today = timezone.localdate()
    years = kept_years(today)
    year = _year_param(request, today.year)
    if year not in years:
        raise Http404("Standings are kept for the years offered on the dashboard.")
    chosen = compliance.Filters.from_query(request.GET)
    fragment = bool(request.headers.get("HX-Request"))
    board = compliance.standings_for_agency(
        agency, year, chosen, today, request.GET.get("page"), choices=not fragment
    )
    context = {
        "agency": agency,
        "board": board,
        "glance": board.at_a_glance(),
        "count_links": [
            (status, number)
            for status, number in board.tally.items()
            if number and status in STATUS_FILTERS
        ],
        "not_evaluated": board.not_evaluated,
        "page": board.page,
        "rows": board.rows,
        "chosen": chosen,
        "query": _query_without_page(request),
        "statuses": STATUS_FILTERS,
        "sorts": SORT_CHOICES,
        "years": years,
        "year": year,
        "mandates": board.mandates,
        "units": board.units,
        "disciplines": board.disciplines,
        "today": today,
    }
    if fragment:  # the board alone: no actions, counts or filter choices
        return render(request, "agencies/_board.html", context)
    context["can_write"] = access.can_write_at(request.user, agency)
    context["pending"] = _pending_count(request.user, agency)
    return render(request, "agencies/dashboard.html", context)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _pending_count(user, agency) -> int:
    """The records and proposed exemptions waiting for approval, counted in one
    query (a UNION ALL of the two, each as the user may read it)."""
    records = access.records(user).filter(
        approval=Approval.PENDING, agency=agency, is_void=False
    )
    proposals = access.exemptions(user).filter(approval=Approval.PENDING, agency=agency)
    return (
        records.order_by()
        .values("pk")
        .union(proposals.order_by().values("pk"), all=True)
        .count()
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's standings with every line explained, their transcript, and
    their records of one year a page at a time (searchable). Lines from other
    periods are explained on request (`lines=all`, which htmx asks for when their
    list is opened), being most of a long history.

    Every record the user reads is read once, as plain rows (`read_history`):
    that gives the engine its lines and the transcript its totals; only the page
    of records shown is read in full, so the queries do not grow with the
    history. An htmx request for another page of records renders that list only.
    """
    person = access.readable_person(
        request.user, pk, prefetch=["licenses", "exemptions", "qualifications"]
    )
    today = timezone.localdate()
    year = _year_param(request, today.year)
    readable = access.records(request.user).filter(person=person)
    records = _records_page(request, person, readable, year)
    if request.headers.get("HX-Target") == "records-list":
        return render(request, "agencies/_person_records.html", records)
    history = compliance.read_history(readable)
    # A former employer is not shown the dates of the person's later career.
    follows_today = access.follows_today(request.user, person)
    sees_all = access.reads_every_record(
        request.user, person, history.record_count, follows=follows_today
    )
    standings = (
        compliance.standing_for(person, year, today, record_lines=history.lines)
        if sees_all
        else []
    )
    return render(
        request,
        "agencies/person_detail.html",
        {
            **records,
            "today": today,
            "years": range(today.year, max(EARLIEST_YEAR, today.year - 7) - 1, -1),
            "sees_all": sees_all,
            "follows_today": follows_today,
            "all_lines": request.GET.get("lines") == "all",
            "standings": [
                (s, [(m, compliance.gaps_in_words(m)) for m in s.mandates])
                for s in standings
            ],
            "warnings": compliance.warnings_in(standings),
            # A plan is for the year still open, not for a past one.
            "person_plan": plans.plan_for(
                person, standings, today, record_lines=history.lines
            )
            if year == today.year
            else None,
            "transcript": history.transcript,
            "qualifications": _qualifications(request.user, person),
            "exemptions": access.exemptions(request.user).filter(person=person),
            "writable_agencies": access.employers_writable(request.user, person),
            "transcript_agencies": access.employers_readable(request.user, person),
            "is_self": request.user.person_id == person.pk,
        },
    )


RECORDS_PER_PAGE = 25


def _records_page(request, person, readable, year: int) -> dict:
    """The page of the year's records asked for (searched by `q`), each with its
    lines, evidence, audit history and whether the user may edit it."""
    search = request.GET.get("q", "").strip()
    shown = readable.for_year(year).matching(search)
    # Into plain lists (`to_attr`): a related manager's cache would build a
    # queryset per record and relation, most of the list's time (issue 9).
    shown = shown.prefetch_related(
        Prefetch("credit_lines", to_attr="shown_lines"),
        Prefetch("evidence", to_attr="shown_evidence"),
    )
    # The officer's own records offer the badge of the online course behind
    # them; a certificate's code opens its badge to anyone, so others' pages
    # do not show it.
    own = request.user.person_id == person.pk
    if own:
        shown = shown.select_related("enrollment__certificate")
    page = Paginator(shown, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    records = list(page.object_list)
    editable = set(
        access.editable_records(request.user)
        .filter(pk__in=[record.pk for record in records])
        .values_list("pk", flat=True)
    )
    histories = access.history(request.user, records)
    correct_url = _url_for_each("agencies:training-correct")
    void_url = _url_for_each("agencies:training-void")
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "person": person,
        "year": year,
        "records": [
            RecordRow(
                record,
                histories.get(str(record.pk), []),
                record.pk in editable,
                correct_url(record.pk),
                void_url(record.pk),
                _certificate_code(record) if own else "",
            )
            for record in records
        ],
        "records_page": page,
        "search": search,
        "records_query": query.urlencode(),
    }


def _certificate_code(record: TrainingRecord) -> str:
    """The code of the certificate of the online course that made `record`, or
    "" (a record entered by hand has neither enrollment nor certificate)."""
    enrollment = getattr(record, "enrollment", None)
    certificate = getattr(enrollment, "certificate", None)
    return certificate.code if certificate is not None else ""


@dataclass(frozen=True)
class RecordRow:
    """One record of the person page's list, with what its card shows."""

    record: TrainingRecord
    history: list
    editable: bool
    correct_url: str
    void_url: str
    certificate_code: str = ""

    @property
    def lines(self) -> list:
        return self.record.shown_lines

    @property
    def evidence(self) -> list:
        return self.record.shown_evidence

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.record.shown_lines), Decimal(0))


def _url_for_each(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for any pk, at the cost of one `reverse`: the
    URL is reversed once with a marker for the pk, which each call replaces (a
    page of 25 records reversed 50 URLs in its template, a quarter of the list's
    rendering)."""
    marker = 999_999_999_999_999_999
    pattern = reverse(name, args=[marker])
    return lambda pk: pattern.replace(str(marker), str(int(pk)))


def _qualifications(user, person) -> list[tuple]:
    """Each readable qualification with its history and whether the user may edit it."""
    editable = set(
        access.editable_qualifications(user)
        .filter(person=person, agency__isnull=False)
        .values_list("pk", flat=True)
    )
    readable = access.qualifications(user).filter(person=person)
    return _with_history(user, list(readable.select_related("agency")), editable)


def _with_history(user, rows: list, editable: set[int]) -> list[tuple]:
    """Each row with its audit history, oldest first, and whether it is editable."""
    histories = access.history(user, rows)
    return [(row, histories.get(str(row.pk), []), row.pk in editable) for row in rows]


def _evaluable(person):
    """The person (already read through `access`) with every row the engine needs."""
    prefetch_related_objects([person], *compliance.EVALUATION_PREFETCH)
    return person


def _year_param(request: HttpRequest, default: int) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return default
    if not raw.isdigit() or not EARLIEST_YEAR <= int(raw) <= default + 1:
        raise Http404("No such year.")
    return int(raw)


# Writing ---------------------------------------------------------------------


@login_required
def record_training(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    person = access.staff_member(request.user, agency, pk)
    form = forms.TrainingForm(
        request.POST or None, request.FILES or None, person=person
    )
    lines = forms.line_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            actions.record_training(
                actor=request.user,
                person=person,
                agency=agency,
                fields=form.record_fields(),
                lines=lines.lines(),
                files=_files(form.cleaned_data.get("evidence")),
                request=request,
            )
        except actions.DuplicateTraining as duplicate:
            form.add_error(None, str(duplicate))
        else:
            messages.success(request, f"Training saved for {person}.")
            return redirect(person)
    return render(
        request,
        "agencies/training_form.html",
        {
            "form": form,
            "lines": lines,
            "person": person,
            "agency": agency,
            "counts_url": reverse("agencies:counts-toward", args=[person.pk]),
        },
    )


@login_required
def record_class(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    roster = access.staff(request.user, agency)
    form = forms.ClassForm(request.POST or None, request.FILES or None, roster=roster)
    lines = forms.line_formset(request.POST or None)
    valid = request.method == "POST" and form.is_valid() and lines.is_valid()
    if valid and "confirm" not in request.POST and "edit" not in request.POST:
        # A class writes one legal record per person ticked: show who, first.
        return _review_class(request, agency, form, lines)
    if valid and "confirm" in request.POST:
        try:
            created = actions.record_class(
                actor=request.user,
                agency=agency,
                people=list(form.cleaned_data["attendees"]),
                fields=form.record_fields(),
                lines=lines.lines(),
                sheet=form.cleaned_data.get("sheet"),
                request=request,
            )
        except actions.DuplicateTraining as duplicate:
            form.add_error(None, f"Nothing was saved. {duplicate}")
        else:
            messages.success(request, f"Class saved for {len(created)} attendees.")
            return redirect("agencies:dashboard", code=agency.code)
    return render(
        request,
        "agencies/class_form.html",
        {
            "form": form,
            "lines": lines,
            "agency": agency,
            "counts_url": reverse("agencies:class-counts-toward", args=[agency.code]),
        },
    )


@require_POST
@login_required
def counts_toward(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: what each credit line being typed for the person would count toward.

    Asked only by those who may record for the person: their coordinators, or
    the officer reporting their own training.
    """
    person = access.recordable_person(request.user, pk)
    mandates = recording.mandates_of([person])
    return _counts_toward(request, mandates, for_whom=person.get_full_name())


@require_POST
@login_required
def class_counts_toward(request: HttpRequest, code: str) -> HttpResponse:
    """htmx: the same for a class, under the mandates of the people ticked (or of
    the agency's staff in general while nobody is)."""
    agency = access.writable_agency(request.user, code)
    roster = access.staff(request.user, agency)
    ticked = roster.filter(pk__in=_ids(request.POST.getlist("attendees")))
    people = ticked if ticked.exists() else roster
    licenses = access.licenses_of(people)
    mandates = recording.mandates_of_licenses(licenses)
    who = "the people ticked" if people is ticked else f"{agency.name}'s staff"
    return _counts_toward(request, mandates, for_whom=who)


def _counts_toward(request, mandates, for_whom: str) -> HttpResponse:
    return render(
        request,
        "agencies/_counts_toward.html",
        {
            "for_whom": for_whom,
            "lines": [
                (number, draft, recording.counts_toward(mandates, draft))
                for number, draft in forms.line_drafts(request.POST)
            ],
        },
    )


def _ids(values) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


# What the review step carries back unchanged; the sheet is attached on it.
NOT_CARRIED = ("csrfmiddlewaretoken", "confirm", "sheet")


def _review_class(request, agency, form, lines) -> HttpResponse:
    """The names ticked and what each will get, to confirm before saving."""
    carried = [
        (name, values)
        for name, values in request.POST.lists()
        if name not in NOT_CARRIED
    ]
    return render(
        request,
        "agencies/class_review.html",
        {
            "agency": agency,
            "form": form,
            "people": form.cleaned_data["attendees"],
            "lines": lines.lines(),
            "carried": carried,
        },
    )


@login_required
def correct_training(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        access.editable_records(request.user).filter(is_void=False), pk=pk
    )
    form = forms.CorrectionForm(
        request.POST or None,
        request.FILES or None,
        instance=record,
        person=record.person,
    )
    lines = forms.line_formset(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            actions.correct_training(
                actor=request.user,
                record=record,
                fields=form.record_fields(),
                lines=lines.lines(),
                reason=form.cleaned_data["reason"],
                files=_files(form.cleaned_data.get("evidence")),
                request=request,
            )
        except actions.DuplicateTraining as duplicate:
            form.add_error(None, str(duplicate))
        else:
            messages.success(
                request, "Correction saved; the old version is in history."
            )
            if record.approval == Approval.PENDING and record.agency:
                # Fixed while waiting for review: back to the queue to decide it.
                return redirect("agencies:approvals", code=record.agency.code)
            return redirect(record.person)
    return render(
        request,
        "agencies/training_form.html",
        {
            "form": form,
            "lines": lines,
            "person": record.person,
            "record": record,
            "counts_url": reverse("agencies:counts-toward", args=[record.person_id]),
        },
    )


@login_required
def void_training(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        access.editable_records(request.user).filter(is_void=False), pk=pk
    )
    form = forms.VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.void_training(
            actor=request.user,
            record=record,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, "The record is void; its hours no longer count.")
        return redirect(record.person)
    return render(request, "agencies/void_form.html", {"form": form, "record": record})


@login_required
def self_report(request: HttpRequest) -> HttpResponse:
    if not request.user.person_id:
        raise Http404("Only officers report their own training.")
    person = request.user.person
    form = forms.TrainingForm(
        request.POST or None,
        request.FILES or None,
        person=person,
        evidence_required=True,
    )
    lines = forms.line_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        employment = access.own_employment(request.user)
        try:
            # The coordinators' emails are queued in the same transaction.
            with transaction.atomic():
                record = actions.self_report_training(
                    actor=request.user,
                    agency=employment.agency if employment else None,
                    fields=form.record_fields(),
                    lines=lines.lines(),
                    files=_files(form.cleaned_data.get("evidence")),
                    request=request,
                )
                notify.self_report_waiting(record)
        except actions.DuplicateTraining as duplicate:
            form.add_error(None, str(duplicate))
        else:
            messages.success(
                request, "Sent to your training coordinator; it counts once approved."
            )
            return redirect(person)
    return render(
        request,
        "agencies/training_form.html",
        {
            "form": form,
            "lines": lines,
            "person": person,
            "self_report": True,
            "counts_url": reverse("agencies:counts-toward", args=[person.pk]),
        },
    )


@login_required
def own_transcript(request: HttpRequest) -> HttpResponse:
    """An officer's own transcript PDF, of every record they may read."""
    if not request.user.person_id:
        raise Http404("Only officers have a transcript of their own.")
    person = _evaluable(request.user.person)
    today = timezone.localdate()
    records = (
        access.records(request.user)
        .filter(person=person)
        .prefetch_related("credit_lines")
        .order_by("completed_on", "pk")
    )
    employment = access.own_employment(request.user)
    content = pdf.transcript(
        person,
        records,
        compliance.standing_for(person, today.year, today),
        today,
        agency=employment.agency if employment else None,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-transcript.pdf"'
    return response


@login_required
def approvals(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    return render(
        request,
        "agencies/approvals.html",
        {
            "agency": agency,
            "records": access.records(request.user)
            .filter(approval=Approval.PENDING, agency=agency, is_void=False)
            .select_related("person")
            .prefetch_related("credit_lines", "evidence"),
            "exemptions": access.exemptions(request.user)
            .filter(approval=Approval.PENDING, agency=agency)
            .select_related("person"),
            "can_review": agency in access.writable_agencies(request.user),
            "can_decide": access.is_head(request.user, agency),
            "form": forms.ReviewForm(),
        },
    )


@require_POST
@login_required
def review_training(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    record = get_object_or_404(
        access.editable_records(request.user).filter(
            agency=agency, approval=Approval.PENDING, is_void=False
        ),
        pk=pk,
    )
    return _decide(
        request,
        agency,
        partial(_review_and_tell, record=record),
        f"{record.title} for {record.person}",
    )


def _review_and_tell(**kwargs):
    """Approve or reject, and queue the officer's email in the same transaction."""
    with transaction.atomic():
        record = actions.review_training(**kwargs)
        notify.self_report_decided(record)
    return record


@require_POST
@login_required
def decide_exemption(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.get_agency(request.user, code)
    if not access.is_head(request.user, agency):
        raise Http404("Only the agency head decides exemptions.")
    exemption = get_object_or_404(
        access.exemptions(request.user).filter(
            agency=agency, approval=Approval.PENDING
        ),
        pk=pk,
    )
    return _decide(
        request,
        agency,
        partial(actions.decide_exemption, exemption=exemption),
        f"Exemption for {exemption.person}",
    )


def _decide(request, agency, action, subject: str) -> HttpResponse:
    """Apply the posted approve-or-reject decision with `action`, or say what is
    wrong; either way, back to the approvals page."""
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        action(
            actor=request.user,
            approve=form.approves,
            note=form.cleaned_data["note"],
            request=request,
        )
        verb = "approved" if form.approves else "rejected"
        messages.success(request, f"{subject} {verb}.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("agencies:approvals", code=agency.code)


@login_required
def add_person(request: HttpRequest, code: str) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    form = forms.PersonForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        person = actions.add_person(
            actor=request.user,
            agency=agency,
            person_fields=form.person_fields(),
            license_fields=form.license_fields(),
            employment_fields=form.employment_fields(),
            request=request,
        )
        messages.success(request, f"{person} added to {agency.name}.")
        return redirect(person)
    return render(
        request,
        "agencies/person_form.html",
        {"form": form, "agency": agency, "heading": f"Add a person to {agency.name}"},
    )


@login_required
def edit_person(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    person = access.staff_member(request.user, agency, pk)
    employment = access.employment_at(request.user, person, agency)
    # Another agency employing the person too relies on their name, email and
    # license: access says which of them this user may not change here.
    kept = access.kept_fields(request.user, agency, person)
    form = forms.PersonEditForm(
        request.POST or None,
        agency=agency,
        person=person,
        initial=forms.person_initial(person, agency, employment),
        kept=kept,
        kept_reason=access.SHARED_REASON,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_person(
                actor=request.user,
                person=person,
                agency=agency,
                person_fields=form.person_fields(),
                license_fields=form.license_fields(),
                employment_fields=form.employment_fields(),
                reason=form.cleaned_data["reason"],
                kept=kept,
                request=request,
            )
        except actions.SharedDetailsKept as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Details of {person} saved.")
            return redirect(person)
    return render(
        request,
        "agencies/person_form.html",
        {
            "form": form,
            "agency": agency,
            "person": person,
            "heading": f"Change the details of {person}",
            "kept_reason": access.SHARED_REASON if form.kept_names else "",
        },
    )


@login_required
def record_qualification(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    person = access.staff_member(request.user, agency, pk)
    form = forms.QualificationForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        actions.record_qualification(
            actor=request.user,
            person=person,
            agency=agency,
            fields=form.cleaned_data,
            request=request,
        )
        messages.success(request, f"Qualification saved for {person}.")
        return redirect(person)
    return render(
        request,
        "agencies/simple_form.html",
        {
            "form": form,
            "person": person,
            "heading": f"Firearms qualification for {person}",
        },
    )


def _editable_qualification(request: HttpRequest, code: str, pk: int):
    """A live qualification the agency `code` entered, if the user may change it."""
    agency = access.writable_agency(request.user, code)
    editable = access.editable_qualifications(request.user).filter(
        agency=agency, is_void=False
    )
    return get_object_or_404(editable.select_related("person"), pk=pk)


@login_required
def correct_qualification(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    qualification = _editable_qualification(request, code, pk)
    form = forms.QualificationCorrectionForm(
        request.POST or None, instance=qualification
    )
    if request.method == "POST" and form.is_valid():
        actions.correct_qualification(
            actor=request.user,
            qualification=qualification,
            fields=form.qualification_fields(),
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, "Correction saved; the old version is in history.")
        return redirect(qualification.person)
    return render(
        request,
        "agencies/simple_form.html",
        {
            "form": form,
            "person": qualification.person,
            "heading": f"Correct the {qualification}",
        },
    )


@login_required
def void_qualification(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    qualification = _editable_qualification(request, code, pk)
    form = forms.QualificationVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.void_qualification(
            actor=request.user,
            qualification=qualification,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, "The qualification is void; it no longer counts.")
        return redirect(qualification.person)
    return render(
        request,
        "agencies/qualification_void_form.html",
        {"form": form, "qualification": qualification},
    )


@login_required
def propose_exemption(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access.writable_agency(request.user, code)
    person = access.staff_member(request.user, agency, pk)
    form = forms.ExemptionForm(
        request.POST or None, request.FILES or None, person=person
    )
    if request.method == "POST" and form.is_valid():
        actions.propose_exemption(
            actor=request.user,
            person=person,
            agency=agency,
            fields=form.exemption_fields(),
            request=request,
        )
        messages.success(request, "Proposed; it counts once the agency head approves.")
        return redirect(person)
    return render(
        request,
        "agencies/simple_form.html",
        {
            "form": form,
            "person": person,
            "heading": f"Propose a waiver or extension for {person}",
            "multipart": True,
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    records = access.records(request.user)
    for evidence in records.filter(evidence__pk=pk).values_list("evidence__file"):
        return FileResponse(_open_evidence(evidence[0]), as_attachment=True)
    raise Http404("No such file.")


def _open_evidence(name: str):
    from django.core.files.storage import default_storage

    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None


def _files(upload) -> list:
    return [upload] if upload else []
