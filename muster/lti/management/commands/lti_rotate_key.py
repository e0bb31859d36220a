from django.core.management.base import BaseCommand

from muster.lti import actions
from muster.lti.models import ToolKey


class Command(BaseCommand):
    help = (
        "Add a new LTI signing key, which signs from now on; older keys stay in the "
        "JWKS until retired (--retire-old retires all but the new one, once platforms have fetched it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--retire-old", action="store_true")

    def handle(self, *args, retire_old: bool = False, **options) -> None:
        key = actions.rotate_key()
        self.stdout.write(f"New key {key.kid}.")
        if retire_old:
            for old in ToolKey.objects.filter(retired_at=None).exclude(pk=key.pk):
                actions.retire_key(old)
                self.stdout.write(f"Retired {old.kid}.")
