"""Forwarding to an agency's other LRS, against a small HTTP server on 127.0.0.1
(reached with MUSTER_OUTBOUND_ALLOW_LOOPBACK, as in development)."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from muster.test import BaseTestCase
from muster.xapi.actions import set_forwarding
from muster.xapi.models import ForwardDelivery
from muster.xapi.protocol import parse_multipart
from muster.xapi.tasks import forward_statement
from muster.xapi.tests.helpers import LRS, make_lrs_client, statement
from muster.xapi.tests.test_attachments import BOUNDARY, multipart


class OtherLRS(BaseHTTPRequestHandler):
    """Answers each PUT with the next status in `statuses`, keeping what it got."""

    statuses: list[int] = []
    received: list[dict] = []

    answer = b""

    def do_PUT(self) -> None:  # noqa: N802 (the http.server name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        is_json = self.headers["Content-Type"] == "application/json"
        self.received.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(body) if is_json else None,
                "raw": body,
            }
        )
        self.send_response(self.statuses.pop(0) if self.statuses else 204)
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args) -> None:
        pass


@override_settings(OUTBOUND_ALLOW_LOOPBACK=True)
class ForwardingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = HTTPServer(("127.0.0.1", 0), OtherLRS)
        OtherLRS.received, OtherLRS.statuses, OtherLRS.answer = [], [], b""
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        port = self.server.server_address[1]
        set_forwarding(
            actor=self.alice,
            agency=self.agency,
            endpoint=f"http://127.0.0.1:{port}/xapi/",
            username="riverton",
            password="s3cret",
            is_active=True,
        )
        client, secret = make_lrs_client(self, self.agency)
        self.lrs = LRS(client.key, secret)
        self.lrs_key, self.lrs_secret = client.key, secret

    def test_a_failed_send_is_retried_until_the_other_lrs_has_it(self) -> None:
        OtherLRS.statuses = [503]
        with self.captureOnCommitCallbacks(execute=True):
            statement_id = self.lrs.post(statement()).json()[0]
        delivery = ForwardDelivery.objects.get()
        self.assertEqual(OtherLRS.received, [])  # queued, not sent in the request
        # The database queue's worker runs the task; run it as the worker would.
        self.assertFalse(forward_statement.call(delivery.pk))
        delivery.refresh_from_db()
        self.assertIsNone(delivery.delivered_at)
        self.assertIn("503", delivery.last_error)
        self.assertEqual(delivery.attempts, 1)
        retry = DBTaskResult.objects.filter(task_path__endswith="forward_statement")
        self.assertEqual(retry.count(), 2)  # the first send, and the retry queued
        later = retry.order_by("-enqueued_at").first().run_after
        self.assertGreater(later, timezone.now())
        self.assertTrue(forward_statement.call(delivery.pk))
        delivery.refresh_from_db()
        self.assertIsNotNone(delivery.delivered_at)
        self.assertEqual(delivery.attempts, 2)
        last = OtherLRS.received[-1]
        self.assertEqual(last["path"], f"/xapi/statements?statementId={statement_id}")
        self.assertEqual(last["body"]["id"], statement_id)
        # Sent by a 2.0 client, so stored as 2.0.0 and forwarded so.
        self.assertEqual(last["headers"]["x-experience-api-version"], "2.0.0")
        self.assertTrue(last["headers"]["authorization"].startswith("Basic "))

    def test_other_agencies_statements_are_not_forwarded(self) -> None:
        client, secret = make_lrs_client(self, self.other_agency)
        with self.captureOnCommitCallbacks(execute=True):
            LRS(client.key, secret).post(statement())
        self.assertFalse(ForwardDelivery.objects.exists())
        self.assertEqual(OtherLRS.received, [])

    def test_what_the_other_lrs_answers_is_not_kept(self) -> None:
        OtherLRS.statuses = [500]
        OtherLRS.answer = b"Traceback: db password hunter2 at 10.0.0.5"
        with self.captureOnCommitCallbacks(execute=True):
            self.lrs.post(statement())
        delivery = ForwardDelivery.objects.get()
        self.assertFalse(forward_statement.call(delivery.pk))
        delivery.refresh_from_db()
        self.assertIn("HTTP 500 from http://127.0.0.1:", delivery.last_error)
        self.assertNotIn("hunter2", delivery.last_error)

    @override_settings(OUTBOUND_ALLOW_LOOPBACK=False)
    def test_without_the_setting_loopback_is_refused_and_named(self) -> None:
        """As in production: nothing is sent, and the delivery says why."""
        with self.captureOnCommitCallbacks(execute=True):
            self.lrs.post(statement())
        delivery = ForwardDelivery.objects.get()
        self.assertFalse(forward_statement.call(delivery.pk))
        delivery.refresh_from_db()
        self.assertEqual(OtherLRS.received, [])
        self.assertIsNone(delivery.delivered_at)
        self.assertIn("127.0.0.1 is a loopback", delivery.last_error)
        self.assertTrue(delivery.last_error.startswith("Could not send to http://127"))

    def test_each_statement_goes_in_its_own_version_with_its_attachments(
        self,
    ) -> None:
        """A 2.0 statement is sent as 2.0.0 (as 1.0.3 its 2.0 keys would be
        refused), a 1.0.3 one as 1.0.3; one whose attachment came as a part
        goes as multipart/mixed with that part (else the other LRS must refuse
        it: an attachment without fileUrl needs its content)."""
        content = b"signed roster"
        sha2 = hashlib.sha256(content).hexdigest()
        with_part = statement(
            attachments=[
                {
                    "usageType": "http://example.com/usage/roster",
                    "display": {"en-US": "Roster"},
                    "contentType": "text/plain",
                    "length": len(content),
                    "sha2": sha2,
                }
            ],
            context={
                "contextAgents": [
                    {
                        "objectType": "contextAgent",
                        "agent": {"mbox": "mailto:ivy@example.org"},
                    }
                ]
            },
        )
        body = multipart(with_part, [("text/plain", content, sha2)])
        old_client = LRS(self.lrs_key, self.lrs_secret, version="1.0.3")
        with self.captureOnCommitCallbacks(execute=True):
            sent = self.lrs.call(
                "POST",
                "statements",
                body=body,
                content_type=f"multipart/mixed; boundary={BOUNDARY}",
            )
            self.assertEqual(sent.status_code, 200, sent.content)
            old_client.post(statement())
        for delivery in ForwardDelivery.objects.order_by("pk"):
            self.assertTrue(forward_statement.call(delivery.pk))
        first, second = OtherLRS.received
        self.assertEqual(first["headers"]["x-experience-api-version"], "2.0.0")
        self.assertTrue(first["headers"]["content-type"].startswith("multipart/mixed"))
        boundary = first["headers"]["content-type"].split("boundary=")[1]
        statements, parts = parse_multipart(first["raw"], f"boundary={boundary}")
        self.assertEqual(json.loads(statements)["id"], sent.json()[0])
        self.assertEqual(parts[sha2].content, content)
        self.assertEqual(second["headers"]["x-experience-api-version"], "1.0.3")
        self.assertEqual(second["headers"]["content-type"], "application/json")
        self.assertEqual(second["body"]["version"], "1.0.0")
