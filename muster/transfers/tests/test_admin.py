"""The admin lists of import batches and the reminder log open, read-only."""

from muster.reminders.models import ReminderSent
from muster.test import BaseTestCase
from muster.transfers.models import ImportBatch


class AdminTestCase(BaseTestCase):
    def test_it_lists_batches_and_reminders_without_add_or_delete(self) -> None:
        ImportBatch.objects.create(
            agency=self.agency, kind="roster", file_name="people.csv", content=b"a\n"
        )
        ReminderSent.objects.create(
            person=self.bob_person,
            mandate="us.mo.x",
            period_start="2026-01-01",
            point="30",
            email="bob@example.org",
        )
        self.client.force_login(self.root)
        for url, text in (
            ("/admin/transfers/importbatch/", "people.csv"),
            ("/admin/reminders/remindersent/", "Bob Baker"),
            ("/admin/reminders/digestsent/", "0 digest"),
        ):
            response = self.client.get(url)
            self.assertContains(response, text)
            self.assertNotContains(response, f"{url}add/")
