"""`audit verify` against attacks made behind the application's back.

Each test first brings the trail to a verified state through the application,
then does one thing an attacker with write access to the database could do, and
asserts that verify names it. What verify cannot see is in docs/security.md.
"""

import hashlib
import json
import tempfile
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError
from django.test import override_settings

from muster.accounts.actions import set_active
from muster.agencies import actions
from muster.agencies.models import CreditLine, TrainingRecord
from muster.audit import checkpoints
from muster.audit.models import AuditEntry
from muster.audit.verify import baseline, verify
from muster.test import BaseTestCase


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def reseal_plainly_from(sequence: int) -> None:
    """What an attacker without the key can do: rewrite entries from `sequence`
    on and recompute every later hash with plain SHA-256."""
    previous = AuditEntry.objects.get(sequence=sequence - 1).entry_hash
    for entry in AuditEntry.objects.filter(sequence__gte=sequence).order_by("sequence"):
        entry.previous_hash = previous
        text = json.dumps(entry.payload(), sort_keys=True, separators=(",", ":"))
        previous = hashlib.sha256(text.encode()).hexdigest()
        sql(
            "UPDATE audit_auditentry SET previous_hash = %s, entry_hash = %s "
            "WHERE sequence = %s",
            [entry.previous_hash, previous, entry.sequence],
        )


class VerifyTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The shared fixtures are written without the actions; accept them first.
        for record in TrainingRecord.objects.all():
            record.natural_key = record.compute_natural_key(record.total_hours)
            record.save(update_fields=["natural_key"])
        baseline("Test fixtures")
        self.record = actions.record_training(
            actor=self.alice,
            person=self.bob_person,
            agency=self.agency,
            fields={"title": "Defensive tactics", "completed_on": date(2026, 2, 3)},
            lines=[{"hours": Decimal("4"), "area": "technical"}],
        )
        actions.correct_training(
            actor=self.alice,
            record=self.record,
            fields={"title": "Defensive tactics II"},
            lines=[{"hours": Decimal("6"), "area": "technical"}],
            reason="Sheet says 6 hours",
        )
        self.folder = Path(tempfile.mkdtemp(prefix="muster-checkpoints-"))
        self.checkpoint = self.folder / "checkpoints.jsonl"

    def problems(self, **options) -> list[str]:
        return verify(**options).problems

    def test_an_untouched_trail_and_its_records_verify(self) -> None:
        checkpoints.write(self.checkpoint)
        report = verify(self.checkpoint)
        self.assertEqual(report.problems, [])
        self.assertGreater(report.records, 8)
        out = StringIO()
        call_command("audit", "verify", checkpoint=str(self.checkpoint), stdout=out)
        self.assertIn("Audit trail intact", out.getvalue())

    def test_it_reports_a_credit_lines_hours_changed_in_sql(self) -> None:
        sql(
            "UPDATE agencies_creditline SET hours = 60 WHERE record_id = %s",
            [self.record.pk],
        )
        (problem,) = self.problems()
        self.assertRegex(
            problem,
            rf"agencies.TrainingRecord #{self.record.pk} \(Defensive tactics II "
            r"\(2026-02-03\)\) differs from its last audit entry #\d+ in: credit_lines",
        )

    def test_it_reports_a_training_record_inserted_in_sql(self) -> None:
        sql(
            "INSERT INTO agencies_trainingrecord (person_id, agency_id, title, "
            "completed_on, provider_name, course_number, provider_kind, delivery, "
            "result, source, approval, review_note, created_at, is_void, void_reason) "
            "VALUES (%s, %s, 'Ghost course', '2026-01-05', '', '', 'other', 'live', "
            "'', 'manual', 'approved', '', '2026-01-05 00:00', false, '')",
            [self.bob_person.pk, self.agency.pk],
        )
        ghost = TrainingRecord.objects.get(title="Ghost course")
        CreditLine.objects.create(record=ghost, hours=24, area="technical")
        problems = self.problems()
        self.assertIn(
            f"agencies.TrainingRecord #{ghost.pk} (Ghost course (2026-01-05)) has no "
            "audit entry: it was written behind the application",
            problems,
        )

    def test_it_reports_a_record_deleted_in_sql(self) -> None:
        sql("DELETE FROM agencies_creditline WHERE record_id = %s", [self.record.pk])
        sql("DELETE FROM agencies_trainingrecord WHERE id = %s", [self.record.pk])
        (problem,) = self.problems()
        self.assertIn(f"agencies.TrainingRecord #{self.record.pk} is gone", problem)

    def test_a_checkpoint_reveals_entries_deleted_from_the_end(self) -> None:
        checkpoints.write(self.checkpoint)
        last = AuditEntry.objects.order_by("-sequence").first().sequence
        sql("DELETE FROM audit_auditentry WHERE sequence = %s", [last])
        problems = self.problems(checkpoint_file=self.checkpoint)
        self.assertIn(
            f"the trail ends at #{last - 1}, but the checkpoint of ", problems[-1]
        )
        self.assertIn(
            f"recorded #{last}: entries were removed from its end", problems[-1]
        )
        # The record whose last entries went no longer matches what is left.
        self.assertTrue(any("differs from its last audit entry" in p for p in problems))

    def test_a_checkpoint_reveals_that_every_entry_was_deleted(self) -> None:
        checkpoints.write(self.checkpoint)
        count = AuditEntry.objects.count()
        sql("DELETE FROM audit_auditentry")
        problems = self.problems(checkpoint_file=self.checkpoint)
        self.assertTrue(
            problems[-1].startswith("the trail is empty, but the checkpoint")
        )
        self.assertIn(
            f"recorded {count} entries: every entry was removed", problems[-1]
        )
        # And every legal record is now one without an entry.
        self.assertGreater(sum("has no audit entry" in p for p in problems), 8)

    def test_it_reports_an_entry_edited_and_the_chain_recomputed_without_the_key(
        self,
    ) -> None:
        checkpoints.write(self.checkpoint)
        target = AuditEntry.objects.get(action="training.correct")
        sql(
            "UPDATE audit_auditentry SET reason = 'Sheet says 60 hours' WHERE sequence = %s",
            [target.sequence],
        )
        reseal_plainly_from(target.sequence)
        problems = self.problems(checkpoint_file=self.checkpoint)
        self.assertIn(
            f"entry #{target.sequence} was changed after it was written "
            f"(training.correct agencies.TrainingRecord {self.record.pk})",
            problems,
        )
        self.assertTrue(
            any(
                "is not the one the checkpoint of" in p and "rewritten" in p
                for p in problems
            )
        )

    def test_an_entry_passed_off_as_one_from_before_keys_is_reported(self) -> None:
        target = AuditEntry.objects.get(action="training.correct")
        sql(
            "UPDATE audit_auditentry SET key_id = '' WHERE sequence = %s",
            [target.sequence],
        )
        reseal_plainly_from(target.sequence)
        self.assertIn(
            f"entry #{target.sequence} has no key though entries before it do: it was "
            "written or rewritten behind the application",
            self.problems(),
        )

    def test_it_reports_every_problem_not_only_the_first(self) -> None:
        sql("UPDATE audit_auditentry SET reason = 'x' WHERE sequence = 2")
        sql("DELETE FROM audit_auditentry WHERE sequence = 4")
        sql(
            "UPDATE agencies_creditline SET hours = 60 WHERE record_id = %s",
            [self.record.pk],
        )
        problems = self.problems()
        self.assertIn("entry #2 was changed after it was written", problems[0])
        self.assertEqual(problems[1], "entry #4 is missing (next found is #5)")
        self.assertTrue(any("credit_lines" in p for p in problems[2:]))
        with self.assertRaisesMessage(
            CommandError, f"BROKEN: {len(problems)} problems"
        ):
            call_command("audit", "verify", stderr=StringIO())

    def test_a_forged_checkpoint_is_refused(self) -> None:
        checkpoint = checkpoints.write(self.checkpoint)
        forged = json.loads(checkpoint.line()) | {"sequence": 1, "count": 1}
        self.checkpoint.write_text(json.dumps(forged) + "\n")
        problems = self.problems(checkpoint_file=self.checkpoint)
        self.assertIn("line 1: the checkpoint's seal does not match", problems[0])
        self.assertIn("holds no valid checkpoint", problems[1])

    def test_the_checkpoint_command_appends_to_a_file(self) -> None:
        out = StringIO()
        call_command("audit", "checkpoint", file=str(self.checkpoint), stdout=out)
        call_command("audit", "checkpoint", file=str(self.checkpoint), stdout=out)
        lines = self.checkpoint.read_text().splitlines()
        self.assertEqual(len(lines), 2)
        head = AuditEntry.objects.order_by("-sequence").first()
        self.assertEqual(json.loads(lines[0])["head"], head.entry_hash)

    def test_checkpoints_are_written_every_n_entries_once_committed(self) -> None:
        start = AuditEntry.objects.count()
        with (
            override_settings(
                AUDIT_CHECKPOINT_FILE=str(self.checkpoint), AUDIT_CHECKPOINT_EVERY=2
            ),
            self.captureOnCommitCallbacks(execute=True),
        ):
            for _ in range(4):
                set_active(self.bob, False, by=self.root, reason="Left")
                set_active(self.bob, True, by=self.root, reason="Back")
        sequences = [
            json.loads(line)["sequence"]
            for line in self.checkpoint.read_text().splitlines()
        ]
        self.assertEqual(
            sequences, [s for s in range(start + 1, start + 9) if s % 2 == 0]
        )
        self.assertEqual(verify(self.checkpoint).problems, [])


