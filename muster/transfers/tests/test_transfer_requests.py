"""Transfer requests: filed by a roster import, decided once, audited."""

from datetime import date, timedelta

import time_machine
from django.db import IntegrityError

from muster.agencies.models import Employment, License, Person
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase
from muster.transfers import actions
from muster.transfers.actions import TransferClosed
from muster.transfers.models import TransferRequest, TransferStatus
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    last_batch,
    roster_row,
    upload,
)

TODAY = date(2026, 12, 2)


def jobs(person) -> set[tuple]:
    return set(
        Employment.objects.filter(person=person).values_list(
            "agency__code", "starts_on", "ends_on"
        )
    )


@time_machine.travel("2026-12-02 12:00:00+00:00", tick=False)
class TransferRequestTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        self.number = self.charlie_person.licenses.get().number

    def request_charlie(self, **overrides) -> TransferRequest:
        """Alice's roster names Charlie's license; returns the request it filed."""
        values = {"License number": self.number, "Hire date": "2027-01-04"}
        row = roster_row(1, **(values | overrides))
        upload(self.client, self.agency.code, "roster", csv_bytes(ROSTER_HEADER, [row]))
        response = self.client.post(
            f"/agencies/{self.agency.code}/import/{last_batch().pk}/"
        )
        self.assertEqual(response.status_code, 302)
        return TransferRequest.objects.get(status=TransferStatus.PENDING)

    def test_the_import_files_a_pending_request_with_what_was_typed(self) -> None:
        request = self.request_charlie(**{"Rank": "Detective"})
        self.assertEqual(request.releasing_agency, self.other_agency)
        self.assertEqual(request.starts_on, date(2027, 1, 4))
        self.assertEqual(
            (request.typed_name, request.title), ("Pat1 Import1", "Detective")
        )
        self.assertEqual(request.requested_by, self.alice)
        entry = AuditEntry.objects.get(action="transfer.request")
        self.assertEqual(entry.agency_id, self.agency.pk)
        self.assertIn("Roster import", entry.reason)

    def test_a_hire_date_already_past_asks_for_today(self) -> None:
        request = self.request_charlie(**{"Hire date": "2016-05-01"})
        self.assertEqual(request.starts_on, TODAY)

    def test_a_lower_case_number_in_the_file_is_the_same_license(self) -> None:
        request = self.request_charlie(**{"License number": self.number.lower()})
        self.assertEqual(request.person, self.charlie_person)
        self.assertEqual(Person.objects.filter(last_name="Import1").count(), 0)

    def test_approval_moves_the_officer_on_the_day_asked(self) -> None:
        request = self.request_charlie()
        actions.approve_transfer(request, actor=self.dana)
        self.assertEqual(
            jobs(self.charlie_person),
            {
                ("oakdale-so", date(2015, 6, 1), date(2027, 1, 3)),
                ("riverton-pd", date(2027, 1, 4), None),
            },
        )
        request.refresh_from_db()
        self.assertEqual(
            (request.status, request.decided_by), (TransferStatus.APPROVED, self.dana)
        )
        self.assertEqual(request.employment.agency, self.agency)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(sequence__gt=0)
                .order_by("sequence")
                .values_list("action", flat=True)
            )[-3:],
            ["employment.create", "employment.change", "transfer.approve"],
        )
        # Not before the first day; from it, Riverton reads Charlie like any of
        # its staff.
        page = self.client.get(f"/people/{self.charlie_person.pk}/")
        self.assertEqual(page.status_code, 404)
        with time_machine.travel("2027-01-04 12:00:00+00:00", tick=False):
            self.client.force_login(self.alice)
            page = self.client.get(f"/people/{self.charlie_person.pk}/")
            self.assertContains(page, "Chen")

    def test_acceptance_by_the_officer_keeps_the_other_job(self) -> None:
        request = self.request_charlie()
        actions.accept_transfer(request, actor=self.charlie)
        self.assertEqual(
            jobs(self.charlie_person),
            {
                ("oakdale-so", date(2015, 6, 1), None),
                ("riverton-pd", date(2027, 1, 4), None),
            },
        )
        self.assertEqual(TransferRequest.objects.get().status, TransferStatus.ACCEPTED)

    def test_a_decision_after_the_day_asked_starts_on_the_decision_day(self) -> None:
        request = self.request_charlie(**{"Hire date": "2026-12-03"})
        with time_machine.travel("2026-12-10 12:00:00+00:00", tick=False):
            actions.approve_transfer(request, actor=self.dana)
        self.assertIn(
            ("riverton-pd", date(2026, 12, 10), None), jobs(self.charlie_person)
        )
        self.assertIn(
            ("oakdale-so", date(2015, 6, 1), date(2026, 12, 9)),
            jobs(self.charlie_person),
        )

    def test_a_declined_or_withdrawn_request_changes_no_job(self) -> None:
        before = jobs(self.charlie_person)
        request = self.request_charlie()
        actions.decline_transfer(request, actor=self.dana, reason="Not leaving")
        self.assertEqual(jobs(self.charlie_person), before)
        entry = AuditEntry.objects.get(action="transfer.decline")
        self.assertEqual(entry.reason, "Not leaving")
        request = self.request_charlie()
        actions.withdraw_transfer(request, actor=self.alice, reason="Wrong number")
        self.assertEqual(jobs(self.charlie_person), before)
        self.assertEqual(
            TransferRequest.objects.get(pk=request.pk).status, TransferStatus.WITHDRAWN
        )

    def test_a_request_is_decided_once(self) -> None:
        request = self.request_charlie()
        actions.decline_transfer(request, actor=self.dana, reason="No")
        for decide in (
            lambda: actions.approve_transfer(request, actor=self.dana),
            lambda: actions.accept_transfer(request, actor=self.charlie),
            lambda: actions.withdraw_transfer(request, actor=self.alice, reason=""),
        ):
            with self.assertRaisesMessage(TransferClosed, "was declined already"):
                decide()
        self.assertFalse(
            Employment.objects.filter(
                person=self.charlie_person, agency=self.agency
            ).exists()
        )

    def test_an_agency_that_no_longer_employs_the_officer_cannot_release_them(
        self,
    ) -> None:
        request = self.request_charlie()
        Employment.objects.filter(person=self.charlie_person).update(
            ends_on=TODAY - timedelta(days=1)
        )
        with self.assertRaisesMessage(TransferClosed, "no longer works"):
            actions.approve_transfer(request, actor=self.dana)
        self.assertEqual(TransferRequest.objects.get().status, TransferStatus.PENDING)

    def test_only_one_pending_request_per_agency_and_person(self) -> None:
        request = self.request_charlie()
        request.pk = None
        with self.assertRaises(IntegrityError):
            request.save()


