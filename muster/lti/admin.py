"""Registering platforms by hand, and rotating Muster's signing keys."""

from django import forms
from django.contrib import admin, messages
from django.db import models

from muster import outbound
from muster.lti import actions
from muster.lti.models import Deployment, Platform, ScorePost, ToolKey


def _https_first(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    """The endpoints Muster itself fetches are checked as they are typed
    (muster/outbound.py); the login URL is only where browsers are sent."""

    class Meta:
        model = Platform
        fields = "__all__"
        formfield_callback = _https_first

    def clean_auth_token_url(self) -> str:
        outbound.validate_url(self.cleaned_data["auth_token_url"])
        return self.cleaned_data["auth_token_url"]

    def clean_jwks_url(self) -> str:
        outbound.validate_url(self.cleaned_data["jwks_url"])
        return self.cleaned_data["jwks_url"]


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    form = PlatformForm
    list_display = ("name", "agency", "issuer", "client_id", "is_active", "is_dynamic")
    list_filter = ("is_active",)
    readonly_fields = ("registered_at", "is_dynamic")
    inlines = [DeploymentInline]
    # A platform's endpoints are https; a typed address without a scheme is too.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        actions.save_platform(obj, actor=request.user, request=request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Links, people's accounts and scores refer to it: deactivate.


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    fields = ("kid", "created_at", "retired_at")
    readonly_fields = fields
    actions = ["retire"]

    def has_add_permission(self, request) -> bool:
        return False  # Keys are made by `manage.py lti_rotate_key` (docs/lti.md).

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retire (remove from the JWKS)")
    def retire(self, request, queryset) -> None:
        for key in queryset:
            try:
                actions.retire_key(key, actor=request.user, request=request)
            except ValueError as error:
                self.message_user(request, str(error), messages.ERROR)


@admin.register(ScorePost)
class ScorePostAdmin(admin.ModelAdmin):
    list_display = ("enrollment", "status", "http_status", "created_at", "sent_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ScorePost._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
