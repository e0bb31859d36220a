"""Structured request logs: one JSON line per request, its id on every line."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.test import override_settings
from pythonjsonlogger.json import JsonFormatter

from muster.logs import RequestIdFilter
from muster.test import BaseTestCase


@contextmanager
def json_log(*names: str):
    """The lines logged meanwhile by `names`, formatted as settings.LOGGING's json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    config = settings.LOGGING["formatters"]["json"]
    handler.setFormatter(
        JsonFormatter(config["format"], rename_fields=config["rename_fields"])
    )
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        lines += [json.loads(line) for line in stream.getvalue().splitlines()]


class RequestLogTestCase(BaseTestCase):
    def test_it_logs_one_json_line_per_request_with_its_id(self):
        self.client.force_login(self.alice)
        with json_log("muster.requests") as lines:
            response = self.client.get(f"/people/{self.bob_person.pk}/")
        self.assertEqual(response.status_code, 200)
        [line] = lines
        self.assertEqual(line["request_id"], response["X-Request-ID"])
        self.assertRegex(line["request_id"], r"^[0-9a-f]{32}$")
        self.assertEqual(line["level"], "INFO")
        self.assertEqual(line["name"], "muster.requests")
        self.assertEqual(line["method"], "GET")
        self.assertEqual(line["route"], "/people/<int:pk>/")
        self.assertEqual(line["view"], "agencies:person")
        self.assertEqual(line["status"], 200)
        self.assertEqual(line["user_id"], self.alice.pk)
        self.assertIsInstance(line["duration_ms"], float)
        self.assertIn("time", line)

    def test_each_request_gets_its_own_id(self):
        first = self.client.get("/health/")["X-Request-ID"]
        self.assertNotEqual(first, self.client.get("/health/")["X-Request-ID"])

    # The database is made to fail for the request: the standings check, which
    # stores hand-made rows before a request, must not query it then.
    @pytest.mark.no_standings_check
    def test_an_error_logged_while_serving_carries_the_request_id(self):
        with (
            json_log("muster.requests", "muster.health") as lines,
            mock.patch(
                "muster.health.checks.connection.cursor",
                side_effect=DatabaseError("down"),
            ),
        ):
            response = self.client.get("/health/")
        error, request = lines
        self.assertEqual(error["level"], "ERROR")
        self.assertIn("DatabaseError: down", error["exc_info"])
        self.assertEqual(error["request_id"], response["X-Request-ID"])
        self.assertEqual(request["request_id"], response["X-Request-ID"])
        self.assertEqual(request["status"], 503)

    def test_it_logs_the_route_never_the_path_which_may_hold_a_secret(self):
        with json_log("muster.requests") as lines:
            self.client.get("/accounts/password/reset/key/3-secret-reset-key/")
        [line] = lines
        self.assertNotIn("secret-reset-key", json.dumps(line))
        self.assertIn("<uidb36>", line["route"])

    def test_it_logs_an_unknown_url_without_its_path(self):
        with json_log("muster.requests") as lines:
            self.client.get("/no/such/page/")
        self.assertEqual(lines[0]["route"], "(no route)")
        self.assertEqual(lines[0]["status"], 404)

    def test_a_proxys_request_id_is_kept_only_behind_trusted_proxies(self):
        proxy_id = "0123456789abcdef0123456789abcdef"
        headers = {"X-Request-ID": proxy_id}
        self.assertNotEqual(
            self.client.get("/health/", headers=headers)["X-Request-ID"], proxy_id
        )
        with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1):
            kept = self.client.get("/health/", headers=headers)["X-Request-ID"]
            forged = self.client.get(
                "/health/", headers={"X-Request-ID": 'x" level=ERROR'}
            )["X-Request-ID"]
        self.assertEqual(kept, proxy_id)
        self.assertRegex(forged, r"^[0-9a-f]{32}$")

    # The database is made to fail for the request: the standings check, which
    # stores hand-made rows before a request, must not query it then.
    @pytest.mark.no_standings_check
    def test_djangos_own_line_for_a_failed_request_carries_its_id(self):
        with (
            json_log("django.request") as lines,
            mock.patch(
                "muster.health.checks.connection.cursor",
                side_effect=DatabaseError("down"),
            ),
            self.assertLogs("muster.health.checks", "ERROR"),
        ):
            response = self.client.get("/health/")
        [line] = lines
        self.assertEqual(line["message"], "Service Unavailable: /health/")
        self.assertEqual(line["request_id"], response["X-Request-ID"])
