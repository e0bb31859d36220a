"""`manage.py standings refresh|verify`: rewrite or check the stored standings."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from muster.agencies.compliance.standings import refresh_all, verify_standings
from muster.agencies.models import Agency


class Command(BaseCommand):
    help = (
        "refresh: evaluate everyone (or one agency's staff, --agency CODE) and "
        "rewrite their stored standings; run after migrate and whenever a mandate "
        "file changes. verify: evaluate again and list every stored standing that "
        "differs; exits 1 if any does."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["refresh", "verify"])
        parser.add_argument("--agency", help="an agency code (refresh only)")

    def handle(self, *args, what: str, agency: str | None = None, **options) -> None:
        if what == "refresh":
            chosen = None
            if agency:
                chosen = Agency.objects.filter(code=agency).first()
                if chosen is None:
                    raise CommandError(f"No agency has the code {agency!r}.")
            count = refresh_all(chosen)
            self.stdout.write(f"Standings refreshed for {count} people.")
            return
        differences = verify_standings()
        for difference in differences[:200]:
            self.stdout.write(str(difference))
        if differences:
            raise CommandError(
                f"{len(differences)} stored standings differ from a fresh evaluation; "
                "run `manage.py standings refresh` and report the cause."
            )
        self.stdout.write("Every stored standing matches a fresh evaluation.")
