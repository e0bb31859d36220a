"""SCORM shared data (adl.data): each change of a store is audited in the
commit's own transaction, by the learner, without the store's text."""

from __future__ import annotations

import hashlib
from unittest import mock

from muster.audit.models import AuditEntry
from muster.audit.verify import verify_chain
from muster.packages.models import CmiCommit, SharedData
from muster.packages.tests.test_objectives import GlobalObjectivesTestCase

NOTES = "urn:muster:data:notes"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class SharedDataAuditTestCase(GlobalObjectivesTestCase):
    def entries(self):
        return list(
            AuditEntry.objects.filter(action="scorm-data.write").order_by("sequence")
        )

    def test_a_new_store_and_each_change_of_it_is_audited(self) -> None:
        self.assertEqual(
            self.commit(self.one, {"adl.data": {NOTES: "radio code 10-4"}}).status_code,
            200,
        )
        row = SharedData.objects.get()
        first_commit = CmiCommit.objects.get()
        [entry] = self.entries()
        self.assertEqual(entry.actor_id, self.bob.pk)
        self.assertEqual(entry.agency_id, self.agency.pk)  # Bob's employer
        self.assertEqual(
            (entry.object_type, entry.object_id), ("packages.SharedData", str(row.pk))
        )
        self.assertIsNone(entry.before)
        self.assertEqual(
            entry.after,
            {
                "target_id": NOTES,
                "scope": "provider",
                "provider": self.package.course.provider_id,
                "commit": first_commit.pk,
                "characters": 15,
                "sha256": digest("radio code 10-4"),
            },
        )
        self.assertNotIn("radio code", str(entry.after) + entry.reason)
        self.assertIn(self.one.identifier, entry.reason)

        self.commit(self.one, {"adl.data": {NOTES: "10-8"}})
        second = CmiCommit.objects.order_by("-pk").first()
        first, changed = self.entries()
        self.assertEqual(changed.before["sha256"], digest("radio code 10-4"))
        self.assertEqual(changed.before["commit"], first_commit.pk)
        self.assertEqual(
            (changed.after["sha256"], changed.after["commit"]),
            (digest("10-8"), second.pk),
        )
        self.assertEqual(verify_chain().problems, [])

    def test_a_store_sent_again_unchanged_writes_no_entry(self) -> None:
        self.commit(self.one, {"adl.data": {NOTES: "same"}})
        self.commit(self.one, {"adl.data": {NOTES: "same"}})
        self.commit(self.one, {"cmi.location": "page-2"})  # no adl.data at all
        self.assertEqual(len(self.entries()), 1)
        self.assertEqual(CmiCommit.objects.count(), 3)
        # The store still names the last commit that sent it.
        self.assertEqual(
            SharedData.objects.get().written_by,
            CmiCommit.objects.filter(data__has_key="adl.data").order_by("-pk")[0],
        )

    def test_a_refused_store_writes_no_entry(self) -> None:
        self.commit(self.one, {"adl.data": {"urn:other": "x"}})
        self.assertEqual(self.entries(), [])

    def test_the_store_and_its_entry_are_written_together_or_not_at_all(self) -> None:
        """An audit that fails takes the commit, the store and the SCO's state
        with it: no change without its entry."""
        with (
            mock.patch(
                "muster.packages.shared_data.record_events",
                side_effect=RuntimeError("audit down"),
            ),
            self.assertRaises(RuntimeError),
        ):
            self.commit(self.one, {"adl.data": {NOTES: "lost"}})
        self.assertFalse(SharedData.objects.exists())
        self.assertFalse(CmiCommit.objects.exists())
        self.assertEqual(self.entries(), [])
