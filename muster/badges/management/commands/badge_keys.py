"""manage.py badge_keys: list, rotate and retire providers' badge signing keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from muster.agencies.models import Agency
from muster.badges import actions
from muster.badges.keys import verification_method


class Command(BaseCommand):
    help = (
        "List a provider's badge signing keys, make its first one if it has none "
        "(ensure), rotate to a new one (the old ones keep verifying what they "
        "signed) or retire one (what it signed stops verifying). Each change is "
        "audited. See docs/badges.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("verb", choices=["list", "ensure", "rotate", "retire"])
        parser.add_argument("--provider", required=True, help="The agency's code.")
        parser.add_argument("--key", help="The key to retire, such as key-1.")
        parser.add_argument("--reason", default="", help="Why (rotate, retire).")
        parser.add_argument(
            "--algorithm",
            default="EdDSA",
            help="The new key's algorithm (rotate): EdDSA (default) or RS256.",
        )

    def handle(
        self, verb, provider, key=None, reason="", algorithm="EdDSA", **options
    ) -> None:
        agency = Agency.objects.filter(code=provider).first()
        if agency is None:
            raise CommandError(f"No agency has the code {provider!r}.")
        try:
            if verb == "ensure":
                actions.ensure_issuer_key(agency)
            elif verb == "rotate":
                actions.rotate_issuer_key(
                    actor=None, agency=agency, reason=reason, algorithm=algorithm
                )
            elif verb == "retire":
                found = agency.issuer_keys.filter(key_id=key or "").first()
                if found is None:
                    raise CommandError(f"{provider} has no key {key!r}; see list.")
                actions.retire_issuer_key(actor=None, key=found, reason=reason)
        except actions.NotAllowed as problem:
            raise CommandError(str(problem)) from None
        for row in agency.issuer_keys.order_by("created_at"):
            state = f"retired {row.retired_at:%Y-%m-%d}" if row.is_retired else "live"
            self.stdout.write(f"{verification_method(row)}  {state}  {row.algorithm}")
