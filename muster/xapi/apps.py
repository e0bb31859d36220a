from django.apps import AppConfig


class XapiConfig(AppConfig):
    name = "muster.xapi"
    verbose_name = "xAPI learning record store"
