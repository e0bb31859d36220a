from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "muster.packages"
    verbose_name = "Content packages (SCORM, cmi5)"

    def ready(self) -> None:
        from muster.packages import checks  # noqa: F401  (registers the check)
        from muster.packages.cmi5_rules import Cmi5Policy
        from muster.xapi.policy import register

        register(Cmi5Policy())
