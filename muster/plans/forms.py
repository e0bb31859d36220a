"""Forms for plans and what-if drafts."""

from decimal import Decimal

from django import forms

from muster.plans import whatif
from muster.plans.options import DEFAULT_HOUR_VALUE
from muster.rules import MandateError


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
