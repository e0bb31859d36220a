"""Forms of the import screens: the upload, and the mapping of columns and values."""

from django import forms

from muster.transfers.columns import VALUES, Column, ValueUse


class ColumnSelect(forms.Select):
    """A select whose options carry no attributes but `selected`, written in one
    template (see the template's comment); no option groups."""

    template_name = "transfers/widgets/column_select.html"


class UploadForm(forms.Form):
    file = forms.FileField(
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx); first row: "
        "column names."
    )


class MappingForm(forms.Form):
    """Which of the file's columns holds each field, and what unknown values mean.

    One choice per column Muster reads; then, for each value of a choice column
    that is not an allowed value (or that the coordinator translated before), a
    choice of the allowed value it stands for.
    """

    def __init__(
        self,
        *args,
        columns: tuple[Column, ...],
        headers: list[str],
        uses: list[ValueUse] = (),
        **kw,
    ):
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
                widget=ColumnSelect,
                help_text=column.help + (" Required." if column.required else ""),
            )
        self.value_fields: list[tuple[str, ValueUse]] = []
        for number, use in enumerate(uses):
            name = f"value-{number}"
            self.fields[name] = forms.ChoiceField(
                label=f"{use.column.label}: “{use.text}” ({use.rows} row"
                f"{'s' if use.rows != 1 else ''})",
                choices=[("", "(none of these: report the rows)")]
                + [(value, label) for value, label in use.column.choices],
                required=False,
                initial=use.value,
                widget=ColumnSelect,
            )
            self.value_fields.append((name, use))

    def column_fields(self):
        return [self[name] for name in self.fields if not name.startswith("value-")]

    def translation_fields(self):
        return [self[name] for name, _ in self.value_fields]

    def mapping(self) -> dict:
        mapping = {
            key: value
            for key, value in self.cleaned_data.items()
            if not key.startswith("value-")
        }
        values: dict[str, dict[str, str]] = {}
        for name, use in self.value_fields:
            if self.cleaned_data.get(name):
                values.setdefault(use.column.key, {})[use.text] = self.cleaned_data[
                    name
                ]
        mapping[VALUES] = values
        return mapping


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
