"""Forms for the catalog search and for authoring courses."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory

from muster.agencies import compliance
from muster.agencies.choices import Area, State
from muster.catalog.choices import AssetKind, Audience, QuestionKind
from muster.catalog.models import (
    ApprovalCredit,
    Choice,
    Course,
    CourseApproval,
    Lesson,
    LessonAsset,
    Question,
)

HOURS_FILTERS = [("", "Any length"), ("1", "Up to 1 hour"), ("2", "Up to 2 hours")]
HOURS_FILTERS += [("4", "Up to 4 hours"), ("8", "Up to 8 hours")]

# What an uploaded asset may be, by kind: file name endings, and the largest size.
ASSET_TYPES = {
    AssetKind.IMAGE: ({".png", ".jpg", ".jpeg", ".gif", ".webp"}, 5),
    AssetKind.VIDEO: ({".mp4", ".webm"}, 500),
    AssetKind.HANDOUT: ({".pdf", ".docx", ".xlsx", ".pptx", ".txt"}, 25),
}


class CatalogFilterForm(forms.Form):
    """The catalog's search box and filters; every field is optional."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    topic = forms.ChoiceField(required=False)
    hours = forms.ChoiceField(label="Length", choices=HOURS_FILTERS, required=False)
    state = forms.ChoiceField(
        label="Approved in", choices=[("", "Any state"), *State.choices], required=False
    )
    audience = forms.ChoiceField(
        label="Written for",
        choices=[("", "Anyone"), *Audience.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [
            ("", "Any topic"),
            *compliance.topic_choices(),
        ]


class CourseForm(forms.ModelForm):
    """A course's metadata; the provider is limited to those the author works for."""

    audience = forms.MultipleChoiceField(
        choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "audience",
            "provider",
            "credited_hours",
            "seat_time_minutes",
            "pass_mark",
            "questions_per_attempt",
            "max_attempts",
            "retry_wait_minutes",
            "release_on",
            "retire_on",
        ]
        widgets = {
            "release_on": forms.DateInput(attrs={"type": "date"}),
            "retire_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if self.instance.pk:
            # The slug is in every link to the course and in its content folder.
            self.fields["slug"].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        release, retire = data.get("release_on"), data.get("retire_on")
        if release and retire and retire <= release:
            self.add_error("retire_on", "The retirement date must follow the release.")
        return data


class LessonForm(forms.ModelForm):
    video_url = forms.URLField(
        label="Video URL", required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Lesson
        fields = ["position", "title", "body", "video_url", "minutes"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "class": "markdown"})}

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.course = course

    def clean_position(self) -> int:
        position = self.cleaned_data["position"]
        taken = self.course.lessons.filter(position=position)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"Lesson {position} already exists; pick another.")
        return position


class AssetForm(forms.ModelForm):
    class Meta:
        model = LessonAsset
        fields = ["kind", "title", "file"]

    def clean(self) -> dict:
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if not upload or kind not in ASSET_TYPES:
            return data
        endings, megabytes = ASSET_TYPES[kind]
        if Path(upload.name).suffix.lower() not in endings:
            allowed = ", ".join(sorted(endings))
            self.add_error("file", f"This kind of file must end in one of: {allowed}.")
        elif upload.size > megabytes * 1024 * 1024:
            self.add_error("file", f"This kind of file may be at most {megabytes} MB.")
        return data


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["text", "kind", "explanation", "lesson"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lesson"].queryset = course.lessons.all()
        self.fields["lesson"].empty_label = "Final assessment"
        self.fields["lesson"].label = "Knowledge check in"


class BaseChoiceFormSet(forms.BaseInlineFormSet):
    """At least two choices, and the right number marked correct for the kind."""

    kind = QuestionKind.SINGLE

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(bool(data.get("is_correct")) for data in kept)
        if len(kept) < 2:
            raise ValidationError("Give at least two choices.")
        if correct == 0:
            raise ValidationError("Mark at least one choice as correct.")
        if self.kind == QuestionKind.SINGLE and correct > 1:
            raise ValidationError(
                "A one-answer question has exactly one correct choice; mark one, "
                "or make it a several-answer question."
            )


ChoiceFormSet = inlineformset_factory(
    Question,
    Choice,
    formset=BaseChoiceFormSet,
    fields=["text", "is_correct"],
    extra=4,
    max_num=8,
    can_delete=True,
)


class ApprovalForm(forms.ModelForm):
    class Meta:
        model = CourseApproval
        fields = [
            "jurisdiction",
            "approval_number",
            "valid_from",
            "valid_until",
            "provider_kind",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "The approval cannot end before it starts.")
        return data


class CreditForm(forms.ModelForm):
    """One credit line: hours by area and topics (topics from topics.yaml)."""

    area = forms.ChoiceField(choices=[("", "No area"), *Area.choices], required=False)
    topics = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApprovalCredit
        fields = ["hours", "area", "topics"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = compliance.topic_choices()


class BaseCreditFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError("Give at least one credit line.")


CreditFormSet = inlineformset_factory(
    CourseApproval,
    ApprovalCredit,
    form=CreditForm,
    formset=BaseCreditFormSet,
    extra=2,
    max_num=10,
    can_delete=True,
)
