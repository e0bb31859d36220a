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
# Logins for the other roles, so that approving a waiver (the head), reading a
# whole state (the auditor) and the admin can be tried without raw ids.
ROLE_LOGINS = (
    ("head", Role.AGENCY_HEAD, "approves waivers and extensions at Riverton PD"),
    ("auditor", Role.STATE_AUDITOR, "reads every Missouri agency, changes nothing"),
)
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Load a fictional demonstration world (three Missouri agencies, one in "
        "Tennessee, one in Alabama; about 250 people with training since seven "
        "years ago) and logins for each role: 'coordinator' (Riverton PD), "
        "'officer', 'head' (Riverton PD's agency head), 'auditor' (Missouri) and "
        "'admin'; all but the officer enrol a second factor at first sign-in. Does "
        "nothing if the demo data is already there. Runs only with MUSTER_DEBUG on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Give every demo login a new random password and print them.",
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
        logins = [(coordinator, password), (officer, officer_password)]
        logins += [
            self._role_login(name, role, agency) for name, role, _ in ROLE_LOGINS
        ]
        logins.append(self._admin())
        for user, new in logins:
            if reset_password and new is None:
                new = secrets.token_urlsafe(12)
                user.set_password(new)
                user.save(update_fields=["password"])
            self._say(user, new)
        self.stdout.write(
            f"'{DEMO_USERNAME}' coordinates {agency.name} and is asked to enrol an "
            "authenticator app (TOTP) at first sign-in; "
            f"'{OFFICER_USERNAME}' sees only their own training; "
            + "; ".join(f"'{name}' {what}" for name, _, what in ROLE_LOGINS)
            + f"; '{ADMIN_USERNAME}' administers the platform (and the admin site)."
        )

    def _role_login(self, username: str, role: str, agency: Agency):
        """A login holding `role` at the demo agency (or in its state, for an
        auditor), created once."""
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user, None
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username, password=password)
        if role == Role.STATE_AUDITOR:
            grant_role(user, role, state=agency.state, reason="demo data")
        else:
            grant_role(user, role, agency=agency, reason="demo data")
        return user, password

    def _admin(self) -> tuple[User, str | None]:
        user = User.objects.filter(username=ADMIN_USERNAME).first()
        if user is not None:
            return user, None
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(ADMIN_USERNAME, password=password)
        return user, password

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
