"""The audit trail is append-only and hash-chained; tampering is detected."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection

from muster.audit.log import history_for, record_event, snapshot, verify_chain
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase


class AuditChainTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        for hours in ("4", "5", "6"):
            before = snapshot(self.bob_record)
            self.bob_record.title = f"Patrol procedures, {hours} h"
            self.bob_record.save()
            record_event(
                "training.correct",
                actor=self.alice,
                obj=self.bob_record,
                before=before,
                after=snapshot(self.bob_record),
                reason="typo in title",
            )

    def test_it_verifies_an_untouched_chain(self) -> None:
        report = verify_chain()
        self.assertTrue(report.is_intact)
        self.assertEqual(report.checked, 3)
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        self.assertIn("3 entries verified", out.getvalue())

    def test_it_detects_a_row_edited_behind_the_applications_back(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s WHERE sequence = 2", ["none"]
            )
        report = verify_chain()
        self.assertEqual(report.first_bad_sequence, 2)
        self.assertIn("entry #2 was changed", report.problem)
        with self.assertRaisesMessage(CommandError, "entry #2 was changed"):
            call_command("audit", "verify")

    def test_it_detects_a_removed_row(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 2")
        self.assertIn("entry #2 is missing", verify_chain().problem)

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
        from muster.audit.log import Event, record_events

        entries = record_events(
            [
                Event(
                    "training.create",
                    actor=self.dana,
                    obj=self.charlie_record,
                    after={"n": n},
                )
                for n in range(3)
            ]
        )
        self.assertEqual([e.sequence for e in entries], [4, 5, 6])
        self.assertTrue(verify_chain().is_intact)
        self.assertEqual(verify_chain().checked, 6)
