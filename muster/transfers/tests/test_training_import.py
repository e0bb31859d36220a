"""Training import: historical records matched to staff by license number."""

from decimal import Decimal

from muster.agencies.actions import record_snapshot
from muster.agencies.models import CreditLine, TrainingRecord
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase
from muster.transfers.tests.helpers import csv_bytes, last_batch, upload, xlsx_bytes

HEADER = [
    "License number",
    "Course title",
    "Completion date",
    "Hours",
    "Area",
    "Topics",
    "Legal hours",
    "Provider",
    "Provider kind",
    "Delivery",
    "Result",
    "Course number",
]


class TrainingImportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.base = f"/agencies/{self.agency.code}/import"
        self.bob_license = self.bob_person.licenses.get().number

    def row(self, **overrides) -> list[str]:
        values = dict(
            zip(
                HEADER,
                [
                    self.bob_license,
                    "Implicit bias 2025",
                    "2025-04-02",
                    "2",
                    "interpersonal",
                    "implicit-bias",
                    "1",
                    "Three Rivers RTC",
                    "approved-provider",
                    "live",
                    "pass",
                    "C-1234",
                ],
                strict=True,
            )
        )
        values.update(overrides)
        return [values[h] for h in HEADER]

    def import_file(self, data: bytes, name: str = "training.csv"):
        response = upload(self.client, self.agency.code, "training", data, name)
        self.assertEqual(response.status_code, 302)
        batch = last_batch()
        return batch, self.client.get(f"{self.base}/{batch.pk}/")

    def test_it_creates_records_with_credit_lines_marked_as_imported(self) -> None:
        batch, preview = self.import_file(csv_bytes(HEADER, [self.row()]))
        self.assertContains(preview, "1 to create")
        self.client.post(f"{self.base}/{batch.pk}/")
        record = TrainingRecord.objects.get(title="Implicit bias 2025")
        self.assertEqual(record.source, "import")
        self.assertEqual(record.agency, self.agency)
        self.assertEqual(record.entered_by, self.alice)
        self.assertEqual((record.course_number, record.result), ("C-1234", "pass"))
        lines = sorted(
            (str(x.hours), x.area, x.topics) for x in record.credit_lines.all()
        )
        self.assertEqual(
            lines,
            [("1.00", "legal", []), ("2.00", "interpersonal", ["implicit-bias"])],
        )
        self.assertEqual(record.total_hours, Decimal(3))
        entry = AuditEntry.objects.get(
            object_type="agencies.TrainingRecord", object_id=str(record.pk)
        )
        # The same action and the same snapshot as a record entered in the form.
        self.assertEqual(entry.action, "training.create")
        self.assertEqual(entry.after, record_snapshot(record))
        self.assertEqual(
            entry.object_label, "Bob Baker: Implicit bias 2025 (2025-04-02)"
        )

    def test_it_changes_nothing_when_the_same_file_is_imported_again(self) -> None:
        data = xlsx_bytes(HEADER, [self.row(), self.row(**{"Course title": "Other"})])
        batch, _ = self.import_file(data, "t.xlsx")
        self.client.post(f"{self.base}/{batch.pk}/")
        before = (TrainingRecord.objects.count(), CreditLine.objects.count())
        batch, preview = self.import_file(data, "t.xlsx")
        self.assertContains(preview, "2 unchanged")
        self.client.post(f"{self.base}/{batch.pk}/")
        self.assertEqual(
            (TrainingRecord.objects.count(), CreditLine.objects.count()), before
        )

    def test_it_names_row_and_field_of_every_problem_and_writes_nothing(self) -> None:
        charlie_license = self.charlie_person.licenses.get().number
        rows = [
            self.row(),
            self.row(**{"License number": charlie_license}),
            self.row(Topics="underwater-basket-weaving"),
            self.row(Hours="two"),
            self.row(Area="cooking"),
            self.row(),
        ]
        before = TrainingRecord.objects.count()
        batch, preview = self.import_file(csv_bytes(HEADER, rows))
        for row, field in [(4, "Topics"), (5, "Hours"), (6, "Area")]:
            self.assertContains(
                preview,
                f'<tr><td data-label="Row">{row}</td><td data-label="Field">{field}</td>'
                f'<td data-label="Problem">',
                html=False,
            )
        self.assertContains(
            preview, "&quot;underwater-basket-weaving&quot; is not a known topic"
        )
        self.client.post(f"{self.base}/{batch.pk}/")
        self.assertEqual(TrainingRecord.objects.count(), before)

    def test_it_refuses_a_completion_date_after_today(self) -> None:
        rows = [self.row(), self.row(**{"Completion date": "2100-01-01"})]
        batch, preview = self.import_file(csv_bytes(HEADER, rows))
        self.assertContains(
            preview,
            '<tr><td data-label="Row">3</td><td data-label="Field">Completed on</td>',
            html=False,
        )
        self.assertContains(preview, "&quot;2100-01-01&quot; is after today")
        self.client.post(f"{self.base}/{batch.pk}/")
        self.assertFalse(TrainingRecord.objects.filter(source="import").exists())

    def test_it_refuses_people_who_are_not_on_the_agencys_staff(self) -> None:
        charlie_license = self.charlie_person.licenses.get().number
        rows = [self.row(**{"License number": charlie_license}), self.row(), self.row()]
        batch, preview = self.import_file(csv_bytes(HEADER, rows))
        self.assertContains(
            preview,
            '<tr><td data-label="Row">2</td><td data-label="Field">License number</td>',
            html=False,
        )
        self.assertContains(preview, "import the roster first")
        self.assertContains(
            preview,
            '<tr><td data-label="Row">4</td><td data-label="Field">Course title</td>',
            html=False,
        )
        self.assertContains(preview, "repeats row 3")

    def test_it_refuses_different_hours_for_a_record_already_on_file(self) -> None:
        batch, _ = self.import_file(csv_bytes(HEADER, [self.row()]))
        self.client.post(f"{self.base}/{batch.pk}/")
        batch, preview = self.import_file(csv_bytes(HEADER, [self.row(Hours="5")]))
        self.assertContains(preview, "already has this course on this date with 3.00 h")
