"""One agency's LRS client never reads or changes another agency's data."""

from __future__ import annotations

import json

from muster.test import BaseTestCase
from muster.xapi.models import Statement
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id, statement

CHARLIE = {
    "objectType": "Agent",
    "name": "Charlie Chen",
    "mbox": "mailto:charlie@example.org",
}
ACTIVITY = "https://oakdale.example/courses/charlie-chen-special"


class LRSIsolationTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.oakdale = LRS(*_credentials(self, self.other_agency))
        self.riverton = LRS(*_credentials(self, self.agency))
        self.charlie_id = new_id()
        response = self.oakdale.call(
            "PUT",
            "statements",
            {"statementId": self.charlie_id},
            body=statement(
                actor=CHARLIE,
                object={
                    "id": ACTIVITY,
                    "definition": {"name": {"en": "Charlie Chen special"}},
                },
            ),
        )
        self.assertEqual(response.status_code, 204)
        self.doc_params = {
            "activityId": ACTIVITY,
            "agent": json.dumps(CHARLIE),
            "stateId": "s1",
        }
        put = self.oakdale.call(
            "PUT", "activities/state", self.doc_params, body={"c": "Chen"}
        )
        self.assertEqual(put.status_code, 204)
        profile = {"activityId": ACTIVITY, "profileId": "p1"}
        self.oakdale.call("PUT", "activities/profile", profile, body={"c": "Chen"})
        agent_profile = {"agent": json.dumps(CHARLIE), "profileId": "p1"}
        self.oakdale.call("PUT", "agents/profile", agent_profile, body={"c": "Chen"})

    def test_another_agencys_client_reads_nothing_of_it(self) -> None:
        r = self.riverton
        answers = [
            r.get({"statementId": self.charlie_id}),
            r.get({"voidedStatementId": self.charlie_id}),
            r.get(),
            r.get({"agent": json.dumps(CHARLIE)}),
            r.get({"activity": ACTIVITY}),
            r.call("GET", "activities/state", self.doc_params),
            r.call(
                "GET",
                "activities/state",
                {k: v for k, v in self.doc_params.items() if k != "stateId"},
            ),
            r.call(
                "GET", "activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}
            ),
            r.call("GET", "activities/profile", {"activityId": ACTIVITY}),
            r.call(
                "GET",
                "agents/profile",
                {"agent": json.dumps(CHARLIE), "profileId": "p1"},
            ),
            r.call("GET", "activities", {"activityId": ACTIVITY}),
        ]
        for response in answers:
            with self.subTest(
                response.request["PATH_INFO"], query=response.request["QUERY_STRING"]
            ):
                self.assertIn(response.status_code, (200, 404))
                self.assertNotIn(b"Chen", response.content)
                self.assertNotIn(self.charlie_id.encode(), response.content)
        # The Oakdale client itself sees its data, so the checks above could fail.
        self.assertIn(
            b"Chen", self.oakdale.get({"statementId": self.charlie_id}).content
        )
        self.assertIn(
            b"Chen",
            self.oakdale.call("GET", "activities/state", self.doc_params).content,
        )

    def test_another_agencys_client_changes_nothing_of_it(self) -> None:
        r = self.riverton
        void = statement(
            verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
            object={"objectType": "StatementRef", "id": self.charlie_id},
        )
        self.assertEqual(r.post(void).status_code, 200)
        self.assertEqual(
            r.call("DELETE", "activities/state", self.doc_params).status_code, 204
        )
        r.call(
            "DELETE", "activities/profile", {"activityId": ACTIVITY, "profileId": "p1"}
        )
        # Reusing Oakdale's statement id stores Riverton's own statement; no 409
        # tells Riverton that the id exists elsewhere.
        reuse = r.call(
            "PUT", "statements", {"statementId": self.charlie_id}, body=statement()
        )
        self.assertEqual(reuse.status_code, 204)
        self.assertEqual(
            self.oakdale.get({"statementId": self.charlie_id}).status_code, 200
        )
        self.assertEqual(
            self.oakdale.call("GET", "activities/state", self.doc_params).status_code,
            200,
        )
        profile = {"activityId": ACTIVITY, "profileId": "p1"}
        self.assertEqual(
            self.oakdale.call("GET", "activities/profile", profile).status_code, 200
        )
        oakdale_row = Statement.objects.get(
            agency=self.other_agency, statement_id=self.charlie_id
        )
        self.assertFalse(oakdale_row.is_voided)
        self.assertEqual(oakdale_row.data["actor"]["name"], "Charlie Chen")

    def test_a_session_sign_in_is_not_an_lrs_credential(self) -> None:
        self.client.force_login(self.dana)
        response = self.client.get(
            "/xapi/statements",
            {"statementId": self.charlie_id},
            HTTP_X_EXPERIENCE_API_VERSION="2.0.0",
        )
        self.assertEqual(response.status_code, 401)

    def test_oakdales_document_is_not_there_for_rivertons_preconditions(self) -> None:
        """xAPI 2.0 asks for If-Match or If-None-Match to overwrite a state
        document: Oakdale's at the same activity, agent and id is none of
        Riverton's, whose writes meet no precondition (no 409 or 412 telling it
        exists); Oakdale's stays as it was."""
        r = self.riverton
        plain = r.call("PUT", "activities/state", self.doc_params, body={"r": 1})
        self.assertEqual(plain.status_code, 204, plain.content)
        # Now Riverton has its own: a second plain PUT is its own 409.
        again = r.call("PUT", "activities/state", self.doc_params, body={"r": 2})
        self.assertEqual(again.status_code, 409)
        other = {**self.doc_params, "stateId": "s2"}
        self.oakdale.call("PUT", "activities/state", other, body={"c": "Chen"})
        fresh = r.call(
            "PUT", "activities/state", other, body={"r": 3}, HTTP_IF_NONE_MATCH="*"
        )
        self.assertEqual(fresh.status_code, 204, fresh.content)
        etag = self.oakdale.call("GET", "activities/state", other)["ETag"]
        matched = r.call(
            "PUT", "activities/state", other, body={"r": 4}, HTTP_IF_MATCH=etag
        )
        self.assertEqual(matched.status_code, 412)
        for params in (self.doc_params, other):
            kept = self.oakdale.call("GET", "activities/state", params)
            self.assertEqual(json.loads(kept.content), {"c": "Chen"})

    def test_a_registration_names_only_the_clients_own_statements(self) -> None:
        registration = "1b6f9b4e-2d35-4f0e-9a51-54c6a5d3f0aa"
        stated = statement(actor=CHARLIE, context={"registration": registration})
        self.assertEqual(self.oakdale.post(stated).status_code, 200)
        found = self.riverton.get({"registration": registration})
        self.assertEqual(found.status_code, 200)
        self.assertEqual(json.loads(found.content)["statements"], [])
        state = {**self.doc_params, "registration": registration}
        self.oakdale.call("PUT", "activities/state", state, body={"c": "Chen"})
        got = self.riverton.call("GET", "activities/state", state)
        self.assertEqual(got.status_code, 404)
        mine = self.oakdale.get({"registration": registration})
        self.assertEqual(len(json.loads(mine.content)["statements"]), 1)


def _credentials(t, agency):
    client, secret = make_lrs_client(t, agency)
    return client.key, secret
