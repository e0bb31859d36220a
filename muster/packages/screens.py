"""The coordinator's cmi5 pages: the agency's cmi5 courses, and per course who
launched, where each AU stands, the sessions, and a waiver (cmi5 9.3.7); per
learner and AU, the statements in the registration (9.3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from muster.accounts import access
from muster.packages import cmi5
from muster.packages.cmi5_report import (
    au_statements,
    course_lines,
    learner_lines,
    objective_lines,
)
from muster.xapi.validation import Invalid


@login_required
def cmi5_courses(request: HttpRequest, code: str) -> HttpResponse:
    agency, enrollments = access.cmi5_enrollments(request.user, code)
    return render(
        request,
        "packages/cmi5_courses.html",
        {"agency": agency, "lines": course_lines(enrollments)},
    )


@login_required
def cmi5_course(request: HttpRequest, code: str, course_id: int) -> HttpResponse:
    agency, enrollments = access.cmi5_enrollments(request.user, code)
    first = enrollments.filter(course_id=course_id).first()
    if first is None:
        raise Http404("No such cmi5 course here.")
    may_waive = access.can_write_at(request.user, agency)
    return render(
        request,
        "packages/cmi5_course.html",
        {
            "agency": agency,
            "course": first.course,
            "lines": learner_lines(enrollments, first.course, may_waive=may_waive),
            "may_waive": may_waive,
            "reasons": cmi5.WAIVE_REASONS,
            "objectives": objective_lines(first.course.package),
        },
    )


def au_at(enrollment, position: int):
    """The AU at this position in the enrollment's package, or 404."""
    item = enrollment.course.package.items.filter(position=position).first()
    if item is None:
        raise Http404("No such AU.")
    return item


@login_required
def cmi5_statements(
    request: HttpRequest, code: str, enrollment_id: int, position: int
) -> HttpResponse:
    """One AU's statements in one learner's registration, a page at a time."""
    agency, enrollment = access.cmi5_readable_enrollment(
        request.user, code, enrollment_id
    )
    item = au_at(enrollment, position)
    try:
        page = au_statements(agency, enrollment, item, more=request.GET.get("more", ""))
    except Invalid as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    return render(
        request,
        "packages/cmi5_statements.html",
        {
            "agency": agency,
            "enrollment": enrollment,
            "course": enrollment.course,
            "item": item,
            "page": page,
            "is_first": not request.GET.get("more"),
        },
    )
