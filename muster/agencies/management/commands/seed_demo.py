"""The `seed_demo` management command."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from muster.agencies import demo

USERNAME = "coordinator"


class Command(BaseCommand):
    help = (
        "Load fictional demonstration people (Missouri, Tennessee, Alabama) with "
        "training since seven years ago, and a 'coordinator' login. Does nothing if "
        "the demo data is already there. Runs only with MUSTER_DEBUG on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give the coordinator login a new random password and print it.",
        )

    def handle(self, *args, reset_password: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo loads fictional people and an administrator login, so it "
                "runs only in development (MUSTER_DEBUG=true)."
            )
        user = self._coordinator(reset_password)
        if demo.demo_data_exists():
            self.stdout.write("Demo data already present; nothing added.")
            return
        counts = demo.create_demo_data(timezone.localdate(), entered_by=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {counts['people']} demo people with {counts['records']} "
                f"training records and {counts['exemptions']} waiver(s)."
            )
        )

    def _coordinator(self, reset_password: bool):
        users = get_user_model()
        user = users.objects.filter(username=USERNAME).first()
        if user is not None and not reset_password:
            self.stdout.write(
                f"Login '{USERNAME}' already exists; its password is unchanged "
                "(run seed_demo --reset-password for a new one)."
            )
            return user
        password = secrets.token_urlsafe(12)
        if user is None:
            user = users.objects.create_superuser(USERNAME, "", password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(f"Login: {USERNAME}  password: {password}")
        )
        return user
