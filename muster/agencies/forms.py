"""Forms for recording training, qualifications and exemptions.

Errors are attached to the field they are about, so the page shows each next to
its input; the templates render them with `aria-describedby`.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from muster.agencies import compliance
from muster.agencies.choices import (
    Area,
    Delivery,
    Discipline,
    LicenseStatus,
    ProviderKind,
    Result,
)
from muster.agencies.compliance import recording, words
from muster.agencies.models import (
    EARLIEST_DAY,
    Exemption,
    License,
    Qualification,
    TrainingRecord,
    breaks_to_stored,
    day_problems,
    earlier_breaks_problem,
)
from muster.tabular import CellProblem, cells

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
        # Words, not Django's "---------", for a course that has no pass or fail.
        self.fields["result"].choices = [("", "No pass or fail"), *Result.choices]
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


class PersonForm(forms.Form):
    """A person on the agency's staff: who they are, their license in the agency's
    state, and their job there. Used to add someone and to change their details."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    external_id = forms.CharField(
        label="Badge or personnel number", max_length=40, required=False
    )
    discipline = forms.ChoiceField(choices=Discipline.choices)
    email = forms.EmailField(required=False, help_text="Where reminders are sent.")
    license_number = forms.CharField(max_length=40, required=False)
    license_class = forms.CharField(
        label="License class",
        max_length=10,
        required=False,
        help_text="Such as A or B.",
    )
    licensed_on = forms.DateField(
        required=False,
        widget=DATE,
        help_text="First licensed in this state; blank if unknown.",
    )
    license_status = forms.ChoiceField(
        choices=LicenseStatus.choices, initial=LicenseStatus.ACTIVE
    )
    # Dates some rules count from (a new chief's course, a refresher after a break).
    appointed_on = forms.DateField(
        label="First appointed in the role",
        required=False,
        widget=DATE,
        help_text="A chief's first appointment as chief; blank if not a chief.",
    )
    separated_on = forms.DateField(
        label="Left service on",
        required=False,
        widget=DATE,
        help_text="Start of the latest break in service; blank if none.",
    )
    returned_on = forms.DateField(
        label="Back in service on",
        required=False,
        widget=DATE,
        help_text="Date of hire after that break; blank if none.",
    )
    earlier_breaks = forms.CharField(
        label="Earlier breaks in service",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "2015-03-01 to 2017-06-30"}),
        help_text=(
            "Breaks before the latest one, oldest first, each as 2015-03-01 to "
            "2017-06-30, separated by semicolons; blank if none."
        ),
    )
    attributes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Facts that change what applies",
    )
    title = forms.CharField(label="Title or rank", max_length=100, required=False)
    unit = forms.CharField(max_length=100, required=False)
    starts_on = forms.DateField(label="Works here since", widget=DATE)

    def __init__(self, *args, agency, person=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.agency, self.person = agency, person
        self.fields["attributes"].choices = words.attribute_choices()
        self.fields[
            "license_number"
        ].label = f"{agency.get_state_display()} license number"

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        problem = day_problems(starts_on=day).get("starts_on")
        if problem:
            raise ValidationError(problem)
        return day

    def clean_licensed_on(self):
        day = self.cleaned_data.get("licensed_on")
        problem = day_problems(licensed_on=day).get("licensed_on")
        if problem:
            raise ValidationError(problem)
        return day

    def clean_earlier_breaks(self) -> tuple:
        text = self.cleaned_data.get("earlier_breaks", "").strip()
        try:
            return cells.parse_breaks(text, today=timezone.localdate())
        except CellProblem as problem:
            raise ValidationError(f"{problem.message}; {problem.fix}.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        names = ("appointed_on", "separated_on", "returned_on")
        for name, problem in day_problems(**{n: data.get(n) for n in names}).items():
            self.add_error(name, problem)
        left, back = data.get("separated_on"), data.get("returned_on")
        if left and back and back < left:
            self.add_error("returned_on", "A break in service ends after it starts.")
        elif "earlier_breaks" in data:
            problem = earlier_breaks_problem(data["earlier_breaks"], left, back)
            if problem:
                self.add_error("earlier_breaks", problem)
        return data

    def clean_license_number(self) -> str:
        number = self.cleaned_data.get("license_number", "").strip()
        taken = License.objects.filter(
            jurisdiction=self.agency.state, number__iexact=number
        )
        if self.person is not None:
            taken = taken.exclude(person=self.person)
        if number and taken.exists():
            # Whose it is stays unsaid: the holder may work for another agency.
            raise ValidationError(
                "This license number is already on file for someone else. If they "
                "joined from another agency, ask for a transfer instead."
            )
        return number

    # The form's fields holding each model's field, where the names differ.
    MODEL_FIELD_NAMES = {
        "person": {},
        "license": {"number": "license_number", "status": "license_status"},
    }
    kept_names: frozenset[str] = frozenset()

    def person_fields(self) -> dict[str, Any]:
        names = ("first_name", "last_name", "external_id", "discipline", "email")
        return {name: self.cleaned_data[name] for name in names}

    def license_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "discipline": data["discipline"],
            "number": data["license_number"],
            "license_class": data["license_class"],
            "licensed_on": data["licensed_on"],
            "status": data["license_status"],
            "attributes": list(data["attributes"]),
            "appointed_on": data["appointed_on"],
            "separated_on": data["separated_on"],
            "returned_on": data["returned_on"],
            "earlier_breaks": breaks_to_stored(data["earlier_breaks"]),
        }

    def employment_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("title", "unit", "starts_on")
        }


