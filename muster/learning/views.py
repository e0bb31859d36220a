"""Pages for taking an online course, the certificate PDF and the public check.

Stable element ids and labels, relied on by the browser and accessibility tests
(change them only together with those tests):

- Course start, `/learn/<slug>/` (shown when there is no open enrollment):
  `form#enroll-form` with `button#enroll-button` ("Start the course"),
  `a.certificate-link` for each earlier completion, `#enroll-blocked` for why not.
- Lesson, `/learn/<slug>/lessons/<position>/`: `h1#lesson-title`,
  `#lesson-body`, `#lesson-video` (a `<video>` or a link), `ul#handouts`,
  the seat-time meter `#seat-time` (its text, `#seat-time-text`, reads
  "23 of 60 minutes"; the data attributes drive muster/static/learning/seat.js),
  knowledge checks `form.knowledge-check#check-<question pk>` with
  `button` "Check answer" and feedback `#check-<question pk>-feedback`,
  `a#previous-lesson`, `form#next-form` with `button#next-lesson` ("Next lesson"
  or "Finish lessons"), `a#assessment-link` ("Final assessment").
- Assessment, `/learn/<slug>/assessment/`: `#assessment-blocked` (why not yet,
  with the time left after a failure), `form#assessment-form` with one
  `fieldset.question` per question (inputs named `q<question pk>`, labelled by
  the choice text) and `button#submit-assessment` ("Submit answers").
- Review, `/learn/<slug>/attempts/<pk>/`: `#attempt-result` ("Passed" or
  "Not passed"), `#attempt-score`, `li.review-item` with `.right`/`.wrong`,
  `a#download-certificate` ("Download certificate (PDF)"), `#certificate-code`,
  `a#certificate-check`, and the badge's downloads and QR code with the ids of
  muster/badges/views.py (`badges/_downloads.html`; on the course page and the
  person page, without ids: `a.badge-download`, `img.badge-qr`).
- Verify, `/verify/<code>/`: `#verify-status` ("Valid" or "REVOKED"),
  `dl#certificate-details` (name, course, hours, completed on).
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from muster.accounts import access
from muster.catalog.choices import AssetKind
from muster.catalog.markdown import render_markdown
from muster.catalog.models import Course
from muster.learning import actions, assessment, seat
from muster.learning.certificates import certificate_pdf, normalise_code
from muster.learning.models import Enrollment

# --- The learner's own enrollment --------------------------------------------


class _Finished(Exception):
    """The learner has no open enrollment but completed the course before."""


def _open_enrollment(request: HttpRequest, slug: str) -> Enrollment:
    """The signed-in learner's open enrollment in the course, else 404."""
    mine = access.learner_enrollments(request.user).filter(course__slug=slug)
    enrollment = mine.filter(completed_at__isnull=True).select_related("course").first()
    if enrollment is None:
        if request.method == "GET" and mine.exists():
            raise _Finished
        raise Http404("No open enrollment in this course.")
    return enrollment


