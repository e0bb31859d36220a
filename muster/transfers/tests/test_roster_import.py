"""Roster import: upload, mapping, a preview of every problem, then all or nothing."""

from datetime import date

from muster.accounts.choices import Role
from muster.agencies.models import Employment, License, Person
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase, make_user
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    last_batch,
    roster_row,
    upload,
    xlsx_bytes,
)


def counts() -> tuple[int, int, int]:
    return (Person.objects.count(), License.objects.count(), Employment.objects.count())


class RosterTestBase(BaseTestCase):
    """Upload, preview and confirm a roster as alice."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.base = f"/agencies/{self.agency.code}/import"

    def import_file(self, data: bytes, name: str = "people.csv"):
        response = upload(self.client, self.agency.code, "roster", data, name)
        self.assertEqual(response.status_code, 302, getattr(response, "content", ""))
        batch = last_batch()
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        return batch, preview

    def confirm(self, batch):
        return self.client.post(f"{self.base}/{batch.pk}/")


class RosterImportTestCase(RosterTestBase):
    def test_it_guesses_the_mapping_from_header_names(self) -> None:
        self.import_file(csv_bytes(ROSTER_HEADER, [roster_row(1)]))
        mapping = last_batch().mapping
        self.assertEqual(mapping["first_name"], 0)
        self.assertEqual(mapping["title"], ROSTER_HEADER.index("Rank"))
        self.assertEqual(mapping["hired_on"], ROSTER_HEADER.index("Hire date"))
        self.assertIsNone(mapping["unit"])

    def test_it_previews_then_creates_people_licenses_and_employment(self) -> None:
        before = counts()
        batch, preview = self.import_file(
            csv_bytes(ROSTER_HEADER, [roster_row(i) for i in range(3)])
        )
        self.assertContains(preview, "3 to create")
        self.assertEqual(counts(), before)
        self.confirm(batch)
        self.assertEqual(counts(), (before[0] + 3, before[1] + 3, before[2] + 3))
        person = Person.objects.get(last_name="Import1")
        self.assertEqual(person.licenses.get().number, "MO900001")
        job = person.employments.get()
        self.assertEqual((job.agency, job.title), (self.agency, "Patrol officer"))
        self.assertEqual(job.starts_on, date(2016, 5, 1))

    def test_it_shows_the_first_500_changes_and_counts_the_rest(self) -> None:
        rows = [roster_row(i) for i in range(503)]
        _, preview = self.import_file(csv_bytes(ROSTER_HEADER, rows))
        self.assertContains(preview, "503 to create")
        self.assertContains(preview, "And 3 more rows to create or update.")

    def test_it_changes_nothing_when_the_same_file_is_imported_again(self) -> None:
        data = csv_bytes(ROSTER_HEADER, [roster_row(i) for i in range(5)])
        batch, _ = self.import_file(data)
        self.confirm(batch)
        after_first = counts()
        audit_count = AuditEntry.objects.count()
        batch, preview = self.import_file(data)
        self.assertContains(preview, "0 to create")
        self.assertContains(preview, "5 unchanged")
        self.confirm(batch)
        self.assertEqual(counts(), after_first)
        self.assertEqual(AuditEntry.objects.count(), audit_count)

    def test_it_updates_a_changed_rank_and_audits_it(self) -> None:
        batch, _ = self.import_file(csv_bytes(ROSTER_HEADER, [roster_row(1)]))
        self.confirm(batch)
        batch, preview = self.import_file(
            csv_bytes(ROSTER_HEADER, [roster_row(1, Rank="Sergeant")])
        )
        self.assertContains(preview, "1 to update")
        self.assertContains(preview, "Patrol officer → Sergeant")
        self.confirm(batch)
        job = Person.objects.get(last_name="Import1").employments.get()
        self.assertEqual(job.title, "Sergeant")
        entry = AuditEntry.objects.filter(action="employment.change").latest("sequence")
        self.assertEqual(entry.actor, self.alice)
        self.assertIn("Roster import", entry.reason)

    def test_it_audits_each_created_person(self) -> None:
        batch, _ = self.import_file(
            csv_bytes(ROSTER_HEADER, [roster_row(i) for i in range(4)])
        )
        self.confirm(batch)
        created = AuditEntry.objects.filter(
            action="person.create", object_type="agencies.Person"
        )
        self.assertEqual(created.count(), 4)
        self.assertEqual(created.first().agency_id, self.agency.pk)

    def test_it_lists_every_problem_by_row_and_field_and_writes_nothing(self) -> None:
        rows = [
            roster_row(1, **{"Licensed on": "2016-13-40"}),
            roster_row(2, Discipline="Astronaut"),
            roster_row(3, State="ZZ"),
            roster_row(4, **{"License number": "MO900001"}),
            roster_row(5, **{"First name": ""}),
            roster_row(6, Email="not-an-address"),
        ]
        before = counts()
        batch, preview = self.import_file(csv_bytes(ROSTER_HEADER, rows))
        self.assertContains(preview, "6 problems")
        for row, field, words in [
            (2, "Licensed on", "not a day of the calendar"),
            (3, "Discipline", "&quot;Astronaut&quot; is not a known discipline"),
            (4, "State", "&quot;ZZ&quot; is not a known state"),
            (5, "License number", "also on row 2"),
            (6, "First name", "is blank; it is required"),
            (7, "Email", "not an email address"),
        ]:
            self.assertContains(
                preview,
                f'<tr><td data-label="Row">{row}</td><td data-label="Field">{field}</td>'
                f'<td data-label="Problem">',
                html=False,
            )
            self.assertContains(preview, words)
        response = self.confirm(batch)
        self.assertContains(response, "Nothing was written")
        self.assertEqual(counts(), before)
        self.assertIsNone(last_batch().applied_at)

    def test_it_reads_an_excel_workbook_with_real_dates(self) -> None:
        row = roster_row(7)
        row[ROSTER_HEADER.index("Licensed on")] = date(2012, 3, 4)
        batch, preview = self.import_file(xlsx_bytes(ROSTER_HEADER, [row]), "r.xlsx")
        self.assertContains(preview, "1 to create")
        self.confirm(batch)
        license = License.objects.get(number="MO900007")
        self.assertEqual(license.licensed_on, date(2012, 3, 4))

    def test_it_refuses_a_file_that_is_not_utf8(self) -> None:
        data = "First name,Last name\nJosé,Núñez\n".encode("latin-1")
        response = upload(self.client, self.agency.code, "roster", data)
        self.assertContains(response, "not UTF-8 text")
        self.assertIsNone(last_batch())

    def test_it_refuses_a_file_over_10_mb(self) -> None:
        data = csv_bytes(ROSTER_HEADER, [roster_row(1)]) + b"x" * (10 * 1024 * 1024)
        response = upload(self.client, self.agency.code, "roster", data)
        self.assertContains(response, "larger than 10 MB")
        self.assertIsNone(last_batch())

    def test_it_lets_the_coordinator_change_the_mapping(self) -> None:
        header = ["Given", "Family", "POST number", "Type"]
        data = csv_bytes(header, [["Ann", "Lee", "MO1", "peace-officer"]])
        upload(self.client, self.agency.code, "roster", data)
        batch = last_batch()
        preview = self.client.get(f"{self.base}/{batch.pk}/")
        self.assertContains(
            preview,
            '<td data-label="Field">First name</td><td data-label="Problem">no column of '
            "the file is chosen",
            html=False,
        )
        response = self.client.post(
            f"{self.base}/{batch.pk}/mapping/",
            {
                "first_name": "0",
                "last_name": "1",
                "license_number": "2",
                "discipline": "3",
            },
        )
        self.assertRedirects(response, f"{self.base}/{batch.pk}/")
        self.assertContains(self.client.get(f"{self.base}/{batch.pk}/"), "1 to create")

    def test_it_hides_imports_from_everyone_but_the_agencys_coordinators(self) -> None:
        batch, _ = self.import_file(csv_bytes(ROSTER_HEADER, [roster_row(1)]))
        viewer = make_user("viewer", (Role.AGENCY_HEAD, self.other_agency))
        for user in (self.dana, self.bob, self.sam, self.harold, viewer):
            self.client.force_login(user)
            for url in (
                f"{self.base}/roster/",
                f"{self.base}/{batch.pk}/",
                f"{self.base}/{batch.pk}/mapping/",
            ):
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
            self.assertEqual(self.confirm(batch).status_code, 404)
        self.assertIsNone(last_batch().applied_at)

    def test_it_does_not_show_one_agencys_batch_under_another(self) -> None:
        batch, _ = self.import_file(csv_bytes(ROSTER_HEADER, [roster_row(1)]))
        self.client.force_login(self.dana)
        url = f"/agencies/{self.other_agency.code}/import/{batch.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)


class RosterDatesOfOwnTestCase(RosterTestBase):
    """The roster carries the dates some rules count from: a first appointment in
    the role and the latest break in service."""

    HEADER = [*ROSTER_HEADER, "Appointment date", "Separated on", "Rehired on"]

    def row(self, i: int, appointed: str, left: str, back: str) -> list[str]:
        return [*roster_row(i), appointed, left, back]

    def test_it_imports_the_dates_onto_the_license(self) -> None:
        batch, _ = self.import_file(
            csv_bytes(
                self.HEADER, [self.row(1, "2022-03-15", "2019-06-30", "2022-09-01")]
            )
        )
        self.confirm(batch)
        license = Person.objects.get(last_name="Import1").licenses.get()
        self.assertEqual(
            (license.appointed_on, license.separated_on, license.returned_on),
            (date(2022, 3, 15), date(2019, 6, 30), date(2022, 9, 1)),
        )

    def test_it_refuses_a_break_that_ends_before_it_starts_and_writes_nothing(
        self,
    ) -> None:
        before = counts()
        batch, preview = self.import_file(
            csv_bytes(self.HEADER, [self.row(1, "", "2022-09-01", "2019-06-30")])
        )
        self.assertContains(preview, "a break in service ends after it starts")
        self.confirm(batch)
        self.assertEqual(counts(), before)


class RosterDatesAcrossAgenciesTestCase(RosterTestBase):
    """An attacker's roster: Oakdale's Charlie Chen's license number with dates of
    Alice's choosing. Nothing of Charlie's changes or is named."""

    HEADER = RosterDatesOfOwnTestCase.HEADER

    def charlie_row(self, appointed="2021-01-04", left="2018-02-01", back="2020-03-02"):
        number = self.charlie_person.licenses.get().number
        row = roster_row(1, **{"License number": number, "Last name": "Guess"})
        return [*row, appointed, left, back]

    def charlie_dates(self):
        license = self.charlie_person.licenses.get()
        return (license.appointed_on, license.separated_on, license.returned_on)

    def test_another_agencys_license_gets_no_dates_and_stays_unnamed(self) -> None:
        before = self.charlie_dates()
        batch, preview = self.import_file(csv_bytes(self.HEADER, [self.charlie_row()]))
        self.assertContains(preview, "license held elsewhere")
        self.assertNotContains(preview, "Charlie")
        self.assertNotContains(preview, "Chen")
        self.confirm(batch)
        self.assertEqual(self.charlie_dates(), before)
        self.assertEqual(before, (None, None, None))
        self.assertFalse(
            AuditEntry.objects.filter(
                object_type="agencies.License",
                object_id=str(self.charlie_person.licenses.get().pk),
            ).exists()
        )

    def test_a_shared_employees_license_dates_stay_as_they_were(self) -> None:
        """Charlie works at both agencies: his license is Oakdale's record too, so
        Alice's roster changes only his job with her agency."""
        Employment.objects.create(
            person=self.charlie_person, agency=self.agency, starts_on=date(2020, 1, 1)
        )
        batch, preview = self.import_file(csv_bytes(self.HEADER, [self.charlie_row()]))
        self.assertContains(preview, "another agency employs this person too")
        self.confirm(batch)
        self.assertEqual(self.charlie_dates(), (None, None, None))

    def test_one_end_of_a_break_is_checked_against_the_stored_other_end(self) -> None:
        """Bob's license says he left on 2021-05-01; a roster giving only a return
        before that is refused by row and column, before anything is written."""
        license = self.bob_person.licenses.get()
        License.objects.filter(pk=license.pk).update(separated_on=date(2021, 5, 1))
        row = roster_row(1, **{"License number": license.number, "Last name": "Baker"})
        before = (counts(), AuditEntry.objects.count())
        batch, preview = self.import_file(
            csv_bytes(self.HEADER, [[*row, "", "", "2020-01-02"]])
        )
        self.assertContains(preview, "Back in service on")
        self.assertContains(preview, "before the break recorded as starting on")
        response = self.confirm(batch)
        self.assertLess(response.status_code, 500)
        license.refresh_from_db()
        self.assertIsNone(license.returned_on)
        self.assertEqual((counts(), AuditEntry.objects.count()), before)


