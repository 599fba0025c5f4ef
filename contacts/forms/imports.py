"""Forms of the import pages: the upload, the column mapping and the choices per row."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.imports.csvfiles import MAPPABLE_FIELDS
from contacts.imports.files import ENCODINGS, MAX_BYTES
from contacts.imports.models import Decision


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your contacts file"),
        help_text=_(
            "LinkedIn's Connections.csv, a Google Contacts or Outlook CSV export, another "
            "CSV, or a vCard (.vcf) file. Up to 5 MB and 20,000 contacts."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.vcf,.vcard,text/csv,text/vcard"}),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "“%(name)s” is %(size)s MB; files up to 5 MB can be imported. Split it into "
                    "smaller files."
                )
                % {"name": upload.name, "size": f"{upload.size / 1024 / 1024:.1f}"}
            )
        return upload


class ImportMappingForm(forms.Form):
    """One choice per column of a CSV whose layout Rapport does not know."""

    def __init__(
        self, *args, headers: list[str], samples: list[list[str]], initial_map: dict, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.columns = []
        for index, header in enumerate(headers):
            name = f"col_{index}"
            examples = [row[index] for row in samples if index < len(row) and row[index].strip()]
            self.fields[name] = forms.ChoiceField(
                label=header.strip() or _("Column %(number)s") % {"number": index + 1},
                choices=MAPPABLE_FIELDS,
                required=False,
                initial=initial_map.get(str(index), ""),
                help_text=(
                    _("For example: %(values)s")
                    % {"values": "; ".join(e[:40] for e in examples[:2])}
                )
                if examples
                else _("Empty in the first rows."),
            )
            self.columns.append(name)

    def clean(self):
        data = super().clean()
        chosen = {data.get(name) for name in self.columns}
        if not chosen & {"name", "first_name", "last_name"}:
            raise forms.ValidationError(
                _("Choose the column with the person's full name, or their first and last name.")
            )
        return data

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("col_"): self.cleaned_data[name]
            for name in self.columns
            if self.cleaned_data.get(name)
        }


DECISION_CHOICES = [
    (Decision.CREATE, _("Add as new")),
    (Decision.MERGE, _("Merge")),
    (Decision.SKIP, _("Skip")),
]


class ImportAllForm(forms.Form):
    """Set one choice for every row of a kind ("all duplicates: skip")."""

    status = forms.ChoiceField(
        choices=[
            ("", _("all rows")),
            ("new", _("new")),
            ("possible", _("possible duplicates")),
            ("duplicate", _("duplicates")),
        ],
        required=False,
    )

    all = forms.ChoiceField(choices=Decision.choices)


class ImportEncodingForm(forms.Form):
    """Read the uploaded file again in another encoding (names with accents look wrong)."""

    encoding = forms.ChoiceField(
        label=_("The file's encoding"),
        choices=ENCODINGS,
        error_messages={"invalid_choice": _("Choose one of the encodings in the list.")},
    )
