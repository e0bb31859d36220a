"""prune_imports deletes old unconfirmed uploads and keeps everything else."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from muster.test import BaseTestCase
from muster.transfers.models import ImportBatch


class PruneImportsTestCase(BaseTestCase):
    def batch(self, days_old: int, applied: bool) -> ImportBatch:
        now = timezone.now()
        return ImportBatch.objects.create(
            agency=self.agency,
            kind="roster",
            file_name=f"{days_old}-{applied}.csv",
            content=b"a\n",
            uploaded_at=now - timedelta(days=days_old),
            applied_at=now if applied else None,
        )

    def test_it_deletes_only_old_unconfirmed_uploads(self) -> None:
        old = self.batch(8, applied=False)
        kept = [self.batch(6, applied=False), self.batch(30, applied=True)]
        out = StringIO()
        call_command("prune_imports", stdout=out)
        self.assertIn("Deleted 1 unconfirmed upload(s).", out.getvalue())
        self.assertFalse(ImportBatch.objects.filter(pk=old.pk).exists())
        self.assertEqual(
            set(ImportBatch.objects.values_list("pk", flat=True)),
            {batch.pk for batch in kept},
        )

    def test_it_deletes_compliance_exports_older_than_the_days(self) -> None:
        from muster.transfers.models import ExportJob

        now = timezone.now()
        jobs = [
            ExportJob.objects.create(
                agency=self.agency,
                year=2020,
                fmt="csv",
                as_of=now.date(),
                requested_by=self.alice,
                requested_at=now - timedelta(days=days),
                content=b"x",
                status="done",
            )
            for days in (8, 6)
        ]
        out = StringIO()
        call_command("prune_imports", stdout=out)
        self.assertIn("Deleted 1 old compliance export(s).", out.getvalue())
        self.assertEqual(
            list(ExportJob.objects.values_list("pk", flat=True)), [jobs[1].pk]
        )
