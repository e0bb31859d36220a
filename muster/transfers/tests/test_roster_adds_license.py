"""A roster row whose license nobody holds, with the email of one of the agency's
staff who holds no license in its state (an LMS roster sync adds people so,
docs/lti.md), adds the license to that person instead of making a second one.
Nobody outside the agency's staff is ever found that way."""

from datetime import date

from muster.agencies.models import Employment, License, Person
from muster.audit.models import AuditEntry
from muster.transfers.tests.helpers import ROSTER_HEADER, csv_bytes, roster_row
from muster.transfers.tests.test_roster_import import RosterTestBase


def unlicensed(first: str, last: str, email: str, agency, **job) -> Person:
    """Someone as an LMS roster sync adds them: a job, an email, no license."""
    person = Person.objects.create(
        first_name=first, last_name=last, email=email, discipline="peace-officer"
    )
    Employment.objects.create(
        person=person, agency=agency, starts_on=job.get("starts_on", date(2024, 1, 1)),
        ends_on=job.get("ends_on"),
    )  # fmt: skip
    return person


class RosterAddsLicenseTestCase(RosterTestBase):
    def setUp(self) -> None:
        super().setUp()
        self.dora = unlicensed("Dora", "Diaz", "dora@riverton.test", self.agency)

    def row(self, **overrides) -> list[str]:
        values = {
            "First name": "Dora",
            "Last name": "Diaz",
            "Badge": "B-4",
            "Email": "DORA@riverton.test",
            "License number": "MO700001",
        }
        return roster_row(1, **{**values, **overrides})  # fmt: skip

    def plan_of(self, preview):
        return [(p.action, p.label, p.changes) for p in preview.context["plan"].plans]

    def test_the_license_is_added_to_the_staff_member_with_that_email(self) -> None:
        people = Person.objects.count()
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        [(action, label, changes)] = self.plan_of(preview)
        self.assertEqual((action, label), ("update", "Dora Diaz"))
        self.assertIn("MO license MO700001 added: matched by email", changes[0])
        self.assertIn("external id: (blank) → B-4", changes)
        # Dora was entered on the person form, not by an LMS sync: no warning.
        self.assertFalse(any("LMS roster sync" in change for change in changes))
        self.assertContains(preview, "no new person made")
        self.assertEqual(License.objects.filter(person=self.dora).count(), 0)
        self.confirm(batch)
        self.assertEqual(Person.objects.count(), people)
        license = License.objects.get(person=self.dora)
        self.assertEqual((license.jurisdiction, license.number), ("MO", "MO700001"))
        self.assertEqual(license.licensed_on, date(2016, 5, 1))
        self.dora.refresh_from_db()
        self.assertEqual(self.dora.external_id, "B-4")
        self.assertEqual(self.dora.employments.get().title, "Patrol officer")
        entry = AuditEntry.objects.get(action="license.create", object_id=license.pk)
        self.assertEqual(entry.agency_id, self.agency.pk)
        self.assertIn(f"#{batch.pk}", entry.reason)
        # The same file again: the license now matches it, nothing changes.
        entries = AuditEntry.objects.count()
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertEqual(self.plan_of(preview)[0][0], "unchanged")
        self.confirm(batch)
        self.assertEqual(AuditEntry.objects.count(), entries + 0)

    def test_a_row_without_email_or_with_another_makes_a_new_person(self) -> None:
        rows = [self.row(Email=""), self.row(Email="d2@x.test", **{
            "License number": "MO700002"})]  # fmt: skip
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, rows))
        self.assertEqual([p[0] for p in self.plan_of(preview)], ["create", "create"])
        self.confirm(batch)
        self.assertEqual(Person.objects.filter(last_name="Diaz").count(), 3)
        self.assertFalse(License.objects.filter(person=self.dora).exists())

    def test_someone_holding_a_license_in_the_rows_state_is_not_matched(self) -> None:
        License.objects.create(
            person=self.dora,
            jurisdiction="MO",
            number="MO1",
            discipline="peace-officer",
        )
        _, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertEqual(self.plan_of(preview)[0][0], "create")

    def test_a_license_of_another_state_is_added_beside_one_held(self) -> None:
        License.objects.create(
            person=self.dora,
            jurisdiction="KS",
            number="KS1",
            discipline="peace-officer",
        )
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertEqual(self.plan_of(preview)[0][0], "update")
        self.confirm(batch)
        self.assertEqual(
            sorted(self.dora.licenses.values_list("jurisdiction", flat=True)),
            ["KS", "MO"],
        )

    def test_two_staff_with_the_email_is_a_problem_and_writes_nothing(self) -> None:
        unlicensed("Dory", "Diaz", "dora@riverton.test", self.agency)
        before = (Person.objects.count(), License.objects.count())
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertContains(preview, "is the email of 2 of the agency&#x27;s staff")
        self.assertEqual(self.confirm(batch).status_code, 200)
        self.assertEqual((Person.objects.count(), License.objects.count()), before)

    def test_two_rows_adding_a_license_in_one_state_to_one_person(self) -> None:
        rows = [self.row(), self.row(**{"License number": "MO700009"})]
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, rows))
        self.assertContains(preview, "to whom row 2 already adds a MO license")
        self.confirm(batch)
        self.assertFalse(License.objects.filter(person=self.dora).exists())

    def test_a_person_another_agency_employs_too_gets_no_license(self) -> None:
        Employment.objects.create(
            person=self.dora, agency=self.other_agency, starts_on=date(2024, 2, 1)
        )
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        [(action, label, changes)] = self.plan_of(preview)
        self.assertEqual((action, label), ("unchanged", "Dora Diaz"))
        self.assertIn("another agency employs this person too", changes[0])
        self.confirm(batch)
        self.assertFalse(License.objects.filter(number="MO700001").exists())
        self.assertEqual(Person.objects.filter(last_name="Diaz").count(), 1)

    def test_someone_only_another_agency_employs_is_never_found(self) -> None:
        """Oakdale's unlicensed officer with the row's email: Riverton's row
        makes a person of its own, Oakdale's is not named, changed or licensed."""
        theirs = unlicensed("Omar", "Odell", "omar@oakdale.test", self.other_agency)
        before = Person.objects.filter(pk=theirs.pk).values().get()
        row = self.row(Email="omar@oakdale.test", **{"First name": "O."})
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, [row]))
        self.assertEqual(self.plan_of(preview)[0][:2], ("create", "O. Diaz"))
        self.assertNotContains(preview, "Odell")
        self.confirm(batch)
        self.assertEqual(Person.objects.filter(pk=theirs.pk).values().get(), before)
        self.assertFalse(theirs.licenses.exists())
        self.assertEqual(list(theirs.employments.values_list("agency", flat=True)),
                         [self.other_agency.pk])  # fmt: skip
        new = Person.objects.get(licenses__number="MO700001")
        self.assertNotEqual(new.pk, theirs.pk)

    def test_a_former_staff_member_is_not_found(self) -> None:
        Employment.objects.filter(person=self.dora).update(ends_on=date(2024, 6, 1))
        _, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertEqual(self.plan_of(preview)[0][0], "create")

    def test_a_hire_starting_later_is_found(self) -> None:
        Employment.objects.filter(person=self.dora).update(starts_on=date(2099, 1, 1))
        _, preview = self.import_file(csv_bytes(ROSTER_HEADER, [self.row()]))
        self.assertEqual(self.plan_of(preview)[0][0], "update")
