"""The package upload form."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from muster.agencies.models import Agency


class PackageUploadForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Agency.objects.none())
    package = forms.FileField(
        help_text="A SCORM 1.2 or 2004 zip (imsmanifest.xml at its top level), "
        "a cmi5 zip (cmi5.xml), or a cmi5.xml alone whose AUs are at full URLs."
    )
    credited_hours = forms.DecimalField(
        min_value=Decimal("0.25"),
        max_digits=5,
        decimal_places=2,
        help_text="Hours a completion earns by default; set per state under approvals.",
    )

    def __init__(self, *args, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if providers.count() == 1:
            self.fields["provider"].initial = providers.first()

    def clean_package(self):
        upload = self.cleaned_data["package"]
        limit = settings.PACKAGE_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name}: {upload.size} bytes; at most {limit} are accepted."
            )
        return upload
