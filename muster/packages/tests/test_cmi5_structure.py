"""cmi5 course structures on import: the schema (13.2), the rules beside it (3.0,
8.1, 14.1) and a course structure uploaded without a zip (14.2), launched at
the AU's own URL on another origin.

Several cases follow what the ADL CATAPULT LMS test suite's package tests
check (lts/__tests__/package.js: its packages 101, 102, 201 to 210), written
here with course structures of this project's own.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from muster.audit.models import AuditEntry
from muster.catalog.models import Course
from muster.packages import cmi5
from muster.packages.actions import import_package
from muster.packages.models import Package, PackageItem
from muster.packages.tests import fixtures
from muster.packages.tests.helpers import MediaMixin, academy, author
from muster.packages.tests.test_cmi5 import CONTENT, Cmi5TestCase
from muster.packages.zipcheck import PackageError
from muster.test import BaseTestCase
from muster.xapi.models import Statement

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
VENDOR = "https://vendor.example/cmi5-extension"
C = "https://muster.example/courses/structure"


def text(title: str) -> str:
    return (
        f'<title><langstring lang="en-US">{title}</langstring></title>'
        f'<description><langstring lang="en-US">{title}.</langstring></description>'
    )


def au(ident: str = f"{C}/au1", url: str = "au/index.html", attrs="", inner=""):
    """An AU element; `inner` replaces everything after its title and description."""
    body = inner or f"<url>{url}</url>"
    return f'<au id="{ident}" {attrs}>{text("The AU")}{body}</au>'


def structure(body: str = "", course_id: str = C, root_attrs: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<courseStructure xmlns="{NS}" '
        f'xmlns:v="{VENDOR}" {root_attrs}><course id="{course_id}">'
        f"{text('Structure')}</course>{body or au()}</courseStructure>"
    )


class ImportMixin(MediaMixin):
    def setUp(self) -> None:
        super().setUp()
        self.ada = author()

    def upload(self, data: bytes, name: str = "package.zip") -> Package:
        return import_package(
            actor=self.ada,
            provider=academy(),
            upload=SimpleUploadedFile(name, data),
            credited_hours=Decimal("1"),
        )

    def zipped(self, xml: str) -> bytes:
        return fixtures.build_zip({"cmi5.xml": xml, "au/index.html": fixtures.PAGE})

    def refused(self, data: bytes, *messages: str, name="package.zip") -> str:
        """Import `data`, expect PackageError naming each of `messages`, and check
        that nothing was written: no package, course, audit entry or file."""
        with self.assertRaises(PackageError) as caught:
            self.upload(data, name)
        problem = str(caught.exception)
        for message in messages:
            self.assertIn(message, problem)
        self.assertFalse(Package.objects.exists())
        self.assertFalse(Course.objects.filter(package__isnull=False).exists())
        self.assertFalse(AuditEntry.objects.filter(action="package.import").exists())
        stored = [files for _, _, files in os.walk(self.media_root) if files]
        self.assertEqual(stored, [])
        return problem


class SchemaTests(ImportMixin, BaseTestCase):
    """13.2: what the course structure schema refuses is refused, named."""

    def test_13_2_a_structure_in_the_schema_imports(self) -> None:
        objectives = (
            f'<objectives><objective id="{C}/o1">'
            # xs:all: description and title in either order.
            f'<description><langstring lang="en">O.</langstring></description>'
            f'<title><langstring lang="en">O</langstring></title></objective>'
            "</objectives>"
        )
        nested = (
            f'<block id="{C}/b1">{text("Outer")}'
            f'<objectives><objective idref="{C}/o1"/></objectives>'
            f'<block id="{C}/b2">{text("Inner")}'
            + au(
                attrs='moveOn="Passed" masteryScore="1.0" launchMethod="OwnWindow" '
                'authenticationMethod="Basic" activityType="http://adlnet.gov/'
                'expapi/activities/lesson" v:colour="blue"',
                inner=f'<objectives><objective idref="{C}/o1"/></objectives>'
                "<url>au/index.html</url>"
                "<launchParameters><p>any content</p></launchParameters>"
                "<entitlementKey>ek</entitlementKey>"
                "<v:note>vendor element at the end (13.1.5)</v:note>",
            )
            + "</block></block>"
        )
        xml = structure(objectives + nested + au(f"{C}/au2") + "<v:end/>")
        package = self.upload(self.zipped(xml))
        first, second = package.items.all()
        self.assertEqual(first.blocks, [f"{C}/b1", f"{C}/b2"])
        self.assertEqual(
            (first.move_on, first.mastery_score, first.launch_method),
            ("Passed", Decimal("1.0"), "OwnWindow"),
        )
        self.assertEqual(second.identifier, f"{C}/au2")

    def test_13_2_elements_out_of_order_or_missing(self) -> None:
        cases = (
            # CATAPULT 207-1: <url> before <title>.
            (
                au(inner="").replace(
                    text("The AU"), "<url>au/index.html</url>" + text("The AU")
                ),
                f"<au id='{C}/au1'> has <url> where <title> is expected",
            ),
            (
                f'<au id="{C}/au1"><title><langstring>T</langstring></title>'
                "<url>au/index.html</url></au>",
                f"<au id='{C}/au1'> has <url> where <description> is expected",
            ),
            (
                f'<au id="{C}/au1">{text("T")}</au>',
                f"<au id='{C}/au1'> lacks <url>",
            ),
            (
                au(inner="<url>au/index.html</url><url>au/index.html</url>"),
                "has <url> after everything the schema allows there",
            ),
            (
                f'<block id="{C}/b1">{text("B")}</block>',
                f"<block id='{C}/b1'> lacks <au> or <block>",
            ),
            (
                au(inner="<url>au/index.html</url><colour>red</colour>"),
                "has <colour> after everything the schema allows there",
            ),
            (
                au(inner="<v:x/><url>au/index.html</url>"),
                "has an element of another namespace where <url> is expected",
            ),
            (
                au(inner='<url>au/index.html</url><note xmlns="">n</note>'),
                "has <note>, an element without a namespace",
            ),
            (
                f"<objectives></objectives>{au()}",
                "<objectives> lacks <objective>",
            ),
            (
                f'<objectives><objective id="{C}/o1">{text("O")}'
                "<title><langstring>again</langstring></title></objective>"
                f"</objectives>{au()}",
                f"<objective id='{C}/o1'> has <title>; it holds exactly <title> "
                "and <description>, in any order",
            ),
            (
                f'<objectives><objective id="{C}/o1"><title><langstring>O'
                f"</langstring></title></objective></objectives>{au()}",
                f"<objective id='{C}/o1'> lacks <description>",
            ),
            (
                au().replace(
                    '<title><langstring lang="en-US">The AU</langstring></title>',
                    "<title></title>",
                ),
                f"<au id='{C}/au1'>, <title> lacks <langstring>",
            ),
        )
        for body, message in cases:
            with self.subTest(message=message):
                self.refused(self.zipped(structure(body)), message, "13.2")

    def test_13_2_the_course_and_the_structure_itself(self) -> None:
        no_title = structure().replace(
            f'<course id="{C}"><title><langstring lang="en-US">Structure'
            "</langstring></title>",
            f'<course id="{C}">',
        )
        self.refused(
            self.zipped(no_title), f"<course id='{C}'> has <description> where <title>"
        )
        no_au = structure().replace(au(), "")
        self.refused(self.zipped(no_au), "<courseStructure> lacks <au> or <block>")
        for namespace, named in (
            ("http://www.adlnet.gov/cmi5/CourseStructure.xsd", "in the namespace"),
            ("", "in no namespace"),
        ):
            other = structure().replace(f'xmlns="{NS}"', f'xmlns="{namespace}"')
            with self.subTest(namespace=namespace):
                self.refused(self.zipped(other), named, NS)
        self.refused(
            self.zipped('<?xml version="1.0"?><manifest/>'),
            "the root element is <manifest>, not <courseStructure>",
        )

    def test_13_2_attributes_the_schema_does_not_allow(self) -> None:
        cases = (
            (au(attrs='colour="red"'), "has the attribute 'colour', which the course"),
            (au(attrs='moveOn="Whenever"'), "has moveOn 'Whenever'; expected one of"),
            (
                au(attrs='launchMethod="Popup"'),
                "has launchMethod 'Popup'; expected one of AnyWindow, OwnWindow",
            ),
            (
                au(attrs='authenticationMethod="OAuth"'),
                "has authenticationMethod 'OAuth'; expected one of Basic",
            ),
            (
                au(inner='<url lang="en">au/index.html</url>'),
                "<url> has the attribute 'lang', which",
            ),
            (
                f'<objectives><objective id="{C}/o1" v:x="1">{text("O")}</objective>'
                f"</objectives>{au()}",
                f"<objective id='{C}/o1'> has the attribute 'x' of {VENDOR}; this "
                "element takes no attributes of other namespaces",
            ),
            (au(ident=""), "<au> has no id; it is required"),
            (
                au().replace('lang="en-US">The AU', 'lang="en_US">The AU'),
                "<langstring> has lang 'en_US'; expected a language tag",
            ),
        )
        for body, message in cases:
            with self.subTest(message=message):
                self.refused(self.zipped(structure(body)), message)
        root_attribute = structure(root_attrs='version="1"')
        self.refused(
            self.zipped(root_attribute),
            "<courseStructure> has the attribute 'version'",
        )

    def test_13_1_4_mastery_score_is_a_decimal_from_0_to_1(self) -> None:
        for value in ("1.5", "-0.1", "0.8e0", "high", "NaN"):
            with self.subTest(value=value):
                self.refused(
                    self.zipped(structure(au(attrs=f'masteryScore="{value}"'))),
                    f"has masteryScore '{value}'; expected a number from 0 to 1",
                )

    def test_13_2_text_only_where_the_schema_has_text(self) -> None:
        stray = au().replace("<title>", "stray words<title>", 1)
        self.refused(
            self.zipped(structure(stray)),
            f"<au id='{C}/au1'> has the text 'stray words' between its elements",
        )
        nested = au().replace(
            ">The AU</langstring></title>", "><b>The AU</b></langstring></title>"
        )
        self.refused(
            self.zipped(structure(nested)),
            f"<au id='{C}/au1'>, <title>, <langstring> holds text only; <b>",
        )
        self.refused(
            self.zipped(structure(au(url=" "))),
            f"<au id='{C}/au1'>, <url> is empty",
        )

    def test_3_0_ids_are_fully_qualified_iris(self) -> None:
        """CATAPULT 201-1 to 201-4: course, block, AU and objective ids that are
        IRI references (no scheme) are refused."""
        relative = "muster.example/courses/structure"
        objective = (
            f'<objectives><objective id="{relative}/o1">{text("O")}</objective>'
            "</objectives>"
        )
        cases = (
            (structure(course_id=relative), f"<course id='{relative}'> has id"),
            (
                structure(f'<block id="{relative}/b">{text("B")}{au()}</block>'),
                f"<block id='{relative}/b'> has id",
            ),
            (structure(au(ident=f"{relative}/au")), f"<au id='{relative}/au'> has id"),
            (structure(objective + au()), f"<objective id='{relative}/o1'> has id"),
            (
                structure(
                    au(
                        inner=f'<objectives><objective idref="{relative}/o1"/>'
                        "</objectives><url>au/index.html</url>"
                    )
                ),
                f"has idref '{relative}/o1'",
            ),
        )
        for xml, message in cases:
            with self.subTest(message=message):
                self.refused(self.zipped(xml), message, "fully qualified IRI")

    def test_13_2_every_problem_is_listed_at_once(self) -> None:
        xml = structure(
            au(attrs='moveOn="Sometimes"') + au(f"{C}/au2", attrs='masteryScore="2"')
        )
        problem = self.refused(self.zipped(xml), "moveOn 'Sometimes'")
        self.assertIn("masteryScore '2'", problem)


class RulesBesideTheSchemaTests(ImportMixin, BaseTestCase):
    def test_8_1_the_url_query_must_not_collide_with_launch_parameters(self) -> None:
        """CATAPULT 204: an AU url whose query names `endpoint` is refused."""
        for name in ("endpoint", "activityId", "fetch"):
            url = f"au/index.html?lang=en&amp;{name}=http://example.org/lrs"
            with self.subTest(name=name):
                self.refused(
                    self.zipped(structure(au(url=url))),
                    f"has '{name}' in its query",
                    "must not collide (8.1)",
                )

    def test_14_1_a_relative_url_must_be_in_the_zip(self) -> None:
        """CATAPULT 203-1."""
        self.refused(
            self.zipped(structure(au(url="au/missing.html"))),
            "url 'au/missing.html' is not in the package (14.1)",
        )

    def test_13_1_4_values_longer_than_muster_keeps_are_refused_not_cut(self) -> None:
        long_id = f"{C}/" + "a" * 200
        self.refused(
            self.zipped(structure(au(ident=long_id))),
            f"its id is {len(long_id)} characters long; Muster keeps at most 200 "
            "and will not cut it",
        )
        parameters = "x" * 1001
        self.refused(
            self.zipped(
                structure(
                    au(
                        inner="<url>au/index.html</url>"
                        f"<launchParameters>{parameters}</launchParameters>"
                    )
                )
            ),
            "its launchParameters is 1001 characters long",
        )

    def test_14_0_zip64_is_imported(self) -> None:
        """CATAPULT 102: a Zip64 package."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in (("cmi5.xml", structure()), ("au/index.html", "hi")):
                with archive.open(name, "w", force_zip64=True) as entry:
                    entry.write(data.encode())
        # Local headers with the Zip64 extra field: sizes 0xFFFFFFFF in the header.
        self.assertIn(b"\xff" * 8 + b"\x08\x00\x14\x00cmi5.xml", out.getvalue())
        package = self.upload(out.getvalue())
        self.assertEqual(package.items.get().href, "au/index.html")

    def test_14_0_a_file_neither_zip_nor_xml_is_refused(self) -> None:
        """CATAPULT 208-1 (a markdown file) and 209-1 (not a zip)."""
        self.refused(b"# Not a package\n", "The file is not a zip archive.")


