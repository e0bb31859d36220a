"""State, activity profile and agent profile documents, and ETag concurrency."""

from __future__ import annotations

import json

from muster.test import BaseTestCase
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id

AGENT = json.dumps({"mbox": "mailto:bob@example.org"})
ACTIVITY = "https://vendor.example/courses/de-escalation"


class DocumentTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.state = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}

    def test_state_put_get_merge_list_and_delete(self) -> None:
        lrs = self.lrs
        self.assertEqual(
            lrs.call(
                "PUT", "activities/state", self.state, body={"a": 1, "b": 1}
            ).status_code,
            204,
        )
        self.assertEqual(
            lrs.call(
                "POST", "activities/state", self.state, body={"b": 2, "c": 3}
            ).status_code,
            204,
        )
        got = lrs.call("GET", "activities/state", self.state)
        self.assertEqual(got.json(), {"a": 1, "b": 2, "c": 3})
        self.assertTrue(got["ETag"].startswith('"'))
        listing = {k: v for k, v in self.state.items() if k != "stateId"}
        self.assertEqual(
            lrs.call("GET", "activities/state", listing).json(), ["bookmark"]
        )
        self.assertEqual(
            lrs.call("DELETE", "activities/state", listing).status_code, 204
        )
        self.assertEqual(
            lrs.call("GET", "activities/state", self.state).status_code, 404
        )

    def test_post_refuses_to_merge_what_is_not_a_json_object(self) -> None:
        self.lrs.call(
            "PUT",
            "activities/state",
            self.state,
            body="plain text",
            content_type="text/plain",
        )
        response = self.lrs.call("POST", "activities/state", self.state, body={"a": 1})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.lrs.call("GET", "activities/state", self.state).content, b"plain text"
        )

    def test_registration_keeps_states_apart(self) -> None:
        registration = new_id()
        with_registration = {**self.state, "registration": registration}
        self.lrs.call("PUT", "activities/state", with_registration, body={"r": 1})
        self.assertEqual(
            self.lrs.call("GET", "activities/state", self.state).status_code, 404
        )
        self.assertEqual(
            self.lrs.call("GET", "activities/state", with_registration).json(), {"r": 1}
        )

    def test_state_needs_a_valid_agent_and_activity(self) -> None:
        bad = [
            {**self.state, "agent": "{not json"},
            {**self.state, "agent": '{"name": "no identifier"}'},
            {**self.state, "activityId": "not an iri"},
            {"agent": AGENT, "stateId": "x"},
        ]
        for params in bad:
            with self.subTest(params=params):
                self.assertEqual(
                    self.lrs.call(
                        "PUT", "activities/state", params, body={}
                    ).status_code,
                    400,
                )

    def test_profiles_use_etags_for_concurrency(self) -> None:
        lrs = self.lrs
        params = {"activityId": ACTIVITY, "profileId": "settings"}
        created = lrs.call(
            "PUT", "activities/profile", params, body={"v": 1}, HTTP_IF_NONE_MATCH="*"
        )
        self.assertEqual(created.status_code, 204)
        etag = lrs.call("GET", "activities/profile", params)["ETag"]
        # Without a precondition, an existing profile is not overwritten.
        self.assertEqual(
            lrs.call("PUT", "activities/profile", params, body={"v": 2}).status_code,
            409,
        )
        self.assertEqual(
            lrs.call(
                "PUT",
                "activities/profile",
                params,
                body={"v": 2},
                HTTP_IF_MATCH='"stale"',
            ).status_code,
            412,
        )
        self.assertEqual(
            lrs.call(
                "PUT",
                "activities/profile",
                params,
                body={"v": 1},
                HTTP_IF_NONE_MATCH="*",
            ).status_code,
            412,
        )
        self.assertEqual(
            lrs.call(
                "PUT", "activities/profile", params, body={"v": 3}, HTTP_IF_MATCH=etag
            ).status_code,
            204,
        )
        self.assertEqual(lrs.call("GET", "activities/profile", params).json(), {"v": 3})

    def test_agent_profile_round_trip(self) -> None:
        params = {"agent": AGENT, "profileId": "prefs"}
        self.assertEqual(
            self.lrs.call("PUT", "agents/profile", params, body={"x": 1}).status_code,
            204,
        )
        self.assertEqual(
            self.lrs.call("GET", "agents/profile", params).json(), {"x": 1}
        )
        self.assertEqual(
            self.lrs.call("GET", "agents/profile", {"agent": AGENT}).json(), ["prefs"]
        )
        self.assertEqual(
            self.lrs.call("DELETE", "agents/profile", params).status_code, 204
        )
        self.assertEqual(
            self.lrs.call("GET", "agents/profile", params).status_code, 404
        )

    def test_agents_and_activities_resources(self) -> None:
        # Not on the agency's staff, so known by this identifier alone
        # (test_identity.py joins a staff member's identifiers).
        stranger = json.dumps({"mbox": "mailto:zed@example.org"})
        person = self.lrs.call("GET", "agents", {"agent": stranger}).json()
        self.assertEqual(
            person, {"objectType": "Person", "mbox": ["mailto:zed@example.org"]}
        )
        activity = self.lrs.call("GET", "activities", {"activityId": ACTIVITY}).json()
        self.assertEqual(activity, {"objectType": "Activity", "id": ACTIVITY})
        self.assertEqual(self.lrs.call("GET", "activities").status_code, 400)
