"""The access rules in prose: who sees and changes which people and records."""

from datetime import date

from django.http import Http404
from django.utils import timezone

from muster.accounts import access
from muster.accounts.choices import Role
from muster.agencies.models import Employment, Qualification
from muster.test import BaseTestCase, make_record


class AccessTestCase(BaseTestCase):
    def test_it_shows_a_coordinator_only_their_agencys_people(self) -> None:
        self.assertEqual(list(access.people(self.alice)), [self.bob_person])
        self.assertEqual(list(access.people(self.dana)), [self.charlie_person])

    def test_it_shows_an_officer_only_their_own_records(self) -> None:
        self.assertEqual(list(access.records(self.bob)), [self.bob_record])
        self.assertEqual(list(access.people(self.bob)), [self.bob_person])

    def test_it_lets_a_state_auditor_read_their_state_only(self) -> None:
        self.assertCountEqual(
            access.people(self.sam), [self.bob_person, self.charlie_person]
        )
        self.assertEqual(list(access.people(self.tess)), [])
        self.assertFalse(access.can_write(self.sam))
        self.assertEqual(list(access.editable_records(self.sam)), [])

    def test_a_transferred_officers_history_follows_them(self) -> None:
        Employment.objects.filter(person=self.charlie_person).update(
            ends_on=date(2025, 12, 31)
        )
        Employment.objects.create(
            person=self.charlie_person, agency=self.agency, starts_on=date(2026, 1, 1)
        )
        self.assertIn(self.charlie_record, access.records(self.alice))
        # Alice sees the history but may not correct what Oakdale entered.
        self.assertNotIn(self.charlie_record, access.editable_records(self.alice))
        # Oakdale keeps its own entries about a former officer, and nothing newer.
        newer = make_record(self.charlie_person, self.agency)
        self.assertIn(self.charlie_record, access.records(self.dana))
        self.assertNotIn(newer, access.records(self.dana))

    def test_it_hides_other_agencies_behind_a_404(self) -> None:
        self.assertEqual(access.get_agency(self.alice, "riverton-pd"), self.agency)
        with self.assertRaises(Http404):
            access.get_agency(self.alice, "oakdale-so")
        with self.assertRaises(Http404):
            access.get_agency(self.sam, "millbrook-pd")
        self.assertEqual(access.get_agency(self.root, "millbrook-pd"), self.tn_agency)

    def test_a_revoked_role_grants_nothing(self) -> None:
        self.alice.role_grants.update(revoked_at=timezone.now())
        self.alice.refresh_from_db()
        self.assertEqual(list(access.people(self.alice)), [])

    def test_a_state_auditor_never_passes_a_write_or_approval_check(self) -> None:
        self.assertEqual(access.get_agency(self.sam, "riverton-pd"), self.agency)
        for roles in (access.WRITERS, (Role.AGENCY_HEAD,)):
            with self.assertRaises(Http404):
                access.get_agency(self.sam, "riverton-pd", roles)
        self.assertEqual(
            access.get_agency(self.alice, "riverton-pd", access.WRITERS), self.agency
        )

    def test_only_the_entering_agencys_coordinator_may_change_a_qualification(
        self,
    ) -> None:
        riverton = Qualification.objects.create(
            person=self.bob_person,
            agency=self.agency,
            qualified_on=date(2026, 5, 1),
            weapon_type="Handgun",
            result="pass",
        )
        # Entered by Oakdale before Bob moved: Riverton reads it, Oakdale changes it.
        oakdale = Qualification.objects.create(
            person=self.bob_person,
            agency=self.other_agency,
            qualified_on=date(2025, 5, 1),
            weapon_type="Handgun",
            result="pass",
        )
        self.assertCountEqual(access.qualifications(self.alice), [riverton, oakdale])
        self.assertEqual(list(access.editable_qualifications(self.alice)), [riverton])
        self.assertEqual(list(access.editable_qualifications(self.dana)), [oakdale])
        for user in (self.harold, self.sam, self.bob, self.tess):
            self.assertEqual(list(access.editable_qualifications(user)), [], user)
        self.assertCountEqual(
            access.editable_qualifications(self.root), [riverton, oakdale]
        )
