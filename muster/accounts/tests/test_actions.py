"""Granting and revoking roles writes the audit trail in the same transaction."""

from django.core.exceptions import ValidationError

from muster.accounts import access
from muster.accounts.actions import grant_role, revoke_role
from muster.accounts.choices import Role
from muster.accounts.demo import ensure_demo_login
from muster.audit.log import history_for
from muster.audit.verify import verify_chain
from muster.test import BaseTestCase


class RoleActionsTestCase(BaseTestCase):
    def test_it_grants_and_revokes_a_role_with_audit_entries(self) -> None:
        grant = grant_role(
            self.bob,
            Role.COORDINATOR,
            agency=self.agency,
            granted_by=self.root,
            reason="new coordinator",
        )
        revoke_role(grant, revoked_by=self.root, reason="left the post")
        entries = list(history_for(grant))
        self.assertEqual([e.action for e in entries], ["role.grant", "role.revoke"])
        self.assertEqual(entries[0].actor, self.root)
        self.assertEqual(entries[0].agency_id, self.agency.pk)
        self.assertIsNone(entries[1].before["revoked_at"])
        self.assertIsNotNone(entries[1].after["revoked_at"])
        self.assertTrue(verify_chain().is_intact)

    def test_it_refuses_a_role_without_its_scope(self) -> None:
        with self.assertRaises(ValidationError):
            grant_role(self.bob, Role.STATE_AUDITOR)
        self.assertFalse(history_for(self.bob).exists())

    def test_a_revoked_grant_stops_access(self) -> None:
        grant = self.dana.role_grants.get()
        revoke_role(grant, revoked_by=self.root)
        self.assertEqual(list(access.people(self.dana)), [])

    def test_the_demo_login_coordinates_the_agency(self) -> None:
        user, password = ensure_demo_login(self.agency)
        self.assertTrue(user.check_password(password))
        self.assertTrue(user.needs_mfa)
        self.assertIn(self.bob_person, access.people(user))
        # A second call keeps the password and adds no second grant.
        again, no_password = ensure_demo_login(self.agency)
        self.assertEqual((again, no_password), (user, None))
        self.assertEqual(user.active_grants().count(), 1)
