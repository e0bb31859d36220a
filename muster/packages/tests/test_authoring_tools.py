"""Packages laid out as authoring tools lay them out (authoring_fixtures.py):
imported to the CAM, launched with the right URL, played through the runtime."""

from __future__ import annotations

import json
from decimal import Decimal

from django.test import SimpleTestCase, override_settings

from muster.learning.models import Enrollment
from muster.packages import launch
from muster.packages.manifest import launch_href, resolve
from muster.packages.models import CmiCommit, Package, ScoState
from muster.packages.tests import authoring_fixtures as tools
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import imported
from muster.packages.tests.test_import import UploadMixin
from muster.test import BaseTestCase

CONTENT = "http://127.0.0.1"


def outline(package: Package) -> list[tuple]:
    return [
        (i.identifier, i.href, i.scorm_type, i.parameters, i.is_visible)
        for i in package.items.order_by("position")
    ]


class AuthoringToolImportTestCase(UploadMixin, BaseTestCase):
    def imported(self, data: bytes) -> Package:
        response = self.post(data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:2000])
        return Package.objects.get()

    def test_a_storyline_style_scorm_12_package(self) -> None:
        package = self.imported(tools.storyline_12_zip())
        self.assertEqual((package.kind, package.edition), ("scorm12", "1.2"))
        self.assertEqual(package.course.title, "Vehicle Pursuit Policy")
        self.assertEqual(
            outline(package),
            [("PursuitPolicy_SCO", "index_lms.html", "sco", "", True)],
        )
        self.assertEqual(package.items.get().mastery_score, Decimal("80"))

    def test_a_storyline_style_2004_4th_edition_package_with_a_dependency(
        self,
    ) -> None:
        package = self.imported(tools.storyline_2004_zip())
        self.assertEqual(
            (package.kind, package.edition), ("scorm2004", "2004 4th Edition")
        )
        item = package.items.get()  # the asset of shared files is no item
        self.assertEqual(item.href, "scormdriver/indexAPI.html")
        # completedByMeasure="false": the SCO decides its completion itself.
        self.assertIsNone(item.completion_threshold)
        self.assertIsNone(item.scaled_passing_score)

    def test_a_captivate_style_2004_3rd_edition_package_with_shared_sequencing(
        self,
    ) -> None:
        package = self.imported(tools.captivate_2004_zip())
        self.assertEqual(package.edition, "2004 3rd Edition")
        item = package.items.get()
        self.assertEqual(item.href, "index_scorm.html")
        self.assertEqual(item.completion_threshold, Decimal("0.9"))
        # From the <imsss:sequencingCollection> the item's IDRef names.
        self.assertEqual(item.scaled_passing_score, Decimal("0.8"))

    def test_an_ispring_style_package_with_chapters_bases_and_parameters(
        self,
    ) -> None:
        package = self.imported(tools.ispring_12_zip())
        self.assertEqual(
            outline(package),
            [
                ("LESSON_1", "res/lesson1/index.html?player=html5", "sco", "?slide=1", True),
                ("LESSON_2", "res/lesson2/index.html", "sco", "slide=1", True),
                ("LESSON_3", "res/lesson3/page.html", "asset", "", False),
            ],
        )  # fmt: skip
        self.assertEqual(
            [i.mastery_score for i in package.items.order_by("position")],
            [None, Decimal("70"), None],
        )

    def test_a_dependency_on_no_resource_is_named(self) -> None:
        broken = tools.STORYLINE_2004.replace(
            '<dependency identifierref="SearchSeizure_COMMON"/>',
            '<dependency identifierref="SearchSeizure_MISSING"/>',
        )
        data = fixtures.build_zip(
            {"imsmanifest.xml": broken, "scormdriver/indexAPI.html": fixtures.PAGE}
        )
        self.assert_refused(
            data,
            "imsmanifest.xml: &lt;resource identifier=&#x27;SearchSeizure_RES&#x27;&gt; "
            "has a &lt;dependency identifierref=&#x27;SearchSeizure_MISSING&#x27;&gt;, "
            "which names no &lt;resource&gt;.",
        )

    def test_a_sequencing_idref_to_nothing_is_named(self) -> None:
        broken = tools.CAPTIVATE_2004.replace('IDRef="DV_COMMON_SEQ"', 'IDRef="NOPE"')
        self.assert_refused(
            tools.captivate_2004_zip(broken),
            "imsmanifest.xml: &lt;item identifier=&#x27;DV_SCO&#x27;&gt; has "
            "&lt;imsss:sequencing IDRef=&#x27;NOPE&#x27;&gt;, which names no",
        )

    def test_a_manifest_inside_a_folder_is_named_with_what_to_do(self) -> None:
        files = {f"PursuitPolicy/{k}": v for k, v in fixtures.scorm12_files().items()}
        self.assert_refused(
            fixtures.build_zip(files),
            "PursuitPolicy/imsmanifest.xml: the zip has imsmanifest.xml in the folder "
            "&#x27;PursuitPolicy/&#x27;, not at its top level.",
        )

    def test_an_xml_base_without_a_slash_resolves_as_rfc_3986_says(self) -> None:
        manifest = tools.ISPRING_12.replace('xml:base="lesson1/"', 'xml:base="lesson1"')
        data = fixtures.build_zip(
            {"imsmanifest.xml": manifest, **{k: v for k, v in _ispring_files().items()}}
        )
        self.assert_refused(
            data,
            "href &#x27;res/index.html?player=html5&#x27; is not in the package.",
        )


