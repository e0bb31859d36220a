"""The access rules in prose: who sees and changes which people and records."""

from datetime import date, timedelta

from django.http import Http404
from django.utils import timezone

from muster.accounts import access
from muster.accounts.choices import Role
from muster.agencies.models import Employment, Qualification, TrainingRecord
from muster.audit.choices import Action
from muster.audit.log import record_event
from muster.test import BaseTestCase, make_record
from muster.transfers.models import ImportBatch, ImportKind


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


class ViewAccessTestCase(BaseTestCase):
    """The `access_*`-style helpers views call: each returns the row or a 404."""

    def test_a_records_history_goes_to_whoever_reads_the_record(self) -> None:
        entry = record_event(
            Action.TRAINING_CORRECT,
            actor=self.alice,
            obj=self.bob_record,
            agency_id=self.agency.pk,
            reason="Typo in the hours",
        )
        other = record_event(
            Action.TRAINING_CORRECT,
            actor=self.dana,
            obj=self.charlie_record,
            agency_id=self.other_agency.pk,
            reason="Charlie Chen's hours",
        )
        key = str(self.bob_record.pk)
        # The officer reads his own record's history, though not the audit trail.
        self.assertEqual(access.history(self.bob, [self.bob_record]), {key: [entry]})
        # Another agency's row passed in by mistake brings none of its history.
        rows = [self.bob_record, self.charlie_record]
        self.assertEqual(access.history(self.alice, rows), {key: [entry]})
        self.assertEqual(
            access.history(self.root, rows),
            {key: [entry], str(self.charlie_record.pk): [other]},
        )
        self.assertEqual(access.history(self.alice, []), {})

    def test_totals_only_for_who_reads_every_record(self) -> None:
        make_record(self.bob_person, self.other_agency)  # Oakdale's, still readable
        self.assertTrue(access.reads_every_record(self.alice, self.bob_person))
        # Oakdale reads only what it entered about Bob, who works at Riverton.
        self.assertFalse(access.reads_every_record(self.dana, self.bob_person))
        self.assertTrue(access.reads_every_record(self.root, self.bob_person))

    def test_a_standing_is_for_who_follows_the_person_today(self) -> None:
        """Bob left Oakdale for Riverton; Oakdale entered every record he had
        there and none since. Oakdale (Dana) still reads Bob and those records,
        but not his standing or plan, worked out from his licenses and exemptions
        of today: that is for Riverton's coordinator and head, Missouri's auditor,
        Bob himself and platform administrators."""
        Employment.objects.create(
            person=self.bob_person,
            agency=self.other_agency,
            starts_on=date(2010, 1, 1),
            ends_on=date(2015, 5, 31),
        )
        TrainingRecord.objects.filter(pk=self.bob_record.pk).update(
            agency=self.other_agency, completed_on=date(2014, 3, 1)
        )
        self.assertIn(self.bob_person, access.people(self.dana))
        self.assertEqual(
            access.records(self.dana).filter(person=self.bob_person).count(), 1
        )
        self.assertFalse(access.sees_standing(self.dana, self.bob_person))
        self.assertFalse(access.reads_every_record(self.dana, self.bob_person))
        with self.assertRaises(Http404):
            access.followed_person(self.dana, self.bob_person.pk)
        for user in (self.alice, self.harold, self.sam, self.bob, self.root):
            self.assertTrue(access.sees_standing(user, self.bob_person), user)
            self.assertEqual(
                access.followed_person(user, self.bob_person.pk), self.bob_person
            )
        # Who does not read the person at all is not told they exist.
        for user in (self.tess, self.charlie):
            with self.assertRaises(Http404):
                access.followed_person(user, self.bob_person.pk)

    def test_only_a_coordinator_gets_an_agency_to_write_in(self) -> None:
        self.assertEqual(access.writable_agency(self.alice, "riverton-pd"), self.agency)
        for user in (self.harold, self.sam, self.bob, self.dana):
            with self.assertRaises(Http404):
                access.writable_agency(user, "riverton-pd")
        self.assertTrue(access.can_write_at(self.alice, self.agency))
        self.assertFalse(access.can_write_at(self.sam, self.agency))

    def test_only_the_head_decides_exemptions(self) -> None:
        self.assertTrue(access.is_head(self.harold, self.agency))
        self.assertTrue(access.is_head(self.root, self.agency))
        for user in (self.alice, self.sam, self.bob):
            self.assertFalse(access.is_head(user, self.agency), user)
        self.assertFalse(access.is_head(self.harold, self.other_agency))

    def test_staff_and_their_jobs_only_at_the_users_agency(self) -> None:
        self.assertEqual(
            access.staff_member(self.alice, self.agency, self.bob_person.pk),
            self.bob_person,
        )
        with self.assertRaises(Http404):
            access.staff_member(self.alice, self.agency, self.charlie_person.pk)
        with self.assertRaises(Http404):
            access.staff_member(self.dana, self.agency, self.bob_person.pk)
        job = access.employment_at(self.alice, self.bob_person, self.agency)
        self.assertEqual(job.agency, self.agency)
        with self.assertRaises(Http404):
            access.employment_at(self.dana, self.bob_person, self.agency)

    def test_an_officer_records_for_himself_only(self) -> None:
        self.assertEqual(
            access.recordable_person(self.bob, self.bob_person.pk), self.bob_person
        )
        with self.assertRaises(Http404):
            access.recordable_person(self.bob, self.charlie_person.pk)
        self.assertEqual(access.own_employment(self.bob).agency, self.agency)
        self.assertIsNone(access.own_employment(self.alice))

    def test_import_batches_of_the_users_agency_only(self) -> None:
        batch = ImportBatch.objects.create(
            agency=self.agency,
            kind=ImportKind.ROSTER,
            file_name="roster.csv",
            content=b"id\n",
        )
        self.assertEqual(
            access.import_batch(self.alice, "riverton-pd", batch.pk), batch
        )
        for user, code in ((self.dana, "oakdale-so"), (self.sam, "riverton-pd")):
            with self.assertRaises(Http404):
                access.import_batch(user, code, batch.pk)


