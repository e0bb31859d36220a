"""The LRS in the admin: read-only, since clients, statements and mappings change
only through the agency's xAPI page and the /xapi/ resources (with their audit)."""

from django.contrib import admin

from muster.xapi.models import ActivityMapping, ForwardDelivery, LRSClient, Statement


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LRSClient)
class LRSClientAdmin(ReadOnly):
    list_display = ("name", "agency", "key", "created_at", "revoked_at")
    exclude = ("secret_hash",)


@admin.register(Statement)
class StatementAdmin(ReadOnly):
    list_display = ("statement_id", "agency", "verb_id", "stored", "is_voided")
    list_filter = ("is_voided",)


@admin.register(ActivityMapping)
class ActivityMappingAdmin(ReadOnly):
    list_display = ("activity_id", "agency", "course", "hours", "mapped_at")


@admin.register(ForwardDelivery)
class ForwardDeliveryAdmin(ReadOnly):
    list_display = ("statement", "target", "attempts", "delivered_at", "last_error")
