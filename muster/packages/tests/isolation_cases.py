"""Isolation cases for content packages, read by muster/tests/test_isolation.py.

Charlie (Oakdale) is enrolled in a package course; the player pages act only on
the signed-in learner's own open enrollment, so every attacker gets 404. The
upload is for course authors only, and no attacker is one. The content-origin
URLs are built with a genuine launch token for Charlie's enrollment: on Muster's
own host they are refused whoever asks (muster/packages/middleware.py); on the
content host the token is the only credential, and forged, altered or foreign
tokens are refused (muster/packages/tests/test_runtime.py).
"""

from __future__ import annotations

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import imported
from muster.tests.isolation import Case

WRITE = ("GET", "POST")


def charlie_package_enrollment(t) -> Enrollment:
    existing = Enrollment.objects.filter(
        person=t.charlie_person, course__package__isnull=False
    ).first()
    if existing is not None:
        return existing
    package = imported(fixtures.scorm12_zip())
    return Enrollment.objects.create(
        person=t.charlie_person, user=t.charlie, course=package.course,
        jurisdiction="MO",
    )  # fmt: skip


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
    "packages:launcher": Case(lambda t: [{"token": _token(t)}]),
    "packages:commit": Case(lambda t: [{"token": _token(t)}], methods=("POST",)),
    "packages:file": Case(
        lambda t: [{"token": _token(t), "path": "sco/index.html"}],
        note="Content origin only; the token is the credential there.",
    ),
}
