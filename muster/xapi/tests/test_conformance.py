"""xAPI requirements, one test each, named by the section that states them.

`part3_` tests cite xAPI 1.0.3 Part Three (Data Processing, Validation and
Security) and, where 2.0 changed the rule, IEEE 9274.1.1 ("2_0", section 4.1.x);
`part2_` tests cite Part Two (Experience API Data). Each sends what a client
would and reads back what the LRS answers, as the ADL conformance suite does.
"""

from __future__ import annotations

import hashlib
import json
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from muster.test import BaseTestCase
from muster.xapi.protocol import error_message
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id, statement
from muster.xapi.tests.test_attachments import BOUNDARY, multipart
from muster.xapi.validation import parse_timestamp

AGENT = json.dumps({"mbox": "mailto:bob@example.org"})
ACTIVITY = "https://vendor.example/courses/de-escalation"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class ConformanceCase(BaseTestCase):
    version = "2.0.0"

    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.key, self.secret = client.key, secret
        self.lrs = LRS(client.key, secret, self.version)

    def store(self, **changes) -> str:
        response = self.lrs.post(statement(**changes))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()[0]

    def one(self, statement_id: str, **params):
        return self.lrs.get({"statementId": statement_id, **params})


class VersioningTestCase(ConformanceCase):
    def test_part3_3_3_a_request_without_the_version_header_is_400_naming_ours(
        self,
    ) -> None:
        bare = LRS(self.key, self.secret, version="")
        response = bare.get()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["X-Experience-API-Version"], "2.0.0")

    def test_part3_3_3_each_version_is_answered_with_its_latest_patch(self) -> None:
        for sent, answered in (
            ("1.0", "1.0.3"),
            ("1.0.1", "1.0.3"),
            ("2.0", "2.0.0"),
            ("2.0.0", "2.0.0"),
        ):
            with self.subTest(sent):
                response = LRS(self.key, self.secret, sent).get()
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["X-Experience-API-Version"], answered)
        for refused in ("0.95", "3.0.0", "1.1.0", "two"):
            with self.subTest(refused):
                response = LRS(self.key, self.secret, refused).get()
                self.assertEqual(response.status_code, 400)

    def test_part3_2_8_about_needs_no_header_and_lists_only_real_versions(
        self,
    ) -> None:
        response = self.client.get("/xapi/about")
        self.assertEqual(response.status_code, 200)
        versions = response.json()["version"]
        self.assertIn("2.0.0", versions)
        self.assertIn("1.0.3", versions)
        self.assertLessEqual(
            set(versions), {"1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0"}
        )

    def test_part2_2_4_10_a_statement_keeps_the_version_it_was_sent_with(
        self,
    ) -> None:
        sent = self.store(version="2.0.0")
        self.assertEqual(self.one(sent).json()["version"], "2.0.0")
        self.assertEqual(self.lrs.post(statement(version="0.95")).status_code, 400)


class StatementResourceTestCase(ConformanceCase):
    def test_part3_2_1_1_put_needs_a_statement_id_and_never_changes_a_statement(
        self,
    ) -> None:
        self.assertEqual(
            self.lrs.call("PUT", "statements", body=statement()).status_code, 400
        )
        statement_id = new_id()
        first = statement(id=statement_id)
        put = self.lrs.call("PUT", "statements", {"statementId": statement_id}, first)
        self.assertEqual(put.status_code, 204)
        self.assertEqual(
            self.lrs.call(
                "PUT", "statements", {"statementId": statement_id}, first
            ).status_code,
            204,
        )
        other = statement(id=statement_id, verb={"id": "https://example.org/other"})
        self.assertEqual(self.lrs.post(other).status_code, 409)
        self.assertEqual(
            self.one(statement_id).json()["verb"]["id"],
            "http://adlnet.gov/expapi/verbs/attempted",
        )

    def test_part3_2_1_2_a_batch_reusing_an_id_or_holding_one_bad_statement_stores_none(
        self,
    ) -> None:
        same = new_id()
        self.assertEqual(
            self.lrs.post([statement(id=same), statement(id=same)]).status_code, 400
        )
        good = new_id()
        bad = statement(id=new_id(), verb={"id": "should fail"})
        self.assertEqual(self.lrs.post([statement(id=good), bad]).status_code, 400)
        self.assertEqual(self.one(good).status_code, 404)

    def test_part3_2_1_3_last_modified_is_the_stored_time(self) -> None:
        response = self.one(self.store())
        stored = parse_timestamp(response.json()["stored"], "stored")
        modified = parsedate_to_datetime(response["Last-Modified"])
        self.assertEqual(int(modified.timestamp()), int(stored.timestamp()))

    def test_part3_2_1_3_consistent_through_is_on_every_answer_even_errors(
        self,
    ) -> None:
        for response in (self.lrs.get(), self.lrs.get({"limit": "x"})):
            value = response["X-Experience-API-Consistent-Through"]
            parse_timestamp(value, "X-Experience-API-Consistent-Through")
        self.assertEqual(self.lrs.get({"limit": "x"}).status_code, 400)

    def test_part3_2_1_3_a_single_statement_takes_only_format_and_attachments(
        self,
    ) -> None:
        statement_id = self.store()
        for extra in (
            {"agent": AGENT},
            {"verb": VOIDED},
            {"limit": "1"},
            {"ascending": "true"},
            {"since": "2012-06-01T19:09:13.245Z"},
        ):
            with self.subTest(extra):
                self.assertEqual(self.one(statement_id, **extra).status_code, 400)
        self.assertEqual(self.one(statement_id, format="ids").status_code, 200)
        self.assertEqual(self.one(statement_id, attachments="true").status_code, 200)

    def test_part3_2_1_3_format_ids_keeps_identifiers_only(self) -> None:
        sub = {
            "objectType": "SubStatement",
            "actor": {
                "objectType": "Group",
                "name": "Night shift",
                "mbox": "mailto:night@example.org",
            },
            "verb": {"id": "https://example.org/verbs/ran", "display": {"en": "ran"}},
            "object": {
                "objectType": "Activity",
                "id": "https://vendor.example/drill",
                "definition": {"name": {"en": "Drill"}},
            },
        }
        context = {
            "contextActivities": {
                "parent": {"id": ACTIVITY, "definition": {"name": {"en": "P"}}}
            }
        }
        data = self.one(self.store(object=sub, context=context), format="ids").json()
        self.assertEqual(
            data["object"]["object"], {"id": "https://vendor.example/drill"}
        )
        self.assertEqual(
            data["object"]["actor"],
            {"objectType": "Group", "mbox": "mailto:night@example.org"},
        )
        self.assertEqual(
            data["object"]["verb"], {"id": "https://example.org/verbs/ran"}
        )
        self.assertEqual(
            data["context"]["contextActivities"]["parent"], [{"id": ACTIVITY}]
        )
        plain = self.one(self.store(), format="ids").json()
        self.assertEqual(plain["object"], {"id": ACTIVITY})

    def test_part3_2_1_3_format_canonical_gives_one_language_by_accept_language(
        self,
    ) -> None:
        verb = {
            "id": "https://example.org/verbs/drove",
            "display": {"en-US": "drove", "en-GB": "drove (GB)"},
        }
        statement_id = self.store(verb=verb)
        canonical = self.lrs.get(
            {"statementId": statement_id, "format": "canonical"},
            HTTP_ACCEPT_LANGUAGE="en-GB",
        ).json()
        self.assertEqual(canonical["verb"]["display"], {"en-GB": "drove (GB)"})
        exact = self.lrs.get(
            {"statementId": statement_id}, HTTP_ACCEPT_LANGUAGE="en-GB"
        ).json()
        self.assertEqual(exact["verb"]["display"], verb["display"])

    def test_part3_2_1_3_attachments_true_answers_each_part_once(self) -> None:
        text = b"here is a simple attachment"
        sha2 = hashlib.sha256(text).hexdigest()
        attachment = {
            "usageType": "https://example.org/usage/report",
            "display": {"en-US": "Report"},
            "contentType": "text/plain",
            "length": len(text),
            "sha2": sha2,
        }
        sent = self.lrs.call(
            "POST",
            "statements",
            body=multipart(
                statement(attachments=[attachment]), [("text/plain", text, sha2)]
            ),
            content_type=f'multipart/mixed; boundary="{BOUNDARY}"',
        )
        self.assertEqual(sent.status_code, 200, sent.content)
        statement_id = sent.json()[0]
        response = self.one(statement_id, attachments="true")
        self.assertTrue(response["Content-Type"].startswith("multipart/mixed"))
        self.assertEqual(response.content.count(sha2.encode()), 2)
        self.assertIn(text, response.content)
        plain = self.one(statement_id, attachments="false")
        self.assertEqual(plain["Content-Type"], "application/json")
        self.assertNotIn(text, plain.content)

    def test_part3_2_1_3_limit_and_ascending(self) -> None:
        first, second = self.store(), self.store()
        newest = self.lrs.get({"limit": "1"}).json()
        self.assertEqual([s["id"] for s in newest["statements"]], [second])
        self.assertTrue(newest["more"].startswith("/xapi/statements?more="))
        oldest = self.lrs.get({"limit": "1", "ascending": "true"}).json()
        self.assertEqual([s["id"] for s in oldest["statements"]], [first])


