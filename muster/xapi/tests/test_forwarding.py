"""Forwarding to an agency's other LRS, against a small HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from muster.test import BaseTestCase
from muster.xapi.actions import set_forwarding
from muster.xapi.models import ForwardDelivery
from muster.xapi.tasks import forward_statement
from muster.xapi.tests.helpers import LRS, make_lrs_client, statement


class OtherLRS(BaseHTTPRequestHandler):
    """Answers each PUT with the next status in `statuses`, keeping what it got."""

    statuses: list[int] = []
    received: list[dict] = []

    def do_PUT(self) -> None:  # noqa: N802 (the http.server name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(body),
            }
        )
        self.send_response(self.statuses.pop(0) if self.statuses else 204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


class ForwardingTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.server = HTTPServer(("127.0.0.1", 0), OtherLRS)
        OtherLRS.received, OtherLRS.statuses = [], []
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
        self.assertEqual(last["headers"]["x-experience-api-version"], "1.0.3")
        self.assertTrue(last["headers"]["authorization"].startswith("Basic "))

    def test_other_agencies_statements_are_not_forwarded(self) -> None:
        client, secret = make_lrs_client(self, self.other_agency)
        with self.captureOnCommitCallbacks(execute=True):
            LRS(client.key, secret).post(statement())
        self.assertFalse(ForwardDelivery.objects.exists())
        self.assertEqual(OtherLRS.received, [])
