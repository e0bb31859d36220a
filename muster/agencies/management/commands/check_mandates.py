"""The `check_mandates` management command."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from muster.rules import MandateError, load_mandates


class Command(BaseCommand):
    help = (
        "Load every mandate file and list the jurisdictions found; fail with the "
        "loader's message if any file is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--root",
            type=Path,
            default=None,
            help="Check the mandates under this folder instead of the shipped ones.",
        )

    def handle(self, *args, root: Path | None = None, **options) -> None:
        try:
            library = load_mandates(root)
        except MandateError as error:
            raise CommandError(str(error)) from None
        for code, jurisdiction in sorted(library.jurisdictions.items()):
            titles = ", ".join(m.title for m in jurisdiction.mandates)
            self.stdout.write(f"{code} {jurisdiction.name}: {titles}")
            for mandate in jurisdiction.mandates:
                if not mandate.is_verified:
                    self.stdout.write(
                        self.style.WARNING(
                            f"  {mandate.id} is UNVERIFIED: results are estimates."
                        )
                    )
        count = len(library.jurisdictions)
        self.stdout.write(
            self.style.SUCCESS(
                f"Mandates OK: {count} jurisdiction{'s' if count != 1 else ''} loaded."
            )
        )
