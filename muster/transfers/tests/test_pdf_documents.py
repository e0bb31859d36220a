"""The printed documents a state or a court may read: every page numbered and
labelled, the compliance report dense and signed off, the transcript in words."""

from datetime import date

import pypdfium2
import time_machine

from muster.agencies.models import CreditLine, Employment
from muster.agencies.tests.helpers import add_record
from muster.test import BaseTestCase, make_person, make_record
from muster.transfers import pdf
from muster.transfers.tests.test_exports import ARTIFACTS


def pages_of(content: bytes, save_as: str) -> list[str]:
    """The text of each page; every page is saved as a PNG to look at."""
    document = pypdfium2.PdfDocument(content)
    ARTIFACTS.mkdir(exist_ok=True)
    texts = []
    for number, page in enumerate(document, start=1):
        page.render(scale=1.5).to_pil().save(ARTIFACTS / f"{save_as}-{number}.png")
        texts.append(page.get_textpage().get_text_range())
    return texts


@time_machine.travel("2026-06-01 15:30:00+00:00", tick=False)
class CompliancePdfTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Most of a real roster is short of one thing or nothing; some of all.
        for n in range(80):
            person = make_person(f"Officer{n:02d}", f"Staff{n:02d}", self.agency)
            if n % 4:
                add_record(
                    person,
                    date(2026, 3, 1),
                    ("4", "legal", []),
                    ("4", "technical", []),
                    ("2", "skill-development", ["firearms"]),
                    ("1", "interpersonal", ["implicit-bias", "racial-profiling"]),
                    ("12", "interpersonal", []),
                    provider_kind="approved-provider",
                )
        self.alice.first_name, self.alice.last_name = "Alice", "Archer"
        self.alice.save()
        self.client.force_login(self.alice)
        url = f"/agencies/{self.agency.code}/exports/compliance.pdf"
        self.pages = pages_of(self.client.get(url).content, "compliance-report")

    def test_every_page_is_numbered_and_names_the_agency(self) -> None:
        total = len(self.pages)
        self.assertGreater(total, 1)
        for number, text in enumerate(self.pages, start=1):
            self.assertIn(f"Page {number} of {total}", text)
            self.assertIn("Riverton Police Department · Training compliance 2026", text)

    def test_a_page_holds_many_rows(self) -> None:
        # 81 people in all; the chart takes part of page 1, rows fill page 2.
        self.assertGreaterEqual(self.pages[1].count("Staff"), 30)

    def test_it_ends_with_a_certification_block(self) -> None:
        last = self.pages[-1]
        self.assertIn("Certification", last)
        self.assertIn("I certify that the training records", last)
        self.assertIn("Signature", last)
        self.assertIn("Printed by Alice Archer (alice) on 2026-06-01 15:30", last)
        self.assertIn("Rules applied: Missouri peace officer", last)
        self.assertIn("rules checked", last)

    def test_statuses_are_words(self) -> None:
        text = "".join(self.pages)
        self.assertIn("At risk", text)
        self.assertNotIn("at-risk", text)
        self.assertEqual(pdf.status_word("not-encoded"), "Not encoded")


@time_machine.travel("2026-06-01 15:30:00+00:00", tick=False)
class TranscriptPdfTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        record = make_record(
            self.bob_person,
            self.agency,
            hours="2",
            area="skill-development",
            topics=("firearms",),
            completed_on=date(2026, 3, 14),
            title="Range day",
        )
        CreditLine.objects.create(
            record=record, hours=1, area="interpersonal", topics=["implicit-bias"]
        )
        self.url = (
            f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/transcript.pdf"
        )

    def test_it_names_the_agency_numbers_pages_and_uses_labels(self) -> None:
        self.client.force_login(self.alice)
        (text,) = pages_of(self.client.get(self.url).content, "transcript")
        self.assertIn("Riverton Police Department", text)
        self.assertIn("Page 1 of 1", text)
        flat = " ".join(text.split())
        self.assertIn("2 h Skill development (Firearms skill development)", flat)
        self.assertIn("1 h Interpersonal perspectives (Implicit bias)", flat)
        self.assertNotIn("skill-development", text)
        self.assertNotIn("implicit-bias", text)
        # Dates are set whole on one line, never broken at a hyphen.
        self.assertIn("2026-03-14", text)

    def test_the_person_page_links_to_it(self) -> None:
        self.client.force_login(self.alice)
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertContains(page, f'href="{self.url}"')

    def test_an_officer_gets_their_own_transcript_from_their_page(self) -> None:
        self.client.force_login(self.bob)
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertContains(page, 'href="/my/transcript.pdf"')
        (text,) = pages_of(self.client.get("/my/transcript.pdf").content, "own")
        self.assertIn("Training transcript: Bob Baker", text)
        self.assertIn("Range day", text)

    def test_someone_without_a_person_has_no_own_transcript(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/my/transcript.pdf").status_code, 404)

    def test_a_former_employer_gets_no_link(self) -> None:
        Employment.objects.filter(person=self.bob_person).update(
            ends_on=date(2026, 1, 31)
        )
        self.client.force_login(self.alice)
        page = self.client.get(self.bob_person.get_absolute_url())
        self.assertNotContains(page, "transcript.pdf")
