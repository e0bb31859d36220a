"""Admin screens for people, licenses, training records and exemptions.

Training records cannot be deleted here: the "Void selected records" action marks
them void, and a record's page has the void box and reason.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from muster.agencies import compliance
from muster.agencies.models import (
    Agency,
    CreditLine,
    Employment,
    Evidence,
    Exemption,
    License,
    Person,
    Qualification,
    TrainingRecord,
)


class CreditLineForm(forms.ModelForm):
    class Meta:
        model = CreditLine
        fields = ["hours", "area", "topics"]

    def clean_topics(self) -> list[str]:
        topics = self.cleaned_data["topics"]
        unknown = compliance.unknown_topics(topics)
        if unknown:
            raise forms.ValidationError(
                f"Unknown topic(s): {', '.join(unknown)}. Use the words in "
                "muster/rules/topics.yaml."
            )
        return topics


class CreditLineInline(admin.TabularInline):
    model = CreditLine
    form = CreditLineForm
    extra = 1


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0


class ExemptionInline(admin.TabularInline):
    model = Exemption
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "external_id", "discipline"]
    list_filter = ["discipline", "licenses__jurisdiction"]
    search_fields = ["last_name", "first_name", "external_id"]
    inlines = [LicenseInline, ExemptionInline]


@admin.register(License)
class LicenseAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "jurisdiction",
        "discipline",
        "number",
        "licensed_on",
        "status",
    ]
    list_filter = ["jurisdiction", "discipline", "status"]
    search_fields = ["person__last_name", "person__first_name", "number"]
    autocomplete_fields = ["person"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "person",
        "completed_on",
        "provider_kind",
        "delivery",
        "is_void",
    ]
    list_filter = ["is_void", "provider_kind", "delivery", "completed_on"]
    search_fields = [
        "title",
        "person__last_name",
        "person__first_name",
        "provider_name",
    ]
    date_hierarchy = "completed_on"
    autocomplete_fields = ["person"]
    readonly_fields = ["created_at", "entered_by"]
    inlines = [CreditLineInline]
    actions = ["void_records"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: TrainingRecord, form, change
    ) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Void selected records (entered in error)")
    def void_records(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.filter(is_void=False).update(
            is_void=True,
            void_reason=f"Voided in admin by {request.user.get_username()}",
        )
        self.message_user(request, f"Voided {count} record(s).", messages.SUCCESS)


@admin.register(Exemption)
class ExemptionAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "starts_on", "ends_on", "reason"]
    list_filter = ["kind"]
    search_fields = ["person__last_name", "person__first_name", "reason"]
    autocomplete_fields = ["person"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "state")
    list_filter = ("kind", "state")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("person", "agency", "title", "starts_on", "ends_on")
    list_filter = ("agency",)
    raw_id_fields = ("person",)


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = (
        "person",
        "qualified_on",
        "weapon_type",
        "score",
        "result",
        "is_void",
    )
    list_filter = ("result", "weapon_type")
    raw_id_fields = ("person",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("record", "description", "uploaded_at")
    raw_id_fields = ("record",)

    def has_delete_permission(self, request, obj=None):
        return False