class RosterEarlierBreaksTestCase(RosterTestBase):
    """Earlier breaks in service in a roster: stored on the license, each checked
    against the latest break (the row's or the license's), by row and column."""

    HEADER = [*RosterDatesOfOwnTestCase.HEADER, "Earlier breaks"]

    def test_it_imports_the_earlier_breaks_onto_the_license(self) -> None:
        row = [
            *roster_row(1),
            "",
            "2025-03-01",
            "2025-06-01",
            "2022-09-30 to 2024-10-01",
        ]
        batch, _ = self.import_file(csv_bytes(self.HEADER, [row]))
        self.confirm(batch)
        license = Person.objects.get(last_name="Import1").licenses.get()
        self.assertEqual(
            license.breaks_before_latest, ((date(2022, 9, 30), date(2024, 10, 1)),)
        )
        entry = AuditEntry.objects.get(
            object_type="agencies.License", object_id=str(license.pk)
        )
        self.assertEqual(entry.after["earlier_breaks"], license.earlier_breaks)

    def test_breaks_out_of_order_are_refused_by_row_and_column(self) -> None:
        before = counts()
        rows = [
            [
                *roster_row(1),
                "",
                "2025-03-01",
                "2025-06-01",
                "2022-09-30 to 2025-04-01",
            ],
            [*roster_row(2), "", "", "", "2022-09-30 to 2024-10-01"],
        ]
        batch, preview = self.import_file(csv_bytes(self.HEADER, rows))
        self.assertContains(preview, "must end before the latest break starts")
        self.assertContains(preview, "earlier breaks need the latest break too")
        self.assertContains(preview, "Earlier breaks in service")
        self.confirm(batch)
        self.assertEqual(counts(), before)
        backwards = [*roster_row(3), "", "2025-03-01", "2025-06-01"]
        batch, preview = self.import_file(
            csv_bytes(self.HEADER, [[*backwards, "2024-10-01 to 2022-09-30"]])
        )
        self.assertContains(preview, "ends before it starts")
        self.confirm(batch)
        self.assertEqual(counts(), before)

    def test_a_stored_latest_break_is_what_earlier_breaks_are_checked_against(
        self,
    ) -> None:
        license = self.bob_person.licenses.get()
        License.objects.filter(pk=license.pk).update(
            separated_on=date(2025, 3, 1), returned_on=date(2025, 6, 1)
        )
        row = roster_row(1, **{"License number": license.number, "Last name": "Baker"})
        batch, preview = self.import_file(
            csv_bytes(self.HEADER, [[*row, "", "", "", "2022-09-30 to 2024-10-01"]])
        )
        self.assertContains(
            preview, "earlier breaks: (blank) → 2022-09-30 to 2024-10-01"
        )
        self.confirm(batch)
        license.refresh_from_db()
        self.assertEqual(
            license.earlier_breaks,
            [{"separated_on": "2022-09-30", "returned_on": "2024-10-01"}],
        )