class VoidingTestCase(ConformanceCase):
    def test_part2_2_3_2_a_voided_statement_is_read_only_by_voided_statement_id(
        self,
    ) -> None:
        verb = {"id": f"https://example.org/verbs/{new_id()}"}
        target = self.store(verb=verb)
        voiding = self.store(
            verb={"id": VOIDED},
            object={"objectType": "StatementRef", "id": target},
        )
        reference = self.store(
            verb=verb, object={"objectType": "StatementRef", "id": target}
        )
        self.assertEqual(self.one(target).status_code, 404)
        found = self.lrs.get({"voidedStatementId": target})
        self.assertEqual(found.json()["id"], target)
        listed = [
            s["id"] for s in self.lrs.get({"verb": verb["id"]}).json()["statements"]
        ]
        # The reference and the voiding statement match through the voided one.
        self.assertEqual(listed, [reference, voiding])

    def test_part2_2_3_2_a_voiding_statement_cannot_be_voided(self) -> None:
        voiding = self.store(
            verb={"id": VOIDED},
            object={"objectType": "StatementRef", "id": self.store()},
        )
        again = statement(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voiding}
        )
        self.assertEqual(self.lrs.post(again).status_code, 400)


class StatementDataTestCase(ConformanceCase):
    def test_part2_2_4_8_and_2_4_9_stored_and_authority_are_the_lrs_own(self) -> None:
        claimed = {"objectType": "Agent", "mbox": "mailto:mallory@example.org"}
        data = self.one(
            self.store(stored="2011-07-15T00:00:00.000Z", authority=claimed)
        ).json()
        self.assertNotEqual(data["stored"], "2011-07-15T00:00:00.000Z")
        self.assertNotEqual(data["authority"], claimed)

    def test_part2_4_5_timestamps_negative_zero_offsets_are_refused(self) -> None:
        for bad in (
            "2008-09-15T15:53:00.601-00",
            "2008-09-15T15:53:00.601-0000",
            "2008-09-15T15:53:00.601-00:00",
            "01/011/2015",
            "should fail",
        ):
            with self.subTest(bad):
                self.assertEqual(
                    self.lrs.post(statement(timestamp=bad)).status_code, 400
                )
        # RFC 3339 allows a space for "T"; the LRS gives the instant in UTC,
        # keeping the precision it was sent with (IEEE 9274.1.1).
        kept = self.store(timestamp="2008-09-15 17:53:00.60123+02:00")
        self.assertEqual(
            self.one(kept).json()["timestamp"], "2008-09-15T15:53:00.601230Z"
        )

    def test_part2_4_6_durations_and_2_4_5_1_score_ranges(self) -> None:
        refused = [
            {"duration": "1 hour"},
            {"duration": "PT"},
            {"score": {"scaled": 1.5}},
            {"score": {"raw": 11, "min": 0, "max": 10}},
            {"score": {"min": 5, "max": 1}},
        ]
        for result in refused:
            with self.subTest(result):
                self.assertEqual(
                    self.lrs.post(statement(result=result)).status_code, 400
                )
        self.store(result={"duration": "P1DT2H30M15.5S", "score": {"scaled": -1}})

    def test_part2_4_2_language_maps_and_4_1_extensions_are_checked(self) -> None:
        refused = [
            statement(verb={"id": "https://example.org/v", "display": {"en_US": "x"}}),
            statement(verb={"id": "https://example.org/v", "display": {"en": 1}}),
            statement(result={"extensions": {"not an iri": 1}}),
        ]
        for sent in refused:
            with self.subTest(sent):
                self.assertEqual(self.lrs.post(sent).status_code, 400)

    def test_2_0_4_2_2_2_context_agents_must_be_context_agent_objects(self) -> None:
        agent = {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
        good = {"contextAgents": [{"objectType": "contextAgent", "agent": agent}]}
        self.store(context=good)
        for bad in (
            {"contextAgents": {"objectType": "contextAgent", "agent": agent}},
            {"contextAgents": [{"objectType": "Agent", "agent": agent}]},
            {"contextGroups": [{"objectType": "contextGroup", "group": agent}]},
        ):
            with self.subTest(bad):
                self.assertEqual(self.lrs.post(statement(context=bad)).status_code, 400)


class ConcurrencyTestCase(ConformanceCase):
    state = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
    profile = {"activityId": ACTIVITY, "profileId": "settings"}

    def put(self, resource, params, body, **headers):
        return self.lrs.call("PUT", resource, params, body, **headers)

    def get(self, resource, params):
        return self.lrs.call("GET", resource, params)

    def test_2_0_4_1_4_a_state_put_over_a_document_needs_a_precondition(
        self,
    ) -> None:
        self.assertEqual(
            self.put("activities/state", self.state, {"a": 1}).status_code, 204
        )
        response = self.put("activities/state", self.state, {"a": 2})
        self.assertEqual(response.status_code, 409)
        self.assertTrue(error_message(response))
        self.assertEqual(self.get("activities/state", self.state).json(), {"a": 1})
        etag = self.get("activities/state", self.state)["ETag"]
        changed = self.put("activities/state", self.state, {"a": 2}, HTTP_IF_MATCH=etag)
        self.assertEqual(changed.status_code, 204)
        self.assertEqual(self.get("activities/state", self.state).json(), {"a": 2})

    def test_part3_3_1_an_etag_is_a_quoted_sha1_and_a_stale_one_changes_nothing(
        self,
    ) -> None:
        self.put("activities/profile", self.profile, {"a": 1})
        etag = self.get("activities/profile", self.profile)["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]{40}"$')
        for method in ("PUT", "POST", "DELETE"):
            with self.subTest(method):
                response = self.lrs.call(
                    method,
                    "activities/profile",
                    self.profile,
                    {"a": 9} if method != "DELETE" else None,
                    HTTP_IF_MATCH='"1111111111111111111111111111111111111111"',
                )
                self.assertEqual(response.status_code, 412)
        exists = self.put(
            "activities/profile", self.profile, {"a": 9}, HTTP_IF_NONE_MATCH="*"
        )
        self.assertEqual(exists.status_code, 412)
        self.assertEqual(
            self.put("activities/profile", self.profile, {"a": 9}).status_code, 409
        )
        self.assertEqual(self.get("activities/profile", self.profile).json(), {"a": 1})
        gone = self.lrs.call(
            "DELETE", "activities/profile", self.profile, HTTP_IF_MATCH=etag
        )
        self.assertEqual(gone.status_code, 204)
        self.assertEqual(self.get("activities/profile", self.profile).status_code, 404)

    def test_part3_2_2_a_merge_replaces_top_level_members_whole(self) -> None:
        first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"}
        second = {"car": {"make": "Dodge"}, "series": "nextel"}
        for body in (first, second):
            response = self.lrs.call("POST", "activities/state", self.state, body)
            self.assertEqual(response.status_code, 204)
        self.assertEqual(
            self.get("activities/state", self.state).json(),
            {"car": {"make": "Dodge"}, "driver": "Dale", "series": "nextel"},
        )


class Concurrency103TestCase(ConformanceCase):
    version = "1.0.3"

    def test_part3_3_1_in_1_0_3_a_state_put_overwrites_without_a_precondition(
        self,
    ) -> None:
        state = ConcurrencyTestCase.state
        for body in ({"a": 1}, {"a": 2}):
            response = self.lrs.call("PUT", "activities/state", state, body)
            self.assertEqual(response.status_code, 204)
        got = self.lrs.call("GET", "activities/state", state)
        self.assertEqual(got.json(), {"a": 2})
        profile = ConcurrencyTestCase.profile
        self.lrs.call("PUT", "activities/profile", profile, {"a": 1})
        again = self.lrs.call("PUT", "activities/profile", profile, {"a": 2})
        self.assertEqual(again.status_code, 409)


class SuiteComparisonTestCase(ConformanceCase):
    """Gaps found by reading the ADL suite's test files against Muster (see
    docs/xapi.md, "Conformance tests"); each names the suite's requirement."""

    def test_xapi_00169_canonical_gives_a_sub_statements_verb_in_one_language(
        self,
    ) -> None:
        display = {"en-US": "attended", "en-GB": "attended (GB)", "ko-KR": "참석"}
        sub = {
            "objectType": "SubStatement",
            "actor": {"objectType": "Agent", "mbox": "mailto:ann@example.org"},
            "verb": {
                "id": "http://adlnet.gov/expapi/verbs/attended",
                "display": display,
            },
            "object": {
                "id": "https://vendor.example/unicode",
                "definition": {"name": {"en-US": "Meeting", "en-GB": "Meeting (GB)"}},
            },
        }
        statement_id = self.store(object=sub)
        canonical = self.lrs.get(
            {"statementId": statement_id, "format": "canonical"},
            HTTP_ACCEPT_LANGUAGE="en-GB",
        )
        data = canonical.json()
        self.assertEqual(data["object"]["verb"]["display"], {"en-GB": "attended (GB)"})
        self.assertEqual(
            data["object"]["object"]["definition"]["name"], {"en-GB": "Meeting (GB)"}
        )
        self.assertEqual(data["object"]["actor"], sub["actor"])
        exact = self.lrs.get(
            {"statementId": statement_id}, HTTP_ACCEPT_LANGUAGE="en-GB"
        ).json()
        self.assertEqual(exact["object"]["verb"]["display"], display)

    def test_4_1_4_a_2_0_error_is_a_plain_text_message_and_1_0_3_keeps_json(
        self,
    ) -> None:
        state = {"activityId": ACTIVITY, "agent": AGENT, "stateId": "bookmark"}
        self.lrs.call("PUT", "activities/state", state, {"a": 1})
        refused = self.lrs.call("PUT", "activities/state", state, {"a": 2})
        self.assertEqual(refused.status_code, 409)
        self.assertTrue(refused["Content-Type"].startswith("text/plain"))
        with self.assertRaises(ValueError):
            json.loads(refused.content)  # a JSON-decoding client still gets a string
        self.assertIn("If-Match", refused.content.decode())
        old = LRS(self.key, self.secret, "1.0.3")
        bad = old.get({"limit": "x"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("limit", bad.json()["error"])
        self.assertEqual(error_message(bad), bad.json()["error"])

    def test_2_0_document_lists_carry_the_latest_last_modified(self) -> None:
        base = {"activityId": ACTIVITY, "agent": AGENT}
        self.lrs.call("PUT", "activities/state", {**base, "stateId": "a"}, {"a": 1})
        self.lrs.call("PUT", "activities/state", {**base, "stateId": "b"}, {"b": 1})
        latest = self.lrs.call("GET", "activities/state", {**base, "stateId": "b"})
        listing = self.lrs.call("GET", "activities/state", base)
        self.assertEqual(sorted(listing.json()), ["a", "b"])
        self.assertEqual(listing["Last-Modified"], latest["Last-Modified"])
        empty = self.lrs.call("GET", "activities/profile", {"activityId": ACTIVITY})
        self.assertEqual(empty.json(), [])
        self.assertNotIn("Last-Modified", empty)

    def test_xapi_00333_more_links_follow_the_path_the_client_used(self) -> None:
        self.store()
        self.store()
        page = self.lrs.http.get(
            "/xapi//statements", {"limit": "1"}, **self.lrs.headers
        ).json()
        self.assertTrue(page["more"].startswith("/xapi//statements?more="))
        following = self.lrs.http.get(page["more"], **self.lrs.headers)
        self.assertEqual(following.status_code, 200)
        self.assertEqual(len(following.json()["statements"]), 1)


class AlternateSyntaxTestCase(ConformanceCase):
    version = "1.0.3"

    def test_part3_1_3_a_real_header_wins_over_its_copy_in_the_form(self) -> None:
        """The 1.0.3 suite sends X-Experience-API-Version both as a header and,
        as 0.8, in the form, and expects the PUT to be stored (204)."""
        from urllib.parse import urlencode

        statement_id = new_id()
        form = urlencode(
            {
                "statementId": statement_id,
                "X-Experience-API-Version": "0.8",
                "content": json.dumps(statement()),
            }
        )
        response = self.lrs.http.post(
            "/xapi/statements?method=PUT",
            form,
            content_type="application/x-www-form-urlencoded",
            **self.lrs.headers,
        )
        self.assertEqual(response.status_code, 204, response.content)
        self.assertEqual(self.one(statement_id).status_code, 200)
        # Without the real header the form's copy counts, and 0.8 is refused.
        bare = {"HTTP_AUTHORIZATION": self.lrs.headers["HTTP_AUTHORIZATION"]}
        refused = self.lrs.http.post(
            "/xapi/statements?method=PUT",
            form.replace(statement_id, new_id()),
            content_type="application/x-www-form-urlencoded",
            **bare,
        )
        self.assertEqual(refused.status_code, 400)


class MultipartLineEndingsTestCase(ConformanceCase):
    def test_part3_1_5_2_lf_only_parts_with_binary_content_keep_their_bytes(
        self,
    ) -> None:
        content = b"\x89PNG\r\n\r\n\x00binary\r\n\r\nend"
        sha2 = hashlib.sha256(content).hexdigest()
        declared = {
            "usageType": "http://example.com/usage/picture",
            "display": {"en-US": "A picture"},
            "contentType": "image/png",
            "length": len(content),
            "sha2": sha2,
        }
        body = (
            f"--{BOUNDARY}\nContent-Type: application/json\n\n".encode()
            + json.dumps(statement(attachments=[declared])).encode()
            + f"\n--{BOUNDARY}\nContent-Type: image/png\n"
            f"Content-Transfer-Encoding: binary\nX-Experience-API-Hash: {sha2}\n\n".encode()
            + content
            + f"\n--{BOUNDARY}--\n".encode()
        )
        response = self.lrs.call(
            "POST",
            "statements",
            body=body,
            content_type=f"multipart/mixed; boundary={BOUNDARY}",
        )
        self.assertEqual(response.status_code, 200, response.content)
        statement_id = response.json()[0]
        got = self.one(statement_id, attachments="true")
        self.assertIn(content, got.content)


class TimestampTestCase(ConformanceCase):
    """xAPI 2.0 (IEEE 9274.1.1, change-log items s19/s20/s22): a Timestamp shall
    be RFC 3339 (so it carries an offset), and the LRS converts it to UTC;
    1.0.3 asked only for ISO 8601 and made the time zone a SHOULD*."""

    not_rfc3339 = (
        "2008-09-15T15:53:00.601",  # no offset
        "2008-09-15T15:53Z",  # no seconds
        "20080915T155300Z",  # ISO 8601 basic format
        "2008-09-15T15:53:00.601+0200",  # offset without its colon
    )

    def test_2_0_timestamps_must_be_rfc_3339_with_an_offset(self) -> None:
        for value in self.not_rfc3339:
            with self.subTest(value):
                response = self.lrs.post(statement(timestamp=value))
                self.assertEqual(response.status_code, 400)
                self.assertIn("RFC 3339", error_message(response))
        sub = {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:ann@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"id": ACTIVITY},
            "timestamp": "2008-09-15T15:53:00",
        }
        self.assertEqual(self.lrs.post(statement(object=sub)).status_code, 400)
        self.assertEqual(
            self.lrs.get({"since": "2012-06-01T19:09:13"}).status_code, 400
        )
        self.assertEqual(
            self.lrs.get({"since": "2012-06-01T19:09:13.245Z"}).status_code, 200
        )
        sub["timestamp"] = "2008-09-15T10:53:00.5-05:00"
        stored = self.one(self.store(object=sub)).json()
        self.assertEqual(stored["object"]["timestamp"], "2008-09-15T15:53:00.500Z")

    def test_1_0_3_takes_iso_8601_and_keeps_a_timestamp_without_offset(self) -> None:
        old = LRS(self.key, self.secret, "1.0.3")
        for value in self.not_rfc3339:
            with self.subTest(value):
                response = old.post(statement(timestamp=value))
                self.assertEqual(response.status_code, 200, response.content)
        sent = statement(timestamp="2008-09-15T15:53:00.601")
        statement_id = old.post(sent).json()[0]
        got = old.get({"statementId": statement_id}).json()
        self.assertEqual(got["timestamp"], "2008-09-15T15:53:00.601")
        self.assertEqual(old.get({"since": "2012-06-01T19:09:13"}).status_code, 200)

    def test_part2_2_3_1_a_repeat_differing_only_where_comparison_ignores_is_accepted(
        self,
    ) -> None:
        statement_id = new_id()
        first = statement(
            id=statement_id,
            timestamp="2020-01-01T12:00:00.000Z",
            result={"duration": "PT1.2345S"},
        )
        self.store(**first)
        again = dict(
            first,
            timestamp="2020-01-01T13:00:00.000+01:00",
            result={"duration": "PT1.2399S"},
        )
        self.assertEqual(self.lrs.post(again).status_code, 200)
        other = dict(first, result={"duration": "PT1.25S"})
        self.assertEqual(self.lrs.post(other).status_code, 409)

    def test_a_statement_stored_before_the_comparison_change_still_repeats(
        self,
    ) -> None:
        from muster.xapi.models import Statement

        sent = statement(id=new_id(), timestamp="2020-01-01T13:00:00+01:00")
        self.store(**sent)
        # A fingerprint of another making: the stored statement decides.
        Statement.objects.filter(statement_id=sent["id"]).update(received_hash="0")
        self.assertEqual(self.lrs.post(sent).status_code, 200)
        changed = dict(sent, verb={"id": "https://example.org/other"})
        self.assertEqual(self.lrs.post(changed).status_code, 409)

    def test_part2_2_3_1_differences_the_immutability_exceptions_allow_are_ignored(
        self,
    ) -> None:
        """2.3.1: Activity definitions and a Verb's display are not part of
        the statement; a Group's members are unordered; "the domain portion
        of an e-mail address is case insensitive"."""
        ann = {"mbox": "mailto:ann@example.org"}
        bob = {"mbox": "mailto:bob@example.org"}
        first = statement(
            id=new_id(),
            actor={"objectType": "Group", "member": [ann, bob]},
            context={"instructor": {"mbox": "mailto:Ivy@example.org"}},
        )
        self.store(**first)
        repeats = {
            "verb display": {"verb": {**first["verb"], "display": {"fr": "essayé"}}},
            "activity definition": {
                "object": {"id": ACTIVITY, "definition": {"name": {"en": "Other"}}}
            },
            "member order": {"actor": {"objectType": "Group", "member": [bob, ann]}},
            "mbox domain case": {
                "context": {"instructor": {"mbox": "MAILTO:Ivy@EXAMPLE.org"}}
            },
        }
        for name, change in repeats.items():
            with self.subTest(name):
                response = self.lrs.post(dict(first, **change))
                self.assertEqual(response.status_code, 200, response.content)
        stored = self.lrs.get({"statementId": first["id"]}).json()
        self.assertEqual(stored["verb"], first["verb"])  # the first one kept
        self.assertEqual(self.lrs.get().json()["statements"].__len__(), 1)
        conflicts = {
            "verb id": {"verb": {"id": "https://example.org/other"}},
            "mbox local part case": {
                "context": {"instructor": {"mbox": "mailto:ivy@example.org"}}
            },
            "a member more": {
                "actor": {
                    "objectType": "Group",
                    "member": [ann, bob, {"mbox": "mailto:cy@example.org"}],
                }
            },
        }
        for name, change in conflicts.items():
            with self.subTest(name):
                self.assertEqual(self.lrs.post(dict(first, **change)).status_code, 409)


class LanguageTagTestCase(ConformanceCase):
    def test_xapi_00013_a_tag_repeating_a_singleton_or_variant_is_refused(self) -> None:
        for tag in ("zh-z-aaa-z-bbb-c-ccc", "de-1901-1901", "something", "en_US"):
            with self.subTest(tag):
                verb = {"id": "https://example.org/v", "display": {tag: "x"}}
                self.assertEqual(self.lrs.post(statement(verb=verb)).status_code, 400)
                context = {"language": tag}
                self.assertEqual(
                    self.lrs.post(statement(context=context)).status_code, 400
                )
        for tag in (
            "sr-Latn-RS",
            "zh-Hans-CN",
            "cmn",
            "es-419",
            "de-CH-1901",
            "x-klingon",
        ):
            with self.subTest(tag):
                verb = {"id": "https://example.org/v", "display": {tag: "x"}}
                self.store(verb=verb, context={"language": tag})


class ActivitiesResourceTestCase(ConformanceCase):
    def test_xapi_00254_the_activity_keeps_every_language_it_was_sent_in(self) -> None:
        activity = "https://vendor.example/verify/complete/34534100123"
        english = {
            "id": activity,
            "definition": {
                "name": {"en-US": "example meeting"},
                "type": "http://adlnet.gov/expapi/activities/meeting",
            },
        }
        french = {"id": activity, "definition": {"name": {"fr-FR": "réunion"}}}
        response = self.lrs.post([statement(object=english), statement(object=french)])
        self.assertEqual(response.status_code, 200)
        got = self.lrs.call("GET", "activities", {"activityId": activity}).json()
        self.assertEqual(
            got["definition"]["name"], {"en-US": "example meeting", "fr-FR": "réunion"}
        )
        self.assertEqual(
            got["definition"]["type"], "http://adlnet.gov/expapi/activities/meeting"
        )
        unknown = "https://vendor.example/never-seen"
        empty = self.lrs.call("GET", "activities", {"activityId": unknown}).json()
        self.assertEqual(empty, {"objectType": "Activity", "id": unknown})


class PreflightTestCase(ConformanceCase):
    def test_part3_3_3_a_cors_preflight_also_names_the_version(self) -> None:
        response = self.client.options(
            "/xapi/statements", HTTP_X_EXPERIENCE_API_VERSION="1.0.1"
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response["X-Experience-API-Version"], "1.0.3")
        self.assertIn(
            "X-Experience-API-Version", response["Access-Control-Allow-Headers"]
        )
        bare = self.client.options("/xapi/activities/state")
        self.assertEqual(bare["X-Experience-API-Version"], "2.0.0")


class DocumentPostTestCase(ConformanceCase):
    def test_part3_2_2_a_json_post_must_be_an_object_even_for_a_new_document(
        self,
    ) -> None:
        params = {"activityId": ACTIVITY, "profileId": "list"}
        for body in ("[1, 2]", '"text"', "{"):
            with self.subTest(body):
                response = self.lrs.call("POST", "activities/profile", params, body)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.lrs.call("GET", "activities/profile", params).status_code, 404
        )
        put = self.lrs.call("PUT", "activities/profile", params, "[1, 2]")
        self.assertEqual(put.status_code, 204)  # PUT stores any document


class ContextAgentsByVersionTestCase(ConformanceCase):
    def test_part2_2_2_context_agents_are_2_0_keys_a_1_0_3_request_may_not_use(
        self,
    ) -> None:
        agent = {"objectType": "Agent", "mbox": "mailto:ann@example.org"}
        context = {"contextAgents": [{"objectType": "contextAgent", "agent": agent}]}
        old = LRS(self.key, self.secret, "1.0.3")
        refused = old.post(statement(context=context))
        self.assertEqual(refused.status_code, 400)
        self.assertIn("contextAgents", refused.json()["error"])
        sub = {
            "objectType": "SubStatement",
            "actor": agent,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
            "object": {"id": ACTIVITY},
            "context": context,
        }
        self.assertEqual(old.post(statement(object=sub)).status_code, 400)
        self.store(context=context)
        self.store(object=sub)


class DurationTestCase(ConformanceCase):
    def test_xapi_00124_weeks_stand_alone_in_a_duration(self) -> None:
        for good in ("P4W", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "PT1H0M0.1S"):
            with self.subTest(good):
                self.store(result={"duration": good})
        for bad in ("P4W1D", "P1W2DT3H", "PA1H0M0S", "P1DT"):
            with self.subTest(bad):
                response = self.lrs.post(statement(result={"duration": bad}))
                self.assertEqual(response.status_code, 400)


class MorePagesTestCase(ConformanceCase):
    def test_part2_2_5_every_page_comes_in_the_format_of_the_first(self) -> None:
        for _ in range(3):
            self.store()
        page = self.lrs.get({"limit": "1", "format": "ids"}).json()
        seen = 0
        while page["more"]:
            page = self.lrs.http.get(page["more"], **self.lrs.headers).json()
            for data in page["statements"]:
                self.assertEqual(data["object"], {"id": ACTIVITY})
                self.assertEqual(list(data["verb"]), ["id"])
                seen += 1
        self.assertEqual(seen, 2)
        multipart = self.lrs.get({"limit": "1", "attachments": "true"})
        more = multipart.content.split(b'"more": "')[1].split(b'"')[0].decode()
        following = self.lrs.http.get(more, **self.lrs.headers)
        self.assertTrue(following["Content-Type"].startswith("multipart/mixed"))


class MoreBehindAProxyTestCase(ConformanceCase):
    """Part Two 2.5: `more` is a "relative IRL ... including the full path ...
    but excluding scheme, host, and port". Behind a proxy that mounts Muster
    under a prefix the full path starts with it: the WSGI server's SCRIPT_NAME
    or, set in the settings, FORCE_SCRIPT_NAME (Django puts either in front of
    request.path; X-Forwarded-Prefix is not trusted, see docs/deploy.md)."""

    def follow(self, more: str, prefix: str, **extra):
        # The proxy strips the prefix again before the request reaches Muster.
        self.assertTrue(more.startswith(f"{prefix}/xapi/statements?more="), more)
        return self.lrs.http.get(more.removeprefix(prefix), **self.lrs.headers, **extra)

    def test_part2_2_5_more_resolves_under_the_script_name(self) -> None:
        ids = [self.store() for _ in range(3)][::-1]
        first = self.lrs.http.get(
            "/xapi/statements", {"limit": "1"}, SCRIPT_NAME="/lrs", **self.lrs.headers
        ).json()
        self.assertEqual(
            urljoin(
                "https://muster.example/lrs/xapi/statements?limit=1", first["more"]
            ),
            "https://muster.example" + first["more"],
        )
        seen = [s["id"] for s in first["statements"]]
        page = first
        while page["more"]:
            page = self.follow(page["more"], "/lrs", SCRIPT_NAME="/lrs").json()
            seen += [s["id"] for s in page["statements"]]
        self.assertEqual(seen, ids)

    def test_part2_2_5_more_resolves_under_force_script_name(self) -> None:
        self.store()
        self.store()
        with self.settings(FORCE_SCRIPT_NAME="/training"):
            first = self.lrs.get({"limit": "1"}).json()
            following = self.follow(first["more"], "/training")
        self.assertEqual(following.status_code, 200)
        self.assertEqual(len(following.json()["statements"]), 1)


class RequestSizeTestCase(ConformanceCase):
    """Part Three 3.2: "The LRS MUST reject with 413 Request Entity Too Large
    status any request rejected by the LRS where the size of the Attachment,
    Statement or document is larger than the maximum allowed", and "MUST be
    configurable to accept Attachments, Statements or documents of any
    reasonable size" (MUSTER_XAPI_MAX_REQUEST_BYTES)."""

    def test_part3_3_2_a_request_over_the_limit_is_413_and_stores_nothing(
        self,
    ) -> None:
        big = statement(id=new_id(), result={"response": "x" * 3000})
        profile = {"activityId": ACTIVITY, "profileId": "big"}
        with self.settings(XAPI_MAX_REQUEST_BYTES=2000):
            refused = self.lrs.post(big)
            document = self.lrs.call(
                "PUT", "activities/profile", profile, body={"x": "y" * 3000}
            )
            small = self.lrs.post(statement())
        self.assertEqual(refused.status_code, 413)
        self.assertIn("at most 2000", error_message(refused))
        self.assertEqual(refused["X-Experience-API-Version"], "2.0.0")
        self.assertIn("X-Experience-API-Consistent-Through", refused)
        self.assertEqual(document.status_code, 413)
        self.assertEqual(small.status_code, 200)
        self.assertEqual(self.lrs.get({"statementId": big["id"]}).status_code, 404)
        self.assertEqual(
            self.lrs.call("GET", "activities/profile", profile).status_code, 404
        )

    def test_part3_3_2_an_attachment_larger_than_djangos_form_limit_is_taken(
        self,
    ) -> None:
        content = bytes(range(256)) * (3 * 1024 * 1024 // 256)  # 3 MB > 2.5 MB
        sha2 = hashlib.sha256(content).hexdigest()
        sent = statement(
            id=new_id(),
            attachments=[
                {
                    "usageType": "http://example.com/usage/video",
                    "display": {"en-US": "Recording"},
                    "contentType": "application/octet-stream",
                    "length": len(content),
                    "sha2": sha2,
                }
            ],
        )
        body = multipart(sent, [("application/octet-stream", content, sha2)])
        response = self.lrs.call(
            "POST",
            "statements",
            body=body,
            content_type=f"multipart/mixed; boundary={BOUNDARY}",
        )
        self.assertEqual(response.status_code, 200, response.content[:300])
        got = self.lrs.get({"statementId": sent["id"], "attachments": "true"})
        self.assertIn(content, got.content)


class LanguageMapEntriesTestCase(ConformanceCase):
    """The 1.0.3 suite's languages.js, "A Language Map ... has at least 1 entry"
    (Data 4.2): an empty map in a verb, an activity definition, an interaction
    component or an attachment is 400, in both versions, and stores nothing."""

    version = "1.0.3"

    def test_data_4_2_a_language_map_needs_at_least_one_entry(self) -> None:
        file = {
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
            "fileUrl": "http://over.there.com/file.txt",
        }
        verb = {"id": "https://example.org/verbs/reported", "display": {}}
        component_activity = {
            "id": "https://example.org/q1",
            "definition": {
                "interactionType": "choice",
                "choices": [{"id": "a", "description": {}}],
            },
        }
        sub = {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:ann@example.org"},
            "verb": verb,
            "object": {"id": "https://example.org/a"},
        }
        empty = {
            "statement.verb.display": statement(verb=verb),
            "statement.object.definition.name": statement(
                object={"id": "https://example.org/a", "definition": {"name": {}}}
            ),
            "statement.object.definition.description": statement(
                object={
                    "id": "https://example.org/a",
                    "definition": {"description": {}},
                }
            ),
            "statement.object.definition.choices[0].description": statement(
                object=component_activity
            ),
            "statement.attachments[0].display": statement(
                attachments=[{**file, "display": {}}]
            ),
            "statement.attachments[0].description": statement(
                attachments=[{**file, "description": {}}]
            ),
            "statement.object.verb.display": statement(object=sub),
        }
        for version in ("1.0.3", "2.0.0"):
            lrs = LRS(self.key, self.secret, version)
            for path, sent in empty.items():
                with self.subTest(version=version, path=path):
                    response = lrs.post(sent)
                    self.assertEqual(response.status_code, 400, response.content)
                    self.assertIn(path, error_message(response))
        self.assertEqual(self.lrs.get().json()["statements"], [])
        # One entry is enough, and extensions (not a language map) may be empty.
        self.store(
            verb={"id": "https://example.org/verbs/reported", "display": {"tlh": "x"}},
            object={"id": "https://example.org/a", "definition": {"extensions": {}}},
            attachments=[file],
        )


class AttachmentsAnswerTestCase(ConformanceCase):
    version = "1.0.3"

    def test_xapi_00161_attachments_come_by_an_unquoted_boundary_and_only_if_asked(
        self,
    ) -> None:
        text = b"here is a simple attachment"
        sha2 = hashlib.sha256(text).hexdigest()
        declared = {
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain; charset=ascii",
            "length": len(text),
            "sha2": sha2,
        }
        sent = self.lrs.call(
            "POST",
            "statements",
            body=multipart(
                statement(attachments=[declared]), [("text/plain", text, sha2)]
            ),
            content_type=f"multipart/mixed; boundary={BOUNDARY}",
        )
        self.assertEqual(sent.status_code, 200, sent.content)
        statement_id = sent.json()[0]
        for params in ({}, {"attachments": "false"}):
            with self.subTest(params):
                plain = self.one(statement_id, **params)
                self.assertEqual(plain["Content-Type"], "application/json")
                self.assertNotIn(text, plain.content)
        verb = statement()["verb"]["id"]
        for params in ({"statementId": statement_id}, {"verb": verb}):
            with self.subTest(params):
                answer = self.lrs.get({**params, "attachments": "true"})
                kind, _, rest = answer["Content-Type"].partition(";")
                self.assertEqual(kind, "multipart/mixed")
                # The suite takes the boundary as the header less " boundary=".
                boundary = rest.replace(" boundary=", "")
                parts = answer.content.split(b"--" + boundary.encode())
                self.assertTrue(any(text in part for part in parts))
                first = json.loads(parts[1].split(b"\r\n\r\n", 1)[1])
                if "statementId" in params:
                    self.assertEqual(first["id"], statement_id)
                else:
                    self.assertEqual(first["statements"][0]["id"], statement_id)


class SuiteConfigCasesTestCase(ConformanceCase):
    """The 1.0.3 suite's config files (agents, groups, authorities,
    accountobjects, contexts, contextactivities, results, substatements,
    statementrefs, objects, voiding, extensions, attachments): the kinds of
    statement each refuses or accepts, in each place an agent, a group, a
    context or a result can stand, in a statement and in a sub-statement."""

    version = "1.0.3"
    BOB = {"objectType": "Agent", "mbox": "mailto:bob@example.org"}
    TEAM = {"objectType": "Group", "mbox": "mailto:team@example.org"}

    def sub(self, **changes) -> dict:
        return {
            "objectType": "SubStatement",
            "actor": self.BOB,
            "verb": {"id": "https://example.org/verbs/reported"},
            "object": {"id": "https://example.org/meeting"},
            **changes,
        }

    def places(self, actor: dict) -> dict[str, dict]:
        """The statement with `actor` in each place an agent may stand."""
        agent_ok = actor.get("objectType") != "Group"
        found = {
            "actor": statement(actor=actor),
            "instructor": statement(context={"instructor": actor}),
            # As an object, an agent must say so (else it is an Activity).
            "object": statement(object={"objectType": "Agent"} | actor),
            "sub actor": statement(object=self.sub(actor=actor)),
            "sub instructor": statement(object=self.sub(context={"instructor": actor})),
        }
        if not agent_ok:
            found["team"] = statement(context={"team": actor})
            found["sub team"] = statement(object=self.sub(context={"team": actor}))
        return found

    def assert_status(self, status: int, cases: dict[str, dict]) -> None:
        for name, sent in cases.items():
            with self.subTest(name):
                response = self.lrs.post(sent)
                self.assertEqual(response.status_code, status, response.content)

    def test_agents_groups_and_accounts(self) -> None:
        refused = {}
        for label, actor in {
            "objectType agent": {"objectType": "agent", "mbox": "mailto:a@x.org"},
            "objectType group": {"objectType": "group", "mbox": "mailto:a@x.org"},
            "mbox and openid": {
                **self.BOB,
                "openid": "http://openid.example.org/12345",
            },
            "sha1 and account": {
                "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975",
                "account": {"homePage": "http://www.example.com", "name": "x"},
            },
            "group two ifis": {**self.TEAM, "openid": "http://openid.example.org/1"},
            "anonymous group no member": {"objectType": "Group", "name": "G"},
            "member not an array": {**self.TEAM, "member": self.BOB},
            "account without homePage": {"account": {"name": "x"}},
            "account without name": {"account": {"homePage": "http://e.org"}},
            "homePage not an IRI": {
                "account": {"homePage": "ab=c://should.fail.com", "name": "x"}
            },
            "mbox not an address": {"mbox": "mailto:should.fail.com"},
        }.items():
            for place, sent in self.places(actor).items():
                refused[f"{label} as {place}"] = sent
        self.assert_status(400, refused)
        accepted = {}
        for label, actor in {
            "agent without objectType": {"mbox": "mailto:xapi@adlnet.gov"},
            "identified group without members": self.TEAM,
            "identified group with members": {**self.TEAM, "member": [self.BOB]},
            "anonymous group": {"objectType": "Group", "member": [self.BOB]},
        }.items():
            for place, sent in self.places(actor).items():
                accepted[f"{label} as {place}"] = sent
        self.assert_status(200, accepted)

    def test_authority_is_an_agent_or_an_anonymous_group_of_two(self) -> None:
        consumer = {"account": {"homePage": "http://e.org/OAuth", "name": "c1"}}
        pair = {"objectType": "Group", "member": [consumer, self.BOB]}
        self.assert_status(
            400,
            {
                "one member": statement(authority={**pair, "member": [self.BOB]}),
                "three members": statement(
                    authority={**pair, "member": [consumer, self.BOB, self.BOB]}
                ),
                "identified": statement(authority={**pair, "mbox": "mailto:g@x.org"}),
                "agent objectType agent": statement(
                    authority={"objectType": "agent", "mbox": "mailto:a@x.org"}
                ),
                "in a sub-statement": statement(object=self.sub(authority=self.BOB)),
            },
        )
        self.assert_status(
            200,
            {"agent": statement(authority=self.BOB), "pair": statement(authority=pair)},
        )

    def test_contexts_results_and_sub_statements(self) -> None:
        ref = {"objectType": "StatementRef", "id": new_id()}
        activity = {"objectType": "Activity", "id": "https://example.org/m"}
        bad_contexts = {
            "registration not a UUID": {"registration": "should fail"},
            "team is an agent": {"team": self.BOB},
            "instructor a string": {"instructor": "should fail"},
            "contextActivities a string": {"contextActivities": "should fail"},
            "contextActivities empty": {"contextActivities": {}},
            "contextActivities key": {"contextActivities": {"peer": activity}},
            "a non-activity among them": {
                "contextActivities": {"other": [activity, {"key": "x"}]}
            },
            "revision a number": {"revision": 12345},
            "platform an object": {"platform": {"key": "x"}},
            "language a number": {"language": 12345},
            "language a12345": {"language": "a12345"},
            "statement statementref": {
                "statement": {**ref, "objectType": "statementref"}
            },
            "statement id not a UUID": {"statement": {**ref, "id": "should fail"}},
        }
        refused = {}
        for label, context in bad_contexts.items():
            refused[label] = statement(context=context)
            refused[f"sub {label}"] = statement(object=self.sub(context=context))
        for key in ("revision", "platform"):
            for kind, target in (
                ("agent", self.BOB),
                ("group", self.TEAM),
                ("statementref", ref),
                ("substatement", self.sub()),
            ):
                refused[f"{key} with {kind}"] = statement(
                    object=target, context={key: "x"}
                )
            refused[f"sub {key} with agent"] = statement(
                object=self.sub(object=self.BOB, context={key: "x"})
            )
        score = {"scaled": 0.95, "raw": 95, "min": 0, "max": 100}
        for label, result in {
            "score a number": {"score": 12345},
            "scaled 1.01": {"score": {**score, "scaled": 1.01}},
            "scaled -1.00001": {"score": {**score, "scaled": -1.00001}},
            "raw above max": {"score": {**score, "raw": 0.6767676, "max": 0.6567676}},
            "raw below min": {"score": {**score, "raw": 0.6767676, "min": 1.4}},
            "min above max": {"score": {"min": 104.7, "max": 100.7, "raw": 101.7}},
            "success a string": {"success": "true"},
            "completion a string": {"completion": "false"},
            "response a number": {"response": 12345},
            "duration PA1H0M0S": {"duration": "PA1H0M0S"},
        }.items():
            refused[f"result {label}"] = statement(result=result)
            refused[f"sub result {label}"] = statement(object=self.sub(result=result))
        refused.update(
            {
                "sub without actor": statement(object={**self.sub(), "actor": None}),
                "sub objectType substatement": statement(
                    object=self.sub(objectType="substatement")
                ),
                "sub with id": statement(object=self.sub(id=new_id())),
                "sub with stored": statement(
                    object=self.sub(stored="2013-05-18T05:32:34.804Z")
                ),
                "sub with version": statement(object=self.sub(version="1.0.0")),
                "sub in sub": statement(object=self.sub(object=self.sub())),
                "statementref without id": statement(
                    object={"objectType": "StatementRef"}
                ),
                "statementref objectType": statement(
                    object={**ref, "objectType": "statementref"}
                ),
                "activity objectType": statement(
                    object={**activity, "objectType": "activity"}
                ),
                "voiding without a StatementRef": statement(
                    verb={"id": VOIDED}, object=activity
                ),
            }
        )
        self.assert_status(400, refused)
        self.assert_status(
            200,
            {
                "single context activity": statement(
                    context={"contextActivities": {"parent": activity}}
                ),
                "all four keys": statement(
                    context={
                        "contextActivities": {
                            key: [activity]
                            for key in ("parent", "grouping", "category", "other")
                        }
                    }
                ),
                "durations": statement(result={"duration": "P3Y1M29DT4H35M59.14S"}),
                "sub result": statement(
                    object=self.sub(result={"score": score, "duration": "PT16559.14S"})
                ),
                "sub statementref": statement(object=self.sub(object=ref)),
                "voiding an unknown statement": statement(
                    verb={"id": VOIDED}, object=ref
                ),
                "extensions of any kind": statement(
                    result={
                        "extensions": {
                            "http://example.com/a": True,
                            "http://example.com/b": 12345,
                            "http://example.com/c": {"key": "valid"},
                        }
                    },
                    context={"extensions": {}},
                ),
            },
        )

    def test_attachments_declared_by_file_url(self) -> None:
        good = {
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
            "fileUrl": "http://over.there.com/file.txt",
        }
        self.assert_status(
            400,
            {
                "not an array": statement(attachments=good),
                "a number": statement(attachments=[12345]),
                "a string": statement(attachments=["should fail"]),
                "usageType": statement(attachments=[{**good, "usageType": "x y"}]),
                "contentType": statement(
                    attachments=[{**good, "contentType": "should fail"}]
                ),
                "length": statement(attachments=[{**good, "length": "27"}]),
                "sha2": statement(attachments=[{**good, "sha2": 12345}]),
                "fileUrl": statement(attachments=[{**good, "fileUrl": "should fail"}]),
                "description": statement(attachments=[{**good, "description": 1}]),
            },
        )
        self.assert_status(200, {"by fileUrl": statement(attachments=[good])})


class SuiteParametersTestCase(ConformanceCase):
    version = "1.0.3"

    def test_parameters_state_activity_id_must_be_an_iri(self) -> None:
        base = {"agent": AGENT, "stateId": "bookmark"}
        for value in ("1", "true", '{"key": "value"}', "undefined"):
            for method in ("PUT", "POST", "GET", "DELETE"):
                with self.subTest(value=value, method=method):
                    response = self.lrs.call(
                        method,
                        "activities/state",
                        {**base, "activityId": value},
                        body={"a": 1} if method in ("PUT", "POST") else None,
                    )
                    self.assertEqual(response.status_code, 400)

    def test_parameters_a_state_or_profile_id_is_any_string(self) -> None:
        """The suite's optional Parameters folder expects 400 for these; they
        are Strings, which is all the specification asks of an id."""
        for value in ("1", "true", '{"key": "value"}'):
            with self.subTest(value):
                state = {"activityId": ACTIVITY, "agent": AGENT, "stateId": value}
                put = self.lrs.call("PUT", "activities/state", state, body={"a": 1})
                self.assertEqual(put.status_code, 204)
                got = self.lrs.call("GET", "activities/state", state)
                self.assertEqual(got.json(), {"a": 1})
                profile = {"agent": AGENT, "profileId": value}
                put = self.lrs.call("PUT", "agents/profile", profile, body={"b": 2})
                self.assertEqual(put.status_code, 204)


class StatementResourceRestTestCase(ConformanceCase):
    version = "1.0.3"

    def test_xapi_00151_a_single_statement_with_any_filter_is_400(self) -> None:
        statement_id = self.store()
        voided_id = self.store()
        self.store(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voided_id}
        )
        others = {
            "agent": AGENT,
            "verb": "http://adlnet.gov/expapi/non/existent",
            "activity": "http://www.example.com/meetings/occurances/12345",
            "registration": new_id(),
            "related_activities": "true",
            "related_agents": "true",
            "since": "2012-06-01T19:09:13.245Z",
            "until": "2012-06-01T19:09:13.245Z",
            "limit": "1",
            "ascending": "true",
        }
        for key, value in others.items():
            for name, wanted in (
                ("statementId", statement_id),
                ("voidedStatementId", voided_id),
            ):
                with self.subTest(name=name, key=key):
                    response = self.lrs.get({name: wanted, key: value})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("X-Experience-API-Consistent-Through", response)
        for name, wanted in (
            ("statementId", statement_id),
            ("voidedStatementId", voided_id),
        ):
            for extra in ({"format": "ids"}, {"attachments": "true"}):
                with self.subTest(name=name, extra=extra):
                    self.assertEqual(
                        self.lrs.get({name: wanted, **extra}).status_code, 200
                    )

    def test_xapi_00172_canonical_picks_one_language_in_context_activities(
        self,
    ) -> None:
        names = {"en-GB": "example meeting", "en-US": "example meeting"}
        category = {
            "objectType": "Activity",
            "id": "http://www.example.com/test/array/statements/pri",
            "definition": {"name": names, "description": names},
        }
        statement_id = self.store(
            verb={"id": "http://adlnet.gov/expapi/verbs/attended", "display": names},
            context={"contextActivities": {"category": category}},
        )
        canonical = self.lrs.get(
            {"statementId": statement_id, "format": "canonical"},
            HTTP_ACCEPT_LANGUAGE="en-GB",
        ).json()
        found = canonical["context"]["contextActivities"]["category"][0]["definition"]
        self.assertEqual(canonical["verb"]["display"], {"en-GB": "example meeting"})
        self.assertEqual(found["name"], {"en-GB": "example meeting"})
        self.assertEqual(found["description"], {"en-GB": "example meeting"})
        exact = self.lrs.get(
            {"statementId": statement_id}, HTTP_ACCEPT_LANGUAGE="en-GB"
        ).json()
        kept = exact["context"]["contextActivities"]["category"][0]["definition"]
        self.assertEqual(kept["name"], names)

    def test_xapi_00162_statements_about_a_voided_one_are_still_listed(self) -> None:
        verb = {"id": f"http://adlnet.gov/expapi/test/voided/target/{new_id()}"}
        voided_id = self.store(verb=verb)
        voiding_id = self.store(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": voided_id}
        )
        about_id = self.store(
            verb=verb, object={"objectType": "StatementRef", "id": voided_id}
        )
        listed = self.lrs.get({"verb": verb["id"]}).json()["statements"]
        self.assertEqual([s["id"] for s in listed], [about_id, voiding_id])
        first = self.lrs.get({"verb": verb["id"], "limit": "1"}).json()["statements"]
        self.assertEqual([s["id"] for s in first], [about_id])
        self.assertEqual(self.one(voided_id).status_code, 404)
