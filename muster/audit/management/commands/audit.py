"""`manage.py audit verify|checkpoint|baseline`: check and anchor the audit trail."""

from django.core.management.base import BaseCommand, CommandError

from muster.audit import checkpoints
from muster.audit.verify import baseline, verify

SHOWN = 200


class Command(BaseCommand):
    help = (
        "verify: check every entry's place, link and keyed seal, that every legal "
        "record's state equals its last entry's, and with --checkpoint FILE that "
        "nothing was removed from the end or recomputed; reports every problem. "
        "checkpoint: append a sealed checkpoint of the trail's head to --file (or "
        "MUSTER_AUDIT_CHECKPOINT_FILE, else print it). baseline: once, after an "
        "upgrade, accept the current state of records that verify reports, with "
        "--reason (itself audited)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "baseline"])
        parser.add_argument("--checkpoint", help="verify: a checkpoint file to check")
        parser.add_argument("--file", help="checkpoint: the file to append to")
        parser.add_argument("--reason", default="", help="baseline: why")

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            checkpoint = checkpoints.write(options["file"])
            self.stdout.write(checkpoint.line())
            return
        if options["action"] == "baseline":
            try:
                count = baseline(options["reason"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Baseline written for {count} records.")
            return
        self._verify(options["checkpoint"])

    def _verify(self, checkpoint_file):
        try:
            report = verify(checkpoint_file)
        except OSError as error:
            raise CommandError(f"{checkpoint_file}: {error.strerror}") from None
        checked = (
            f"{report.entries} entries ({report.unkeyed} from before keys), "
            f"{report.records} records, {report.checkpoints} checkpoints"
        )
        if report.is_intact:
            self.stdout.write(f"Audit trail intact: {checked} verified.")
            return
        for problem in report.problems[:SHOWN]:
            self.stderr.write(f"- {problem}")
        more = len(report.problems) - SHOWN
        if more > 0:
            self.stderr.write(f"- ... and {more} more")
        raise CommandError(
            f"Audit trail BROKEN: {len(report.problems)} problems in {checked}."
        )
