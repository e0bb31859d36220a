"""What the ADL conformance suite's own helpers read from Muster's answers.

The suite (adlnet/lrs-conformance-test-suite) does not read answers the way
a careful client would: `test/helper.js` polls for consistency through
`genDelay`, `test/multipartParser.js` cuts multipart bodies apart with string
searches, `test/v2_0/util/requests.js` sends every request (GETs too) with
`Content-Type: application/json`, and E.Data2.5 follows `more` with Node's
`url.resolve` against the first request's URL. Each test here sends what one
of them sends and checks the exact bytes that helper then depends on; its name
says which helper. The parsing steps are re-stated here in Python from the
behaviour of those helpers (their code is not copied).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from django.test import Client

from muster.test import BaseTestCase
from muster.xapi.models import Statement
from muster.xapi.query import Filters, find_statements
from muster.xapi.tests.helpers import LRS, make_lrs_client, new_id, statement
from muster.xapi.tests.test_attachments import BOUNDARY, multipart

# The ECMAScript Date Time String Format, the one form `new Date(text)` must
# read in every engine (ECMA-262, Date Time String Format): genDelay and the
# statement tests give every time the LRS sends to `new Date`.
ES_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
VOIDED = "http://adlnet.gov/expapi/verbs/voided"


def suite_boundary(content_type: str) -> str:
    """multipartParser.getBoundary: from "boundary=" to the next ";" or the end."""
    at = content_type.index("boundary=") + len("boundary=")
    end = content_type.find(";", at)
    return content_type[at : end if end >= 0 else len(content_type)]


def suite_parts(boundary: str, body: str) -> list[tuple[dict, str]]:
    """multipartParser.parseMultipart, as it behaves, on a decoded body.

    The line end is whatever follows the first "--boundary" (CRLF, CR or LF,
    anything else is an error); the body is split on one or more dashes and
    the boundary; a piece starting "--" ends the parts. In each part the first
    line must be empty, headers run to the next empty line, and the content
    runs from the first blank line to the piece's end less one line end.
    """
    dashed = "--" + boundary
    at = body.index(dashed)  # "boundary not found" otherwise
    rest = body[at + len(dashed) :]
    for line_end in ("\r\n", "\r", "\n"):
        if rest.startswith(line_end):
            break
    else:
        raise AssertionError("Multipart: unknown delimiter.")
    parts = []
    for piece in re.split("--*" + re.escape(boundary), body)[1:]:
        if piece.startswith("--"):
            break
        lines = piece.split(line_end)
        assert len(lines) >= 2 and lines[0] == "", "header with invalid value"
        headers = {}
        for line in lines[1:]:
            if line == "":
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = piece.index(line_end * 2) + 2 * len(line_end)
        parts.append((headers, piece[start : len(piece) - len(line_end)]))
    return parts


class SuiteHelperCase(BaseTestCase):
    version = "2.0.0"

    def setUp(self) -> None:
        super().setUp()
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret, self.version)

    def store(self, **changes) -> str:
        response = self.lrs.post(statement(**changes))
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()[0]


class GenDelayTestCase(SuiteHelperCase):
    """helper.genDelay and helper.setTimeMargin."""

    def test_helper_gen_delay_reads_consistent_through_on_a_path_with_no_question_mark(
        self,
    ) -> None:
        # E.Data2.5 "A more property's referenced container object ..." calls
        # genDelay(stmtTime, "limit=1", id2): it polls /statementslimit=1.
        for path in ("statementslimit=1", "statementsstatementId=" + new_id(), "x"):
            with self.subTest(path):
                response = self.lrs.call("GET", path)
                self.assertEqual(response.status_code, 404)
                through = response["X-Experience-API-Consistent-Through"]
                self.assertRegex(through, ES_DATE)
                self.assertEqual(response["X-Experience-API-Version"], "2.0.0")
                self.assertEqual(response["Access-Control-Allow-Origin"], "*")
                self.assertEqual(
                    response.content,
                    b"/xapi/" + path.encode() + b": no such xAPI resource.",
                )
        one_oh = LRS(*self._credentials(), version="1.0.3")
        answer = one_oh.call("GET", "statementslimit=1")
        self.assertEqual(answer["X-Experience-API-Version"], "1.0.3")
        self.assertIn("error", answer.json())

    def _credentials(self):
        client, secret = make_lrs_client(self, self.agency, name="Second")
        return client.key, secret

    def test_helper_gen_delay_consistent_through_is_an_es_date_on_every_answer(
        self,
    ) -> None:
        statement_id = self.store()
        answers = {
            "list": self.lrs.get(),
            "one": self.lrs.get({"statementId": statement_id}),
            "missing": self.lrs.get({"statementId": new_id()}),
            "refused": self.lrs.get({"verb": "not an iri"}),
            "stored": self.lrs.post(statement()),
            "unauthorised": LRS("nobody", "nothing").get(),
            # XAPI-00153 "misusing GET": no credentials and no version header.
            "bare": Client().get("/xapi/statements"),
        }
        stored = Statement.objects.get(statement_id=statement_id).stored
        self.assertEqual(answers["bare"].status_code, 400)
        for name, response in answers.items():
            with self.subTest(name):
                through = response["X-Experience-API-Consistent-Through"]
                self.assertRegex(through, ES_DATE)
                moment = datetime.fromisoformat(through.replace("Z", "+00:00"))
                # genDelay resolves once Consistent-Through (+ the margin)
                # reaches the time the statement was sent.
                self.assertGreaterEqual(moment, stored.replace(microsecond=0))
                self.assertLessEqual(moment, datetime.now(UTC))


class MultipartParserTestCase(SuiteHelperCase):
    """multipartParser.getBoundary and parseMultipart on attachments=true."""

    def test_multipart_parser_reads_statements_and_each_attachment(self) -> None:
        text = b"here is a simple attachment"
        sha2 = hashlib.sha256(text).hexdigest()
        declared = {
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain",
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
        for params in (
            {"attachments": "true"},
            {"statementId": statement_id, "attachments": "true"},
        ):
            with self.subTest(params):
                answer = self.lrs.get(params)
                boundary = suite_boundary(answer["Content-Type"])
                self.assertRegex(boundary, r"^[0-9a-f]{32}$")
                # super-request hands the body over as a string.
                parts = suite_parts(boundary, answer.content.decode("utf-8"))
                self.assertEqual(len(parts), 2)
                (first_headers, first), (headers, content) = parts
                self.assertEqual(first_headers["content-type"], "application/json")
                result = json.loads(first)
                found = result["statements"][0] if "statements" in result else result
                self.assertEqual(found["id"], statement_id)
                self.assertEqual(headers["content-type"], "text/plain")
                self.assertEqual(headers["x-experience-api-hash"], sha2)
                self.assertEqual(headers["content-transfer-encoding"], "binary")
                self.assertEqual(content.encode(), text)


class RequestsTestCase(SuiteHelperCase):
    """v2_0/util/requests.js: axios with Content-Type application/json always."""

    def test_requests_js_a_get_or_delete_declared_as_json_with_no_body_is_answered(
        self,
    ) -> None:
        agent = json.dumps({"mbox": "mailto:bob@example.org"})
        activity = "http://www.example.com/activityId/hashset"
        answers = {
            "statements": self.lrs.call("GET", "statements"),
            "about": self.lrs.call("GET", "about"),
            "activities": self.lrs.call("GET", "activities", {"activityId": activity}),
            "state ids": self.lrs.call(
                "GET", "activities/state", {"activityId": activity, "agent": agent}
            ),
            "delete state": self.lrs.call(
                "DELETE", "activities/state", {"activityId": activity, "agent": agent}
            ),
        }
        for name, response in answers.items():
            with self.subTest(name):
                self.assertIn(response.status_code, (200, 204), response.content)

    def test_statement_resource_last_modified_matches_stored_to_the_second(
        self,
    ) -> None:
        # v2_0 4.1.6.1 reads headers.get("last-modified") and compares it with
        # `stored` once both lose their milliseconds (Date.parse on each).
        statement_id = self.store()
        answer = self.lrs.get({"statementId": statement_id})
        modified = parsedate_to_datetime(answer["Last-Modified"])
        stored_text = answer.json()["stored"]
        self.assertRegex(stored_text, ES_DATE)
        stored = datetime.fromisoformat(stored_text.replace("Z", "+00:00"))
        self.assertEqual(modified, stored.replace(microsecond=0))


class MoreTestCase(SuiteHelperCase):
    """E.Data2.5: url.resolve(res.request.href, results.more), then GET it."""

    def test_retrieval_more_resolves_against_the_request_url(self) -> None:
        for _ in range(3):
            self.store()
        first_url = "http://testserver/xapi/statements?limit=1"
        first = self.lrs.http.get(first_url, **self.lrs.headers)
        more = first.json()["more"]
        self.assertTrue(more.startswith("/xapi/statements?more="))
        followed = urljoin(first_url, more)
        self.assertTrue(followed.startswith("http://testserver/xapi/statements?"))
        second = self.lrs.http.get(followed, **self.lrs.headers)
        self.assertEqual(second.status_code, 200, second.content)
        body = second.json()
        self.assertEqual(set(body), {"statements", "more"})
        self.assertEqual(len(body["statements"]), 1)
        self.assertNotEqual(body["statements"], first.json()["statements"])


class ReferenceChainTestCase(SuiteHelperCase):
    """query._matching: statements referring to a match, followed in SQL."""

    def ref(self, target: str, **changes) -> str:
        return self.store(
            object={"objectType": "StatementRef", "id": target}, **changes
        )

    def ids(self, **filters) -> list[str]:
        rows, _ = find_statements(self.agency, Filters(**filters))
        return sorted(str(row.statement_id) for row in rows)

    def test_matching_follows_a_chain_of_references_with_a_fixed_number_of_queries(
        self,
    ) -> None:
        verb = "http://example.com/verbs/target"
        other = "http://example.com/verbs/about"
        target = self.store(verb={"id": verb})
        chain = [target]
        for _ in range(4):
            chain.append(self.ref(chain[-1], verb={"id": other}))
        unrelated = self.store(verb={"id": other})
        # Ceiling, then the page: the chain costs no query of its own.
        with self.assertNumQueries(2):
            found = self.ids(verb=verb)
        self.assertEqual(found, sorted(chain))
        self.assertNotIn(unrelated, found)

    def test_matching_ends_on_a_cycle_of_references(self) -> None:
        verb = "http://example.com/verbs/cycle"
        first, second = new_id(), new_id()
        self.store(
            id=first,
            verb={"id": verb},
            object={"objectType": "StatementRef", "id": second},
        )
        self.store(id=second, object={"objectType": "StatementRef", "id": first})
        self.assertEqual(self.ids(verb=verb), sorted([first, second]))

    def test_matching_never_follows_another_agencys_statement(self) -> None:
        verb = "http://example.com/verbs/isolated"
        target = self.store(verb={"id": verb})
        client, secret = make_lrs_client(self, self.other_agency, name="Oakdale")
        oakdale = LRS(client.key, secret)
        theirs = oakdale.post(
            statement(object={"objectType": "StatementRef", "id": target})
        ).json()[0]
        # Ours refers to Oakdale's statement, which refers to our match: the
        # chain runs through another agency, so it is not followed.
        ours = self.ref(theirs)
        self.assertEqual(self.ids(verb=verb), [target])
        self.assertNotIn(ours, self.ids(verb=verb))
        # The voided rule still holds: a voided match is not listed, the
        # statements referring to it are.
        voiding = self.ref(target, verb={"id": VOIDED})
        self.assertEqual(self.ids(verb=verb), [voiding])


class SendRequestTestCase(SuiteHelperCase):
    """helper.sendRequest (supertest) and the version helper.getXapiVersion."""

    def test_helper_send_request_a_get_with_a_json_body_is_answered_as_without(
        self,
    ) -> None:
        # H.Communication3.1 passes the document to sendRequest("get", ...)
        # too, so its GETs carry a JSON body (and Content-Type).
        params = {
            "activityId": "http://www.example.com/activityId/hashset",
            "agent": json.dumps(
                {
                    "account": {
                        "homePage": "http://www.example.com/agentId/1",
                        "name": "Rick James",
                    }
                }
            ),
            "stateId": new_id(),
        }
        document = {"name": new_id(), "location": {"name": new_id()}}
        posted = self.lrs.call("POST", "activities/state", params, body=document)
        self.assertEqual(posted.status_code, 204, posted.content)
        other = {"name": "sent with the GET"}
        answer = self.lrs.call("GET", "activities/state", params, body=other)
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual(answer["Content-Type"], "application/json")
        self.assertEqual(answer.json(), document)
        self.assertRegex(answer["ETag"], r'^"[0-9a-f]{40}"$')
        listed = self.lrs.call("GET", "statements", body=other)
        self.assertEqual(listed.status_code, 200, listed.content)

    def test_versioning_the_answer_header_is_the_version_the_helper_sent(
        self,
    ) -> None:
        # XAPI-00333 compares the answer's header with getXapiVersion(), the
        # version the run sends (lrs-test sets XAPI_VERSION from -x).
        client, secret = make_lrs_client(self, self.agency, name="Versions")
        for sent in ("2.0.0", "1.0.3"):
            with self.subTest(sent):
                answer = LRS(client.key, secret, sent).get({"statementId": new_id()})
                self.assertEqual(answer["X-Experience-API-Version"], sent)
