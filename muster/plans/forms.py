"""Forms for plans."""

from decimal import Decimal

from django import forms

from muster.plans.options import DEFAULT_HOUR_VALUE


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
