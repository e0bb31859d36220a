"""The `seed_demo` management command."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from muster.accounts.actions import grant_role
from muster.accounts.choices import Role
from muster.accounts.demo import DEMO_USERNAME, ensure_demo_login
from muster.accounts.models import User
from muster.agencies import demo
from muster.agencies.models import Agency, Person

COORDINATOR_AGENCY = "riverton-pd"
OFFICER_USERNAME = "officer"


class Command(BaseCommand):
    help = (
        "Load a fictional demonstration world (three Missouri agencies, one in "
        "Tennessee, one in Alabama; about 250 people with training since seven "
        "years ago) and two logins: 'coordinator' (Riverton PD; enrols a second "
        "factor at first sign-in) and 'officer'. Does nothing if the demo data is "
        "already there. Runs only with MUSTER_DEBUG on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give both demo logins new random passwords and print them.",
        )

    def handle(self, *args, reset_password: bool = False, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo loads fictional people and demo logins, so it runs only "
                "in development (MUSTER_DEBUG=true)."
            )
        if demo.demo_data_exists():
            self.stdout.write("Demo data already present; nothing added.")
        else:
            counts = demo.create_demo_data(timezone.localdate())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {counts['agencies']} demo agencies, {counts['people']} "
                    f"people, {counts['records']} training records, "
                    f"{counts['qualifications']} qualifications and "
                    f"{counts['exemptions']} waiver(s)."
                )
            )
        self._logins(reset_password)

    def _logins(self, reset_password: bool) -> None:
        agency = Agency.objects.get(code=COORDINATOR_AGENCY)
        coordinator, password = ensure_demo_login(agency)
        if not coordinator.email:
            # Where the coordinator's reminder digests go (send_reminders).
            coordinator.email = agency.email
            coordinator.save(update_fields=["email"])
        officer, officer_password = self._officer(agency)
        for user, new in ((coordinator, password), (officer, officer_password)):
            if reset_password and new is None:
                new = secrets.token_urlsafe(12)
                user.set_password(new)
                user.save(update_fields=["password"])
            self._say(user, new)
        self.stdout.write(
            f"'{DEMO_USERNAME}' coordinates {agency.name} and is asked to enrol an "
            "authenticator app (TOTP) at first sign-in; "
            f"'{OFFICER_USERNAME}' sees only their own training."
        )

    def _officer(self, agency: Agency) -> tuple[User, str | None]:
        user = User.objects.filter(username=OFFICER_USERNAME).first()
        if user is not None:
            return user, None
        person = (
            Person.objects.filter(
                external_id__startswith=f"{demo.DEMO_MARK}{agency.code}-",
                discipline="peace-officer",
            )
            .order_by("pk")
            .first()
        )
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            OFFICER_USERNAME, email=person.email, password=password, person=person
        )
        grant_role(user, Role.OFFICER, agency=agency, reason="demo data")
        return user, password

    def _say(self, user: User, password: str | None) -> None:
        if password is None:
            self.stdout.write(
                f"Login '{user.username}' already exists; its password is unchanged "
                "(run seed_demo --reset-password for new ones)."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Login: {user.username}  password: {password}")
            )