def _to_course_page_when_finished(view):
    """Send a learner who already completed the course to its page, not a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, slug, *args, **kwargs)
        except _Finished:
            return redirect("learning:course", slug=slug)

    return wrapper


def _course_for_learner(request: HttpRequest, slug: str) -> Course:
    """A course the learner may start, or one they already took; else 404."""
    return get_object_or_404(access.learner_courses(request.user), slug=slug)


@login_required
def course(request: HttpRequest, slug: str) -> HttpResponse:
    """Resume at the last lesson, or offer to start the course."""
    open_one = (
        access.learner_enrollments(request.user)
        .filter(course__slug=slug, completed_at__isnull=True)
        .first()
    )
    if open_one is not None and actions.is_package_course(open_one.course):
        return redirect("packages:play", slug=slug)
    if open_one is not None:
        position = open_one.last_lesson.position if open_one.last_lesson else 1
        return redirect("learning:lesson", slug=slug, position=position)
    course = _course_for_learner(request, slug)
    done = access.learner_enrollments(request.user).filter(
        course=course, completed_at__isnull=False
    )
    return render(
        request,
        "learning/course.html",
        {
            "course": course,
            "completed": done.select_related("certificate"),
            "can_start": access.startable_courses(request.user)
            .filter(pk=course.pk)
            .exists(),
            "has_person": request.user.person_id is not None,
        },
    )


@login_required
@require_POST
def enroll(request: HttpRequest, slug: str) -> HttpResponse:
    course = get_object_or_404(access.startable_courses(request.user), slug=slug)
    if request.user.person_id is None:
        messages.error(
            request,
            "Your sign-in is not linked to an officer record; ask your training "
            "coordinator to link it before starting a course.",
        )
        return redirect("learning:course", slug=slug)
    try:
        enrollment = actions.enroll(user=request.user, course=course, request=request)
    except actions.NotAllowed as error:
        messages.error(request, str(error))
        return redirect("learning:course", slug=slug)
    if actions.is_package_course(course):
        return redirect("packages:play", slug=slug)
    position = enrollment.last_lesson.position if enrollment.last_lesson else 1
    return redirect("learning:lesson", slug=slug, position=position)


@login_required
@_to_course_page_when_finished
def lesson(request: HttpRequest, slug: str, position: int) -> HttpResponse:
    enrollment = _open_enrollment(request, slug)
    course = enrollment.course
    lesson = get_object_or_404(course.lessons, position=position)
    feedback = {}
    if request.method == "POST":
        if "question" in request.POST:
            feedback = _check_answer(lesson, request.POST)
        else:
            actions.view_lesson(enrollment, lesson, done=True)
            following = course.lessons.filter(position__gt=position).first()
            if following is not None:
                return redirect(
                    "learning:lesson", slug=slug, position=following.position
                )
            return redirect("learning:assessment", slug=slug)
    actions.view_lesson(enrollment, lesson)
    lessons = list(course.lessons.all())
    index = [item.pk for item in lessons].index(lesson.pk)
    assets = list(lesson.assets.all())
    return render(
        request,
        "learning/lesson.html",
        {
            "course": course,
            "enrollment": enrollment,
            "lesson": lesson,
            "body": render_markdown(lesson.body),
            "previous": lessons[index - 1] if index > 0 else None,
            "next": lessons[index + 1] if index + 1 < len(lessons) else None,
            "lessons": lessons,
            "videos": [a for a in assets if a.kind == AssetKind.VIDEO],
            "images": [a for a in assets if a.kind == AssetKind.IMAGE],
            "handouts": [a for a in assets if a.kind == AssetKind.HANDOUT],
            "checks": lesson.knowledge_checks.filter(is_active=True).prefetch_related(
                "choices"
            ),
            "feedback": feedback,
            "meter": _meter(enrollment),
            "heartbeat_seconds": seat.HEARTBEAT_SECONDS,
        },
    )


def _check_answer(lesson, data) -> dict:
    """Instant feedback on a knowledge check; not scored and not stored."""
    try:
        question = lesson.knowledge_checks.filter(is_active=True).get(
            pk=int(data.get("question", ""))
        )
    except (ValueError, lesson.knowledge_checks.model.DoesNotExist):
        return {}
    chosen = {int(v) for v in data.getlist("choice") if v.isdigit()}
    correct = {c.pk for c in question.choices.all() if c.is_correct}
    return {
        "question": question.pk,
        "chosen": chosen,
        "is_right": bool(correct) and chosen == correct,
        "explanation": question.explanation,
    }


def _meter(enrollment: Enrollment) -> dict:
    required = enrollment.course.required_seconds
    return {
        "active_minutes": enrollment.active_seconds // 60,
        "required_minutes": required // 60,
        "percent": min(100, 100 * enrollment.active_seconds // max(required, 1)),
        "is_met": seat.has_met_seat_time(enrollment),
    }


def _idle_too_long(request: HttpRequest, is_idle: bool) -> bool:
    """Whether the learner's heartbeats have said "idle" for a whole session age.

    Every request renews the session, heartbeats included, so a lesson left open
    on an unattended screen would otherwise never reach the idle sign-out
    (docs/security.md, "Sessions"). Any other request restarts the count
    (muster.learning.middleware.ActivityMiddleware).
    """
    now = int(timezone.now().timestamp())
    if not is_idle:
        request.session.pop(seat.IDLE_SINCE, None)
        return False
    since = request.session.setdefault(seat.IDLE_SINCE, now)
    return now - since >= settings.SESSION_COOKIE_AGE


@login_required
@require_POST
def heartbeat(request: HttpRequest, slug: str) -> HttpResponse:
    """Credit active time; the body's fields are `tab`, `visible`, `idle`, `lesson`.

    Any time or duration the client sends is ignored: only the server's clock is
    read (see muster/learning/seat.py).
    """
    is_idle = request.POST.get("idle") != "0"
    if _idle_too_long(request, is_idle):
        logout(request)
        return JsonResponse({"signed_out": True}, status=403)
    position = request.POST.get("lesson", "")
    # A lesson position is a small whole number; anything else names no lesson.
    is_position = position.isascii() and position.isdigit() and len(position) < 6
    enrollment = seat.record_heartbeat(
        access.learner_enrollments(request.user).filter(course__slug=slug),
        position=int(position) if is_position else None,
        tab=request.POST.get("tab", ""),
        is_visible=request.POST.get("visible") == "visible",
        is_idle=is_idle,
    )
    if enrollment is None:
        raise Http404("No open enrollment in this course.")
    meter = _meter(enrollment)
    return JsonResponse(
        {
            "active_seconds": enrollment.active_seconds,
            "required_seconds": enrollment.course.required_seconds,
            "text": f"{meter['active_minutes']} of {meter['required_minutes']} minutes",
            "percent": meter["percent"],
            "is_met": meter["is_met"],
        }
    )


# --- The final assessment ----------------------------------------------------


@login_required
@_to_course_page_when_finished
def take_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, slug)
    enrollment = _open_enrollment(request, slug)
    blocked = assessment.why_blocked(enrollment)
    attempt = None if blocked else assessment.open_attempt(enrollment)
    return render(
        request,
        "learning/assessment.html",
        {
            "course": enrollment.course,
            "enrollment": enrollment,
            "blocked": blocked,
            "attempt": attempt,
            "paper": assessment.paper_for(attempt) if attempt else [],
            "meter": _meter(enrollment),
        },
    )


def _submit(request: HttpRequest, slug: str) -> HttpResponse:
    """Grade the attempt once and, on a pass, complete the course (both idempotent)."""
    pk = request.POST.get("attempt", "")
    attempt = get_object_or_404(
        access.learner_attempts(request.user).filter(enrollment__course__slug=slug),
        pk=int(pk) if pk.isdigit() else 0,
    )
    answers = {}
    for key in request.POST:
        if key.startswith("q") and key[1:].isdigit():
            answers[key[1:]] = [v for v in request.POST.getlist(key) if v.isdigit()]
    try:
        actions.submit_attempt(attempt, answers, request=request)
    except actions.NotAllowed as error:
        messages.error(request, str(error))
        return redirect("learning:assessment", slug=slug)
    return redirect("learning:attempt", slug=slug, pk=attempt.pk)


@login_required
def attempt(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Review of a submitted attempt: which answers were right, and why."""
    attempt = get_object_or_404(
        access.learner_attempts(request.user)
        .filter(enrollment__course__slug=slug, submitted_at__isnull=False)
        .select_related("enrollment__course"),
        pk=pk,
    )
    enrollment = attempt.enrollment
    certificate = access.certificates(request.user).filter(enrollment=enrollment)
    certificate = certificate.first()
    return render(
        request,
        "learning/attempt.html",
        {
            "course": enrollment.course,
            "enrollment": enrollment,
            "attempt": attempt,
            "paper": assessment.paper_for(attempt),
            "certificate": certificate if attempt.is_passed else None,
            "blocked": None
            if attempt.is_passed
            else assessment.why_blocked(enrollment),
        },
    )


