from django.contrib import admin

from muster.transfers.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: batches are made by the import screens, never by hand."""

    list_display = (
        "uploaded_at",
        "agency",
        "kind",
        "file_name",
        "uploaded_by",
        "applied_at",
    )
    list_filter = ("kind", "agency")
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
