from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from muster.learning.models import Attempt, Certificate, Enrollment


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("person", "course", "started_at", "active_seconds", "completed_at")
    raw_id_fields = ("person", "user", "record")
    readonly_fields = ("active_seconds", "last_heartbeat_at", "completed_at", "record")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = (
        "enrollment",
        "number",
        "submitted_at",
        "correct",
        "total",
        "is_passed",
    )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: revoking goes through its own page, which asks for a reason and
    writes the audit entry."""

    list_display = ("code", "enrollment", "issued_at", "revoked_at", "revoke_link")
    search_fields = ("code",)
    readonly_fields = (
        "enrollment",
        "code",
        "issued_at",
        "revoked_at",
        "revoke_reason",
        "revoke_link",
    )

    @admin.display(description="Revoke")
    def revoke_link(self, obj):
        if obj.is_revoked:
            return "revoked"
        url = reverse("learning:certificate-revoke", args=[obj.code])
        return format_html('<a href="{}">Revoke…</a>', url)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
