"""The upload step: CSV quoting end to end, and bad files refused writing nothing."""

from datetime import date

from muster.agencies.models import TrainingRecord
from muster.audit.models import AuditEntry
from muster.tabular.tests import hostile
from muster.test import BaseTestCase
from muster.transfers.models import ImportBatch
from muster.transfers.tests.helpers import last_batch, upload
from muster.transfers.tests.test_roster_import import counts


def written() -> tuple[int, ...]:
    return (
        *counts(),
        TrainingRecord.objects.count(),
        ImportBatch.objects.count(),
        AuditEntry.objects.count(),
    )


class CsvQuotingTestCase(BaseTestCase):
    """Issue 15.5: a real CSV reader, from upload to the stored record."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.base = f"/agencies/{self.agency.code}/import"

    def test_doubled_quotes_and_quoted_commas_are_stored_as_written(self) -> None:
        number = self.bob_person.licenses.get().number
        data = (
            "\ufeffLicense number,Course title,Date Completed,Hours,Provider\r\n"
            f'{number},"ALERRT ""Stop the Killing"" refresher",2025-04-02,8,'
            '"Smith, Jones & Co"\r\n'
        ).encode()
        response = upload(self.client, self.agency.code, "training", data, "t.csv")
        self.assertEqual(response.status_code, 302)
        batch = last_batch()
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        self.assertContains(preview, "1 to create")
        self.client.post(f"{self.base}/{batch.pk}/")
        record = TrainingRecord.objects.get(source="import")
        self.assertEqual(record.title, 'ALERRT "Stop the Killing" refresher')
        self.assertEqual(record.provider_name, "Smith, Jones & Co")
        self.assertEqual(record.completed_on, date(2025, 4, 2))


class BadUploadTestCase(BaseTestCase):
    """Every bad file is refused at upload with its reason; nothing is stored."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)

    def refuse(self, kind: str, name: str, data: bytes, message: str) -> None:
        before = written()
        response = upload(self.client, self.agency.code, kind, data, name)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertEqual(written(), before)

    def test_a_csv_named_png_is_refused(self) -> None:
        self.refuse(
            "roster", "people.png", b"First name,Last name\n", "its name ends in .png"
        )

    def test_a_png_named_csv_is_refused(self) -> None:
        self.refuse("roster", "people.csv", b"\x89PNG\r\n\x1a\n", "is a PNG image")

    def test_latin1_text_is_refused_naming_the_row_and_the_fix(self) -> None:
        data = "First name,Last name\nJos\xe9,Lee\n".encode("latin-1")
        self.refuse("roster", "people.csv", data, "people.csv, row 2: is not UTF-8")
        self.refuse("roster", "people.csv", data, "CSV UTF-8")

    def test_a_hostile_workbook_is_refused_naming_the_limit(self) -> None:
        cells = hostile.one_row_of_inline_cells(3_000_000)
        data = hostile.workbook(hostile.sheet(cells))
        self.refuse("training", "t.xlsx", data, "more than the limit of 100 MB")

    def test_a_workbook_with_an_entity_bomb_is_refused(self) -> None:
        cell = b'<row r="1"><c t="inlineStr"><is><t>&i;</t></is></c></row>'
        data = hostile.workbook(hostile.sheet([cell], hostile.ENTITY_BOMB))
        self.refuse("roster", "p.xlsx", data, "declares a DTD or XML entities")

    def test_a_formula_without_a_saved_value_is_named_by_its_cell(self) -> None:
        rows = hostile.text_rows([["First name", "Last name"], ["Ann", "Lee"]])
        formula = b'<row r="3"><c r="A3"><f>A2&amp;"x"</f><v/></c></row>'
        data = hostile.workbook(hostile.sheet([*rows, formula]))
        self.refuse(
            "roster",
            "p.xlsx",
            data,
            "cell A3 holds a formula with no saved value; open the file in Excel "
            "and save it, or paste values",
        )
