from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Emails to people who are short of a mandate, and digests to coordinators."""

    name = "muster.reminders"
    default_auto_field = "django.db.models.BigAutoField"
