from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "muster.plans"
    label = "plans"
    verbose_name = "Plans"
