from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API under /api/v1/ and the tokens that open it (docs/api.md)."""

    name = "muster.api"
    label = "api"