def _ispring_files() -> dict:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(tools.ispring_12_zip())) as archive:
        return {
            n: archive.read(n) for n in archive.namelist() if n != "imsmanifest.xml"
        }


class LaunchUrlTestCase(SimpleTestCase):
    def test_parameters_join_the_href_by_the_cam_rules(self) -> None:
        cases = [
            ("a.html", "", "a.html"),
            ("a.html", "?x=1", "a.html?x=1"),
            ("a.html", "&x=1", "a.html?x=1"),
            ("a.html?p=2", "?x=1", "a.html?p=2&x=1"),
            ("a.html?p=2", "x=1", "a.html?p=2&x=1"),
            ("a.html", "#intro", "a.html#intro"),
            ("a.html#top", "#intro", "a.html#top"),
            ("a.html#top", "x=1", "a.html?x=1#top"),
        ]
        for href, parameters, expected in cases:
            with self.subTest(href=href, parameters=parameters):
                self.assertEqual(launch_href(href, parameters), expected)

    def test_xml_base_resolution(self) -> None:
        self.assertEqual(
            resolve("", "res/", "lesson1/", "index.html"), "res/lesson1/index.html"
        )
        self.assertEqual(resolve("res", "index.html"), "index.html")
        self.assertEqual(resolve("res/", "../../x.html"), "res/../../x.html")
        self.assertEqual(
            resolve("res/", "http://cdn.example/x.html"), "http://cdn.example/x.html"
        )


@override_settings(PACKAGE_CONTENT_ORIGIN=CONTENT)
class AuthoringToolRuntimeTestCase(BaseTestCase):
    """The runtime takes what such SCOs send: 2004's 64,000-character suspend data,
    nested items launched with their parameters."""

    def enroll(self, data: bytes) -> Enrollment:
        package = imported(data)
        self.client.force_login(self.bob)
        self.client.post(f"/learn/{package.course.slug}/enroll/")
        return Enrollment.objects.get(person=self.bob_person, course=package.course)

    def commit(self, enrollment, item, data):
        token = launch.new_token(enrollment.pk, item.pk, "http://testserver")
        return self.client.post(
            f"/package-content/{token}/commit/",
            json.dumps(data),
            content_type="text/plain",
            HTTP_HOST="127.0.0.1",
        )

    def test_2004_suspend_data_up_to_64000_characters(self) -> None:
        enrollment = self.enroll(tools.captivate_2004_zip())
        item = enrollment.course.package.items.get()
        kept = self.commit(
            enrollment, item, {"cmi.suspend_data": "s" * 64000, "cmi.exit": "suspend"}
        )
        self.assertEqual(kept.json(), {"result": True, "errorCode": 0})
        refused = self.commit(enrollment, item, {"cmi.suspend_data": "s" * 64001})
        self.assertEqual(refused.json()["errorCode"], 391)
        self.assertIn("cmi.suspend_data: ", refused.json()["error"])
        self.assertEqual(CmiCommit.objects.count(), 1)
        self.assertEqual(len(ScoState.objects.get().suspend_data), 64000)

    def test_2004_passing_score_from_the_shared_sequencing_judges_success(
        self,
    ) -> None:
        enrollment = self.enroll(tools.captivate_2004_zip())
        item = enrollment.course.package.items.get()
        self.commit(
            enrollment,
            item,
            {"cmi.completion_status": "completed", "cmi.progress_measure": "0.95",
             "cmi.score.scaled": "0.75", "cmi.success_status": "passed"},
        )  # fmt: skip
        state = ScoState.objects.get()
        # 0.75 is below the 0.8 of the collection: failed, whatever the SCO said.
        self.assertEqual((state.success_status, state.is_complete), ("failed", False))
        self.commit(enrollment, item, {"cmi.score.scaled": "0.85",
                                       "cmi.progress_measure": "0.95"})  # fmt: skip
        state.refresh_from_db()
        self.assertEqual((state.success_status, state.is_complete), ("passed", True))

    def test_a_nested_item_launches_with_its_parameters(self) -> None:
        enrollment = self.enroll(tools.ispring_12_zip())
        first = enrollment.course.package.items.order_by("position").first()
        token = launch.new_token(enrollment.pk, first.pk, "http://testserver")
        response = self.client.get(f"/package-content/{token}/", HTTP_HOST="127.0.0.1")
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, "res/lesson1/index.html?player=html5\\u0026slide=1"
        )
