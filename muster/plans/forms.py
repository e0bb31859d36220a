"""Forms for plans and what-if drafts."""

from decimal import Decimal
from typing import get_args

from django import forms

from muster.plans import whatif
from muster.plans.options import DEFAULT_HOUR_VALUE
from muster.rules import MandateError
from muster.rules.schema import Confidence, SourceKind


class HourValueForm(forms.Form):
    hour_value = forms.DecimalField(
        label="Cost of an hour away from duty ($)",
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=2,
        initial=DEFAULT_HOUR_VALUE,
        help_text="Wage, benefits and backfill: what an hour in training costs the "
        "agency. Zero plans by fees and travel alone.",
    )

    def value(self) -> Decimal:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["hour_value"]
        return DEFAULT_HOUR_VALUE


class NewDraftForm(forms.Form):
    """Start a what-if draft from one of the state's shipped mandate files."""

    mandate = forms.ChoiceField(label="Mandate to change")
    title = forms.CharField(
        max_length=200,
        help_text="What the change is, such as “30 annual hours from 2027”.",
    )

    def __init__(self, *args, mandates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mandate"].choices = [
            (m.id, f"{m.title} ({m.id})") for m in mandates
        ]


class DraftForm(forms.Form):
    """The draft's whole mandate file, checked by the mandate loader."""

    title = forms.CharField(max_length=200)
    text = forms.CharField(
        label="Mandate file (YAML)",
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false"}),
        help_text="Add a dated entry under a requirement's values (or a new "
        "requirement), with its reference; never edit past values. The same checks "
        "as the shipped files apply (docs/adding-a-state.md).",
    )

    def __init__(self, *args, mandate_id: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.mandate_id = mandate_id

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        try:
            whatif.load_draft(text, self.mandate_id)
        except MandateError as error:
            raise forms.ValidationError(str(error)) from None
        return text


class RunForm(forms.Form):
    year = forms.TypedChoiceField(
        coerce=int,
        label="Year",
        help_text="The period containing 31 December of this year, as the "
        "dashboard shows it; statuses are compared as of today.",
    )

    def __init__(self, *args, years=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class NewFileForm(forms.Form):
    """A draft of a new mandate file of the state: a requirement no shipped file
    holds. Saved only once the loader accepts the whole text."""

    file_name = forms.CharField(
        label="File name",
        max_length=61,
        initial=whatif.NEW_FILE_EXAMPLE,
        help_text="Lower-case letters, digits and _, such as “mental_health”: the "
        "file would be muster/rules/mandates/us/<state>/<name>.yaml and the "
        "mandate's id us.<state>.<name>.",
    )
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        label="Mandate file (YAML)",
        widget=forms.Textarea(attrs={"rows": 40, "spellcheck": "false"}),
        help_text="Every value with its reference; the same checks as the shipped "
        "files apply (docs/adding-a-state.md).",
    )

    def __init__(self, *args, state: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.state = state
        self.fields["text"].initial = whatif.new_file_text(
            state, whatif.NEW_FILE_EXAMPLE
        )

    def clean_file_name(self) -> str:
        name = self.cleaned_data["file_name"]
        if not whatif.NEW_FILE_NAME.match(name):
            raise forms.ValidationError(
                "Use 2 to 61 lower-case letters, digits or _, starting with a "
                "letter (such as mental_health)."
            )
        if whatif.shipped(whatif.new_file_id(self.state, name)) is not None:
            raise forms.ValidationError(
                f"{whatif.new_file_id(self.state, name)} is a shipped file: start "
                "a draft from it to change it."
            )
        return name

    def clean(self):
        data = super().clean()
        if "file_name" in data and "text" in data:
            text = data["text"].replace("\r\n", "\n")
            try:
                whatif.load_draft(text, self.mandate_id())
            except MandateError as error:
                self.add_error("text", str(error))
            data["text"] = text
        return data

    def mandate_id(self) -> str:
        return whatif.new_file_id(self.state, self.cleaned_data["file_name"])


class DatedValueForm(forms.Form):
    """A new dated value of one hour requirement, written into the draft's YAML
    for the person who would rather not edit it (the loader then checks it)."""

    requirement = forms.ChoiceField(label="Requirement")
    starts = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day the new value would apply (periods from then on).",
    )
    hours = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(1000), decimal_places=2
    )
    title = forms.CharField(
        label="Reference", max_length=300, help_text="The proposal's title or section."
    )
    href = forms.URLField(label="Link", required=False, assume_scheme="https")
    source = forms.ChoiceField(choices=[(s, s) for s in get_args(SourceKind)])
    confidence = forms.ChoiceField(choices=[(c, c) for c in get_args(Confidence)])
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, requirements=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [
            (r.id, f"{r.label} ({r.id})") for r in requirements
        ]

    def value(self) -> whatif.DatedValue:
        return whatif.DatedValue(**self.cleaned_data)
