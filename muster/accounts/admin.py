from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from muster.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "agency", "state", "granted_at", "revoked_at")
    readonly_fields = ("granted_at",)
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Muster", {"fields": ("person",)}),)
    raw_id_fields = ("person",)
    inlines = [RoleGrantInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "state", "granted_at", "revoked_at")
    list_filter = ("role", "state")
    raw_id_fields = ("user", "agency", "granted_by")

    def has_delete_permission(self, request, obj=None):
        return False
