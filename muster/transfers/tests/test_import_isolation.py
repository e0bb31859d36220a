"""Import-driven isolation: files naming another agency's officer reach nothing.

Alice (Riverton) knows, or guesses, Charlie's license number; Charlie works at
Oakdale. Neither a roster import, a training import nor a class entry may make
Charlie readable or changeable for Riverton, change his details, or name him.
"""

import re

from django.test import Client
from django.urls import reverse

from muster.agencies.models import Employment, Person, TrainingRecord
from muster.agencies.tests.test_recording import training_data
from muster.test import make_person

# The module, not the class: a TestCase named in this module's namespace would be
# collected here too, and the whole matrix run twice.
from muster.tests import test_isolation
from muster.transfers.models import TransferRequest
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    last_batch,
    roster_row,
    upload,
)

TRAINING_HEADER = ["License number", "Course title", "Completion date", "Hours"]


def import_roster(client, code: str, rows: list[list[str]]):
    """Upload `rows` as a roster, confirm it; returns (preview, confirmed page)."""
    upload(client, code, "roster", csv_bytes(ROSTER_HEADER, rows))
    batch = last_batch()
    url = f"/agencies/{code}/import/{batch.pk}/"
    preview = client.get(url)
    confirmed = client.post(url, follow=True)
    return preview, confirmed


