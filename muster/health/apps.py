from django.apps import AppConfig


class HealthConfig(AppConfig):
    """The health endpoint that load balancers and container checks poll."""

    name = "muster.health"
