"""Admin screens for people, licenses, training records and exemptions.

These are legal records: every save here is audited with a required reason
(`AuditedAdmin`), nothing can be deleted, and the "Void selected records" action
writes one audit entry per record it voids.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from muster.agencies import compliance
from muster.agencies.actions import record_label, record_snapshot
from muster.agencies.compliance.standings import refresh_standings
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
from muster.audit.admin_mixins import AuditedAdmin, AuditedInlineMixin
from muster.audit.choices import Action
from muster.audit.log import record_event


class StandingsAdmin(AuditedAdmin):
    """An audited admin whose saves refresh the person's stored standings, in the
    save's own transaction (`changeform_view` is atomic)."""

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        person_id = obj.pk if isinstance(obj, Person) else obj.person_id
        refresh_standings([person_id])


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


class CreditLineInline(AuditedInlineMixin, admin.TabularInline):
    model = CreditLine
    form = CreditLineForm
    extra = 1


class LicenseInline(AuditedInlineMixin, admin.TabularInline):
    model = License
    extra = 0


class ExemptionInline(AuditedInlineMixin, admin.TabularInline):
    model = Exemption
    extra = 0


@admin.register(Person)
class PersonAdmin(StandingsAdmin):
    list_display = ["last_name", "first_name", "external_id", "discipline"]
    list_filter = ["discipline", "licenses__jurisdiction"]
    search_fields = ["last_name", "first_name", "external_id"]
    inlines = [LicenseInline, ExemptionInline]


@admin.register(License)
class LicenseAdmin(StandingsAdmin):
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
class TrainingRecordAdmin(StandingsAdmin):
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

    def save_model(
        self, request: HttpRequest, obj: TrainingRecord, form, change
    ) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def before_logging(self, obj: TrainingRecord) -> None:
        # The natural key needs the hours, known once the credit lines are saved.
        obj.natural_key = obj.compute_natural_key(
            sum((line.hours for line in obj.credit_lines.all()), 0)
        )
        obj.save(update_fields=["natural_key"])

    @admin.action(description="Void selected records (entered in error)")
    def void_records(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = f"Voided in the admin by {request.user.get_username()}"
        count = 0
        with transaction.atomic():
            for record in queryset.filter(is_void=False).select_for_update():
                before = record_snapshot(record)
                record.void(reason)
                record_event(
                    Action.TRAINING_VOID,
                    obj=record,
                    before=before,
                    after=record_snapshot(record),
                    label=record_label(record),
                    reason=reason,
                    request=request,
                    agency_id=record.agency_id,
                )
                count += 1
            refresh_standings(queryset.values_list("person_id", flat=True))
        self.message_user(request, f"Voided {count} record(s).", messages.SUCCESS)


@admin.register(Exemption)
class ExemptionAdmin(StandingsAdmin):
    list_display = ["person", "kind", "starts_on", "ends_on", "reason"]
    list_filter = ["kind"]
    search_fields = ["person__last_name", "person__first_name", "reason"]
    autocomplete_fields = ["person"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "code", "kind", "state")
    list_filter = ("kind", "state")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}


@admin.register(Employment)
class EmploymentAdmin(StandingsAdmin):
    list_display = ("person", "agency", "title", "starts_on", "ends_on")
    list_filter = ("agency",)
    raw_id_fields = ("person",)


@admin.register(Qualification)
class QualificationAdmin(StandingsAdmin):
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


@admin.register(Evidence)
class EvidenceAdmin(AuditedAdmin):
    list_display = ("record", "description", "uploaded_at")
    raw_id_fields = ("record",)
