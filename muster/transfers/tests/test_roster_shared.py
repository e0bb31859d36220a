"""A roster row for a person two agencies employ at once keeps their name,
email and license, by the rule the person form follows (access.kept_fields_of):
only the job at the importing agency changes."""

from datetime import date

import time_machine

from muster.accounts import access
from muster.agencies.models import Employment, License, Person
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase
from muster.transfers import roster
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    last_batch,
    roster_row,
    upload,
)

HEADER = [*ROSTER_HEADER, "Left service on", "Back in service on", "Earlier breaks"]


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class SharedRosterTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Bob works at Riverton (Alice's) and at Oakdale (Dana's) too.
        self.reserve = Employment.objects.create(
            person=self.bob_person, agency=self.other_agency, starts_on=date(2020, 1, 1)
        )
        self.license = self.bob_person.licenses.get()

    def bob_row(self, **overrides) -> list[str]:
        row = roster_row(
            1,
            **{
                "License number": self.license.number,
                "First name": "Renamed",
                "Last name": "Other",
                "Email": "renamed@attacker.example.org",
                "Class": "Z",
                "Licensed on": "2001-01-01",
                "Rank": "Reserve officer",
                **overrides,
            },
        )
        return [*row, "2018-01-01", "2019-01-01", "2005-01-01 to 2006-01-01"]

    def import_as(self, user, agency):
        self.client.force_login(user)
        upload(self.client, agency.code, "roster", csv_bytes(HEADER, [self.bob_row()]))
        url = f"/agencies/{agency.code}/import/{last_batch().pk}/"
        preview = self.client.get(url)
        self.client.post(url)
        return preview

    def details(self) -> tuple:
        person = Person.objects.get(pk=self.bob_person.pk)
        license = License.objects.get(pk=self.license.pk)
        return (
            person.first_name,
            person.last_name,
            person.email,
            license.license_class,
            license.licensed_on,
            license.earlier_breaks,
            license.separated_on,
        )

    def entries_about_bob(self) -> int:
        return AuditEntry.objects.filter(
            object_type__in=("agencies.Person", "agencies.License")
        ).count()

    def test_the_import_says_the_forms_reason(self) -> None:
        self.assertIn(access.SHARED_REASON, roster.SHARED)

    def test_each_employer_changes_only_its_own_job(self) -> None:
        before = (self.details(), self.entries_about_bob())
        for user, agency in ((self.alice, self.agency), (self.dana, self.other_agency)):
            preview = self.import_as(user, agency)
            self.assertContains(preview, access.SHARED_REASON)
            self.assertNotContains(preview, "Renamed → ")
            job = Employment.objects.get(person=self.bob_person, agency=agency)
            self.assertEqual(job.title, "Reserve officer")
        self.assertEqual((self.details(), self.entries_about_bob()), before)

    def test_a_hire_elsewhere_not_yet_begun_counts(self) -> None:
        Employment.objects.filter(pk=self.reserve.pk).update(starts_on=date(2027, 1, 4))
        before = self.details()
        self.import_as(self.alice, self.agency)
        self.assertEqual(self.details(), before)

    def test_a_former_job_elsewhere_leaves_the_details_to_the_importer(self) -> None:
        Employment.objects.filter(pk=self.reserve.pk).update(ends_on=date(2026, 1, 31))
        self.import_as(self.alice, self.agency)
        self.assertEqual(
            self.details()[:5],
            (
                "Renamed",
                "Other",
                "renamed@attacker.example.org",
                "Z",
                date(2001, 1, 1),
            ),
        )

    def test_a_platform_administrator_may_change_them(self) -> None:
        """As on the person form: access lets a platform administrator change any
        record, and the preview lists the changes before the confirm."""
        preview = self.import_as(self.root, self.agency)
        self.assertContains(preview, "first name: Bob → Renamed")
        self.assertEqual(self.details()[0], "Renamed")

    def test_the_rule_is_the_same_for_both_write_paths(self) -> None:
        others = self.charlie_person
        kept = access.kept_fields_of(
            self.alice, self.agency, [self.bob_person.pk, others.pk]
        )
        # Anyone another agency employs is kept (Charlie is not Riverton's to
        # edit at all; the views never reach him).
        self.assertEqual(
            kept,
            {self.bob_person.pk: access.SHARED_FIELDS, others.pk: access.SHARED_FIELDS},
        )
        Employment.objects.filter(pk=self.reserve.pk).update(ends_on=date(2026, 1, 31))
        self.assertEqual(
            access.kept_fields(self.alice, self.agency, self.bob_person),
            access.NOTHING_KEPT,
        )
        Employment.objects.filter(pk=self.reserve.pk).update(ends_on=None)
        self.assertEqual(
            access.kept_fields(self.alice, self.agency, self.bob_person),
            access.SHARED_FIELDS,
        )
        self.assertEqual(access.kept_fields_of(self.root, self.agency, [1, 2]), {})