class UserDeletionTestCase(BaseTestCase):
    def test_a_user_who_acted_cannot_be_deleted_and_is_deactivated_instead(
        self,
    ) -> None:
        actions.void_training(actor=self.alice, record=self.bob_record, reason="Twice")
        with self.assertRaises(ProtectedError):
            self.alice.delete()
        self.client.force_login(self.root)
        page = self.client.get(f"/admin/accounts/user/{self.alice.pk}/delete/")
        self.assertEqual(page.status_code, 403)
        self.client.post(
            "/admin/accounts/user/",
            {"action": "deactivate_users", "_selected_action": [self.alice.pk]},
        )
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.is_active)
        entry = AuditEntry.objects.get(action="account.deactivate")
        self.assertEqual(
            (entry.actor, entry.object_id), (self.root, str(self.alice.pk))
        )
        self.assertEqual(entry.reason, "Deactivated in the admin by root")

    def test_the_actor_is_a_sealed_copy(self) -> None:
        self.alice.first_name, self.alice.last_name = "Alice", "Adams"
        self.alice.save()
        actions.void_training(actor=self.alice, record=self.bob_record, reason="Twice")
        entry = AuditEntry.objects.get(action="training.void")
        self.assertEqual(
            (entry.actor_id, entry.actor_name, entry.actor_display),
            (self.alice.pk, "alice", "Alice Adams"),
        )
        payload = entry.payload()
        self.assertEqual(
            (payload["actor"], payload["actor_name"], payload["actor_display"]),
            (self.alice.pk, "alice", "Alice Adams"),
        )


class NaturalKeyTamperingTestCase(BaseTestCase):
    def test_a_natural_key_changed_in_sql_is_reported(self) -> None:
        record = actions.record_training(
            actor=self.alice,
            person=self.bob_person,
            agency=self.agency,
            fields={"title": "Defensive tactics", "completed_on": date(2026, 2, 3)},
            lines=[{"hours": Decimal("4"), "area": "technical"}],
        )
        sql(
            "UPDATE agencies_trainingrecord SET natural_key = %s WHERE id = %s",
            ["0" * 64, record.pk],
        )
        self.assertIn(
            f"training record #{record.pk} (Defensive tactics (2026-02-03)) has a "
            "natural key that does not match its fields: it was changed behind the "
            "application",
            verify().problems,
        )
