"""Exports: compliance report (CSV, PDF with a chart), transcript, state files."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdfium2
import time_machine

from muster.agencies.models import Qualification
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase, make_person, make_record

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def pdf_text_and_ink(content: bytes, save_as: str = "") -> tuple[str, float]:
    """All text of the PDF, and the share of page 1's pixels that are not white.

    Page 1 is also saved as a PNG under test-artifacts/ for a person to look at.
    """
    document = pypdfium2.PdfDocument(content)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    picture = document[0].render(scale=1).to_pil()
    if save_as:
        ARTIFACTS.mkdir(exist_ok=True)
        picture.save(ARTIFACTS / save_as)
    image = picture.convert("L")
    histogram = image.histogram()
    inked = sum(histogram[:200]) / sum(histogram)
    return text, inked


@time_machine.travel(date(2026, 6, 1), tick=False)
class ExportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.base = f"/agencies/{self.agency.code}/exports"
        make_record(
            self.bob_person,
            self.agency,
            hours="24",
            completed_on=date(2026, 2, 1),
            title="Annual update",
        )
        self.bob_person.training_records.update(
            course_number="MO-7781", provider_name="Three Rivers RTC"
        )

    def test_it_exports_the_compliance_report_as_csv_and_audits_it(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(f"{self.base}/compliance.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = read_csv(response)
        self.assertEqual(rows[0][:3], ["Last name", "First name", "Badge or ID"])
        self.assertIn("Baker", [row[0] for row in rows[1:]])
        self.assertNotIn("Chen", [row[0] for row in rows[1:]])
        entry = AuditEntry.objects.filter(action="export.download").latest("sequence")
        self.assertEqual((entry.actor, entry.agency_id), (self.alice, self.agency.pk))
        self.assertIn("Compliance report 2026", entry.reason)

    def test_it_renders_a_real_pdf_report_with_a_chart_and_names(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.get(f"{self.base}/compliance.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text, inked = pdf_text_and_ink(response.content, "compliance-report.png")
        self.assertIn("Riverton Police Department", text)
        self.assertIn("Baker, Bob", text)
        self.assertGreater(inked, 0.01)
        self.assertIn(b"/FontFile2", response.content)  # the font is embedded

    def test_it_renders_a_persons_transcript(self) -> None:
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/transcript.pdf"
        response = self.client.get(url)
        text, inked = pdf_text_and_ink(response.content, "transcript.png")
        self.assertIn("Bob Baker", text)
        self.assertIn("Annual update", text)
        self.assertGreater(inked, 0.005)
        self.assertTrue(
            AuditEntry.objects.filter(
                action="export.download", object_id=str(self.bob_person.pk)
            ).exists()
        )

    def test_it_lists_completed_courses_for_the_missouri_clee_roster(self) -> None:
        self.client.force_login(self.alice)
        rows = read_csv(self.client.get(f"{self.base}/mo-clee-roster.csv"))
        self.assertEqual(
            rows[0],
            [
                "Officer name",
                "License number",
                "Course title",
                "Date",
                "Hours",
                "Course or approval number",
                "Provider",
            ],
        )
        license = self.bob_person.licenses.get().number
        self.assertIn(
            [
                "Bob Baker",
                license,
                "Annual update",
                "2026-02-01",
                "24",
                "MO-7781",
                "Three Rivers RTC",
            ],
            rows,
        )

    def test_it_writes_the_tennessee_in_service_report(self) -> None:
        dave = make_person("Dave", "Dunn", self.tn_agency, state="TN")
        dave.employments.update(title="Sergeant")
        record = make_record(
            dave,
            self.tn_agency,
            hours="40",
            completed_on=date(2026, 3, 1),
            title="2026 In-service",
        )
        record.result = "pass"
        record.save()
        Qualification.objects.create(
            person=dave,
            agency=self.tn_agency,
            qualified_on=date(2026, 3, 2),
            weapon_type="Handgun",
            score=Decimal("92"),
            result="pass",
        )
        self.client.force_login(self.root)
        response = self.client.get(
            f"/agencies/{self.tn_agency.code}/exports/tn-in-service.csv"
        )
        rows = read_csv(response)
        self.assertEqual(
            rows[0],
            [
                "Name",
                "Rank",
                "ID number",
                "Agency",
                "In-service hours",
                "Test score",
                "Firearm qualification",
            ],
        )
        self.assertEqual(
            rows[1],
            [
                "Dave Dunn",
                "Sergeant",
                dave.licenses.get().number,
                "Millbrook Police Department",
                "40",
                "Pass",
                "Pass 92 (Handgun, 2026-03-02)",
            ],
        )

    def test_it_judges_an_earlier_year_when_asked(self) -> None:
        self.client.force_login(self.alice)
        rows = read_csv(self.client.get(f"{self.base}/compliance.csv?year=2025"))
        baker = next(row for row in rows if row[0] == "Baker")
        self.assertEqual(baker[7], "2025")
        self.assertEqual(baker[9], "deficient")
        self.assertIn("Legal studies: 0/2 hours", baker[10])
        response = self.client.get(f"{self.base}/compliance.csv?year=1999")
        self.assertEqual(response.status_code, 404)

    def test_it_leaves_void_and_other_years_out_of_the_clee_roster(self) -> None:
        make_record(
            self.bob_person,
            self.agency,
            completed_on=date(2025, 5, 1),
            title="Last year",
        )
        make_record(self.bob_person, self.agency, title="Voided").void("Duplicate")
        self.client.force_login(self.alice)
        rows = read_csv(self.client.get(f"{self.base}/mo-clee-roster.csv"))
        titles = [row[2] for row in rows[1:]]
        self.assertEqual(titles, ["Annual update", "Patrol procedures"])

    def test_it_keeps_formulas_out_of_csv_cells(self) -> None:
        self.bob_person.training_records.update(title='=HYPERLINK("x")')
        self.client.force_login(self.alice)
        rows = read_csv(self.client.get(f"{self.base}/mo-clee-roster.csv"))
        self.assertEqual(rows[1][2], '\'=HYPERLINK("x")')

    def test_it_hides_exports_from_other_agencies(self) -> None:
        for user in (self.dana, self.charlie, self.tess):
            self.client.force_login(user)
            for url in ("compliance.csv", "compliance.pdf", "mo-clee-roster.csv", ""):
                self.assertEqual(self.client.get(f"{self.base}/{url}").status_code, 404)
            url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/transcript.pdf"
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="export.download").exists())

    def test_it_lets_a_state_auditor_read_exports_of_their_state(self) -> None:
        self.client.force_login(self.sam)
        self.assertEqual(
            self.client.get(f"{self.base}/compliance.csv").status_code, 200
        )
        page = self.client.get(f"{self.base}/")
        self.assertNotContains(page, "import/roster")
