"""The audit trail page and export: administrators see everything, auditors their
state, coordinators and heads their own agency; filters, paging and CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import time_machine

from muster.accounts.actions import grant_role
from muster.accounts.choices import Role
from muster.agencies import actions
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase

URL = "/audit/"
EXPORT = "/audit/export.csv"
VOIDED = '<td data-label="Action">Training voided</td>'
GRANTED = '<td data-label="Action">Role granted</td>'


def record(actor, person, agency, title: str, on: date = date(2026, 2, 3)):
    return actions.record_training(
        actor=actor,
        person=person,
        agency=agency,
        fields={"title": title, "completed_on": on},
        lines=[{"hours": Decimal("2"), "area": "technical"}],
    )


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class TrailPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bob_training = record(
            self.alice,
            self.bob_person,
            self.agency,
            "Riverton <script>alert(1)</script>",
        )
        actions.void_training(
            actor=self.alice,
            record=self.bob_training,
            reason='duplicate "><img src=x onerror=alert(1)>',
        )
        charlie_training = record(
            self.dana, self.charlie_person, self.other_agency, "=HYPERLINK(1)"
        )
        actions.void_training(
            actor=self.dana, record=charlie_training, reason="=HYPERLINK(2)"
        )
        grant_role(self.charlie, Role.COORDINATOR, agency=self.tn_agency)

    def test_a_platform_administrator_sees_every_entry(self) -> None:
        self.client.force_login(self.root)
        response = self.client.get(URL)
        self.assertContains(response, VOIDED)
        self.assertContains(response, GRANTED)
        self.assertContains(response, "Charlie Chen")

    def test_a_state_auditor_sees_only_their_states_agencies(self) -> None:
        self.client.force_login(self.sam)
        response = self.client.get(URL)
        self.assertContains(response, VOIDED)
        self.assertNotContains(response, GRANTED)
        self.client.force_login(self.tess)
        response = self.client.get(URL)
        self.assertNotContains(response, VOIDED)
        self.assertContains(response, GRANTED)

    def test_coordinators_and_heads_see_their_own_agencys_trail(self) -> None:
        for user in (self.alice, self.harold):
            self.client.force_login(user)
            response = self.client.get(URL)
            self.assertContains(response, "Bob Baker: Riverton")
            self.assertNotContains(response, "Charlie")
        self.client.force_login(self.dana)
        self.assertNotContains(self.client.get(URL), "Bob Baker")

    def test_officers_cannot_open_it(self) -> None:
        for user in (self.bob,):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 404)
            self.assertEqual(self.client.get(EXPORT).status_code, 404)

    def test_it_filters_by_action_actor_record_and_dates(self) -> None:
        self.client.force_login(self.root)
        voids = self.client.get(URL, {"action": "training.void"})
        self.assertContains(voids, "2 entries.")
        by_dana = self.client.get(URL, {"actor": "DANA"})
        self.assertContains(by_dana, "Charlie Chen")
        self.assertNotContains(by_dana, "Bob Baker")
        by_record = self.client.get(URL, {"record": "hyperlink"})
        self.assertContains(by_record, "2 entries.")
        self.assertContains(self.client.get(URL, {"since": "2026-11-28"}), "0 entries.")
        today = self.client.get(URL, {"since": "2026-11-27", "until": "2026-11-27"})
        self.assertContains(today, f"{AuditEntry.objects.count()} entries.")
        backwards = self.client.get(URL, {"since": "2026-11-27", "until": "2026-11-01"})
        self.assertContains(backwards, "The end date is before the start date.")

    def test_it_filters_by_person_within_the_users_reach(self) -> None:
        self.client.force_login(self.alice)
        mine = self.client.get(URL, {"person": self.bob_person.pk})
        self.assertContains(mine, "Audit trail: Bob Baker")
        self.assertContains(mine, "2 entries.")
        other = self.client.get(URL, {"person": self.charlie_person.pk})
        self.assertEqual(other.status_code, 404)
        self.assertEqual(
            self.client.get(EXPORT, {"person": self.charlie_person.pk}).status_code, 404
        )

    def test_it_pages_keeping_the_filters(self) -> None:
        for number in range(105):
            record(self.alice, self.bob_person, self.agency, f"Course {number}")
        self.client.force_login(self.alice)
        first = self.client.get(URL, {"action": "training.create"})
        self.assertContains(first, "106 entries.")
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "?action=training.create&amp;page=2")
        second = self.client.get(URL, {"action": "training.create", "page": 2})
        self.assertContains(second, "Page 2 of 2")

    def test_the_export_is_formula_safe_filtered_and_audited(self) -> None:
        self.client.force_login(self.root)
        response = self.client.get(EXPORT, {"actor": "dana"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body)))
        self.assertEqual(rows[0][:4], ["#", "When (UTC)", "Who", "Action"])
        self.assertEqual(
            [row[3] for row in rows[1:]], ["Training voided", "Training recorded"]
        )
        self.assertEqual(rows[1][7], "'=HYPERLINK(2)")
        self.assertEqual(rows[1][5], "Oakdale County Sheriff's Office")
        entry = AuditEntry.objects.latest("sequence")
        self.assertEqual((entry.action, entry.actor), ("audit.export", self.root))
        self.assertIn("actor=dana", entry.reason)

    def test_it_escapes_labels_and_reasons(self) -> None:
        self.client.force_login(self.root)
        content = self.client.get(URL).content.decode()
        self.assertNotIn("<script>alert(1)</script>", content)
        self.assertNotIn("<img src=x", content)
        self.assertIn("&lt;script&gt;", content)
