from django.contrib import admin

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
    list_display = ("code", "enrollment", "issued_at", "revoked_at")
    search_fields = ("code",)

    def has_delete_permission(self, request, obj=None):
        return False
