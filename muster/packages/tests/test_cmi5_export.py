"""Exporting a cmi5 course (cmi5 6.1 SHOULD): its course structure (13) and its
course package (14), read back by Muster's own import unchanged."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from muster.accounts.choices import Role
from muster.agencies.choices import AgencyKind
from muster.agencies.models import Agency
from muster.packages import cmi5_schema, manifest
from muster.packages.models import Package, PackageItem
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import academy
from muster.packages.tests.test_cmi5_structure import NS, VENDOR, ImportMixin, text
from muster.test import BaseTestCase, make_user

C = "https://muster.example/courses/export"
REMOTE = "https://au.example.org"
# What a round trip must keep of each AU: everything Muster launches it with.
KEPT = (
    "position",
    "identifier",
    "title",
    "href",
    "move_on",
    "mastery_score",
    "launch_method",
    "parameters",
    "entitlement_key",
    "blocks",
    "depth",
)


def rich_structure(url_base: str = REMOTE) -> str:
    """Nested blocks, objectives, every AU attribute Muster keeps, a second
    langstring and vendor extensions (13.1.5) that rebuilding would lose."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<courseStructure xmlns="{NS}" '
        f'xmlns:v="{VENDOR}"><course id="{C}">'
        '<title><langstring lang="en-US">Export</langstring>'
        '<langstring lang="es">Exportar</langstring></title>'
        '<description><langstring lang="en-US">Export.</langstring></description>'
        f'</course><objectives><objective id="{C}/o1">{text("Objective")}'
        f'</objective></objectives><block id="{C}/b1">{text("Outer")}'
        f'<objectives><objective idref="{C}/o1"/></objectives>'
        f'<block id="{C}/b2">{text("Inner")}'
        f'<au id="{C}/au1" moveOn="CompletedAndPassed" masteryScore="0.75" '
        f'launchMethod="OwnWindow" v:colour="blue">{text("First")}'
        f'<objectives><objective idref="{C}/o1"/></objectives>'
        f"<url>{url_base}/au/index.html?lang=en</url>"
        '<launchParameters>{"level": 2}</launchParameters>'
        "<entitlementKey>ek-1</entitlementKey><v:note>vendor</v:note></au>"
        f'</block></block><au id="{C}/au2" moveOn="Passed">{text("Second")}'
        f"<url>{url_base}/au/two.html</url></au></courseStructure>"
    )


class ExportTests(ImportMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.ada)

    def structure_url(self, package: Package) -> str:
        return f"/authoring/packages/{package.course.slug}/cmi5.xml"

    def package_url(self, package: Package) -> str:
        return f"/authoring/packages/{package.course.slug}/cmi5-package/"

    def export(self, url: str) -> bytes:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, response.content[:300])
        self.assertIn("attachment", response["Content-Disposition"])
        return response.content

    def assertSameCourse(self, first: Package, second: Package) -> None:
        def rows(package):
            return list(
                package.items.order_by("position").values_list(*KEPT, flat=False)
            )

        self.assertNotEqual(first.pk, second.pk)
        self.assertEqual(rows(first), rows(second))
        self.assertEqual(first.identifier, second.identifier)
        self.assertEqual(first.cmi5_objectives, second.cmi5_objectives)
        self.assertEqual(first.course.title, second.course.title)

    def test_6_1_structure_alone_round_trips_with_publisher_ids(self) -> None:
        first = self.upload(rich_structure().encode(), name="cmi5.xml")
        data = self.export(self.structure_url(first))
        self.assertEqual(cmi5_schema.problems(manifest.parse_xml("cmi5.xml", data)), [])
        second = self.upload(data, name="cmi5.xml")
        self.assertSameCourse(first, second)
        au1 = second.items.get(position=1)
        # The publisher ids are the identity: unchanged, not the LMS's own ids.
        self.assertEqual(au1.identifier, f"{C}/au1")
        self.assertEqual(au1.blocks, [f"{C}/b1", f"{C}/b2"])
        self.assertEqual(
            (au1.move_on, au1.mastery_score, au1.launch_method, au1.parameters),
            ("CompletedAndPassed", Decimal("0.75"), "OwnWindow", '{"level": 2}'),
        )
        # What the AU rows do not keep leaves too: langstrings, vendor extensions.
        self.assertIn(b'<langstring lang="es">Exportar</langstring>', data)
        self.assertIn(b"<v:note>vendor</v:note>", data)

    def test_6_1_zipped_course_exports_its_structure_and_its_package(self) -> None:
        xml = rich_structure(url_base="").replace(">/au/", ">au/")
        files = {"cmi5.xml": xml, "au/index.html": fixtures.PAGE}
        files["au/two.html"] = fixtures.PAGE
        first = self.upload(fixtures.build_zip(files))
        structure = self.export(self.structure_url(first))
        self.assertEqual(structure, xml.encode())
        # Its urls are relative to the zip (14.1): it reads as the zip's structure.
        outline = manifest.read_cmi5(structure, set(files))
        self.assertEqual(
            [i.identifier for i in outline.items], [f"{C}/au1", f"{C}/au2"]
        )
        zipped = self.export(self.package_url(first))
        with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
            self.assertEqual(archive.read("cmi5.xml"), xml.encode())
        second = self.upload(zipped)
        self.assertSameCourse(first, second)
        self.assertEqual(second.file_count, first.file_count)

    def test_6_1_a_structure_that_differs_from_the_course_is_not_exported(self) -> None:
        package = self.upload(rich_structure().encode(), name="cmi5.xml")
        PackageItem.objects.filter(package=package, position=2).update(
            move_on="Completed"
        )
        response = self.client.get(self.structure_url(package), follow=True)
        self.assertNotIn("attachment", response.get("Content-Disposition", ""))
        self.assertContains(
            response, f"AU 2 &lt;au id=&#x27;{C}/au2&#x27;&gt;: moveOn is"
        )
        response = self.client.get(self.package_url(package))
        self.assertEqual(response.status_code, 302)

    def test_6_1_the_author_page_offers_the_downloads(self) -> None:
        package = self.upload(fixtures.cmi5_zip())
        page = self.client.get(f"/authoring/{package.course.slug}/")
        self.assertContains(page, self.structure_url(package))
        self.assertContains(page, self.package_url(package))
        scorm = self.upload(fixtures.scorm12_zip())
        page = self.client.get(f"/authoring/{scorm.course.slug}/")
        self.assertNotContains(page, "cmi5-structure-export")
        # A SCORM package has no cmi5 course structure.
        self.assertEqual(self.client.get(self.structure_url(scorm)).status_code, 404)

    def test_only_the_course_authors_may_export(self) -> None:
        package = self.upload(fixtures.cmi5_zip())
        other = Agency.objects.create(
            code="elsewhere",
            name="Elsewhere PD",
            kind=AgencyKind.POLICE_DEPARTMENT,
            state="MO",
        )
        outsiders = (
            make_user("otto", (Role.COURSE_AUTHOR, other)),
            make_user("cleo", (Role.COORDINATOR, other)),
            make_user("cora", (Role.COORDINATOR, academy())),
        )
        for user in outsiders:
            self.client.force_login(user)
            for url in (self.structure_url(package), self.package_url(package)):
                self.assertEqual(self.client.get(url).status_code, 404, user)
        self.client.logout()
        self.assertEqual(self.client.get(self.structure_url(package)).status_code, 302)

    def test_a_course_without_a_zip_exports_the_same_file_as_its_package(self) -> None:
        package = self.upload(rich_structure().encode(), name="cmi5.xml")
        self.assertEqual(
            self.export(self.package_url(package)),
            self.export(self.structure_url(package)),
        )
