from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "muster.badges"
    label = "badges"
    verbose_name = "Open Badges credentials"

    def ready(self) -> None:
        from muster.badges import signals  # noqa: F401 (connects the receiver)