class PersonEditForm(PersonForm):
    """Changing a staff member. `kept` (from `access.kept_fields`) names, by model,
    the shared fields the user may not change: those are shown read-only with
    `kept_reason`, never passed on, and a post that changes one anyway is
    refused with that reason on the field (`actions.edit_person` refuses it too).
    """

    ends_on = forms.DateField(
        label="Left on",
        required=False,
        widget=DATE,
        help_text="The last day they worked here; the person and records stay on file.",
    )
    reason = forms.CharField(
        max_length=200, help_text="Why the details change: kept in the history."
    )

    def __init__(self, *args, kept=None, kept_reason: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kept = kept or {}
        self.kept_reason = kept_reason
        self.kept_names = frozenset(
            self.MODEL_FIELD_NAMES[model].get(name, name)
            for model, names in kept.items()
            for name in names
        )
        for name in self.kept_names:
            # Shown, not editable: the browser sends nothing back for it, and
            # the form reads the value on file, not the post.
            self.fields[name].disabled = True
            self.fields[name].help_text = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "They cannot leave before they started.")
        for name in sorted(self.kept_names):
            if self._posted_change(name):
                self.add_error(name, f"Kept as it is: {self.kept_reason}.")
        return data

    def _posted_change(self, name: str) -> bool:
        """Whether the post changes the read-only field `name` (a browser sends
        none of it; a crafted post may)."""
        key = self.add_prefix(name)
        if key not in self.data:
            return False
        field = copy.copy(self.fields[name])
        field.disabled = False
        posted = field.widget.value_from_datadict(self.data, self.files, key)
        return field.has_changed(self.get_initial_for_field(field, name), posted)

    def person_fields(self) -> dict[str, Any]:
        return self._without_kept(super().person_fields(), "person")

    def license_fields(self) -> dict[str, Any]:
        return self._without_kept(super().license_fields(), "license")

    def _without_kept(self, fields: dict[str, Any], model: str) -> dict[str, Any]:
        names = self.MODEL_FIELD_NAMES[model]
        return {
            name: value
            for name, value in fields.items()
            if names.get(name, name) not in self.kept_names
        }

    def employment_fields(self) -> dict[str, Any]:
        return super().employment_fields() | {"ends_on": self.cleaned_data["ends_on"]}


def person_initial(person, agency, employment) -> dict[str, Any]:
    """The edit form's starting values, from the person, license and job."""
    license = person.licenses.filter(jurisdiction=agency.state).first()
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "external_id": person.external_id,
        "discipline": person.discipline,
        "email": person.email,
        "title": employment.title,
        "unit": employment.unit,
        "starts_on": employment.starts_on,
        "ends_on": employment.ends_on,
    }
    if license is not None:
        initial |= {
            "license_number": license.number,
            "license_class": license.license_class,
            "licensed_on": license.licensed_on,
            "license_status": license.status,
            "attributes": license.attributes,
            "appointed_on": license.appointed_on,
            "separated_on": license.separated_on,
            "returned_on": license.returned_on,
            "earlier_breaks": cells.breaks_text(license.breaks_before_latest),
        }
    return initial
