"""Undoing a training import: every record it created is voided, with the reason,
each through the void action and its own audit entry; nothing else changes."""

from muster.agencies.models import TrainingRecord
from muster.audit.log import history_for
from muster.test import BaseTestCase
from muster.transfers.tests import test_training_import
from muster.transfers.tests.helpers import csv_bytes, last_batch, upload


class ImportUndoTestCase(BaseTestCase):
    # Through the module: the class imported by name would run again here.
    row = test_training_import.TrainingImportTestCase.row

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.bob_license = self.bob_person.licenses.get().number
        rows = [self.row(), self.row(**{"Course title": "Legal update 2025"})]
        upload(
            self.client,
            self.agency.code,
            "training",
            csv_bytes(test_training_import.HEADER, rows),
        )
        self.batch = last_batch()
        self.base = f"/agencies/{self.agency.code}/import/{self.batch.pk}"
        self.client.post(f"{self.base}/")
        self.imported = TrainingRecord.objects.filter(source="import")

    def test_the_preview_offers_the_undo_and_it_lists_the_records(self) -> None:
        self.assertContains(self.client.get(f"{self.base}/"), f"{self.base}/undo/")
        page = self.client.get(f"{self.base}/undo/")
        self.assertContains(page, "Void 2 records")
        self.assertContains(page, "Legal update 2025")

    def test_it_voids_every_imported_record_with_the_reason(self) -> None:
        response = self.client.post(f"{self.base}/undo/", {"reason": "Wrong file"})
        self.assertRedirects(response, f"{self.base}/")
        self.assertEqual(self.imported.count(), 2)
        for record in self.imported:
            self.assertTrue(record.is_void)
            self.assertEqual(
                record.void_reason, f"Import #{self.batch.pk} undone: Wrong file"
            )
            entry = history_for(record).get(action="training.void")
            self.assertEqual(entry.actor, self.alice)
        self.assertFalse(TrainingRecord.objects.get(pk=self.bob_record.pk).is_void)
        again = self.client.get(f"{self.base}/undo/")
        self.assertContains(again, "nothing to undo")

    def test_without_a_reason_nothing_is_voided(self) -> None:
        response = self.client.post(f"{self.base}/undo/", {"reason": ""})
        self.assertContains(response, 'id="id_reason_error"')
        self.assertFalse(self.imported.filter(is_void=True).exists())

    def test_another_agency_cannot_undo_it(self) -> None:
        self.client.force_login(self.dana)
        response = self.client.post(f"{self.base}/undo/", {"reason": "Sabotage"})
        self.assertEqual(response.status_code, 404)
        other = f"/agencies/{self.other_agency.code}/import/{self.batch.pk}/undo/"
        self.assertEqual(self.client.post(other, {"reason": "x"}).status_code, 404)
        self.assertFalse(self.imported.filter(is_void=True).exists())
