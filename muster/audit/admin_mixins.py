"""Make the Django admin keep the same legal standard as the application's screens.

A training record, qualification, exemption, license or employment changed in the
admin is written to the audit trail with before, after, who, when, from where and
a reason that the form requires; inline rows (credit lines, licenses) are recorded
one by one under the same reason; nothing can be deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from muster.audit.log import record_event, snapshot

REASON_FIELD = "change_reason"


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for this change",
        max_length=500,
        help_text="Kept in the audit trail with the values before and after.",
    )


def _stored(obj) -> dict | None:
    """The row as it is in the database now, before this save."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else None


class AuditedInlineMixin:
    """Inline rows are corrected, never deleted, from the admin."""

    can_delete = False


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves are audited with a required reason; no deletes."""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        # The reason is declared on the form class itself so that the admin may list
        # it among the fields without looking for it on the model.
        base = kwargs.pop("form", self.form)
        kwargs["form"] = type(
            f"Audited{base.__name__}", (base,), {REASON_FIELD: _reason_field()}
        )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != REASON_FIELD]
        return [*fields, REASON_FIELD]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        before = _stored(obj)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_event(
                "admin.change" if change else "admin.create",
                obj=obj,
                before=before,
                after=snapshot(obj),
                reason=form.cleaned_data[REASON_FIELD],
                request=request,
                agency_id=getattr(obj, "agency_id", None),
            )

    def save_formset(self, request: HttpRequest, form, formset, change) -> None:
        reason = form.cleaned_data[REASON_FIELD]
        with transaction.atomic():
            # save(commit=False) fills new_objects and changed_objects, which the
            # admin's own change message reads afterwards.
            rows = formset.save(commit=False)
            for row in rows:
                before = _stored(row)
                row.save()
                record_event(
                    "admin.change" if before is not None else "admin.create",
                    obj=row,
                    before=before,
                    after=snapshot(row),
                    reason=reason,
                    request=request,
                    agency_id=getattr(row, "agency_id", None),
                )
            formset.save_m2m()
