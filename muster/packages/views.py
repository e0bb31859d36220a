"""Pages for content packages: the author's upload, the learner's player, and the
content origin's launcher, files and commit endpoint.

Stable ids for the browser tests: upload `form#package-form` and its error list
`ul#package-errors`; player `iframe#package-frame`, `ol#package-items` with
`li.item-complete` for each done item, `form#finish-form` with
`button#finish-button`, the seat-time meter `#seat-time`.
"""

from __future__ import annotations

import json
import mimetypes
from posixpath import normpath
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from muster.accounts import access
from muster.learning import seat
from muster.learning.models import Enrollment
from muster.packages import (
    actions,
    cmi5,
    cmi5_export,
    completion,
    launch,
    manifest,
    navigation,
    objectives,
    resume,
    runtime,
    scorm_report,
    sequencing,
    shared_data,
)
from muster.packages.choices import PackageKind
from muster.packages.forms import PackageUploadForm
from muster.packages.screens import au_at
from muster.packages.zipcheck import PackageError

# --- Authoring -------------------------------------------------------------------


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    providers = access.authoring_providers(request.user)
    if not providers.exists():
        raise Http404("No such page.")
    form = PackageUploadForm(
        request.POST or None, request.FILES or None, providers=providers
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            package = actions.import_package(
                actor=request.user,
                provider=form.cleaned_data["provider"],
                upload=form.cleaned_data["package"],
                credited_hours=form.cleaned_data["credited_hours"],
                request=request,
            )
        except PackageError as error:
            problems = str(error).splitlines()
        else:
            messages.success(
                request,
                f"Imported {package.course.title} with {package.items.count()} "
                "items. Add its state approvals, hours and topics, then publish.",
            )
            return redirect("catalog:author-course", slug=package.course.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "packages/upload.html",
        {"form": form, "problems": problems},
        status=status,
    )


# --- The learner's player (Muster's origin) -------------------------------------


def _open_enrollment(request: HttpRequest, slug: str) -> Enrollment:
    enrollment = (
        access.learner_enrollments(request.user)
        .filter(
            course__slug=slug, completed_at__isnull=True, course__package__isnull=False
        )
        .select_related("course__package")
        .first()
    )
    if enrollment is None:
        raise Http404("No open enrollment in this course.")
    return enrollment


@login_required
def play(request: HttpRequest, slug: str, position: int | None = None) -> HttpResponse:
    try:
        enrollment = _open_enrollment(request, slug)
    except Http404:
        # Just completed (the player reloads after the last SCO): the course page
        # shows the certificate.
        mine = access.learner_enrollments(request.user).filter(course__slug=slug)
        if mine.filter(completed_at__isnull=False).exists():
            return redirect("learning:course", slug=slug)
        raise
    package = enrollment.course.package
    items = list(package.items.all())
    done = completion.done_item_ids(enrollment)
    tracker = sequencing.Tracker(enrollment, package, items)
    if tracker.applies:
        # Selection and randomization (SR.1, SR.2): the parts this attempt has,
        # in its order; the others are hidden below.
        items = tracker.ordered(items)
    current = tracker.current()
    # The list of parts: an item hidden from choice is not listed; one whose
    # choice the sequencing refuses is listed without a link, with the reason.
    hidden = {i.pk for i in items if tracker.applies and tracker.hidden(i.identifier)}
    refusals = {
        i.pk: tracker.why_not_chosen(i.identifier, current)
        for i in items
        if tracker.applies and i.pk not in hidden
    }
    for i in items:
        i.refusal = refusals.get(i.pk, "")
    listing = {
        "course": enrollment.course,
        "items": items,
        "done": done,
        "hidden": hidden,
        "refusals": refusals,
        "meter": _meter(enrollment),
    }
    if position is None:
        # Reloaded after a SCO terminated: its navigation request decides.
        step = None
        if request.GET.get("after") == "terminate":
            step = navigation.after_terminate(enrollment, items)
        if step == navigation.LEAVE:
            # The SCO left the course (exit, suspendAll...): the list of parts,
            # nothing launched.
            return render(request, "packages/play.html", {**listing, "left": True})
        if isinstance(step, sequencing.Refused):
            # The sequencing rules refuse the SCO's request: nothing launched.
            return render(
                request, "packages/play.html", {**listing, "refused": step.reason}
            )
        required = {i.pk for i in completion.required_items(package)}
        item = (
            step
            or navigation.suspended_item(enrollment, items)
            or next(
                (
                    i
                    for i in items
                    if i.pk in required
                    and i.pk not in done
                    and (not tracker.applies or tracker.available(i.identifier))
                    and not any(map(tracker.blocked, tracker.path(i.identifier)))
                ),
                items[0],
            )
        )
    else:
        item = next((i for i in items if i.position == position), None)
        if item is None:
            raise Http404("No such item.")
        if refusals.get(item.pk) or item.pk in hidden:
            # The learner's choice, refused by the sequencing rules.
            reason = refusals.get(item.pk) or (
                f"“{item.title}” cannot be chosen: the course hides it from choice."
            )
            return render(request, "packages/play.html", {**listing, "refused": reason})
    problem = launch.why_cannot_play(request)
    is_cmi5 = package.kind == "cmi5"
    if is_cmi5 and not problem:
        problem = cmi5.why_cannot_launch(enrollment)
    context = {
        **listing,
        "enrollment": enrollment,
        "current": item,
        "problem": problem,
        "heartbeat_seconds": seat.HEARTBEAT_SECONDS,
    }
    frames = [launch.content_origin()]
    mode = request.GET.get("mode") or None
    if is_cmi5 and mode is not None and mode not in cmi5.LAUNCH_MODES:
        return HttpResponseBadRequest(
            f"mode: '{mode[:20]}' is not one of Normal, Browse or Review."
        )
    if not problem and is_cmi5:
        parent = f"{request.scheme}://{request.get_host()}"
        context["launch_url"] = cmi5.launch(enrollment, item, parent=parent, mode=mode)
        au_origin = _origin(item.href)
        # An AU elsewhere at an http URL cannot be framed in a page served over
        # https (the browser blocks mixed content): it gets a window of its own.
        insecure = au_origin.startswith("http:") and request.is_secure()
        context["own_window"] = item.launch_method == "OwnWindow" or insecure
        context["content_origin"] = launch.content_origin()
        if au_origin:
            frames.append(au_origin)
    elif not problem:
        parent = f"{request.scheme}://{request.get_host()}"
        token = launch.new_token(enrollment.pk, item.pk, parent)
        actions.launch_item(enrollment, item)
        context["launch_url"] = launch.content_origin() + reverse(
            "packages:launcher", args=[token]
        )
        context["content_origin"] = launch.content_origin()
    response = render(request, "packages/play.html", context)
    if not problem:
        response._csp_update = {"frame-src": frames}
        # A SCO's lesson window finds the API through its opener (RTE API
        # discovery); under COOP same-origin a popup on the content origin would
        # lose its opener. The popup stays sandboxed (no escape from the frame's
        # sandbox), so it can navigate neither this page nor anything but itself.
        response["Cross-Origin-Opener-Policy"] = "same-origin-allow-popups"
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _meter(enrollment: Enrollment) -> dict:
    required = enrollment.course.required_seconds
    return {
        "active_minutes": enrollment.active_seconds // 60,
        "required_minutes": required // 60,
        "percent": min(100, 100 * enrollment.active_seconds // max(required, 1)),
        "is_met": seat.has_met_seat_time(enrollment),
    }


@login_required
def record(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's own objectives and interactions, per SCO and session, from
    the commits of their latest enrollment in the course (open or completed)."""
    enrollment = (
        access.learner_enrollments(request.user)
        .filter(course__slug=slug, course__package__isnull=False)
        .select_related("course__package")
        .order_by("-started_at", "-pk")
        .first()
    )
    if enrollment is None:
        raise Http404("No enrollment in this course.")
    parts = scorm_report.report(enrollment)
    return render(
        request,
        "packages/record.html",
        {
            "course": enrollment.course,
            "parts": parts,
            "rollup": scorm_report.course_rollup(
                enrollment.course.package, parts, enrollment
            ),
            "shared": objectives.course_globals(enrollment, enrollment.course.package),
        },
    )


@login_required
@require_POST
def finish(request: HttpRequest, slug: str) -> HttpResponse:
    enrollment = _open_enrollment(request, slug)
    problem = actions.try_to_complete(enrollment, request=request)
    if problem:
        messages.error(request, problem)
        return redirect("packages:play", slug=slug)
    messages.success(request, "Course completed; the training record is saved.")
    return redirect("learning:course", slug=slug)


# --- The content origin (no session; the launch token is the credential) --------

# The vendor's content runs with its own script and styles, often inline: its own
# origin keeps that away from Muster's pages. It may only talk to this origin.
CONTENT_POLICY = {
    "default-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}


def _framed_by(response: HttpResponse, parent: str, policy: dict) -> HttpResponse:
    response._csp_config = {**policy, "frame-ancestors": ["'self'", parent]}
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@xframe_options_exempt
def launcher(request: HttpRequest, token: str) -> HttpResponse:
    """The runtime (scorm-again) and, in a frame below it, the SCO."""
    found = launch.read_token(token)
    enrollment, item = access.launched_item(found)
    package = item.package
    state = completion.state_of(enrollment, item)
    href = manifest.launch_href(item.href, item.parameters)
    cmi = runtime.launch_data(state, item, package.kind, enrollment.person)
    cmi.update(resume.suspended_collections(state, item, package.kind))
    if package.kind == PackageKind.SCORM_2004:
        initial = objectives.read_global(enrollment, item)
        merged = resume.merged_objectives(cmi.get("objectives", []), initial)
        if merged:
            cmi["objectives"] = merged
    config = {
        "sharedData": (
            shared_data.launch_config(enrollment, item)
            if package.kind == PackageKind.SCORM_2004
            else None
        ),
        "kind": package.kind,
        "requestValid": _request_valid(enrollment, package, item),
        "commitUrl": reverse("packages:commit", args=[token]),
        "launchUrl": reverse("packages:file", args=[token, "x"])[:-1] + href,
        "parentOrigin": found.parent,
        "cmi": cmi,
    }
    response = render(request, "packages/launch.html", {"config": config, "item": item})
    policy = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "frame-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return _framed_by(response, found.parent, policy)


def _request_valid(enrollment, package, item) -> dict | None:
    """SCORM 2004 adl.nav.request_valid from the manifest's sequencing, for
    the launcher to set before the SCO starts (None: scorm-again's own)."""
    if package.kind != PackageKind.SCORM_2004:
        return None
    tracker = sequencing.Tracker(enrollment, package)
    return tracker.request_valid(item.identifier) if tracker.applies else None


@xframe_options_exempt
def package_file(request: HttpRequest, token: str, path: str) -> FileResponse:
    found = launch.read_token(token)
    enrollment, item = access.launched_item(found)
    clean = normpath(path)
    if clean.startswith(("../", "/")) or clean == "..":
        raise Http404("No such file.")
    try:
        handle = default_storage.open(item.package.storage_name(clean), "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file.") from None
    kind, _ = mimetypes.guess_type(clean)
    response = FileResponse(handle, content_type=kind or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    # A SCO may open its lesson in a window of its own, which finds the API
    # through window.opener (RTE API discovery). A popup of the sandboxed frame
    # stays sandboxed, and Chromium refuses to open in it a page whose COOP is
    # not unsafe-none; content needs the opener anyway, and lives on its own origin.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    policy = CONTENT_POLICY
    if item.package.kind == "cmi5":
        # A cmi5 AU talks to the LRS at Muster's own origin (the endpoint, 8.1).
        policy = {**CONTENT_POLICY, "connect-src": ["'self'", found.parent]}
    return _framed_by(response, found.parent, policy)


@csrf_exempt
@require_POST
def commit(request: HttpRequest, token: str) -> JsonResponse:
    """One commit from scorm-again; answers as scorm-again expects ({result, errorCode}).

    CSRF protection guards cookie sign-ins; this endpoint reads no cookie, only
    the token in its URL, so there is nothing for a forged request to borrow.
    """
    found = launch.read_token(token)
    enrollment, item = access.launched_item(found)
    failure = 101 if item.package.kind == "scorm12" else 391
    if len(request.body) > runtime.MAX_COMMIT_BYTES:
        return _refused(failure, "The commit is larger than 512 KB.")
    try:
        data = json.loads(request.body or b"null")
        actions.record_commit(
            enrollment=enrollment,
            item=item,
            launch=found.launch,
            data=data,
            request=request,
        )
    except (ValueError, runtime.CommitError) as error:
        return _refused(failure, str(error))
    return JsonResponse({"result": True, "errorCode": 0})


def _refused(code: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"result": False, "errorCode": code, "error": message}, status=400
    )


# --- cmi5 (muster/packages/cmi5.py) ---------------------------------------------


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def cmi5_fetch(request: HttpRequest, token: str) -> JsonResponse:
    """The fetch URL (cmi5 8.2): the auth-token once, then error JSON, always 200.

    No cookie is read; the signed launch token in the path names the session.
    """
    if request.method == "OPTIONS":
        return _cors(JsonResponse({}))
    try:
        found = launch.read_token(token)
    except launch.ExpiredLaunch:
        # 8.2.3.2: "1, Already in Use or Expired": the session has expired.
        answer = {"error-code": "1", "error-text": "The AU session has expired."}
    except Http404:
        answer = {"error-code": "2", "error-text": "Not a valid fetch URL."}
    else:
        answer = cmi5.fetch_token(found.launch)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return _cors(response)


def _cors(response: JsonResponse) -> JsonResponse:
    # An AU hosted elsewhere (an absolute url in cmi5.xml) fetches from its origin.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@xframe_options_exempt
def cmi5_return(request: HttpRequest, token: str) -> HttpResponse:
    """The returnURL of LMS.LaunchData (cmi5 10.0): tells the player the AU ended."""
    found = launch.read_token(token)
    response = render(
        request, "packages/cmi5_return.html", {"parent_origin": found.parent}
    )
    policy = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    return _framed_by(response, found.parent, policy)


@login_required
@require_POST
def cmi5_waive(
    request: HttpRequest, code: str, enrollment_id: int, position: int
) -> HttpResponse:
    """A coordinator waives one AU of an officer's cmi5 course (cmi5 9.3.7)."""
    agency, enrollment = access.cmi5_waivable_enrollment(
        request.user, code, enrollment_id
    )
    item = au_at(enrollment, position)
    try:
        cmi5.waive(
            actor=request.user,
            enrollment=enrollment,
            item=item,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except cmi5.Cmi5Error as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{item.title} is waived for {enrollment.person}.")
    return redirect(
        "packages:cmi5-course", code=agency.code, course_id=enrollment.course_id
    )


# --- Exporting a cmi5 course (cmi5 6.1) -------------------------------------------


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def cmi5_structure(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's cmi5.xml (13), for its authors."""
    package = access.exportable_cmi5_package(request.user, slug)
    try:
        data = cmi5_export.course_structure(package)
    except cmi5_export.ExportError as error:
        messages.error(request, str(error))
        return redirect("catalog:author-course", slug=slug)
    return _download(data, "cmi5.xml", "application/xml")


@login_required
def cmi5_package(request: HttpRequest, slug: str) -> HttpResponse:
    """The course package as imported (14), for its authors: the zip with its
    media, checked as the structure download is."""
    package = access.exportable_cmi5_package(request.user, slug)
    try:
        cmi5_export.course_structure(package)
    except cmi5_export.ExportError as error:
        messages.error(request, str(error))
        return redirect("catalog:author-course", slug=slug)
    if not cmi5_export.is_zipped(package):
        return _download(
            cmi5_export.course_package(package), "cmi5.xml", "application/xml"
        )
    return _download(
        cmi5_export.course_package(package), f"{slug}-cmi5.zip", "application/zip"
    )
