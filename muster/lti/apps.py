from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "muster.lti"
    verbose_name = "LTI 1.3 (Muster as a tool in an LMS)"

    def ready(self) -> None:
        from muster.lti import receivers

        receivers.connect()
