"""The "People I met" form: one person, typed on the page (a plain POST without JavaScript) or
sent by the page's script from its offline queue (one JSON entry each). Both are checked here,
so both get the same messages; the fields and their rules are the contact form's own."""

from __future__ import annotations

import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms.people import ContactForm
from contacts.met.services import MetPerson


def _contact_field(name: str, messages: dict | None = None, **changes) -> forms.Field:
    """The contact form's field (label, limits, messages), with `changes` for a phone."""
    field = copy.deepcopy(ContactForm.base_fields[name])
    for attribute, value in changes.items():
        setattr(field, attribute, value)
    field.error_messages = {**field.error_messages, **(messages or {})}
    return field


class MetPersonForm(forms.Form):
    # The services name these differently (contacts.services.people.contact_create).
    service_error_fields = {"organization": "organization_name", "how_met": "event"}

    # Drawn by the phone for each entry (or by the server for this page's form): the same key
    # sent again is the same person, added once (contacts.met.services.met_person_add).
    key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This entry has no key: reload the page and add it again."),
            "invalid": _("This entry's key is not valid: reload the page and add it again."),
        },
    )
    name = _contact_field("name", messages={"required": _("Enter their name.")})
    organization_name = _contact_field("organization_name", help_text="")
    title = _contact_field("title")
    email = _contact_field("email")
    phone = _contact_field("phone")
    linkedin_url = _contact_field(
        "linkedin_url", help_text=_("Like https://www.linkedin.com/in/their-name.")
    )
    # Which of the student's events (contacts.met.places): checked by the service, since an
    # entry may arrive days after the page offered the choice.
    event = forms.CharField(label=_("Where you met"), required=False, max_length=40)
    notes = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you talked about, what you promised to send them."),
    )

    clean_name = ContactForm.clean_name
    clean_linkedin_url = ContactForm.clean_linkedin_url

    def __init__(self, *args, event_choices: list[tuple[str, str]] | None = None, **kwargs):
        """`event_choices`: what the page offers (none: no such field on the page); None for
        an entry sent by the script, whose event the service checks."""
        super().__init__(*args, **kwargs)
        if event_choices is None:
            return
        if not event_choices:
            del self.fields["event"]
            return
        self.fields["event"].widget = forms.Select(
            choices=[("", _("Not at one of your events")), *event_choices]
        )

    def person(self) -> MetPerson:
        data = self.cleaned_data
        return MetPerson(
            name=data["name"],
            organization_name=data["organization_name"],
            title=data["title"],
            email=data["email"],
            phone=data["phone"],
            linkedin_url=data["linkedin_url"],
            event=data.get("event", ""),
            notes=data["notes"],
        )

    def reason(self) -> str:
        """The errors in one line, each after its field's label: what the page shows beside an
        entry the server refused."""
        parts = []
        for name, errors in self.errors.items():
            text = " ".join(errors)
            field = self.fields.get(name)
            parts.append(f"{field.label}: {text}" if field is not None and name != "key" else text)
        return " ".join(parts)
