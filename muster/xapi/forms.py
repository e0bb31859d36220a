"""Forms of the agency's xAPI page: a new client, a mapping, forwarding."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from muster import outbound
from muster.catalog.models import Course


class ClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="Which system will use it, such as 'Vendor LMS'."
    )


class MappingForm(forms.Form):
    course = forms.ModelChoiceField(
        queryset=Course.objects.none(),
        required=False,
        help_text="Its state approval gives the hours. Or leave empty and give hours.",
    )
    hours = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_value=Decimal("200"),
        decimal_places=2,
        required=False,
    )
    area = forms.CharField(max_length=40, required=False)
    topics = forms.CharField(
        required=False, help_text="Topic codes separated by commas, such as firearms."
    )

    def __init__(self, *args, courses=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if courses is not None:
            self.fields["course"].queryset = courses

    def clean(self):
        data = super().clean()
        if not data.get("course") and not data.get("hours"):
            raise forms.ValidationError(
                "Choose a course, or give the hours it is worth."
            )
        data["topic_list"] = [
            t.strip() for t in (data.get("topics") or "").split(",") if t.strip()
        ]
        return data


class ForwardForm(forms.Form):
    endpoint = forms.URLField(
        assume_scheme="https",
        help_text="The other LRS's xAPI endpoint, such as https://lrs.example/xapi/",
        validators=[outbound.validate_url],
    )
    username = forms.CharField(max_length=200)
    password = forms.CharField(
        max_length=200, widget=forms.PasswordInput(render_value=True)
    )
    is_active = forms.BooleanField(
        required=False, initial=True, label="Forward statements"
    )
