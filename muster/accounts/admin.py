"""Users and role grants in the admin. Role changes and deactivations go through
`actions`, so each is written to the audit trail; nothing here deletes a user."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from muster.accounts.actions import grant_role, revoke_role, set_active
from muster.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    """Read-only here: grant and revoke under "Role grants", which keeps the audit."""

    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "agency", "state", "granted_at", "revoked_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("Muster", {"fields": ("person",)}),)
    raw_id_fields = ("person",)
    inlines = [RoleGrantInline]
    actions = ["deactivate_users", "reactivate_users"]

    def get_readonly_fields(self, request, obj=None):
        # Deactivation is an audited action (below), not a ticked box.
        return (*super().get_readonly_fields(request, obj), "is_active")

    def has_delete_permission(self, request, obj=None):
        # The trail and the legal records name who acted: users are deactivated.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Deactivate selected users (they can no longer sign in)")
    def deactivate_users(self, request, queryset):
        self._set_active(request, queryset, False)

    @admin.action(description="Reactivate selected users")
    def reactivate_users(self, request, queryset):
        self._set_active(request, queryset, True)

    def _set_active(self, request, queryset, is_active: bool) -> None:
        verb = "Reactivated" if is_active else "Deactivated"
        reason = f"{verb} in the admin by {request.user.get_username()}"
        users = [u for u in queryset if u.is_active != is_active]
        for user in users:
            set_active(user, is_active, by=request.user, reason=reason, request=request)
        self.message_user(request, f"{verb} {len(users)} user(s).", messages.SUCCESS)


class RoleGrantChangeForm(forms.ModelForm):
    revoked = forms.BooleanField(
        required=False,
        help_text="Tick to revoke this role now. A revoked role cannot be restored: "
        "grant it again instead.",
    )

    class Meta:
        model = RoleGrant
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.revoked_at is not None:
            self.fields["revoked"].initial = True
            self.fields["revoked"].disabled = True


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """A grant is added once and may then only be revoked (never edited or deleted)."""

    list_display = ("user", "role", "agency", "state", "granted_at", "revoked_at")
    list_filter = ("role", "state")
    raw_id_fields = ("user", "agency")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "role", "agency", "state")
        return (
            "user",
            "role",
            "agency",
            "state",
            "granted_at",
            "granted_by",
            "revoked",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "role", "agency", "state", "granted_at", "granted_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = RoleGrantChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            saved = grant_role(
                obj.user,
                obj.role,
                agency=obj.agency,
                state=obj.state,
                granted_by=request.user,
                request=request,
                reason="granted in the admin",
            )
            obj.pk = saved.pk
        elif form.cleaned_data.get("revoked") and obj.revoked_at is None:
            revoke_role(
                obj,
                revoked_by=request.user,
                request=request,
                reason="revoked in the admin",
            )

    def has_delete_permission(self, request, obj=None):
        return False
