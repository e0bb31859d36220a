from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "muster.catalog"
    label = "catalog"
    verbose_name = "Course catalog"
