"""Forms for recording training, qualifications and exemptions.

Errors are attached to the field they are about, so the page shows each next to
its input; the templates render them with `aria-describedby`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from muster.agencies import compliance
from muster.agencies.choices import Area, Delivery, ProviderKind, Result
from muster.agencies.compliance import recording
from muster.agencies.models import (
    EARLIEST_DAY,
    Exemption,
    Qualification,
    TrainingRecord,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".heic", ".tif", ".tiff")


def check_upload(upload) -> None:
    """Refuse files that are too large or not a document or photo."""
    if upload is None:
        return
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("The file is larger than 20 MB.")
    if not upload.name.lower().endswith(EVIDENCE_TYPES):
        raise ValidationError("Upload a PDF or a photo (PNG, JPEG, HEIC or TIFF).")


class TrainingForm(forms.ModelForm):
    """A record's own fields; its hours come from the credit-line formset."""

    evidence = forms.FileField(
        required=False,
        validators=[check_upload],
        help_text="A certificate or sign-in sheet (PDF or photo).",
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "title",
            "started_on",
            "completed_on",
            "provider_name",
            "provider_kind",
            "course_number",
            "delivery",
            "result",
            "counts_for",
        ]
        widgets = {"started_on": DATE, "completed_on": DATE}
        labels = {"counts_for": "Make-up for year"}

    def __init__(
        self, *args, person=None, evidence_required: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        if evidence_required:
            self.fields["evidence"].required = True
            self.fields["evidence"].help_text = (
                "Your certificate or attendance record (PDF or photo): your "
                "coordinator checks it before approving."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        started, completed = data.get("started_on"), data.get("completed_on")
        if started and completed and started > completed:
            self.add_error("started_on", "The start cannot be after the completion.")
        self._check_make_up(data)
        return data

    def people(self) -> list:
        """Whose rules decide what the record may claim: the person it is for."""
        return [self.person] if self.person is not None else []

    def _check_make_up(self, data: dict[str, Any]) -> None:
        counts_for, completed = data.get("counts_for"), data.get("completed_on")
        if counts_for is None or completed is None:
            return
        if not EARLIEST_DAY.year <= counts_for < completed.year:
            return  # The model's own checks say what is wrong with these.
        problem = recording.make_up_problem(self.people(), counts_for, completed)
        if problem:
            self.add_error("counts_for", problem)

    def record_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.Meta.fields} | {
            "result": data.get("result") or "",
        }


class CreditLineForm(forms.Form):
    """Hours credited to one area and any number of topics."""

    hours = forms.DecimalField(
        min_value=0, max_digits=6, decimal_places=2, required=False
    )
    area = forms.ChoiceField(
        choices=[("", "No area")] + list(Area.choices), required=False
    )
    topics = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = compliance.topic_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("hours") is None and (data.get("area") or data.get("topics")):
            self.add_error("hours", "Enter the hours for this line.")
        return data


class BaseCreditLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.lines():
            raise ValidationError("Enter the hours of at least one credit line.")

    def lines(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("hours") is not None
        ]


CreditLineFormSet = forms.formset_factory(
    CreditLineForm, formset=BaseCreditLineFormSet, extra=0, min_num=3
)


def line_formset(data=None, record: TrainingRecord | None = None):
    """The credit-line rows, filled from `record` when correcting it."""
    initial = None
    if record is not None:
        initial = [
            {"hours": line.hours, "area": line.area, "topics": line.topics}
            for line in record.credit_lines.all()
        ]
    return CreditLineFormSet(data, initial=initial, prefix="lines")


class CorrectionForm(TrainingForm):
    reason = forms.CharField(
        max_length=200, help_text="Why the record is changed: kept in its history."
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Why the record does not count: kept with it."
    )


class ClassForm(TrainingForm):
    """One session for many attendees from the agency's roster."""

    attendees = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple
    )
    sheet = forms.FileField(
        required=False,
        validators=[check_upload],
        label="Sign-in sheet",
        help_text="Stored as evidence on every attendee's record.",
    )

    def __init__(self, *args, roster, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("evidence")
        self.fields["attendees"].queryset = roster
        self.fields["attendees"].label_from_instance = _roster_label

    def people(self) -> list:
        return list(self.cleaned_data.get("attendees") or [])


def _roster_label(person) -> str:
    badge = f" ({person.external_id})" if person.external_id else ""
    return f"{person.last_name}, {person.first_name}{badge}"


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", "Say why, so the officer can fix it.")
        return data

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class QualificationForm(forms.ModelForm):
    """One range day; the same attempt entered twice is refused, not counted twice."""

    class Meta:
        model = Qualification
        fields = [
            "qualified_on",
            "weapon_type",
            "course_of_fire",
            "score",
            "result",
            "instructor",
        ]
        widgets = {"qualified_on": DATE}
        help_texts = {"score": "As the course of fire scores it; never negative."}

    def __init__(self, *args, person=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if person is not None:
            self.instance.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.person_id and data.get("qualified_on"):
            self._check_duplicate(data)
        return data

    def _check_duplicate(self, data: dict[str, Any]) -> None:
        probe = Qualification(
            person_id=self.instance.person_id,
            qualified_on=data["qualified_on"],
            weapon_type=data.get("weapon_type") or "",
            course_of_fire=data.get("course_of_fire") or "",
        )
        probe.pk = self.instance.pk
        if probe.same_attempts().exists():
            self.add_error(
                "qualified_on",
                "This qualification (same day, weapon and course of fire) is "
                "already on file; correct that one instead of entering it again.",
            )

    def qualification_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class QualificationCorrectionForm(QualificationForm):
    reason = forms.CharField(
        max_length=200,
        help_text="Why the qualification is changed: kept in its history.",
    )


class QualificationVoidForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Why the qualification does not count: kept with it."
    )


class ExemptionForm(forms.ModelForm):
    """A waiver or extension of some or all of the requirements the person owes."""

    requirements = forms.MultipleChoiceField(
        required=False,
        label="Requirements covered",
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the requirements it covers; tick none for every requirement.",
        error_messages={
            "invalid_choice": "%(value)s is not one of this person's requirements."
        },
    )

    class Meta:
        model = Exemption
        fields = ["kind", "starts_on", "ends_on", "reason", "requirements", "evidence"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, person, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["evidence"].validators.append(check_upload)
        # Only the person's own requirements, by name: an unknown id (a typo) is
        # refused next to the field instead of silently covering every requirement.
        self.fields["requirements"].choices = recording.requirement_choices(person)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "An exemption cannot end before it starts.")
        return data

    def exemption_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class DraftContextForm(forms.Form):
    """The record fields that decide what a credit line counts toward, read from a
    form being filled in; anything missing or malformed falls back to a default,
    since the answer is a hint, not a save."""

    completed_on = forms.DateField(required=False)
    delivery = forms.ChoiceField(choices=Delivery.choices, required=False)
    provider_kind = forms.ChoiceField(choices=ProviderKind.choices, required=False)
    result = forms.ChoiceField(choices=[("", "")] + Result.choices, required=False)


def line_drafts(data) -> list[tuple[int, recording.LineDraft]]:
    """(line number, draft) for each credit line with hours in a posted form."""
    context = DraftContextForm(data)
    context.is_valid()
    fields = context.cleaned_data
    completed = fields.get("completed_on") or timezone.localdate()
    drafts = []
    for number, line in enumerate(line_formset(data).forms, start=1):
        if not line.is_valid() or line.cleaned_data.get("hours") in (None, 0):
            continue
        drafts.append(
            (
                number,
                recording.LineDraft(
                    hours=line.cleaned_data["hours"],
                    area=line.cleaned_data.get("area") or "",
                    topics=frozenset(line.cleaned_data.get("topics") or ()),
                    delivery=fields.get("delivery") or Delivery.LIVE,
                    provider_kind=fields.get("provider_kind") or ProviderKind.OTHER,
                    completed_on=completed,
                    result=fields.get("result") or "",
                ),
            )
        )
    return drafts
