"""API tokens: hashed at rest, shown once, scoped, revocable, every use audited."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from muster.accounts.models import RoleGrant
from muster.agencies.models import TrainingRecord
from muster.api.choices import TokenAccess, TokenKind
from muster.api.models import ApiToken, digest_of
from muster.api.tests.helpers import call, token_for
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase, make_record


class TokenAuthTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.people = "/api/v1/people"

    def names(self, response) -> list[str]:
        return [p["first_name"] for p in response.json()["items"]]

    def test_it_keeps_only_a_hash_of_the_secret(self) -> None:
        secret = token_for(self.alice)
        token = ApiToken.objects.get()
        self.assertEqual(token.digest, digest_of(secret))
        self.assertNotIn(secret, str(list(ApiToken.objects.values())))
        self.assertTrue(secret.startswith("mst_p_"))
        self.assertTrue(secret.startswith(token.shown))

    def test_it_refuses_a_missing_or_unknown_token_with_401_and_a_challenge(
        self,
    ) -> None:
        for secret in (None, "mst_p_not-a-token"):
            response = call(self.client, "GET", self.people, secret)
            self.assertEqual(response.status_code, 401)
            self.assertEqual(response["Content-Type"], "application/problem+json")
            self.assertIn("Bearer", response["WWW-Authenticate"])

    def test_a_personal_token_reads_with_its_owners_roles(self) -> None:
        response = call(self.client, "GET", self.people, token_for(self.alice))
        self.assertEqual(self.names(response), ["Bob"])
        response = call(self.client, "GET", self.people, token_for(self.dana))
        self.assertEqual(self.names(response), ["Charlie"])

    def test_an_officers_token_sees_only_their_own_person(self) -> None:
        response = call(self.client, "GET", self.people, token_for(self.bob))
        self.assertEqual(self.names(response), ["Bob"])
        response = call(
            self.client,
            "GET",
            f"/api/v1/people/{self.charlie_person.pk}",
            token_for(self.bob),
        )
        self.assertEqual(response.status_code, 404)

    def test_a_token_narrowed_to_one_agency_reads_only_there(self) -> None:
        secret = token_for(self.root, agency=self.agency)
        self.assertEqual(
            self.names(call(self.client, "GET", self.people, secret)), ["Bob"]
        )
        wide = token_for(self.root)
        self.assertEqual(
            sorted(self.names(call(self.client, "GET", self.people, wide))),
            ["Bob", "Charlie"],
        )

    def test_a_revoked_or_expired_token_stops_working(self) -> None:
        secret = token_for(self.alice)
        self.assertEqual(call(self.client, "GET", self.people, secret).status_code, 200)
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        self.assertEqual(call(self.client, "GET", self.people, secret).status_code, 401)
        ApiToken.objects.update(expires_at=None, revoked_at=timezone.now())
        self.assertEqual(call(self.client, "GET", self.people, secret).status_code, 401)

    def test_a_service_token_acts_for_its_agency_only_while_its_issuer_may(
        self,
    ) -> None:
        secret = token_for(self.alice, kind=TokenKind.SERVICE, agency=self.agency)
        self.assertTrue(secret.startswith("mst_s_"))
        self.assertEqual(
            self.names(call(self.client, "GET", self.people, secret)), ["Bob"]
        )
        RoleGrant.objects.filter(user=self.alice).update(revoked_at=timezone.now())
        self.assertEqual(call(self.client, "GET", self.people, secret).status_code, 401)

    def test_a_deactivated_owners_token_stops_working(self) -> None:
        secret = token_for(self.alice)
        self.alice.is_active = False
        self.alice.save()
        self.assertEqual(call(self.client, "GET", self.people, secret).status_code, 401)

    def test_every_use_is_one_audit_entry_with_method_and_path(self) -> None:
        secret = token_for(self.alice, kind=TokenKind.SERVICE, agency=self.agency)
        call(self.client, "GET", self.people + "?limit=5", secret)
        call(self.client, "GET", f"/api/v1/people/{self.bob_person.pk}", secret)
        uses = AuditEntry.objects.filter(action="token.use").order_by("sequence")
        self.assertEqual(
            [e.reason for e in uses],
            ["GET /api/v1/people?limit=5", f"GET /api/v1/people/{self.bob_person.pk}"],
        )
        self.assertEqual({e.agency_id for e in uses}, {self.agency.pk})
        self.assertEqual({e.actor_id for e in uses}, {self.alice.pk})
        self.assertIsNotNone(ApiToken.objects.get().last_used_at)

    def test_a_read_only_token_cannot_write(self) -> None:
        secret = token_for(self.alice, access=TokenAccess.READ)
        response = call(
            self.client,
            "POST",
            f"/api/v1/records/{self.bob_record.pk}/void",
            secret,
            {"reason": "Entered twice"},
            **{"If-Match": "*"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("only read", response.json()["detail"])
        self.bob_record.refresh_from_db()
        self.assertFalse(self.bob_record.is_void)


class TokenPagesTestCase(BaseTestCase):
    def test_it_shows_the_secret_once_and_lists_the_token_on_the_security_page(
        self,
    ) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            "/account/tokens/",
            {
                "name": "HR sync",
                "kind": "service",
                "access": "read",
                "agency": self.agency.pk,
                "lifetime": "30",
            },
        )
        token = ApiToken.objects.get()
        secret = response.context["secret"]
        self.assertEqual(token.digest, digest_of(secret))
        self.assertContains(response, secret)
        self.assertNotContains(self.client.get("/account/tokens/"), secret)
        security = self.client.get("/accounts/2fa/")
        self.assertContains(security, "HR sync")
        self.assertContains(security, token.shown)
        self.assertTrue(AuditEntry.objects.filter(action="token.create").exists())

    def test_a_coordinator_of_the_agency_revokes_its_service_token(self) -> None:
        from muster.accounts.choices import Role
        from muster.api.actions import issue_token
        from muster.test import make_user

        token, _ = issue_token(
            actor=self.alice,
            name="HR",
            kind="service",
            access="write",
            agency=self.agency,
        )
        colleague = make_user("carol", (Role.COORDINATOR, self.agency))
        self.client.force_login(self.dana)
        self.assertEqual(
            self.client.post(f"/account/tokens/{token.pk}/revoke/").status_code, 404
        )
        self.client.force_login(colleague)
        self.client.post(f"/account/tokens/{token.pk}/revoke/")
        token.refresh_from_db()
        self.assertEqual(token.revoked_by, colleague)
        self.assertTrue(AuditEntry.objects.filter(action="token.revoke").exists())

    def test_it_refuses_a_service_token_for_an_agency_one_does_not_coordinate(
        self,
    ) -> None:
        self.client.force_login(self.harold)
        response = self.client.post(
            "/account/tokens/",
            {
                "name": "x",
                "kind": "service",
                "access": "read",
                "agency": self.agency.pk,
            },
        )
        self.assertContains(response, "agency you coordinate")
        self.assertFalse(ApiToken.objects.exists())


class LicenseDatesTestCase(BaseTestCase):
    """Charlie once worked at Alice's agency, which still reads the records it
    entered and so reads Charlie; the dates of his license that tell of his later
    career (first appointment, break in service, rehire) are Oakdale's to see."""

    def setUp(self) -> None:
        super().setUp()
        make_record(self.charlie_person, self.agency, title="Range day at Alices")
        self.charlie_person.licenses.update(
            appointed_on=date(2024, 2, 1),
            separated_on=date(2019, 6, 30),
            returned_on=date(2022, 9, 1),
            earlier_breaks=[
                {"separated_on": "2012-01-15", "returned_on": "2014-03-01"}
            ],
        )
        self.url = f"/api/v1/people/{self.charlie_person.pk}"

    def dates(self, person: dict) -> list[tuple]:
        return [
            (
                lic["appointed_on"],
                lic["separated_on"],
                lic["returned_on"],
                *(b["separated_on"] for b in lic["earlier_breaks"]),
            )
            for lic in person["licenses"]
        ]

    def test_a_former_employer_reads_the_person_but_not_those_dates(self) -> None:
        response = call(self.client, "GET", self.url, token_for(self.alice))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.dates(response.json()), [(None, None, None)])
        listed = call(self.client, "GET", "/api/v1/people", token_for(self.alice))
        charlie = [p for p in listed.json()["items"] if p["first_name"] == "Charlie"]
        self.assertEqual([self.dates(p) for p in charlie], [[(None, None, None)]])
        self.assertNotIn("2022-09-01", listed.content.decode())
        self.assertNotIn("2012-01-15", listed.content.decode())

    def test_the_current_employer_and_the_officer_read_them(self) -> None:
        for user in (self.dana, self.charlie):
            response = call(self.client, "GET", self.url, token_for(user))
            self.assertEqual(
                self.dates(response.json()),
                [("2024-02-01", "2019-06-30", "2022-09-01", "2012-01-15")],
                user.username,
            )

    def test_nor_on_the_person_page_when_it_reads_all_his_records(self) -> None:
        # Every record of Charlie's entered by Alice's agency: she reads them all,
        # and still sees no standing (access.sees_standing), nor those dates.
        TrainingRecord.objects.filter(person=self.charlie_person).update(
            agency=self.agency
        )
        url = f"/people/{self.charlie_person.pk}/"
        self.client.force_login(self.alice)
        page = self.client.get(url)
        self.assertFalse(page.context["sees_all"])
        self.assertEqual(page.context["standings"], [])
        self.assertNotContains(page, "back in service on")
        self.assertNotContains(page, "earlier breaks in service")
        self.assertNotContains(page, "first appointed in the role on")
        self.client.force_login(self.dana)
        self.assertContains(self.client.get(url), "back in service on")
