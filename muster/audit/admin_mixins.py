"""Make the Django admin keep the same legal standard as the application's screens.

A training record, qualification, exemption, license or employment changed in the
admin is written to the audit trail with before, after, who, when, from where and
a reason that the form requires, under the same actions as the application's
(`training.correct`, `license.change`...). The entry about a record is written
after its inline rows are saved, so its `after` is the record's full state (a
training record's credit lines included) as `audit verify` compares it; inline
rows that are legal records themselves (a person's licenses) get their own
entries. Nothing can be deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from muster.audit.log import record_event
from muster.audit.records import PARTS, action_for, legal_record, state_of

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
    return state_of(stored) if stored is not None else None


def log_saved(request, obj, before: dict | None, reason: str, action=None) -> None:
    """Write the entry for `obj` as it is now, with its state before the save."""
    record_event(
        action or action_for(type(obj), before is None),
        obj=obj,
        before=before,
        after=state_of(obj),
        reason=reason,
        request=request,
        agency_id=getattr(obj, "agency_id", None),
    )


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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The record, its inline rows and their entries are saved all or nothing.
        with transaction.atomic():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj, form, change) -> None:
        part = PARTS.get(type(obj))
        owner = part.owner(obj) if part else None
        # What the record (or the record this row belongs to) was before the save.
        request._audit_before = _stored(owner if owner is not None else obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        part = PARTS.get(type(obj))
        target = part.owner(obj) if part else obj
        self.before_logging(target)
        before = request._audit_before
        reason = form.cleaned_data[REASON_FIELD]
        if part is not None:
            log_saved(request, target, before, reason, action_for(type(target), False))
        else:
            log_saved(request, target, before, reason)

    def before_logging(self, obj) -> None:
        """A hook to bring derived fields up to date once the inline rows are saved."""

    def save_formset(self, request: HttpRequest, form, formset, change) -> None:
        reason = form.cleaned_data[REASON_FIELD]
        # save(commit=False) fills new_objects and changed_objects, which the
        # admin's own change message reads afterwards.
        rows = formset.save(commit=False)
        for row in rows:
            before = _stored(row)
            row.save()
            if legal_record(type(row)) is not None:
                log_saved(request, row, before, reason)
        formset.save_m2m()
