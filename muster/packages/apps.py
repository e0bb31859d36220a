from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "muster.packages"
    verbose_name = "Content packages (SCORM, cmi5)"
