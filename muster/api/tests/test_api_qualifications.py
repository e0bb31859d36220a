"""Qualifications and exemptions through the API: the screens' actions and form
rules, audited; If-Match on changes, Idempotency-Key on creates (replays
marked `Idempotent-Replayed: true`), one agency's token never touching
another's rows."""

from __future__ import annotations

from datetime import date

from muster.agencies.choices import Approval
from muster.agencies.models import Exemption, Qualification
from muster.api.choices import TokenAccess
from muster.api.tests.helpers import call, token_for
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase


class QualificationWritesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.secret = token_for(self.alice)
        self.body = {
            "person": self.bob_person.pk,
            "agency": self.agency.code,
            "qualified_on": "2026-02-01",
            "weapon_type": "Handgun",
            "course_of_fire": "State qualification",
            "score": "92.5",
            "result": "pass",
            "instructor": "R. Range",
        }

    def create(self, body=None, secret=None, **headers):
        return call(
            self.client,
            "POST",
            "/api/v1/qualifications",
            secret or self.secret,
            body or self.body,
            **headers,
        )

    def url(self, pk: int, rest: str = "") -> str:
        return f"/api/v1/qualifications/{pk}{rest}"

    def test_it_records_through_the_action_with_its_audit_entry(self) -> None:
        response = self.create()
        self.assertEqual(response.status_code, 201, response.content)
        row = Qualification.objects.get(pk=response.json()["id"])
        self.assertEqual(row.entered_by, self.alice)
        self.assertEqual(str(row.score), "92.50")
        self.assertTrue(
            AuditEntry.objects.filter(
                action="qualification.create", object_id=str(row.pk)
            ).exists()
        )
        self.assertEqual(
            response["ETag"],
            call(self.client, "GET", self.url(row.pk), self.secret)["ETag"],
        )
        self.assertNotIn("Idempotent-Replayed", response)

    def test_a_replayed_create_says_so_and_writes_nothing_more(self) -> None:
        first = self.create(**{"Idempotency-Key": "q-1"})
        again = self.create(**{"Idempotency-Key": "q-1"})
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertNotIn("Idempotent-Replayed", first)
        self.assertEqual(Qualification.objects.count(), 1)

    def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(self) -> None:
        cases = {
            "score": self.body | {"score": "-1"},
            "result": self.body | {"result": "maybe"},
            "qualified_on": self.body | {"qualified_on": "2099-01-01"},
            "weapon_type": self.body | {"weapon_type": ""},
            "colour": self.body | {"colour": "red"},
        }
        for field, body in cases.items():
            with self.subTest(field):
                response = self.create(body)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response["Content-Type"], "application/problem+json")
                self.assertIn(field, [e["field"] for e in response.json()["errors"]])
        self.assertEqual(Qualification.objects.count(), 0)

    def test_the_same_attempt_twice_is_refused_naming_the_day(self) -> None:
        self.assertEqual(self.create().status_code, 201)
        again = self.create()
        self.assertEqual(again.status_code, 422)
        self.assertEqual(again.json()["errors"][0]["field"], "qualified_on")
        self.assertEqual(Qualification.objects.count(), 1)

    def test_a_correction_needs_the_current_etag_and_keeps_the_history(self) -> None:
        pk = self.create().json()["id"]
        change = {"reason": "Score misread", "score": "88"}
        missing = call(self.client, "PATCH", self.url(pk), self.secret, change)
        self.assertEqual(missing.status_code, 428)
        stale = call(
            self.client,
            "PATCH",
            self.url(pk),
            self.secret,
            change,
            **{"If-Match": '"x"'},
        )
        self.assertEqual(stale.status_code, 412)
        etag = call(self.client, "GET", self.url(pk), self.secret)["ETag"]
        done = call(
            self.client,
            "PATCH",
            self.url(pk),
            self.secret,
            change,
            **{"If-Match": etag},
        )
        self.assertEqual(done.status_code, 200, done.content)
        self.assertEqual(done.json()["score"], "88.00")
        self.assertEqual(done.json()["weapon_type"], "Handgun")
        entry = AuditEntry.objects.get(
            action="qualification.correct", object_id=str(pk)
        )
        self.assertEqual(entry.reason, "Score misread")
        self.assertEqual(entry.before["score"], "92.50")
        again = call(
            self.client,
            "PATCH",
            self.url(pk),
            self.secret,
            change,
            **{"If-Match": etag},
        )
        self.assertEqual(again.status_code, 412)

    def test_a_void_keeps_the_row_with_its_reason(self) -> None:
        pk = self.create().json()["id"]
        etag = call(self.client, "GET", self.url(pk), self.secret)["ETag"]
        voided = call(
            self.client,
            "POST",
            self.url(pk, "/void"),
            self.secret,
            {"reason": "Wrong officer"},
            **{"If-Match": etag},
        )
        self.assertEqual(voided.status_code, 200, voided.content)
        self.assertTrue(voided.json()["is_void"])
        self.assertEqual(Qualification.objects.get(pk=pk).void_reason, "Wrong officer")
        twice = call(
            self.client,
            "POST",
            self.url(pk, "/void"),
            self.secret,
            {"reason": "Again"},
            **{"If-Match": voided["ETag"]},
        )
        self.assertEqual(twice.status_code, 409)

    def test_another_agency_neither_creates_nor_changes(self) -> None:
        body = self.body | {"person": self.charlie_person.pk}
        self.assertEqual(self.create(body).status_code, 404)
        pk = self.create().json()["id"]
        dana = token_for(self.dana)
        for method, rest, payload in (
            ("GET", "", None),
            ("PATCH", "", {"reason": "x", "score": "1"}),
            ("POST", "/void", {"reason": "x"}),
        ):
            with self.subTest(method):
                response = call(
                    self.client,
                    method,
                    self.url(pk, rest),
                    dana,
                    payload,
                    **{"If-Match": "*"},
                )
                self.assertEqual(response.status_code, 404)
        oakdale = self.body | {"agency": self.other_agency.code}
        self.assertEqual(self.create(oakdale, secret=dana).status_code, 404)
        self.assertEqual(Qualification.objects.get(pk=pk).score, 92.5)

    def test_a_head_or_a_read_only_token_may_not_write(self) -> None:
        pk = self.create().json()["id"]
        for secret in (
            token_for(self.harold),
            token_for(self.alice, access=TokenAccess.READ),
        ):
            with self.subTest(secret=secret[:6]):
                self.assertEqual(self.create(secret=secret).status_code, 403)
                response = call(
                    self.client,
                    "POST",
                    self.url(pk, "/void"),
                    secret,
                    {"reason": "x"},
                    **{"If-Match": "*"},
                )
                self.assertEqual(response.status_code, 403)
        self.assertFalse(Qualification.objects.get(pk=pk).is_void)


class ExemptionWritesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.secret = token_for(self.alice)
        self.body = {
            "person": self.bob_person.pk,
            "agency": self.agency.code,
            "kind": "extension",
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "reason": "Medical leave",
        }

    def propose(self, body=None, secret=None, **headers):
        return call(
            self.client,
            "POST",
            "/api/v1/exemptions",
            secret or self.secret,
            body or self.body,
            **headers,
        )

    def decide(self, pk: int, secret: str, body: dict, etag: str | None = None):
        if etag is None:
            etag = call(self.client, "GET", f"/api/v1/exemptions/{pk}", secret)["ETag"]
        return call(
            self.client,
            "POST",
            f"/api/v1/exemptions/{pk}/decision",
            secret,
            body,
            **{"If-Match": etag},
        )

    def test_a_coordinator_proposes_and_only_the_head_decides(self) -> None:
        proposed = self.propose()
        self.assertEqual(proposed.status_code, 201, proposed.content)
        pk = proposed.json()["id"]
        self.assertEqual(proposed.json()["approval"], Approval.PENDING)
        self.assertTrue(
            AuditEntry.objects.filter(
                action="exemption.propose", object_id=str(pk)
            ).exists()
        )
        by_coordinator = self.decide(pk, self.secret, {"approve": True})
        self.assertEqual(by_coordinator.status_code, 403)
        head_reading = token_for(self.harold, access=TokenAccess.READ)
        self.assertEqual(
            self.decide(pk, head_reading, {"approve": True}).status_code, 403
        )
        head = token_for(self.harold)
        approved = self.decide(pk, head, {"approve": True})
        self.assertEqual(approved.status_code, 200, approved.content)
        exemption = Exemption.objects.get(pk=pk)
        self.assertEqual(exemption.approval, Approval.APPROVED)
        self.assertEqual(exemption.approved_by, self.harold)
        again = self.decide(pk, head, {"approve": False, "note": "x"}, etag='"x"')
        self.assertEqual(again.status_code, 409)

    def test_a_rejection_needs_a_note_and_a_stale_etag_is_refused(self) -> None:
        pk = self.propose().json()["id"]
        head = token_for(self.harold)
        silent = self.decide(pk, head, {"approve": False})
        self.assertEqual(silent.status_code, 422)
        self.assertEqual(silent.json()["errors"][0]["field"], "note")
        stale = self.decide(pk, head, {"approve": True}, etag='"old"')
        self.assertEqual(stale.status_code, 412)
        self.assertEqual(Exemption.objects.get(pk=pk).approval, Approval.PENDING)

    def test_bad_input_names_the_field_and_replays_say_so(self) -> None:
        for field, body in {
            "ends_on": self.body | {"ends_on": "2025-01-01"},
            "kind": self.body | {"kind": "amnesty"},
            "requirements": self.body | {"requirements": ["no-such-requirement"]},
        }.items():
            with self.subTest(field):
                response = self.propose(body)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, [e["field"] for e in response.json()["errors"]])
        first = self.propose(**{"Idempotency-Key": "e-1"})
        again = self.propose(**{"Idempotency-Key": "e-1"})
        self.assertEqual(again["Idempotent-Replayed"], "true")
        self.assertEqual(again.json(), first.json())
        self.assertEqual(Exemption.objects.count(), 1)

    def test_another_agency_neither_proposes_nor_decides(self) -> None:
        charlie = self.body | {"person": self.charlie_person.pk}
        self.assertEqual(self.propose(charlie).status_code, 404)
        pk = self.propose().json()["id"]
        dana = token_for(self.dana)
        response = call(
            self.client,
            "POST",
            f"/api/v1/exemptions/{pk}/decision",
            dana,
            {"approve": True},
            **{"If-Match": "*"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Exemption.objects.get(pk=pk).approval, Approval.PENDING)
        self.assertEqual(
            Exemption.objects.filter(person=self.charlie_person).count(), 0
        )
        self.assertEqual(date(2026, 6, 30), Exemption.objects.get(pk=pk).ends_on)
