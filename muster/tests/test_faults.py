"""Faults a server meets in production, and what users see (issue 13).

- The upload storage is full: the form's post answers 507 saying nothing was
  saved, and nothing was (no record, no evidence row, no audit entry).
- PostgreSQL drops the connection mid-traffic (simulated, as a restart looks to
  a client, by terminating this test's own backend with pg_terminate_backend,
  so the shared server keeps running): the request answers 503 with
  Retry-After, and the next one, on a fresh connection, works.
"""

from __future__ import annotations

import errno

import psycopg
import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase, override_settings

from muster.accounts.choices import Role
from muster.agencies.models import Agency, Evidence, TrainingRecord
from muster.agencies.tests.test_recording import pdf, training_data
from muster.audit.models import AuditEntry
from muster.health.errors import status_for
from muster.test import BaseTestCase, make_person, make_user


class FullDiskStorage(FileSystemStorage):
    """A storage whose disk is full: every save fails as the kernel says so."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)


FULL_DISK = {
    "default": {"BACKEND": "muster.tests.test_faults.FullDiskStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@time_machine.travel("2026-11-27 12:00:00+00:00", tick=False)
class DiskFullTestCase(BaseTestCase):
    @override_settings(STORAGES=FULL_DISK)
    def test_an_upload_on_a_full_disk_saves_nothing_and_says_so(self) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(self.alice)
        records, entries = TrainingRecord.objects.count(), AuditEntry.objects.count()
        url = f"/agencies/{self.agency.code}/people/{self.bob_person.pk}/training/new/"
        response = client.post(url, training_data(evidence=pdf()))
        self.assertEqual(response.status_code, 507)
        page = response.content.decode()
        self.assertIn("storage is full", page)
        self.assertIn("nothing was saved", page)
        self.assertEqual(TrainingRecord.objects.count(), records)
        self.assertEqual(Evidence.objects.count(), 0)
        self.assertEqual(AuditEntry.objects.count(), entries)

    def test_other_errors_stay_a_plain_500(self) -> None:
        self.assertEqual(status_for(ValueError("bug")), 500)
        self.assertEqual(status_for(OSError(errno.EACCES, "denied")), 500)
        wrapped = RuntimeError("saving")
        wrapped.__cause__ = OSError(errno.ENOSPC, "full")
        self.assertEqual(status_for(wrapped), 507)


@pytest.mark.postgres
class ConnectionLossTestCase(TransactionTestCase):
    """Committed rows and a real connection: a TestCase's transaction would die
    with the backend."""

    def setUp(self) -> None:
        agency = Agency.objects.create(
            name="Riverton Police Department", code="riverton-pd", state="MO"
        )
        make_person("Bob", "Baker", agency)
        self.alice = make_user("alice", (Role.COORDINATOR, agency))

    def _terminate_own_backend(self) -> None:
        connection.ensure_connection()
        pid = connection.connection.info.backend_pid
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])

    def test_a_dropped_connection_fails_cleanly_with_503_and_recovers(self) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(self.alice)
        self.assertEqual(client.get("/agencies/riverton-pd/").status_code, 200)
        self._terminate_own_backend()
        response = client.get("/agencies/riverton-pd/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "30")
        self.assertIn("cannot reach its database", response.content.decode())
        # What Django's handler does when a request finishes (the test client
        # leaves it out): a connection that failed is closed, and the next
        # request opens a new one.
        close_old_connections()
        self.assertEqual(client.get("/agencies/riverton-pd/").status_code, 200)
