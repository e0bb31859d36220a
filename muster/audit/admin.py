from django.contrib import admin

from muster.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the application, never by hand."""

    list_display = (
        "sequence",
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_label",
    )
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_label", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
