from django.apps import AppConfig


class StateConfig(AppConfig):
    name = "muster.state"
    label = "state"
    verbose_name = "State view"
