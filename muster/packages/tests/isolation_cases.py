"""Isolation cases for content packages, read by muster/tests/test_isolation.py.

Charlie (Oakdale) is enrolled in a package course; the player pages act only on
the signed-in learner's own open enrollment, so every attacker gets 404. The
upload and the cmi5 exports are for course authors only, and no attacker is one.
The content-origin URLs are built with a genuine launch token for Charlie's enrollment: on Muster's
own host they are refused whoever asks (muster/packages/middleware.py); on the
content host the token is the only credential, and forged, altered or foreign
tokens are refused (muster/packages/tests/test_runtime.py).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import author, imported
from muster.tests.isolation import Case

WRITE = ("GET", "POST")


def charlie_package_enrollment(t) -> Enrollment:
    existing = Enrollment.objects.filter(
        person=t.charlie_person, course__package__kind="scorm12"
    ).first()
    if existing is not None:
        return existing
    package = imported(fixtures.scorm12_zip(), actor=_author())
    return Enrollment.objects.create(
        person=t.charlie_person, user=t.charlie, course=package.course,
        jurisdiction="MO",
    )  # fmt: skip


def _author():
    return get_user_model().objects.filter(username="ada").first() or author()


def charlie_cmi5_enrollment(t) -> Enrollment:
    existing = Enrollment.objects.filter(
        person=t.charlie_person, course__package__kind="cmi5"
    ).first()
    if existing is not None:
        return existing
    package = imported(fixtures.cmi5_zip(), actor=_author())
    return Enrollment.objects.create(
        person=t.charlie_person, user=t.charlie, course=package.course,
        jurisdiction="MO",
    )  # fmt: skip


def _cmi5_token(t) -> str:
    enrollment = charlie_cmi5_enrollment(t)
    item = enrollment.course.package.items.get()
    return launch.new_token(enrollment.pk, item.pk, "http://testserver")


def _waive(t) -> list[dict]:
    enrollment = charlie_cmi5_enrollment(t)
    return [
        {"code": t.other_agency.code, "enrollment_id": enrollment.pk, "position": 1},
        {"code": t.agency.code, "enrollment_id": enrollment.pk, "position": 1},
    ]


def _cmi5_course(t) -> list[dict]:
    course_id = charlie_cmi5_enrollment(t).course_id
    return [
        {"code": t.other_agency.code, "course_id": course_id},
        {"code": t.agency.code, "course_id": course_id},
    ]


def _cmi5_slug(t) -> list[dict]:
    return [{"slug": charlie_cmi5_enrollment(t).course.slug}]


def _slug(t) -> list[dict]:
    return [{"slug": charlie_package_enrollment(t).course.slug}]


def _item(t) -> list[dict]:
    return [{"slug": charlie_package_enrollment(t).course.slug, "position": 1}]


def _token(t) -> str:
    enrollment = charlie_package_enrollment(t)
    item = enrollment.course.package.items.get()
    return launch.new_token(enrollment.pk, item.pk, "http://testserver")


CASES = {
    "packages:upload": Case(lambda t: [{}], methods=WRITE),
    "packages:play": Case(_slug),
    "packages:play-item": Case(_item),
    "packages:finish": Case(_slug, methods=("POST",)),
    "packages:record": Case(_slug),
    "packages:launcher": Case(lambda t: [{"token": _token(t)}]),
    "packages:commit": Case(lambda t: [{"token": _token(t)}], methods=("POST",)),
    "packages:cmi5-fetch": Case(
        lambda t: [{"token": _cmi5_token(t)}],
        methods=("POST",),
        note="Content origin only; the signed launch token names the AU session.",
    ),
    "packages:cmi5-return": Case(
        lambda t: [{"token": _cmi5_token(t)}],
        note="Content origin only; shows no data, only tells the player to reload.",
    ),
    "packages:cmi5-waive": Case(_waive, methods=("POST",)),
    "packages:cmi5-statements": Case(
        _waive,
        note="Charlie's AU statements under Oakdale's code, and the attacker's own.",
    ),
    "packages:cmi5-courses": Case(
        lambda t: (charlie_cmi5_enrollment(t), [{"code": t.other_agency.code}])[1],
        note="Oakdale's cmi5 courses, by its code; other codes list only their own.",
    ),
    "packages:cmi5-course": Case(
        _cmi5_course,
        note="Charlie's course under Oakdale's code, and under the attacker's own.",
    ),
    "packages:cmi5-structure": Case(
        _cmi5_slug, note="For the course's authors (Muster Academy) only."
    ),
    "packages:cmi5-package": Case(
        _cmi5_slug, note="For the course's authors (Muster Academy) only."
    ),
    "packages:file": Case(
        lambda t: [{"token": _token(t), "path": "sco/index.html"}],
        note="Content origin only; the token is the credential there.",
    ),
}
