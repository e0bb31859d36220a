"""`/health/`: 200 when the database answers and the queue is worked, else 503 and why."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import time_machine
from django.db import DatabaseError
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from muster.reminders.tasks import send_reminder

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue_a_task():
    return send_reminder.enqueue(
        person_id=1,
        mandate_id="us.mo.annual",
        mandate_title="Missouri annual training",
        period_start="2026-01-01",
        deadline="2026-12-31",
        point="30",
        gaps=["4 hours"],
    )


@override_settings(TASKS=DATABASE_QUEUE, MUSTER_HEALTH_QUEUE_MAX_AGE=600)
class HealthTestCase(TestCase):
    def test_it_answers_ok_when_the_database_answers_and_nothing_waits(self):
        response = self.client.get("/health/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {"status": "ok", "checks": {"database": "ok", "queue": "ok"}},
        )
        self.assertIn("no-cache", response["Cache-Control"])

    def test_a_task_queued_a_moment_ago_is_healthy(self):
        queue_a_task()
        self.assertEqual(self.client.get("/health/").status_code, 200)

    def test_it_answers_503_when_a_task_has_waited_too_long(self):
        with time_machine.travel(timezone.now() - timedelta(minutes=11), tick=False):
            queue_a_task()
        response = self.client.get("/health/")
        self.assertEqual(response.status_code, 503)
        body = response.json()
        self.assertEqual(body["status"], "unavailable")
        self.assertEqual(body["checks"]["database"], "ok")
        self.assertRegex(
            body["checks"]["queue"],
            r"^a queued task has waited 6[56]\d s \(limit 600 s\): "
            r"is the task worker running\?$",
        )

    def test_a_finished_or_future_task_does_not_count(self):
        with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
            old = queue_a_task()
            later = send_reminder.using(
                run_after=timezone.now() + timedelta(days=3)
            ).enqueue(
                person_id=1,
                mandate_id="us.mo.annual",
                mandate_title="Missouri annual training",
                period_start="2026-01-01",
                deadline="2026-12-31",
                point="7",
                gaps=[],
            )
        DBTaskResult.objects.filter(id=old.id).update(status="SUCCESSFUL")
        self.assertTrue(DBTaskResult.objects.filter(id=later.id).exists())
        self.assertEqual(self.client.get("/health/").status_code, 200)

    def test_a_delayed_task_counts_from_when_it_fell_due(self):
        with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
            send_reminder.using(
                run_after=timezone.now() + timedelta(minutes=115)
            ).enqueue(
                person_id=1,
                mandate_id="us.mo.annual",
                mandate_title="Missouri annual training",
                period_start="2026-01-01",
                deadline="2026-12-31",
                point="7",
                gaps=[],
            )
        # Queued two hours ago, but due only five minutes ago.
        self.assertEqual(self.client.get("/health/").status_code, 200)

    def test_it_answers_503_without_details_when_the_database_fails(self):
        failure = DatabaseError('could not connect to "db.internal" as muster')
        with (
            mock.patch("muster.health.checks.connection.cursor", side_effect=failure),
            self.assertLogs("muster.health.checks", "ERROR"),
        ):
            response = self.client.get("/health/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(),
            {
                "status": "unavailable",
                "checks": {
                    "database": "the database does not answer",
                    "queue": "not checked: the queue is in the database",
                },
            },
        )
        self.assertNotContains(response, "db.internal", status_code=503)

    def test_it_takes_only_get(self):
        self.assertEqual(self.client.post("/health/").status_code, 405)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_it_answers_plain_http_probes_even_when_https_is_enforced(self):
        self.assertEqual(self.client.get("/health/").status_code, 200)
        self.assertEqual(self.client.get("/accounts/login/").status_code, 301)
