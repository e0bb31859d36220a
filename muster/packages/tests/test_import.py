"""Importing a package: manifests read to the CAM, hostile zips refused, nothing written."""

from __future__ import annotations

import io
import stat
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.audit.models import AuditEntry
from muster.catalog.models import Course
from muster.packages.models import Package, PackageItem
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, academy, author, imported
from muster.test import BaseTestCase


class UploadMixin(MediaMixin):
    def setUp(self) -> None:
        super().setUp()
        self.ada = author()
        self.url = "/authoring/packages/new/"

    def post(self, data: bytes, name: str = "package.zip"):
        self.client.force_login(self.ada)
        return self.client.post(
            self.url,
            {
                "provider": academy().pk,
                "credited_hours": "1.5",
                "package": SimpleUploadedFile(name, data),
            },
        )

    def assert_refused(self, data: bytes, *messages: str) -> None:
        response = self.post(data)
        self.assertEqual(response.status_code, 400)
        for message in messages:
            self.assertContains(response, message, status_code=400)
        self.assertFalse(Package.objects.exists())
        self.assertFalse(Course.objects.filter(package__isnull=False).exists())
        self.assertFalse(AuditEntry.objects.filter(action="package.import").exists())


class ImportTestCase(UploadMixin, BaseTestCase):
    def test_it_imports_a_scorm_12_package_as_a_draft_course(self) -> None:
        response = self.post(fixtures.scorm12_zip())
        package = Package.objects.get()
        self.assertRedirects(response, f"/authoring/{package.course.slug}/")
        self.assertEqual((package.kind, package.edition), ("scorm12", "1.2"))
        course = package.course
        self.assertEqual(course.title, "De-escalation Basics")
        self.assertEqual(course.credited_hours, Decimal("1.5"))
        self.assertFalse(course.is_published)
        self.assertEqual(course.why_not_publishable(), "")
        item = package.items.get()
        self.assertEqual(
            (item.identifier, item.href, item.scorm_type, item.mastery_score),
            ("ITEM1", "sco/index.html", "sco", Decimal("80")),
        )
        self.assertEqual(item.data_from_lms, "chapter=1")
        self.assertEqual(package.file_count, 3)
        entry = AuditEntry.objects.get(action="package.import")
        self.assertEqual(entry.agency_id, academy().pk)

    def test_it_reads_a_2004_package_with_xml_base_and_passing_score(self) -> None:
        self.post(fixtures.scorm2004_zip())
        package = Package.objects.get()
        self.assertEqual(package.edition, "2004 4th Edition")
        item = package.items.get()
        self.assertEqual(item.href, "content/index.html")
        self.assertEqual(item.scaled_passing_score, Decimal("0.7"))

    def test_it_reads_a_cmi5_course_structure(self) -> None:
        self.post(fixtures.cmi5_zip())
        package = Package.objects.get()
        self.assertEqual(package.kind, "cmi5")
        self.assertEqual(package.course.title, "Report Writing")
        au = package.items.get()
        self.assertEqual(
            (au.scorm_type, au.href, au.move_on, au.mastery_score),
            ("au", "au/index.html", "CompletedAndPassed", Decimal("0.8")),
        )

    def test_the_author_then_maps_approvals_hours_and_topics_as_for_any_course(
        self,
    ) -> None:
        self.post(fixtures.scorm12_zip())
        course = Package.objects.get().course
        response = self.client.post(
            f"/authoring/{course.slug}/approvals/new/",
            {
                "jurisdiction": "MO",
                "approval_number": "VENDOR-1",
                "valid_from": "2024-01-01",
                "provider_kind": "approved-provider",
                "credits-TOTAL_FORMS": "1",
                "credits-INITIAL_FORMS": "0",
                "credits-0-hours": "1.5",
                "credits-0-area": "interpersonal",
                "credits-0-topics": "implicit-bias",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        credit = course.approvals.get().credits.get()
        self.assertEqual(credit.topics, ["implicit-bias"])

    def test_an_encoded_href_names_the_file_it_encodes(self) -> None:
        files = fixtures.scorm12_files()
        files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
            'href="sco/index.html">', 'href="sco/start%20here.html?lang=en">'
        )
        files["sco/start here.html"] = files.pop("sco/index.html")
        self.post(fixtures.build_zip(files))
        item = Package.objects.get().items.get()
        self.assertEqual(item.href, "sco/start%20here.html?lang=en")

    def test_a_resource_without_href_is_named(self) -> None:
        files = fixtures.scorm12_files()
        files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
            ' href="sco/index.html">', ">"
        )
        self.assert_refused(
            fixtures.build_zip(files),
            "imsmanifest.xml: &lt;resource identifier=&#x27;RES1&#x27;&gt; has no href",
        )

    def test_every_problem_is_listed_not_only_the_first(self) -> None:
        files = fixtures.scorm12_files()
        manifest = files["imsmanifest.xml"].replace(
            'href="sco/index.html"', 'href="gone.html"'
        )
        manifest = manifest.replace("<adlcp:masteryscore>80", "<adlcp:masteryscore>180")
        files["imsmanifest.xml"] = manifest
        self.assert_refused(
            fixtures.build_zip(files),
            "href &#x27;gone.html&#x27; is not in the package",
            "adlcp:masteryscore &#x27;180&#x27;; expected a number from 0 to 100",
        )

    def test_an_item_pointing_at_a_missing_resource_is_named(self) -> None:
        files = fixtures.scorm12_files()
        files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
            'identifierref="RES1"', 'identifierref="NOPE"'
        )
        self.assert_refused(
            fixtures.build_zip(files), "refers to resource &#x27;NOPE&#x27;"
        )

    def test_an_unknown_schema_version_is_refused(self) -> None:
        files = fixtures.scorm12_files()
        files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
            "<schemaversion>1.2", "<schemaversion>9.9"
        )
        self.assert_refused(
            fixtures.build_zip(files), "&lt;schemaversion&gt; is &#x27;9.9&#x27;"
        )

    def test_a_cmi5_au_with_a_bad_move_on_is_named(self) -> None:
        files = fixtures.cmi5_files()
        files["cmi5.xml"] = files["cmi5.xml"].replace("CompletedAndPassed", "Whenever")
        self.assert_refused(
            fixtures.build_zip(files), "has moveOn &#x27;Whenever&#x27;"
        )

    def test_13_1_cmi5_ids_are_unique_in_the_course_structure(self) -> None:
        au = 'id="https://muster.example/courses/cmi5-test/au1"'
        block = 'id="https://muster.example/courses/cmi5-test/block1"'
        for duplicate in (au, block):
            files = fixtures.cmi5_files()
            text = files["cmi5.xml"]
            copy = text[text.index("<au ") : text.index("</au>") + 5]
            if duplicate == block:
                copy = copy.replace(au, block)
            files["cmi5.xml"] = text.replace("</block>", copy + "</block>")
            with self.subTest(duplicate=duplicate):
                self.assert_refused(
                    fixtures.build_zip(files),
                    "every id must be unique (13.1)",
                    duplicate.split('"')[1],
                )

    def test_13_1_4_a_cmi5_url_that_is_no_url_is_refused(self) -> None:
        for url in ("http://example.com index.html", "ftp://example.com/a", "http:x"):
            files = fixtures.cmi5_files()
            files["cmi5.xml"] = files["cmi5.xml"].replace("au/index.html", url)
            with self.subTest(url=url):
                self.assert_refused(
                    fixtures.build_zip(files),
                    f"url &#x27;{url}&#x27; is not a valid URL",
                )

    def test_13_1_cmi5_attribute_values_are_trimmed(self) -> None:
        files = fixtures.cmi5_files()
        files["cmi5.xml"] = (
            files["cmi5.xml"]
            .replace('moveOn="CompletedAndPassed"', 'moveOn=" Completed "')
            .replace('masteryScore="0.8"', 'masteryScore=" 0.8 "')
            .replace('<course id="', '<course id=" ')
        )
        package = imported(fixtures.build_zip(files), actor=self.ada)
        item = package.items.get()
        self.assertEqual(
            (item.move_on, item.mastery_score), ("Completed", Decimal("0.8"))
        )
        self.assertEqual(package.identifier, "https://muster.example/courses/cmi5-test")

    def test_malformed_xml_and_entities_are_refused(self) -> None:
        files = fixtures.scorm12_files()
        files["imsmanifest.xml"] = "<manifest><unclosed></manifest>"
        self.assert_refused(
            fixtures.build_zip(files), "imsmanifest.xml: not well-formed XML"
        )
        files["imsmanifest.xml"] = (
            '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><manifest>&a;</manifest>'
        )
        self.assert_refused(
            fixtures.build_zip(files), "entities and DTDs are not allowed"
        )

    def test_a_zip_without_a_manifest_is_refused(self) -> None:
        self.assert_refused(
            fixtures.build_zip({"index.html": "hi"}),
            "no imsmanifest.xml (SCORM) or cmi5.xml",
        )

    def test_a_file_that_is_not_a_zip_is_refused(self) -> None:
        self.assert_refused(b"not a zip at all", "The file is not a zip archive.")


