from django.apps import AppConfig
from django.core import checks


class AuditConfig(AppConfig):
    name = "muster.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        checks.register(check_audit_keys, checks.Tags.security, deploy=True)


def check_audit_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A deployment needs its own audit keys, readable and well formed."""
    from django.core.exceptions import ImproperlyConfigured

    from muster.audit.keys import DEVELOPMENT_KEY_ID, parse_keys

    try:
        keys = parse_keys(_setting())
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="muster.audit.E002")]
    # .env.example's placeholder is long enough to parse, and public.
    placeholder = any(b"change-me" in secret for secret in keys.values())
    if not keys or DEVELOPMENT_KEY_ID in keys or placeholder:
        return [
            checks.Error(
                "MUSTER_AUDIT_KEYS is not set (or still holds the development key "
                "or .env.example's placeholder): "
                "the audit trail would not be sealed with a key of your own.",
                hint="See docs/security.md, 'Keys, seals and checkpoints'.",
                id="muster.audit.E001",
            )
        ]
    return []


def _setting() -> str:
    from django.conf import settings

    return getattr(settings, "AUDIT_KEYS", "")
