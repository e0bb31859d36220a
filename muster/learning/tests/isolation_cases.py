"""Isolation cases for online courses, read by muster/tests/test_isolation.py.

The learner pages under /learn/<slug>/ act only on the signed-in learner's own
enrollment. To point them at Charlie's data, each case enrolls Charlie in a course
that has since been retired: nobody else has an enrollment there and nobody can
start one, so every attacker must get 404 (or the sign-in page), never a page
about Charlie's enrollment. Charlie's attempt and certificate are addressed
directly by their id and code. `/verify/<code>/` is public and by design names
the certificate's holder, so its case uses a code that was never issued: the
answer must be a 404 that names nobody. The lesson files of Charlie's course
are served by the catalog (`catalog:asset`), whose case also points at them.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from muster.learning.models import Attempt, Certificate, Enrollment
from muster.learning.tests.helpers import make_course
from muster.tests.isolation import NO_OBJECT, Case

WRITE = ("GET", "POST")


def charlie_enrollment(t) -> Enrollment:
    """Charlie's enrollment, with an attempt and a certificate, in a retired course."""
    existing = Enrollment.objects.filter(person=t.charlie_person).first()
    if existing is not None:
        return existing
    course = make_course("charlie-only-course")
    enrollment = Enrollment.objects.create(
        person=t.charlie_person,
        user=t.charlie,
        course=course,
        jurisdiction="MO",
        last_lesson=course.lessons.first(),
    )
    Attempt.objects.create(enrollment=enrollment, number=1, submitted_at=timezone.now())
    Certificate.objects.create(enrollment=enrollment, code="CHAR-LIEC-HENX-TEST")
    course.retire_on = date(2022, 1, 1)
    course.save()
    return enrollment


def _slug(t) -> list[dict]:
    return [{"slug": charlie_enrollment(t).course.slug}]


def _lesson(t) -> list[dict]:
    return [{"slug": charlie_enrollment(t).course.slug, "position": 1}]


def _attempt(t) -> list[dict]:
    enrollment = charlie_enrollment(t)
    return [{"slug": enrollment.course.slug, "pk": enrollment.attempts.get().pk}]


def _code(t) -> list[dict]:
    return [{"code": charlie_enrollment(t).certificate.code}]


CASES = {
    "learning:course": Case(_slug),
    "learning:enroll": Case(_slug, methods=("POST",)),
    "learning:lesson": Case(_lesson, methods=WRITE),
    "learning:heartbeat": Case(_slug, methods=("POST",)),
    "learning:assessment": Case(_slug, methods=WRITE),
    "learning:attempt": Case(_attempt),
    "learning:certificate": Case(_code),
    "learning:certificate-revoke": Case(_code, methods=WRITE),
    # The empty lookup box: takes no object, so only "no Charlie" is checked.
    "learning:verify-lookup": NO_OBJECT,
    "learning:verify": Case(
        lambda t: [{"code": "NEVE-RISS-UEDX-CODE"}],
        note="Public page; a real code shows its holder's name by design.",
    ),
}
