from django.contrib import admin

from muster.reminders.models import DigestSent, ReminderSent


class ReadOnly(admin.ModelAdmin):
    """The log is written when an email goes out, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnly):
    list_display = ("sent_at", "person", "mandate", "period_start", "point", "email")
    list_filter = ("point", "mandate")


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnly):
    list_display = ("sent_at", "user", "agency", "sent_on", "people")
