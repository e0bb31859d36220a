"""The statement resource: storing, refusing, voiding, querying, paging, formats."""

from __future__ import annotations

from muster.test import BaseTestCase
from muster.xapi.protocol import error_message
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id, statement

VOIDED = "http://adlnet.gov/expapi/verbs/voided"


class StatementTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.client_row = client

    def store(self, **changes) -> str:
        response = self.lrs.post(statement(**changes))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()[0]

    def test_it_stores_and_returns_a_statement_with_what_the_lrs_sets(self) -> None:
        statement_id = self.store()
        response = self.lrs.get({"statementId": statement_id})
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["id"], statement_id)
        self.assertEqual(data["authority"]["account"]["name"], self.client_row.key)
        self.assertEqual(data["version"], "2.0.0")
        self.assertEqual(data["timestamp"], data["stored"])
        self.assertEqual(response["X-Experience-API-Version"], "2.0.0")
        self.assertIn("X-Experience-API-Consistent-Through", response)

    def test_it_replaces_the_authority_a_client_claims(self) -> None:
        claimed = {"objectType": "Agent", "mbox": "mailto:root@example.org"}
        statement_id = self.store(authority=claimed)
        data = self.lrs.get({"statementId": statement_id}).json()
        self.assertNotEqual(data["authority"], claimed)

    def test_put_needs_a_statement_id_and_answers_204(self) -> None:
        self.assertEqual(
            self.lrs.call("PUT", "statements", body=statement()).status_code, 400
        )
        statement_id = new_id()
        response = self.lrs.call(
            "PUT", "statements", {"statementId": statement_id}, body=statement()
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(self.lrs.get({"statementId": statement_id}).status_code, 200)

    def test_a_reused_id_with_other_content_is_a_conflict_and_changes_nothing(
        self,
    ) -> None:
        statement_id = new_id()
        self.lrs.call(
            "PUT", "statements", {"statementId": statement_id}, body=statement()
        )
        before = self.lrs.get({"statementId": statement_id}).json()
        again = self.lrs.call(
            "PUT", "statements", {"statementId": statement_id}, body=statement()
        )
        self.assertEqual(again.status_code, 204)
        other = statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
        response = self.lrs.call(
            "PUT", "statements", {"statementId": statement_id}, body=other
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.lrs.get({"statementId": statement_id}).json(), before)

    def test_a_batch_with_one_bad_statement_stores_none(self) -> None:
        good, bad = statement(id=new_id()), statement(verb={"id": "not an iri"})
        response = self.lrs.post([good, bad])
        self.assertEqual(response.status_code, 400)
        self.assertIn("statement[1].verb.id", error_message(response))
        self.assertEqual(self.lrs.get({"statementId": good["id"]}).status_code, 404)

    def test_it_refuses_invalid_statements_naming_the_field(self) -> None:
        agent = {"objectType": "Agent", "mbox": "mailto:a@b.org"}
        cases = {
            "two identifiers": {"actor": {**agent, "openid": "https://id.example/a"}},
            "bad mbox": {"actor": {"mbox": "a@b.org"}},
            "unknown property": {"flavour": "mint"},
            "lowercase objectType": {"actor": {**agent, "objectType": "agent"}},
            "score over max": {"result": {"score": {"raw": 11, "max": 10}}},
            "scaled above 1": {"result": {"score": {"scaled": 1.5}}},
            "bad duration": {"result": {"duration": "90 minutes"}},
            "bad language tag": {
                "verb": {"id": "http://x.example/v", "display": {"en_US": "x"}}
            },
            "revision with agent object": {
                "object": {**agent},
                "context": {"revision": "2"},
            },
            "agent object without objectType": {"object": {"mbox": "mailto:c@d.org"}},
            "voiding a non-reference": {"verb": {"id": VOIDED}},
            "bad timestamp": {"timestamp": "yesterday"},
            "negative zero offset": {"timestamp": "2026-01-01T10:00:00-00:00"},
            "bad version": {"version": "0.95"},
            "substatement with id": {
                "object": {"objectType": "SubStatement", "id": new_id(), **statement()}
            },
            "empty contextActivities": {"context": {"contextActivities": {}}},
            "anonymous group without members": {"actor": {"objectType": "Group"}},
            "bad registration": {"context": {"registration": "nope"}},
            "null name": {"actor": {**agent, "name": None}},
        }
        for name, changes in cases.items():
            with self.subTest(name):
                response = self.lrs.post(statement(**changes))
                self.assertEqual(response.status_code, 400, response.content)
                self.assertTrue(error_message(response))

    def test_it_refuses_duplicate_json_keys(self) -> None:
        body = (
            '{"actor": {"mbox": "mailto:a@b.org"}, "actor": {"mbox": "mailto:c@d.org"},'
            ' "verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/o"}}'
        )
        response = self.lrs.call("POST", "statements", body=body)
        self.assertEqual(response.status_code, 400)
        self.assertIn("appears twice", error_message(response))

    def test_it_refuses_what_json_or_the_database_cannot_hold(self) -> None:
        valid = (
            '{"actor": {"mbox": "mailto:a@b.org"}, "verb": {"id": "http://x.example/v"},'
            ' "object": {"id": "http://x.example/o"}'
        )
        bodies = {
            "NaN score": valid + ', "result": {"score": {"raw": NaN}}}',
            "NUL in a name": valid.replace('"mbox"', '"name": "a\\u0000b", "mbox"')
            + "}",
            "impossible offset": valid + ', "timestamp": "2026-01-01T10:00:00+25:00"}',
            "overlong verb": valid.replace(
                "http://x.example/v", "http://x.example/" + "v" * 2100
            )
            + "}",
            "deep nesting": "[" * 100_000 + "]" * 100_000,
        }
        for name, body in bodies.items():
            with self.subTest(name):
                response = self.lrs.call("POST", "statements", body=body)
                self.assertEqual(response.status_code, 400, response.content[:200])
        self.assertEqual(self.lrs.get().json()["statements"], [])

    def test_a_repeat_with_the_id_in_capitals_is_the_same_statement(self) -> None:
        statement_id = new_id()
        self.lrs.call(
            "PUT", "statements", {"statementId": statement_id}, body=statement()
        )
        upper = statement_id.upper()
        again = self.lrs.call(
            "PUT", "statements", {"statementId": upper}, body=statement(id=upper)
        )
        self.assertEqual(again.status_code, 204)

    def test_it_needs_a_supported_version_header(self) -> None:
        for version in ("", "0.95", "1.1.0", "3.0.0"):
            lrs = LRS(self.client_row.key, "x", version=version)
            lrs.headers = {**self.lrs.headers}
            if version:
                lrs.headers["HTTP_X_EXPERIENCE_API_VERSION"] = version
            else:
                lrs.headers.pop("HTTP_X_EXPERIENCE_API_VERSION")
            with self.subTest(version=version):
                self.assertEqual(lrs.get().status_code, 400)
        lrs = LRS(self.client_row.key, "x")
        lrs.headers = {**self.lrs.headers, "HTTP_X_EXPERIENCE_API_VERSION": "1.0.1"}
        response = lrs.get()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Experience-API-Version"], "1.0.3")

    def test_it_refuses_requests_without_valid_credentials(self) -> None:
        self.assertEqual(LRS(self.client_row.key, "wrong").get().status_code, 401)
        self.assertEqual(LRS("nobody", "x").get().status_code, 401)
        self.client_row.revoked_at = self.client_row.created_at
        self.client_row.save()
        self.assertEqual(self.lrs.get().status_code, 401)

    def test_every_statement_answer_says_how_current_it_is(self) -> None:
        for response in (self.lrs.get(), self.lrs.get({"statementId": new_id()})):
            self.assertIn("X-Experience-API-Consistent-Through", response)
        self.assertEqual(self.lrs.get({"statementId": new_id()}).status_code, 404)

    def test_head_answers_headers_only_and_options_allows_other_origins(self) -> None:
        statement_id = self.store()
        head = self.lrs.call("HEAD", "statements", {"statementId": statement_id})
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.content, b"")
        preflight = self.client.options("/xapi/statements")
        self.assertEqual(preflight.status_code, 204)
        self.assertIn(
            "X-Experience-API-Version", preflight["Access-Control-Allow-Headers"]
        )

    def test_about_needs_no_credentials(self) -> None:
        response = self.client.get("/xapi/about", HTTP_X_EXPERIENCE_API_VERSION="2.0.0")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["version"], ["1.0.3", "2.0.0"])

    def test_voided_statements_leave_queries_but_references_to_them_stay(self) -> None:
        target = self.store()
        referring = self.store(object={"objectType": "StatementRef", "id": target})
        voiding = self.store(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}
        )
        self.assertEqual(self.lrs.get({"statementId": target}).status_code, 404)
        self.assertEqual(self.lrs.get({"voidedStatementId": target}).status_code, 200)
        self.assertEqual(self.lrs.get({"voidedStatementId": voiding}).status_code, 404)
        listed = [s["id"] for s in self.lrs.get().json()["statements"]]
        self.assertNotIn(target, listed)
        self.assertIn(referring, listed)
        # Filtering by the voided statement's verb still finds what targets it.
        verb = {"verb": "http://adlnet.gov/expapi/verbs/attempted"}
        by_verb = [s["id"] for s in self.lrs.get(verb).json()["statements"]]
        self.assertEqual(sorted(by_verb), sorted([referring, voiding]))

    def test_a_voiding_statement_cannot_be_voided(self) -> None:
        target = self.store()
        voiding = self.store(
            verb={"id": VOIDED}, object={"objectType": "StatementRef", "id": target}
        )
        response = self.lrs.post(
            statement(
                verb={"id": VOIDED},
                object={"objectType": "StatementRef", "id": voiding},
            )
        )
        self.assertEqual(response.status_code, 400)

    def test_single_statement_requests_take_no_filters(self) -> None:
        statement_id = self.store()
        response = self.lrs.get(
            {"statementId": statement_id, "verb": "http://x.example/v"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.lrs.get({"unknown": "1"}).status_code, 400)

    def test_filters_by_agent_activity_registration_and_related(self) -> None:
        registration = new_id()
        instructor = {"objectType": "Agent", "mbox": "mailto:ivy@example.org"}
        other = "https://vendor.example/courses/other"
        plain = self.store()
        taught = self.store(
            object={"id": other},
            context={
                "registration": registration,
                "instructor": instructor,
                "contextActivities": {
                    "parent": {"id": "https://vendor.example/courses/de-escalation"}
                },
            },
        )

        def ids(params):
            return sorted(s["id"] for s in self.lrs.get(params).json()["statements"])

        ivy = '{"mbox": "mailto:ivy@example.org"}'
        self.assertEqual(ids({"agent": ivy}), [])
        self.assertEqual(ids({"agent": ivy, "related_agents": "true"}), [taught])
        course = "https://vendor.example/courses/de-escalation"
        self.assertEqual(ids({"activity": course}), [plain])
        self.assertEqual(
            ids({"activity": course, "related_activities": "true"}),
            sorted([plain, taught]),
        )
        self.assertEqual(ids({"registration": registration}), [taught])
        self.assertEqual(self.lrs.get({"agent": '{"name": "no ifi"}'}).status_code, 400)

    def test_it_pages_with_more_and_orders_by_stored(self) -> None:
        stored = [self.store() for _ in range(5)]
        first = self.lrs.get({"limit": 2}).json()
        self.assertEqual([s["id"] for s in first["statements"]], stored[::-1][:2])
        seen = [s["id"] for s in first["statements"]]
        more = first["more"]
        self.store()  # a statement stored while paging does not join the pages
        while more:
            self.assertTrue(more.startswith("/xapi/statements?more="))
            page = self.lrs.http.get(more, **self.lrs.headers).json()
            seen += [s["id"] for s in page["statements"]]
            more = page["more"]
        self.assertEqual(seen, stored[::-1])
        ascending = self.lrs.get({"ascending": "true", "limit": 1}).json()
        self.assertEqual(ascending["statements"][0]["id"], stored[0])

    def test_since_is_exclusive_and_until_inclusive(self) -> None:
        first, second = self.store(), self.store()
        stored = self.lrs.get({"statementId": first}).json()["stored"]
        after = [s["id"] for s in self.lrs.get({"since": stored}).json()["statements"]]
        upto = [s["id"] for s in self.lrs.get({"until": stored}).json()["statements"]]
        self.assertNotIn(first, after)
        self.assertIn(second, after)
        self.assertIn(first, upto)
        self.assertNotIn(second, upto)

    def test_formats_ids_and_canonical(self) -> None:
        statement_id = self.store()
        ids = self.lrs.get({"statementId": statement_id, "format": "ids"}).json()
        self.assertEqual(
            ids["verb"], {"id": "http://adlnet.gov/expapi/verbs/attempted"}
        )
        self.assertNotIn("definition", ids["object"])
        self.assertEqual(
            ids["actor"], {"objectType": "Agent", "mbox": "mailto:bob@example.org"}
        )
        canonical = self.lrs.get(
            {"statementId": statement_id, "format": "canonical"},
            HTTP_ACCEPT_LANGUAGE="fr",
        ).json()
        self.assertEqual(
            canonical["object"]["definition"]["name"], {"fr": "Désescalade"}
        )
        self.assertEqual(self.lrs.get({"format": "full"}).status_code, 400)

    def test_context_activities_come_back_as_arrays(self) -> None:
        statement_id = self.store(
            context={
                "contextActivities": {"parent": {"id": "https://vendor.example/p"}}
            }
        )
        data = self.lrs.get({"statementId": statement_id}).json()
        self.assertEqual(
            data["context"]["contextActivities"]["parent"],
            [{"id": "https://vendor.example/p"}],
        )

    def test_the_alternate_syntax_works_in_1_0_3_only(self) -> None:
        from urllib.parse import urlencode

        form = urlencode(
            {
                "Authorization": self.lrs.headers["HTTP_AUTHORIZATION"],
                "X-Experience-API-Version": "1.0.3",
                "Content-Type": "application/json",
                "content": '{"actor": {"mbox": "mailto:a@b.org"}, "verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/o"}}',
            }
        )
        response = self.client.post(
            "/xapi/statements?method=POST",
            form,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 200, response.content)
        form_v2 = form.replace("1.0.3", "2.0.0")
        response = self.client.post(
            "/xapi/statements?method=POST",
            form_v2,
            content_type="application/x-www-form-urlencoded",
        )
        self.assertEqual(response.status_code, 400)
