from django.apps import AppConfig


class TransfersConfig(AppConfig):
    """Data in and out: roster and training imports, reports and state files."""

    name = "muster.transfers"
    default_auto_field = "django.db.models.BigAutoField"