def entry(name: str, data: bytes = b"x", mode: int | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, content in fixtures.scorm12_files().items():
            archive.writestr(file_name, content)
        info = zipfile.ZipInfo(name)
        if mode is not None:
            info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)
    return out.getvalue()


class HostileZipTestCase(UploadMixin, BaseTestCase):
    def test_path_traversal_is_refused(self) -> None:
        self.assert_refused(
            entry("../../etc/evil.html"), "&#x27;..&#x27; would leave the package"
        )

    def test_an_absolute_path_is_refused(self) -> None:
        self.assert_refused(entry("/etc/evil.html"), "absolute paths are not allowed")

    def test_a_drive_letter_or_backslash_is_refused(self) -> None:
        self.assert_refused(entry("C:/evil.html"), "absolute paths are not allowed")
        self.assert_refused(entry("sco\\..\\evil.html"), "backslashes")

    def test_a_symbolic_link_is_refused(self) -> None:
        self.assert_refused(
            entry("sco/link", b"/etc/passwd", stat.S_IFLNK | 0o777),
            "symbolic links are not accepted",
        )

    def test_a_zip_bomb_is_refused_by_its_ratio(self) -> None:
        self.assert_refused(
            entry("sco/zeros.bin", b"\0" * (20 * 1024 * 1024)), "a zip bomb?"
        )

    @override_settings(PACKAGE_MAX_UNZIPPED_BYTES=1000)
    def test_a_package_too_large_unpacked_is_refused(self) -> None:
        self.assert_refused(
            entry("sco/big.txt", b"y" * 2000), "at most 1000 are accepted"
        )

    @override_settings(PACKAGE_MAX_ENTRIES=3)
    def test_too_many_entries_are_refused(self) -> None:
        self.assert_refused(
            entry("sco/one-more.txt"), "The zip holds 4 entries; at most 3"
        )

    def test_a_size_the_zip_lies_about_is_caught_while_reading(self) -> None:
        from muster.packages.zipcheck import BoundedEntry, PackageError

        data = entry("sco/liar.txt", b"z" * 5000)
        archive = zipfile.ZipFile(io.BytesIO(data))
        info = archive.getinfo("sco/liar.txt")
        info.file_size = 1  # what a forged central directory would claim
        with pytest.raises(PackageError, match="sco/liar.txt: the entry is damaged"):
            BoundedEntry(archive, info, 4000).read()
        info = archive.getinfo("sco/liar.txt")
        info.file_size = 5000
        with pytest.raises(PackageError, match="would exceed the size limit"):
            BoundedEntry(archive, info, 4000).read()

    def test_a_failure_after_storing_removes_the_stored_files(self) -> None:
        from pathlib import Path
        from unittest import mock

        with (
            mock.patch(
                "muster.packages.actions._create", side_effect=RuntimeError("disk full")
            ),
            self.assertRaises(RuntimeError),
        ):
            imported(fixtures.scorm12_zip(), actor=self.ada)
        self.assertEqual(
            [p for p in Path(self.media_root).rglob("*") if p.is_file()], []
        )
        self.assertFalse(Package.objects.exists())


class ImportAccessTestCase(MediaMixin, BaseTestCase):
    def test_only_course_authors_reach_the_upload(self) -> None:
        for user in (self.alice, self.bob, self.charlie):
            self.client.force_login(user)
            self.assertEqual(
                self.client.get("/authoring/packages/new/").status_code, 404
            )

    def test_an_author_cannot_import_for_another_provider(self) -> None:
        ada = author()
        self.client.force_login(ada)
        response = self.client.post(
            "/authoring/packages/new/",
            {
                "provider": self.other_agency.pk,
                "credited_hours": "1",
                "package": SimpleUploadedFile("p.zip", fixtures.scorm12_zip()),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(PackageItem.objects.exists())

    def test_an_imported_course_lists_for_its_author_only(self) -> None:
        package = imported(fixtures.scorm12_zip(), publish=False)
        self.client.force_login(self.alice)
        self.assertEqual(
            self.client.get(f"/authoring/{package.course.slug}/").status_code, 404
        )
