"""The audit trail page: administrators see everything, auditors their state."""

from muster.accounts.actions import grant_role
from muster.accounts.choices import Role
from muster.audit.log import record_event
from muster.test import BaseTestCase

URL = "/audit/"


class TrailPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        record_event(
            "training.void",
            actor=self.alice,
            obj=self.bob_record,
            agency_id=self.agency.pk,
            label="Riverton <script>alert(1)</script>",
            reason='duplicate "><img src=x onerror=alert(1)>',
        )
        grant_role(self.charlie, Role.COORDINATOR, agency=self.tn_agency)

    def test_a_platform_administrator_sees_every_entry(self) -> None:
        self.client.force_login(self.root)
        response = self.client.get(URL)
        self.assertContains(response, "training.void")
        self.assertContains(response, "role.grant")

    def test_a_state_auditor_sees_only_their_states_agencies(self) -> None:
        self.client.force_login(self.sam)
        response = self.client.get(URL)
        self.assertContains(response, "training.void")
        self.assertNotContains(response, "role.grant")
        self.client.force_login(self.tess)
        response = self.client.get(URL)
        self.assertNotContains(response, "training.void")
        self.assertContains(response, "role.grant")

    def test_it_filters_by_action(self) -> None:
        self.client.force_login(self.root)
        response = self.client.get(URL, {"action": "role.grant"})
        self.assertNotContains(response, "<td>record.void</td>", html=False)

    def test_agency_staff_cannot_open_it(self) -> None:
        for user in (self.alice, self.harold, self.bob, self.dana):
            self.client.force_login(user)
            self.assertEqual(self.client.get(URL).status_code, 404)

    def test_it_escapes_labels_and_reasons(self) -> None:
        self.client.force_login(self.root)
        content = self.client.get(URL).content.decode()
        self.assertNotIn("<script>alert(1)</script>", content)
        self.assertNotIn("<img src=x", content)
        self.assertIn("&lt;script&gt;", content)
