"""The audit trail is append-only, chained and sealed; the chain check names
every entry changed, removed or inserted."""

from django.db import connection

from muster.audit.choices import Action
from muster.audit.log import Event, history_for, record_event, record_events, snapshot
from muster.audit.models import AuditEntry
from muster.audit.verify import verify_chain
from muster.test import BaseTestCase


class AuditChainTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for hours in ("4", "5", "6"):
            before = snapshot(self.bob_record)
            self.bob_record.title = f"Patrol procedures, {hours} h"
            self.bob_record.save()
            record_event(
                Action.TRAINING_CORRECT,
                actor=self.alice,
                obj=self.bob_record,
                before=before,
                after=snapshot(self.bob_record),
                reason="typo in title",
            )

    def test_it_verifies_an_untouched_chain(self) -> None:
        report = verify_chain()
        self.assertEqual((report.problems, report.entries), ([], 3))

    def test_each_entry_is_sealed_with_the_configured_key(self) -> None:
        entry = AuditEntry.objects.first()
        self.assertEqual(entry.key_id, "dev")
        with self.settings(AUDIT_KEYS="other:" + "x" * 40):
            self.assertIn(
                "names key 'dev', which is not configured", str(verify_chain().problems)
            )

    def test_it_detects_a_row_edited_behind_the_applications_back(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s WHERE sequence = 2", ["none"]
            )
        self.assertEqual(
            verify_chain().problems,
            [
                "entry #2 was changed after it was written (training.correct "
                f"agencies.TrainingRecord {self.bob_record.pk})"
            ],
        )

    def test_it_detects_a_removed_row(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 2")
        self.assertEqual(
            verify_chain().problems, ["entry #2 is missing (next found is #3)"]
        )

    def test_it_refuses_changes_through_the_orm(self) -> None:
        entry = AuditEntry.objects.first()
        with self.assertRaises(TypeError):
            entry.save()
        with self.assertRaises(TypeError):
            entry.delete()

    def test_it_keeps_each_objects_history_in_order(self) -> None:
        titles = [e.after["title"] for e in history_for(self.bob_record)]
        self.assertEqual(titles, [f"Patrol procedures, {h} h" for h in ("4", "5", "6")])
        self.assertEqual(history_for(self.bob_record)[0].actor, self.alice)

    def test_a_bulk_append_continues_the_chain(self) -> None:
        entries = record_events(
            [
                Event(
                    Action.TRAINING_CREATE,
                    actor=self.dana,
                    obj=self.charlie_record,
                    after={"n": n},
                )
                for n in range(3)
            ]
        )
        self.assertEqual([e.sequence for e in entries], [4, 5, 6])
        report = verify_chain()
        self.assertEqual((report.problems, report.entries), ([], 6))
