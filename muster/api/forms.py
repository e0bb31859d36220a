"""The form that issues an API token."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from muster.accounts import access
from muster.api.choices import TokenAccess, TokenKind

LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What will use it, such as 'HR sync'."
    )
    kind = forms.ChoiceField(choices=TokenKind.choices, initial=TokenKind.PERSONAL)
    access = forms.ChoiceField(choices=TokenAccess.choices, initial=TokenAccess.READ)
    agency = forms.ModelChoiceField(
        queryset=None,
        required=False,
        help_text="Personal tokens: leave blank for all your agencies. Service tokens: required.",
    )
    lifetime = forms.ChoiceField(choices=LIFETIMES, initial="90", required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agency"].queryset = access.token_agencies(user)

    def clean(self):
        data = super().clean()
        agency = data.get("agency")
        if data.get("kind") == TokenKind.SERVICE and not access.may_issue_service_token(
            self.user, agency
        ):
            self.add_error(
                "agency",
                "A service token belongs to one agency you coordinate: choose it.",
            )
        return data

    def expires_at(self):
        days = self.cleaned_data.get("lifetime")
        return timezone.now() + timedelta(days=int(days)) if days else None
