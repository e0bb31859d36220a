"""`muster audit verify`: check that the audit trail is whole and unaltered."""

from django.core.management.base import BaseCommand, CommandError

from muster.audit.log import verify_chain


class Command(BaseCommand):
    help = (
        "Check the audit trail: recompute every entry's hash in order and report the "
        "first entry that was changed, removed or inserted behind the application."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="What to do.")

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.is_intact:
            raise CommandError(
                f"Audit trail BROKEN after {report.checked} good entries: {report.problem}."
            )
        self.stdout.write(f"Audit trail intact: {report.checked} entries verified.")
