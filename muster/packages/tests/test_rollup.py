"""SCORM 2004 rollup controls: items left out of the course's rollup are not
needed for credit, and the course's status is rolled up from its SCOs."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.models import Package
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, academy, author, imported
from muster.test import BaseTestCase

IMSSS = 'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'


def manifest(a: str = "", c: str = "") -> str:
    """The three-part package with sequencing for parts A and C."""
    text = fixtures.MANIFEST_NAV.replace(
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"',
        f'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" {IMSSS}',
    )
    text = text.replace(
        "<title>Part A</title>",
        f"<title>Part A</title><imsss:sequencing>{a}</imsss:sequencing>",
    )
    return text.replace(
        "<title>Part C</title>",
        f"<title>Part C</title><imsss:sequencing>{c}</imsss:sequencing>",
    )


def package_zip(text: str) -> bytes:
    return fixtures.build_zip(
        {"imsmanifest.xml": text, "nav/index.html": fixtures.NAV_PAGE, "nav/nav.js": ""}
    )


UNTRACKED = '<imsss:deliveryControls tracked="false"/>'
LEFT_OUT = (
    '<imsss:rollupRules rollupObjectiveSatisfied="false" '
    'rollupProgressCompletion="false" objectiveMeasureWeight="0.5"/>'
)


@override_settings(PACKAGE_CONTENT_ORIGIN="http://127.0.0.1")
class RollupTestCase(MediaMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ada = author()

    def take(self, text: str) -> Enrollment:
        package = imported(package_zip(text), actor=self.ada)
        package.course.seat_time_minutes = 0
        package.course.save()
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{package.course.slug}/enroll/")
        return Enrollment.objects.get(course=package.course)

    def commit(self, enrollment, item, data) -> None:
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        response = self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )
        self.assertEqual(response.status_code, 200, response.content)

    def test_the_rollup_controls_are_read(self) -> None:
        enrollment = self.take(manifest(a=UNTRACKED, c=LEFT_OUT))
        a, b, c = enrollment.course.package.items.all()
        self.assertFalse(a.rollup["tracked"])
        self.assertEqual(
            b.rollup,
            {"tracked": True, "satisfied": True, "completion": True, "weight": "1.0"},
        )
        self.assertEqual((c.rollup["satisfied"], c.rollup["weight"]), (False, "0.5"))
        self.assertEqual([i.counts_for_credit for i in (a, b, c)], [False, True, False])

    def test_parts_left_out_of_the_rollup_are_not_needed_for_credit(self) -> None:
        enrollment = self.take(manifest(a=UNTRACKED, c=LEFT_OUT))
        slug = enrollment.course.slug
        a, b, c = enrollment.course.package.items.all()
        response = self.client.get(f"/learn/{slug}/package/")
        # The first part the course needs, not the untracked pretest.
        self.assertEqual(response.context["current"], b)
        self.assertContains(response, '<span class="status">optional</span>', count=2)
        self.commit(enrollment, b, {"cmi.completion_status": "completed"})
        enrollment.refresh_from_db()
        self.assertTrue(enrollment.is_complete)

    def test_a_manifest_leaving_every_part_out_needs_them_all(self) -> None:
        text = manifest(a=UNTRACKED, c=UNTRACKED).replace(
            "<title>Part B</title>",
            f"<title>Part B</title><imsss:sequencing>{UNTRACKED}</imsss:sequencing>",
        )
        enrollment = self.take(text)
        b = enrollment.course.package.items.get(position=2)
        self.commit(enrollment, b, {"cmi.completion_status": "completed"})
        enrollment.refresh_from_db()
        self.assertFalse(enrollment.is_complete)

    def test_the_record_page_shows_the_course_rolled_up(self) -> None:
        enrollment = self.take(manifest(c=LEFT_OUT))
        a, b, c = enrollment.course.package.items.all()
        url = f"/learn/{enrollment.course.slug}/package/record/"
        self.commit(enrollment, a, {"cmi.completion_status": "completed",
                                    "cmi.success_status": "passed", "cmi.score.scaled": "0.8"})  # fmt: skip
        rollup = self.client.get(url).context["rollup"]
        # B not attempted yet: neither completion nor success is known.
        self.assertEqual((rollup.completion, rollup.success), ("unknown", "unknown"))
        self.commit(enrollment, b, {"cmi.completion_status": "incomplete",
                                    "cmi.success_status": "failed", "cmi.score.scaled": "0.2"})  # fmt: skip
        self.commit(enrollment, c, {"cmi.completion_status": "incomplete",
                                    "cmi.score.scaled": "1"})  # fmt: skip
        rollup = self.client.get(url).context["rollup"]
        # C is left out of completion and satisfaction, but its measure counts,
        # at half weight: (0.8 + 0.2 + 0.5 * 1) / 2.5.
        self.assertEqual((rollup.completion, rollup.success), ("incomplete", "failed"))
        self.assertEqual(str(rollup.measure), "0.6000")
        self.commit(enrollment, b, {"cmi.completion_status": "completed",
                                    "cmi.success_status": "passed", "cmi.score.scaled": "0.9"})  # fmt: skip
        response = self.client.get(url)
        self.assertEqual(
            (response.context["rollup"].completion, response.context["rollup"].success),
            ("completed", "passed"),
        )
        self.assertContains(response, "Part C (optional)")


class RollupErrorsTestCase(MediaMixin, BaseTestCase):
    def test_bad_rollup_controls_are_named(self) -> None:
        text = manifest(
            a='<imsss:deliveryControls tracked="no"/>',
            c='<imsss:rollupRules rollupProgressCompletion="maybe" objectiveMeasureWeight="2"/>',
        )
        self.client.force_login(author())
        response = self.client.post(
            "/authoring/packages/new/",
            {
                "provider": academy().pk,
                "credited_hours": "1",
                "package": SimpleUploadedFile("p.zip", package_zip(text)),
            },
        )
        self.assertEqual(
            response.context["problems"],
            [
                "imsmanifest.xml: <item identifier='A'>, <imsss:deliveryControls>, has "
                "tracked='no'; expected true or false.",
                "imsmanifest.xml: <item identifier='C'>, <imsss:rollupRules>, has "
                "rollupProgressCompletion='maybe'; expected true or false.",
                "imsmanifest.xml: <item identifier='C'>, <imsss:rollupRules>, has "
                "objectiveMeasureWeight '2'; expected a number from 0 to 1.",
            ],
        )
        self.assertFalse(Package.objects.exists())