REMOTE = "https://au.example.org"


def remote_structure(count: int = 1, url: str = f"{REMOTE}/quiz/start.html") -> str:
    aus = "".join(
        au(f"{C}/au{n}", url=f"{url}?lang=en", attrs='moveOn="Completed"')
        for n in range(count)
    )
    return structure(aus)


class WithoutZipImportTests(ImportMixin, BaseTestCase):
    """14.0, 14.2: a course structure XML file uploaded alone."""

    def test_14_2_a_structure_alone_imports_with_absolute_urls(self) -> None:
        package = self.upload(remote_structure(2).encode(), name="course.xml")
        self.assertEqual(package.kind, "cmi5")
        self.assertEqual(package.file_count, 0)
        self.assertTrue(package.original.name.endswith(".xml"))
        self.assertEqual(
            list(package.items.values_list("href", flat=True)),
            [f"{REMOTE}/quiz/start.html?lang=en"] * 2,
        )
        self.assertTrue(AuditEntry.objects.filter(action="package.import").exists())

    def test_14_2_a_structure_alone_in_utf_16(self) -> None:
        xml = remote_structure().replace('encoding="utf-8"', 'encoding="utf-16"')
        package = self.upload(xml.encode("utf-16"), name="cmi5.xml")
        self.assertEqual(package.items.count(), 1)

    def test_6_1_more_than_a_thousand_aus(self) -> None:
        """CATAPULT 101: 1,000 AUs and more, in a structure alone."""
        package = self.upload(remote_structure(1001).encode(), name="thousand.xml")
        self.assertEqual(PackageItem.objects.filter(package=package).count(), 1001)

    def test_14_2_relative_urls_are_refused_without_a_zip(self) -> None:
        """CATAPULT 202-1 to 202-5."""
        for url in (
            "index.html",
            "path/1/index.html",
            "index.html?abc=def",
            "path/1/index.html?abc=def",
            "/index.html",
        ):
            with self.subTest(url=url):
                self.refused(
                    structure(au(url=url)).encode(),
                    f"url '{url}' is relative",
                    "must then be fully qualified",
                    "(14.2)",
                    name="cmi5.xml",
                )

    def test_14_2_the_schema_and_the_launch_parameters_apply_alone_too(self) -> None:
        self.refused(
            structure(au(url=f"{REMOTE}/a?endpoint=x")).encode(),
            "has 'endpoint' in its query",
            name="cmi5.xml",
        )
        self.refused(
            structure(au(attrs='moveOn="Whenever"', url=f"{REMOTE}/a")).encode(),
            "moveOn 'Whenever'",
            name="cmi5.xml",
        )
        self.refused(
            fixtures.MANIFEST_12.encode(),
            "the root element is <manifest>, not <courseStructure>",
            name="imsmanifest.xml",
        )

    @override_settings(OUTBOUND_ALLOW_LOOPBACK=False)
    def test_14_2_aus_inside_a_network_are_refused(self) -> None:
        """Muster never fetches an AU's url, the learner's browser does, with the
        launch credentials in its query: a structure must not point learners at
        addresses inside a network (the outbound rules' addresses)."""
        for url, why in (
            ("http://169.254.169.254/latest/", "link-local"),
            ("http://10.1.2.3/au.html", "private"),
            ("http://[::1]/au.html", "loopback"),
            ("http://localhost:8000/au.html", "localhost"),
            ("ftp://au.example.org/au.html", "not a valid URL"),
        ):
            with self.subTest(url=url):
                self.refused(
                    structure(au(url=url)).encode(),
                    f"url '{url}'",
                    why,
                    name="cmi5.xml",
                )

    def test_14_2_a_structure_alone_over_the_size_limit_is_refused(self) -> None:
        from muster.packages import actions

        padding = "<!--" + "x" * actions.MAX_STRUCTURE_BYTES + "-->"
        self.refused((structure() + padding).encode(), "larger than", name="cmi5.xml")


