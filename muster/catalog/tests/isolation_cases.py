"""Isolation cases for the catalog, read by muster/tests/test_isolation.py.

The catalog itself is open to every signed-in user, so its list is NO_OBJECT;
the course page and asset files are pointed at a draft course of Oakdale (a
provider here), which nobody but Oakdale's course authors may see; asset files
also at the retired course only Charlie is enrolled in (see
muster/learning/tests/isolation_cases.py). Every authoring URL is pointed at
that course and its lessons, questions and approvals; none of the attackers
holds the course-author role for Oakdale.
"""

from django.core.files.base import ContentFile

from muster.catalog.models import LessonAsset
from muster.catalog.tests.factories import make_course
from muster.learning.tests.isolation_cases import charlie_enrollment
from muster.tests.isolation import NO_OBJECT, Case

WRITE = ("GET", "POST")


def _draft(t):
    """Oakdale's unpublished course, made once per test."""
    course = getattr(t, "_oakdale_draft", None)
    if course is None:
        course = make_course(
            "oakdale-draft",
            provider=t.other_agency,
            title="Oakdale draft course",
            is_published=False,
        )
        t._oakdale_draft = course
    return course


def _slug(t) -> list[dict]:
    return [{"slug": _draft(t).slug}]


def _lesson(t) -> list[dict]:
    course = _draft(t)
    return [{"slug": course.slug, "pk": course.lessons.get().pk}]


def _question(t) -> list[dict]:
    course = _draft(t)
    return [{"slug": course.slug, "pk": course.questions.get().pk}]


def _approval(t) -> list[dict]:
    course = _draft(t)
    return [{"slug": course.slug, "pk": course.approvals.get().pk}]


def _handout(course, title: str) -> dict:
    asset = LessonAsset.objects.create(
        lesson=course.lessons.first(),
        kind="handout",
        title=title,
        file=ContentFile(b"Oakdale only", name="handout.txt"),
    )
    return {"slug": course.slug, "pk": asset.pk}


def _asset(t) -> list[dict]:
    """A file of Oakdale's draft, and one of the retired course Charlie took."""
    taken = charlie_enrollment(t).course
    return [_handout(_draft(t), "Oakdale handout"), _handout(taken, "Handout")]


CASES = {
    "catalog:list": NO_OBJECT,
    "catalog:course": Case(_slug),
    "catalog:asset": Case(_asset),
    "catalog:author-home": NO_OBJECT,
    "catalog:course-new": Case(None, methods=WRITE),
    "catalog:markdown-preview": Case(None, methods=WRITE),
    "catalog:author-course": Case(_slug, methods=WRITE),
    "catalog:publish": Case(_slug, methods=WRITE, data=lambda t: {"publish": "1"}),
    "catalog:preview": Case(_slug),
    "catalog:preview-lesson": Case(lambda t: [{"slug": _draft(t).slug, "position": 1}]),
    "catalog:lesson-new": Case(_slug, methods=WRITE),
    "catalog:lesson-edit": Case(_lesson, methods=WRITE),
    "catalog:asset-new": Case(_lesson, methods=WRITE),
    "catalog:question-new": Case(_slug, methods=WRITE),
    "catalog:question-edit": Case(_question, methods=WRITE),
    "catalog:question-retire": Case(_question, methods=WRITE),
    "catalog:approval-new": Case(_slug, methods=WRITE),
    "catalog:approval-edit": Case(_approval, methods=WRITE),
}
