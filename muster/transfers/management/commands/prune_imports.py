"""The `prune_imports` management command."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from muster.transfers.models import ExportJob, ImportBatch


class Command(BaseCommand):
    help = (
        "Delete uploaded import files that were never confirmed, once they are "
        "older than --days (default 7). Uploads hold names, emails and license "
        "numbers, so they are not kept longer than the import needs them. "
        "Confirmed imports are kept: their file shows what was imported. "
        "Compliance exports made in the background are deleted too, once they "
        "finished (or were asked for) longer ago than --days: their file is "
        "made again on request."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days: int, **options) -> None:
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = ImportBatch.objects.filter(
            applied_at__isnull=True, uploaded_at__lt=cutoff
        ).delete()
        self.stdout.write(f"Deleted {deleted} unconfirmed upload(s).")
        # A job still waiting or running is kept unless it was asked for before
        # the cut-off too (its worker is long gone).
        jobs, _ = ExportJob.objects.filter(requested_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {jobs} old compliance export(s).")