class RemoteLaunchTests(Cmi5TestCase):
    """14.2 and 8.1: an AU at an absolute URL, on an origin of its own, launched
    with the launch parameters; its fetch URL and the LRS answer it cross-origin."""

    zip_data = staticmethod(lambda: remote_structure().encode())

    def test_8_1_the_au_is_launched_at_its_own_url_with_the_parameters(self) -> None:
        response = self.client.get(f"/learn/{self.course.slug}/package/1/")
        self.assertIn(REMOTE, response["Content-Security-Policy"].split("frame-src")[1])
        params = self.launch()
        self.assertTrue(params["url"].startswith(f"{REMOTE}/quiz/start.html?lang=en&"))
        self.assertEqual(params["lang"], "en")
        self.assertEqual(params["endpoint"], "http://testserver/xapi/")
        self.assertTrue(params["fetch"].startswith(f"{CONTENT}/package-content/"))
        self.assertEqual(params["activityId"], cmi5.au_activity_id(self.au1))
        launched = Statement.objects.filter(verb_id=cmi5.LAUNCHED).latest("pk")
        extensions = launched.data["context"]["extensions"]
        self.assertEqual(
            extensions[cmi5.EXTENSION + "launchurl"],
            f"{REMOTE}/quiz/start.html?lang=en",
        )

    def test_8_2_the_fetch_url_answers_another_origin(self) -> None:
        params = self.launch()
        path = params["fetch"].removeprefix(CONTENT)
        preflight = self.http.options(
            path,
            HTTP_HOST="127.0.0.1",
            HTTP_ORIGIN=REMOTE,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
        )
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        self.assertIn("POST", preflight["Access-Control-Allow-Methods"])
        self.assertIn("Content-Type", preflight["Access-Control-Allow-Headers"])
        answer = self.http.post(
            path, "{}", content_type="application/json",
            HTTP_HOST="127.0.0.1", HTTP_ORIGIN=REMOTE,
        )  # fmt: skip
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer["Access-Control-Allow-Origin"], "*")
        self.assertIn("auth-token", answer.json())

    def test_the_lrs_answers_the_au_cross_origin_to_the_course_record(self) -> None:
        params, token = self.started()
        preflight = self.http.options(
            "/xapi/statements",
            HTTP_ORIGIN=REMOTE,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,"
            "x-experience-api-version",
        )
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        allowed = preflight["Access-Control-Allow-Headers"]
        for header in ("Authorization", "Content-Type", "X-Experience-API-Version"):
            self.assertIn(header, allowed)
        for verb, result in (
            (cmi5.INITIALIZED, None),
            (cmi5.COMPLETED, {"completion": True, "duration": "PT1M"}),
            (cmi5.TERMINATED, {"duration": "PT1M"}),
        ):
            response = self.http.post(
                "/xapi/statements",
                json.dumps(self.remote(params, verb, result)),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Basic {token}",
                HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
                HTTP_ORIGIN=REMOTE,
            )
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.enrollment.refresh_from_db()
        self.assertTrue(self.enrollment.is_complete)
        self.assertEqual(Statement.objects.filter(verb_id=cmi5.SATISFIED).count(), 1)

    def remote(self, params, verb, result):
        statement = self.defined(params, verb, result)
        # This AU has no masteryScore: its template has none (10.0).
        statement["context"]["extensions"].pop(cmi5.MASTERY_SCORE, None)
        return statement

    def test_an_http_au_is_opened_in_its_own_window_from_an_https_page(self) -> None:
        PackageItem.objects.filter(pk=self.au1.pk).update(
            href="http://au.example.org/quiz/start.html"
        )
        response = self.client.get(f"/learn/{self.course.slug}/package/1/", secure=True)
        page = response.content.decode()
        self.assertIn('id="package-open"', page)
        self.assertNotIn('id="package-frame"', page)
        self.assertIn("http://au.example.org/quiz/start.html?", page)


class UploadPageTests(ImportMixin, BaseTestCase):
    def test_14_2_the_authoring_page_takes_a_structure_alone(self) -> None:
        self.client.force_login(self.ada)
        response = self.client.post(
            "/authoring/packages/new/",
            {
                "provider": academy().pk,
                "credited_hours": "1",
                "package": SimpleUploadedFile("cmi5.xml", remote_structure().encode()),
            },
        )
        package = Package.objects.get()
        self.assertRedirects(response, f"/authoring/{package.course.slug}/")
        self.assertEqual(package.items.get().href, f"{REMOTE}/quiz/start.html?lang=en")
