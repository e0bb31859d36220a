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
