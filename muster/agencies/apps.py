"""Django app configuration for agencies."""

from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    """People, their licenses and training records, and the compliance pages."""

    name = "muster.agencies"
    label = "agencies"
    verbose_name = "Agencies and people"
