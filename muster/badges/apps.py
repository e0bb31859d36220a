from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "muster.badges"
    label = "badges"
    verbose_name = "Open Badges credentials"
