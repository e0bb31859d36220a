"""The audit trail's filters: by person, record, action, actor and dates."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet

from muster.audit.choices import Action
from muster.audit.models import AuditEntry
from muster.audit.records import RECORDS

PERSON_LINKS = ("person", "person_id")


class TrailFilter(forms.Form):
    """Every field optional; an empty form filters nothing."""

    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    record = forms.CharField(
        required=False,
        max_length=100,
        label="Record",
        help_text="Words of the record's name, such as a person or a course.",
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *Action.choices]
    )
    actor = forms.CharField(required=False, max_length=150, label="By (username)")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date.")
        return data

    def apply(self, entries: QuerySet[AuditEntry], person=None) -> QuerySet:
        """`entries` narrowed by the valid filters; `person` is the person whose
        id the form names, already checked as visible by the caller."""
        data = self.cleaned_data if self.is_valid() else {}
        if person is not None:
            entries = entries.filter(about_person(person))
        if data.get("record"):
            entries = entries.filter(object_label__icontains=data["record"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("actor"):
            entries = entries.filter(actor_name__iexact=data["actor"])
        if data.get("since"):
            entries = entries.filter(at__date__gte=data["since"])
        if data.get("until"):
            entries = entries.filter(at__date__lte=data["until"])
        return entries

    def query(self) -> str:
        """The filters as a query string, for the paging and export links."""
        if not self.is_valid():
            return ""
        values = {
            key: str(value)
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }
        return urlencode(values)


def about_person(person) -> Q:
    """Entries about `person` or any legal record of theirs."""
    condition = Q(object_type=person._meta.label, object_id=str(person.pk))
    for model, record in RECORDS.items():
        if model is type(person):
            continue
        if any(f.name == "person" for f in model._meta.get_fields()):
            ids = model._default_manager.filter(person=person).values_list(
                "pk", flat=True
            )
            condition |= Q(
                object_type=record.label(), object_id__in=[str(pk) for pk in ids]
            )
    return condition
