"""Forms of the import screens: the upload and the column mapping."""

from django import forms

from muster.transfers.columns import Column


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx); first row: "
        "column names."
    )


class MappingForm(forms.Form):
    """One choice per column Muster reads: which of the file's columns holds it."""

    def __init__(self, *args, columns: tuple[Column, ...], headers: list[str], **kw):
        super().__init__(*args, **kw)
        choices = [("", "(not in the file)")] + [
            (str(i), header or f"column {i + 1}") for i, header in enumerate(headers)
        ]
        for column in columns:
            self.fields[column.key] = forms.TypedChoiceField(
                label=column.label,
                choices=choices,
                required=False,
                coerce=int,
                empty_value=None,
                help_text=column.help + (" Required." if column.required else ""),
            )

    def mapping(self) -> dict:
        return dict(self.cleaned_data)


class TransferDecisionForm(forms.Form):
    """Approve or decline (accept or decline, for the officer) a transfer request."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")]
    )
    reason = forms.CharField(max_length=300, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "decline" and not data.get("reason", "").strip():
            self.add_error("reason", "Say why, so the requesting agency knows.")
        return data

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == "approve"


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=300)


class UndoForm(forms.Form):
    reason = forms.CharField(
        max_length=150,
        help_text="Why the import is undone (wrong file, wrong class): kept with "
        "every record it voids.",
    )
