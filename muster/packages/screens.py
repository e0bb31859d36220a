"""The coordinator's cmi5 pages: the agency's cmi5 courses, and per course who
launched, where each AU stands, the sessions, and a waiver (cmi5 9.3.7)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from muster.accounts import access
from muster.packages import cmi5
from muster.packages.cmi5_report import course_lines, learner_lines, objective_lines


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
