from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "muster.learning"
    label = "learning"
    verbose_name = "Online learning"
