from django.contrib import admin

from muster.transfers.models import ImportBatch, TransferRequest


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


@admin.register(TransferRequest)
class TransferRequestAdmin(admin.ModelAdmin):
    """Read-only: requests are filed by imports and decided on the transfer pages,
    whose actions write the audit trail; an edit here would bypass it."""

    list_display = (
        "requested_at",
        "requesting_agency",
        "license_state",
        "license_number",
        "releasing_agency",
        "status",
        "decided_at",
    )
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
