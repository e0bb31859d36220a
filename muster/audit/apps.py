from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "muster.audit"
    label = "audit"
    verbose_name = "Audit trail"