class SharedDetailsTestCase(BaseTestCase):
    """A person two agencies employ: their name, email and license are kept from
    both coordinators (the person form and the roster import ask `kept_fields`)."""

    def test_while_another_agency_employs_them_no_coordinator_changes_them(self):
        Employment.objects.create(
            person=self.bob_person, agency=self.other_agency, starts_on=date(2020, 1, 1)
        )
        for user, agency in ((self.alice, self.agency), (self.dana, self.other_agency)):
            kept = access.kept_fields(user, agency, self.bob_person)
            self.assertEqual(kept, access.SHARED_FIELDS)
            self.assertIn("earlier_breaks", kept["license"])
            self.assertIn("email", kept["person"])
        self.assertEqual(
            access.kept_fields(self.root, self.agency, self.bob_person),
            access.NOTHING_KEPT,
        )

    def test_one_employer_or_a_former_one_elsewhere_keeps_nothing(self):
        self.assertEqual(
            access.kept_fields(self.alice, self.agency, self.bob_person),
            access.NOTHING_KEPT,
        )
        Employment.objects.create(
            person=self.bob_person,
            agency=self.other_agency,
            starts_on=date(2020, 1, 1),
            ends_on=timezone.localdate() - timedelta(days=1),
        )
        self.assertEqual(
            access.kept_fields_of(self.alice, self.agency, [self.bob_person.pk]), {}
        )

    def test_a_hire_elsewhere_not_yet_begun_counts(self):
        Employment.objects.create(
            person=self.bob_person,
            agency=self.other_agency,
            starts_on=timezone.localdate() + timedelta(days=30),
        )
        self.assertEqual(
            set(access.kept_fields_of(self.alice, self.agency, [self.bob_person.pk])),
            {self.bob_person.pk},
        )