def without_tokens(html: str) -> str:
    """The page without what changes on every request (CSRF token, batch number)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"/import/\d+/", "/import/N/", html)


class RosterImportNamingAnotherAgencysOfficerTestCase(
    test_isolation.MatrixInParts, test_isolation.IsolationWorld
):
    """After Alice imports Charlie's license, the matrix still refuses her.

    Only the matrix itself is re-run here, and only for the importing agency's
    users: the other tests of the matrix do not depend on the data."""

    def setUp(self) -> None:
        super().setUp()
        client = Client()
        client.force_login(self.alice)
        number = self.charlie_person.licenses.get().number
        row = roster_row(1, **{"License number": number, "First name": "Changed"})
        import_roster(client, self.agency.code, [row])
        self.assertEqual(last_batch().summary.get("transfer"), 1)

    def attackers(self) -> dict[str, object]:
        return {
            "coordinator who imported (alice)": self.alice,
            "head of the importing agency (harold)": self.harold,
        }


class ImportIsolationTestCase(test_isolation.IsolationWorld):
    """Direct checks, each naming the hole it closes."""

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.number = self.charlie_person.licenses.get().number
        self.charlie_row = roster_row(
            1,
            **{
                "License number": self.number,
                "First name": "Changed",
                "Email": "attacker@example.org",
            },
        )

    def test_it_never_makes_another_agencys_officer_a_member_of_staff(self) -> None:
        preview, confirmed = import_roster(
            self.client, self.agency.code, [self.charlie_row]
        )
        self.assertEqual(confirmed.status_code, 200)
        jobs = Employment.objects.filter(person=self.charlie_person)
        self.assertEqual(
            set(jobs.values_list("agency", flat=True)), {self.other_agency.pk}
        )
        for url in (
            f"/people/{self.charlie_person.pk}/",
            f"/agencies/{self.agency.code}/people/{self.charlie_person.pk}/transcript.pdf",
            f"/agencies/{self.agency.code}/people/{self.charlie_person.pk}/training/new/",
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_it_never_changes_another_agencys_person_details(self) -> None:
        import_roster(self.client, self.agency.code, [self.charlie_row])
        import_roster(self.client, self.agency.code, [self.charlie_row])
        charlie = Person.objects.get(pk=self.charlie_person.pk)
        self.assertEqual(
            (charlie.first_name, charlie.email), ("Charlie", "charlie@example.org")
        )

    def test_its_preview_and_result_never_name_the_officer_or_agency(self) -> None:
        preview, confirmed = import_roster(
            self.client, self.agency.code, [self.charlie_row]
        )
        self.assertContains(
            preview, "license held elsewhere: a transfer request will be sent"
        )
        for page in (preview, confirmed):
            for secret in ("Charlie", "Chen", "charlie@example.org", "Oakdale"):
                self.assertNotContains(page, secret)

    def test_its_preview_is_the_same_whoever_holds_the_license(self) -> None:
        """A file of guessed numbers learns only that each number is taken."""
        upload(
            self.client,
            self.agency.code,
            "roster",
            csv_bytes(ROSTER_HEADER, [self.charlie_row]),
        )
        url = f"/agencies/{self.agency.code}/import/{last_batch().pk}/"
        first = without_tokens(self.client.get(url).content.decode())
        Person.objects.filter(pk=self.charlie_person.pk).update(
            first_name="Zed", last_name="Zimmer", email="zed@example.org"
        )
        renamed = without_tokens(self.client.get(url).content.decode())
        Employment.objects.filter(person=self.charlie_person).update(
            ends_on="2020-01-01"
        )
        separated = without_tokens(self.client.get(url).content.decode())
        self.assertEqual(first, renamed)
        self.assertEqual(first, separated)

    def test_a_separated_officer_is_not_attached_either(self) -> None:
        Employment.objects.filter(person=self.charlie_person).update(
            ends_on="2020-01-01"
        )
        import_roster(self.client, self.agency.code, [self.charlie_row])
        self.assertFalse(
            Employment.objects.filter(
                person=self.charlie_person, agency=self.agency
            ).exists()
        )
        self.assertEqual(
            self.client.get(f"/people/{self.charlie_person.pk}/").status_code, 404
        )
        request = TransferRequest.objects.get()
        self.assertIsNone(request.releasing_agency)

    def test_it_sends_one_request_however_often_the_file_is_confirmed(self) -> None:
        import_roster(self.client, self.agency.code, [self.charlie_row])
        preview, _ = import_roster(self.client, self.agency.code, [self.charlie_row])
        self.assertContains(preview, "a transfer request was already sent")
        self.assertContains(preview, "0 transfer requests to send")
        request = TransferRequest.objects.get()
        self.assertEqual(
            (request.requesting_agency, request.person, request.releasing_agency),
            (self.agency, self.charlie_person, self.other_agency),
        )
        self.assertEqual(request.typed_first_name, "Changed")

    def test_the_same_number_in_another_state_is_another_license(self) -> None:
        row = roster_row(1, **{"License number": self.number, "State": "TN"})
        preview, _ = import_roster(self.client, self.agency.code, [row])
        self.assertContains(preview, "1 to create")
        self.assertEqual(Person.objects.filter(first_name="Pat1").count(), 1)
        self.assertFalse(TransferRequest.objects.exists())

    def test_a_training_import_refuses_another_agencys_officer_unnamed(self) -> None:
        data = csv_bytes(
            TRAINING_HEADER, [[self.number, "Patrol refresher", "2025-04-02", "2"]]
        )
        upload(self.client, self.agency.code, "training", data, "t.csv")
        url = f"/agencies/{self.agency.code}/import/{last_batch().pk}/"
        preview = self.client.get(url)
        self.assertContains(preview, "import the roster first")
        confirmed = self.client.post(url)
        self.assertContains(confirmed, "Nothing was written")
        for page in (preview, confirmed):
            for secret in ("Charlie", "Chen", "Oakdale"):
                self.assertNotContains(page, secret)
        self.assertFalse(
            TrainingRecord.objects.filter(title="Patrol refresher").exists()
        )

    def test_a_class_entry_refuses_another_agencys_officer(self) -> None:
        url = reverse("agencies:class-new", kwargs={"code": self.agency.code})
        mixed = training_data(
            attendees=[self.bob_person.pk, self.charlie_person.pk], confirm="1"
        )
        response = self.client.post(url, mixed)
        self.assertContains(response, "Select a valid choice.")
        self.assertNotContains(response, "Chen")
        self.assertFalse(
            TrainingRecord.objects.filter(
                person=self.charlie_person, title=mixed["title"]
            ).exists()
        )
        # The same post with only Riverton's own officer is taken.
        self.client.post(
            url, training_data(attendees=[self.bob_person.pk], confirm="1")
        )
        self.assertTrue(
            TrainingRecord.objects.filter(
                person=self.bob_person, title=mixed["title"]
            ).exists()
        )

    def test_a_shared_officer_keeps_details_the_other_employer_relies_on(self) -> None:
        """Dual employment (a reserve post): the roster changes only the job here."""
        shared = make_person("Sky", "Shared", self.other_agency)
        Employment.objects.create(
            person=shared, agency=self.agency, starts_on="2020-01-01"
        )
        row = roster_row(
            2,
            **{
                "License number": shared.licenses.get().number,
                "First name": "Renamed",
                "Rank": "Reserve officer",
            },
        )
        import_roster(self.client, self.agency.code, [row])
        shared.refresh_from_db()
        self.assertEqual(shared.first_name, "Sky")
        job = shared.employments.get(agency=self.agency)
        self.assertEqual(job.title, "Reserve officer")