# --- Certificates ------------------------------------------------------------


@login_required
def certificate_file(request: HttpRequest, code: str) -> HttpResponse:
    certificate = get_object_or_404(
        access.certificates(request.user).select_related(
            "enrollment__person", "enrollment__course", "enrollment__record"
        ),
        code=normalise_code(code),
    )
    verify_url = request.build_absolute_uri(
        reverse("learning:verify", args=[certificate.code])
    )
    response = HttpResponse(
        certificate_pdf(certificate, verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{certificate.code}.pdf"'
    )
    return response


def verify_lookup(request: HttpRequest) -> HttpResponse:
    """Public: a box to type a certificate's code in; sends it to its page."""
    code = request.GET.get("code", "").strip()
    if code and normalise_code(code):
        return redirect("learning:verify", code=normalise_code(code))
    return render(request, "learning/verify.html", {"lookup": True})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirms name, course, hours and date, and nothing else."""
    certificate = access.certificate_to_verify(normalise_code(code))
    if certificate is None:
        return render(request, "learning/verify.html", {"code": code}, status=404)
    record = certificate.enrollment.record
    return render(
        request,
        "learning/verify.html",
        {
            "code": certificate.code,
            "certificate": certificate,
            "name": certificate.enrollment.person.get_full_name(),
            "course_title": certificate.enrollment.course.title,
            "hours": record.total_hours if record else None,
            "completed_on": record.completed_on if record else None,
        },
    )


@login_required
def revoke(request: HttpRequest, code: str) -> HttpResponse:
    certificate = access.revocable_certificate(request.user, normalise_code(code))
    error = ""
    if request.method == "POST":
        try:
            actions.revoke_certificate(
                actor=request.user,
                certificate=certificate,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except actions.NotAllowed as problem:
            error = str(problem)
        else:
            messages.success(request, f"Certificate {certificate.code} revoked.")
            return redirect("learning:verify", code=certificate.code)
    return render(
        request,
        "learning/revoke.html",
        {"certificate": certificate, "error": error, "today": timezone.localdate()},
    )
