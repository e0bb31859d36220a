"""Transfer request pages: the releasing agency's inbox, the sender's list, the
officer's own page."""

import time_machine

from muster.accounts.choices import Role
from muster.agencies.models import Employment
from muster.test import BaseTestCase, make_user
from muster.transfers.models import TransferRequest, TransferStatus
from muster.transfers.tests.helpers import (
    ROSTER_HEADER,
    csv_bytes,
    last_batch,
    roster_row,
    upload,
)


@time_machine.travel("2026-12-02 12:00:00+00:00", tick=False)
class TransferScreensTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.alice)
        number = self.charlie_person.licenses.get().number
        row = roster_row(
            1, **{"License number": number, "First name": "Chuck", "Rank": "Sergeant"}
        )
        upload(self.client, self.agency.code, "roster", csv_bytes(ROSTER_HEADER, [row]))
        self.client.post(f"/agencies/{self.agency.code}/import/{last_batch().pk}/")
        self.request = TransferRequest.objects.get()
        self.mine = f"/agencies/{self.agency.code}/transfers/"
        self.theirs = f"/agencies/{self.other_agency.code}/transfers/"
        self.release = f"{self.theirs}{self.request.pk}/release/"

    def riverton_jobs(self):
        return Employment.objects.filter(person=self.charlie_person, agency=self.agency)

    def test_the_sender_sees_only_what_it_typed(self) -> None:
        page = self.client.get(self.mine)
        self.assertContains(page, "Chuck Import1")
        self.assertContains(page, "Pending")
        for secret in ("Charlie", "Chen", "Oakdale"):
            self.assertNotContains(page, secret)

    def test_the_releasing_agency_approves_from_its_inbox(self) -> None:
        self.client.force_login(self.dana)
        page = self.client.get(self.theirs)
        self.assertContains(page, "Charlie Chen")
        self.assertContains(page, "to Riverton Police Department")
        response = self.client.post(self.release, {"decision": "approve"}, follow=True)
        self.assertContains(response, "Transfer approved.")
        self.assertEqual(self.riverton_jobs().get().title, "Sergeant")
        # Decided once: the request is no longer pending, so there is nothing
        # left to decide at that address.
        self.assertEqual(
            self.client.post(self.release, {"decision": "decline"}).status_code, 404
        )

    def test_the_head_of_the_releasing_agency_may_decide_too(self) -> None:
        head = make_user("olive", (Role.AGENCY_HEAD, self.other_agency))
        self.client.force_login(head)
        data = {"decision": "decline", "reason": "Needed here"}
        response = self.client.post(self.release, data, follow=True)
        self.assertContains(response, "Transfer declined.")
        self.client.force_login(self.alice)
        page = self.client.get(self.mine)
        self.assertContains(page, "Reason given: Needed here")
        self.assertNotContains(page, "olive")

    def test_declining_needs_a_reason(self) -> None:
        self.client.force_login(self.dana)
        response = self.client.post(self.release, {"decision": "decline"}, follow=True)
        self.assertContains(response, "Say why, so the requesting agency knows.")
        self.assertEqual(TransferRequest.objects.get().status, TransferStatus.PENDING)

    def test_the_sender_cannot_release_its_own_request(self) -> None:
        for code in (self.agency.code, self.other_agency.code):
            url = f"/agencies/{code}/transfers/{self.request.pk}/release/"
            self.assertEqual(
                self.client.post(url, {"decision": "approve"}).status_code, 404
            )
        self.assertFalse(self.riverton_jobs().exists())

    def test_the_sender_withdraws(self) -> None:
        url = f"{self.mine}{self.request.pk}/withdraw/"
        response = self.client.post(url, {"reason": "Typo"}, follow=True)
        self.assertContains(response, "Request withdrawn.")
        self.assertEqual(TransferRequest.objects.get().status, TransferStatus.WITHDRAWN)

    def test_the_officer_accepts_from_their_own_page(self) -> None:
        self.client.force_login(self.charlie)
        page = self.client.get("/my/transfers/")
        self.assertContains(page, "Riverton Police Department")
        url = f"/my/transfers/{self.request.pk}/answer/"
        response = self.client.post(url, {"decision": "approve"}, follow=True)
        self.assertContains(response, "Transfer accepted.")
        self.assertTrue(self.riverton_jobs().exists())

    def test_another_officer_sees_and_answers_nothing(self) -> None:
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/my/transfers/"), "Riverton Police")
        url = f"/my/transfers/{self.request.pk}/answer/"
        self.assertEqual(
            self.client.post(url, {"decision": "approve"}).status_code, 404
        )

    def test_a_platform_administrator_decides_for_an_officer_with_no_employer(
        self,
    ) -> None:
        TransferRequest.objects.update(releasing_agency=None)
        self.client.force_login(self.root)
        page = self.client.get(self.mine)
        self.assertContains(page, "decided here for the state")
        url = f"{self.mine}{self.request.pk}/release/"
        response = self.client.post(url, {"decision": "approve"}, follow=True)
        self.assertContains(response, "Transfer approved.")
        self.assertTrue(self.riverton_jobs().exists())

    def test_the_dashboard_links_to_the_requests(self) -> None:
        page = self.client.get(f"/agencies/{self.agency.code}/")
        self.assertContains(page, f'href="{self.mine}"')

    def test_the_officer_finds_them_from_their_own_page(self) -> None:
        self.client.force_login(self.charlie)
        for url in ("/", f"/people/{self.charlie_person.pk}/"):
            self.assertContains(self.client.get(url), 'href="/my/transfers/"')
