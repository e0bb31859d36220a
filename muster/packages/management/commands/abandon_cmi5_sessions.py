"""The `abandon_cmi5_sessions` management command."""

from django.core.management.base import BaseCommand

from muster.packages.cmi5 import SESSION_TIMEOUT, abandon_stale_sessions


class Command(BaseCommand):
    help = (
        "Record cmi5 Abandoned statements (cmi5 9.3.6) for AU sessions that were "
        f"launched more than {SESSION_TIMEOUT} ago and never terminated, and revoke "
        "their credentials. A new launch in the same registration does this at once; "
        "this catches the sessions nobody comes back to."
    )

    def handle(self, *args, **options) -> None:
        count = abandon_stale_sessions()
        self.stdout.write(f"Abandoned {count} cmi5 session(s).")