class LicenseNumberTestCase(BaseTestCase):
    """(state, number) names one license, whatever the case of the number."""

    def test_it_stores_numbers_stripped_and_in_capitals(self) -> None:
        license = self.bob_person.licenses.get()
        license.number = "  mo123abc "
        license.save()
        self.assertEqual(License.objects.get(pk=license.pk).number, "MO123ABC")

    def test_the_database_refuses_a_second_holder_of_a_number(self) -> None:
        taken = self.charlie_person.licenses.get().number
        license = self.bob_person.licenses.get()
        with self.assertRaises(IntegrityError):
            # update() skips save(): the constraint itself compares without case.
            License.objects.filter(pk=license.pk).update(number=taken.lower())

    def test_the_same_number_may_be_held_in_another_state(self) -> None:
        taken = self.charlie_person.licenses.get().number
        License.objects.create(
            person=self.bob_person,
            jurisdiction="TN",
            discipline="peace-officer",
            number=taken,
        )
        self.assertEqual(License.objects.filter(number=taken).count(), 2)

    def test_a_form_says_the_number_is_taken(self) -> None:
        taken = self.charlie_person.licenses.get().number
        license = self.bob_person.licenses.get()
        license.number = taken
        with self.assertRaisesMessage(Exception, "Another person already holds"):
            license.validate_constraints()
