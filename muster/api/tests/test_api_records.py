"""Training records through the API: the screens' actions, rules and audit;
If-Match on changes, Idempotency-Key on creates, problem+json naming fields."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from muster.agencies.models import TrainingRecord
from muster.api.tests.helpers import call, token_for
from muster.audit.models import AuditEntry
from muster.test import BaseTestCase, make_record


class RecordWritesTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.secret = token_for(self.alice)
        self.body = {
            "person": self.bob_person.pk,
            "agency": self.agency.code,
            "title": "De-escalation",
            "completed_on": "2026-02-01",
            "lines": [
                {"hours": "2", "area": "interpersonal", "topics": ["de-escalation"]}
            ],
        }
        self.url = f"/api/v1/records/{self.bob_record.pk}"

    def create(self, body=None, **headers):
        return call(
            self.client,
            "POST",
            "/api/v1/records",
            self.secret,
            body or self.body,
            **headers,
        )

    def test_it_records_training_through_the_action_with_its_audit_entry(self) -> None:
        response = self.create()
        self.assertEqual(response.status_code, 201, response.content)
        record = TrainingRecord.objects.get(pk=response.json()["id"])
        self.assertEqual(record.entered_by, self.alice)
        self.assertEqual(str(record.total_hours), "2.00")
        entry = AuditEntry.objects.get(
            action="training.create", object_id=str(record.pk)
        )
        self.assertEqual(entry.reason, "Entered through the API")
        self.assertEqual(entry.after["credit_lines"][0]["topics"], ["de-escalation"])
        self.assertTrue(response["ETag"].startswith('"'))

    def test_it_refuses_a_person_of_another_agency_and_writes_nothing(self) -> None:
        body = self.body | {"person": self.charlie_person.pk}
        self.assertEqual(self.create(body).status_code, 404)
        body = self.body | {
            "agency": self.other_agency.code,
            "person": self.charlie_person.pk,
        }
        self.assertEqual(self.create(body).status_code, 404)
        self.assertEqual(TrainingRecord.objects.count(), 2)

    def test_bad_input_is_a_problem_naming_the_field(self) -> None:
        cases = {
            "lines.0.hours": self.body | {"lines": [{"hours": "-1"}]},
            "lines.0.topics": self.body
            | {"lines": [{"hours": "1", "topics": ["nope"]}]},
            "completed_on": self.body | {"completed_on": "2099-01-01"},
            "title": self.body | {"title": ""},
            "delivery": self.body | {"delivery": "carrier-pigeon"},
            "colour": self.body | {"colour": "red"},
        }
        for field, body in cases.items():
            with self.subTest(field):
                response = self.create(body)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response["Content-Type"], "application/problem+json")
                problem = response.json()
                self.assertEqual(problem["status"], 422)
                self.assertIn(field, [e["field"] for e in problem["errors"]])
        self.assertEqual(TrainingRecord.objects.count(), 2)

    def test_malformed_json_is_a_400_problem(self) -> None:
        response = self.client.post(
            "/api/v1/records",
            data="{oops",
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.secret}"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_the_same_training_twice_is_a_409_naming_the_record(self) -> None:
        first = self.create()
        second = self.create()
        self.assertEqual(second.status_code, 409)
        self.assertIn(f"record #{first.json()['id']}", second.json()["detail"])

    def test_an_idempotency_key_replays_the_first_answer(self) -> None:
        first = self.create(**{"Idempotency-Key": "abc-1"})
        again = self.create(**{"Idempotency-Key": "abc-1"})
        self.assertEqual(again.status_code, 201)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(TrainingRecord.objects.count(), 3)
        other = self.create(
            self.body | {"title": "Other"}, **{"Idempotency-Key": "abc-1"}
        )
        self.assertEqual(other.status_code, 422)
        self.assertEqual(other.json()["errors"][0]["field"], "header.Idempotency-Key")
        self.assertEqual(TrainingRecord.objects.count(), 3)

    def test_a_correction_needs_the_current_etag(self) -> None:
        etag = call(self.client, "GET", self.url, self.secret)["ETag"]
        body = {"reason": "Title typo", "title": "Patrol procedures II"}
        self.assertEqual(
            call(self.client, "PATCH", self.url, self.secret, body).status_code, 428
        )
        response = call(
            self.client, "PATCH", self.url, self.secret, body, **{"If-Match": etag}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["title"], "Patrol procedures II")
        self.assertNotEqual(response["ETag"], etag)
        stale = call(
            self.client,
            "PATCH",
            self.url,
            self.secret,
            body | {"title": "III"},
            **{"If-Match": etag},
        )
        self.assertEqual(stale.status_code, 412)
        entry = AuditEntry.objects.get(action="training.correct")
        self.assertEqual(entry.before["title"], "Patrol procedures")
        self.assertEqual(entry.reason, "Title typo")

    def test_a_void_keeps_the_record_with_its_reason(self) -> None:
        etag = call(self.client, "GET", self.url, self.secret)["ETag"]
        response = call(
            self.client,
            "POST",
            self.url + "/void",
            self.secret,
            {"reason": "Entered twice"},
            **{"If-Match": etag},
        )
        self.assertEqual(response.status_code, 200)
        self.bob_record.refresh_from_db()
        self.assertTrue(self.bob_record.is_void)
        self.assertEqual(self.bob_record.void_reason, "Entered twice")
        self.assertTrue(AuditEntry.objects.filter(action="training.void").exists())
        listed = call(self.client, "GET", "/api/v1/records", self.secret).json()[
            "items"
        ]
        self.assertNotIn(self.bob_record.pk, [r["id"] for r in listed])
        listed = call(
            self.client, "GET", "/api/v1/records?include_void=true", self.secret
        )
        self.assertIn(self.bob_record.pk, [r["id"] for r in listed.json()["items"]])

    def test_a_head_reads_but_may_not_change_a_record(self) -> None:
        secret = token_for(self.harold)
        response = call(
            self.client,
            "POST",
            self.url + "/void",
            secret,
            {"reason": "x"},
            **{"If-Match": "*"},
        )
        self.assertEqual(response.status_code, 403)


class ReadingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.secret = token_for(self.alice)

    def test_cursor_pages_walk_every_row_once(self) -> None:
        for day in range(1, 8):
            make_record(self.bob_person, self.agency, title=f"Day {day}")
        seen, url = [], "/api/v1/records?limit=3"
        while url:
            page = call(self.client, "GET", url, self.secret).json()
            seen += [r["id"] for r in page["items"]]
            url = (
                page["next_cursor"]
                and f"/api/v1/records?limit=3&cursor={page['next_cursor']}"
            )
        mine = TrainingRecord.objects.filter(person=self.bob_person)
        self.assertEqual(seen, sorted(mine.values_list("pk", flat=True)))

    def test_a_forged_cursor_is_a_400_naming_it(self) -> None:
        response = call(self.client, "GET", "/api/v1/records?cursor=%%%", self.secret)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "query.cursor")

    def test_people_filter_by_license_number_and_agency(self) -> None:
        number = self.bob_person.licenses.get().number
        response = call(
            self.client,
            "GET",
            f"/api/v1/people?license_number={number.lower()}",
            self.secret,
        )
        self.assertEqual(
            [p["id"] for p in response.json()["items"]], [self.bob_person.pk]
        )
        response = call(
            self.client, "GET", "/api/v1/people?agency=oakdale-so", self.secret
        )
        self.assertEqual(response.status_code, 404)

    def test_a_persons_standing_carries_status_requirements_and_citations(self) -> None:
        response = call(
            self.client,
            "GET",
            f"/api/v1/people/{self.bob_person.pk}/standings?on=2026-06-01",
            self.secret,
        )
        mandate = response.json()["licenses"][0]["mandates"][0]
        self.assertEqual(mandate["jurisdiction"], "MO")
        self.assertIn(
            mandate["status"], ("at-risk", "on-track", "compliant", "deficient")
        )
        requirement = mandate["requirements"][0]
        self.assertTrue(requirement["citation"]["title"])
        self.assertEqual(mandate["explanation"][0]["label"], "Patrol procedures")
        # Each requirement: what its value rests on, and what the file leaves open.
        by_id = {r["id"]: r for r in mandate["requirements"]}
        self.assertEqual(by_id["implicit-bias"]["citation"]["source"], "press-release")
        self.assertEqual(by_id["implicit-bias"]["citation"]["confidence"], "stated")
        self.assertEqual(
            [n[:48] for n in by_id["implicit-bias"]["uncertain"]],
            ["The regulatory text adding implicit bias and de-"],
        )
        self.assertEqual(by_id["total"]["uncertain"], [])

    def test_an_agency_standing_lists_its_staff(self) -> None:
        response = call(
            self.client, "GET", "/api/v1/agencies/riverton-pd/standings", self.secret
        )
        self.assertEqual(
            [p["person"] for p in response.json()["people"]], [self.bob_person.pk]
        )

    def test_an_agency_standing_of_a_year_not_kept_is_a_problem_naming_on(
        self,
    ) -> None:
        """Standings are stored for two years back and the next one: a day in
        another year is a 422 naming `query.on` and the years kept, not an
        empty list that would read as "nobody on staff"."""
        this_year = timezone.localdate().year
        for year in (this_year - 3, this_year + 2, 1950):
            url = f"/api/v1/agencies/riverton-pd/standings?on={year}-06-01"
            response = call(self.client, "GET", url, self.secret)
            self.assertEqual(response.status_code, 422, year)
            self.assertTrue(
                response["Content-Type"].startswith("application/problem+json")
            )
            problem = response.json()
            self.assertEqual(problem["type"], "tag:muster,2026:problem/year-not-kept")
            self.assertIn(f"{this_year - 2} to {this_year + 1}", problem["detail"])
            self.assertEqual(
                [(e["field"], e["pointer"]) for e in problem["errors"]],
                [("query.on", "")],
            )
            self.assertIn(str(year), problem["errors"][0]["detail"])
        for year in (this_year - 2, this_year + 1):
            url = f"/api/v1/agencies/riverton-pd/standings?on={year}-06-01"
            response = call(self.client, "GET", url, self.secret)
            self.assertEqual(response.status_code, 200, year)
            self.assertEqual(response.json()["year"], year)
        # Another agency's is still a 404, whatever the day: nothing is told.
        url = f"/api/v1/agencies/oakdale-so/standings?on={this_year - 5}-06-01"
        self.assertEqual(call(self.client, "GET", url, self.secret).status_code, 404)

    def test_the_schema_says_when_the_agency_standing_is_a_422(self) -> None:
        schema = self.client.get("/api/v1/openapi.json").json()
        operation = schema["paths"]["/api/v1/agencies/{code}/standings"]["get"]
        self.assertIn("year-not-kept", operation["responses"]["422"]["description"])
        self.assertEqual(
            operation["responses"]["422"]["content"]["application/problem+json"][
                "schema"
            ]["$ref"],
            "#/components/schemas/Problem",
        )
        [on] = [p for p in operation["parameters"] if p["name"] == "on"]
        self.assertIn("query.on", on["description"])

    def test_mandates_on_a_day_cite_each_requirement(self) -> None:
        response = call(
            self.client, "GET", "/api/v1/mandates/MO?on=2020-06-01", self.secret
        )
        ids = [r["id"] for m in response.json()["mandates"] for r in m["requirements"]]
        later = call(
            self.client, "GET", "/api/v1/mandates/MO?on=2025-06-01", self.secret
        ).json()
        later_ids = [r["id"] for m in later["mandates"] for r in m["requirements"]]
        self.assertTrue(set(ids) < set(later_ids) or ids != later_ids)
        self.assertEqual(
            call(self.client, "GET", "/api/v1/mandates/ZZ", self.secret).status_code,
            404,
        )

    def test_an_unknown_query_parameter_or_a_day_not_written_as_a_day_is_named(
        self,
    ) -> None:
        response = call(self.client, "GET", "/api/v1/records?persn=1", self.secret)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "query.persn")
        response = call(self.client, "GET", "/api/v1/mandates/MO?on=0", self.secret)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"][0]["field"], "query.on")

    def test_unknown_addresses_and_methods_are_problems(self) -> None:
        response = call(self.client, "GET", "/api/v1/nowhere", self.secret)
        self.assertEqual(
            (response.status_code, response["Content-Type"]),
            (404, "application/problem+json"),
        )
        response = call(self.client, "DELETE", "/api/v1/people", self.secret)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "GET")
        self.assertEqual(response["Content-Type"], "application/problem+json")

    def test_the_database_gone_is_a_503_problem_that_says_when_to_retry(self) -> None:
        # What the server error handler answers when the database is gone
        # (muster/health/errors.py), turned into problem+json under /api/.
        client = Client(raise_request_exception=False)
        with mock.patch(
            "muster.api.auth.TokenAuth.authenticate",
            side_effect=OperationalError("connection refused"),
        ):
            response = call(client, "GET", "/api/v1/people", self.secret)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertEqual(response["Retry-After"], "30")
