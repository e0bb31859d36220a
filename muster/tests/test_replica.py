"""Reports read from the replica when one is configured (muster/replica.py).

Run with a second alias on the same server, e.g.
`DATABASE_URL=postgres://…/muster_x DATABASE_REPLICA_URL=postgres://…/muster_x`:
the replica alias then mirrors the test database, and the test sees which alias
each query went to.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connections
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext

from muster.accounts.choices import Role
from muster.agencies.models import Agency
from muster.replica import REPLICA, ReplicaRouter, reads_from_replica
from muster.test import BaseTestCase, make_person, make_user

HAS_REPLICA = REPLICA in settings.DATABASES


class RouterTestCase(BaseTestCase):
    def test_outside_a_report_every_read_stays_on_the_primary(self) -> None:
        router = ReplicaRouter()
        from muster.agencies.models import Person

        self.assertIsNone(router.db_for_read(Person))
        self.assertEqual(router.db_for_write(Person), "default")
        self.assertFalse(router.allow_migrate(REPLICA, "agencies"))

    def test_inside_a_report_reads_go_to_the_replica_but_the_audit_chain_does_not(
        self,
    ) -> None:
        from muster.agencies.models import Person
        from muster.audit.models import AuditEntry

        router = ReplicaRouter()
        seen = reads_from_replica(
            lambda: (router.db_for_read(Person), router.db_for_read(AuditEntry))
        )()
        expected = REPLICA if HAS_REPLICA else None
        self.assertEqual(seen[0], expected)
        self.assertEqual(seen[1], "default" if HAS_REPLICA else None)
        # The mark ends with the view.
        self.assertIsNone(router.db_for_read(Person))


@pytest.mark.skipif(not HAS_REPLICA, reason="needs DATABASE_REPLICA_URL")
class ReplicaExportTestCase(TransactionTestCase):
    databases = {"default", REPLICA}

    def setUp(self) -> None:
        agency = Agency.objects.create(
            name="Riverton Police Department", code="riverton-pd", state="MO"
        )
        make_person("Bob", "Baker", agency)
        self.alice = make_user("alice", (Role.COORDINATOR, agency))

    def test_a_compliance_export_reads_from_the_replica_and_audits_on_the_primary(
        self,
    ) -> None:
        from muster.audit.models import AuditEntry

        self.client.force_login(self.alice)
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections["default"]) as primary,
        ):
            response = self.client.get("/agencies/riverton-pd/exports/compliance.csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Baker", response.content.decode())
        read_there = " ".join(q["sql"] for q in replica.captured_queries)
        self.assertIn("agencies_person", read_there)
        self.assertNotIn("INSERT", read_there)
        written = " ".join(q["sql"] for q in primary.captured_queries)
        self.assertIn('INSERT INTO "audit_auditentry"', written)
        self.assertTrue(AuditEntry.objects.filter(action="export.download").exists())
