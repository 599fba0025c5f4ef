"""Forms of the people pages: contacts, their interactions, merges and target organizations.

Forms only validate what was typed; the writes happen in contacts.services, whose own
ValidationErrors are put back on the form with `networking_app.core.form_errors`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    Cadence,
    Contact,
    InteractionKind,
    Priority,
    Relationship,
    Tag,
)
from contacts.selectors.people import (
    ContactFilters,
    contacts_for_user,
    organizations_for_user,
    tag_names_for_user,
)
from contacts.services.people import CONTACT_FIELDS

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contact) -> str:
        if obj.organization_id:
            return f"{obj.name} ({obj.organization.name})"
        return obj.name


class TagChoiceField(forms.ChoiceField):
    """Tags are stored in lower case: ?tag=Finance means the tag "finance"."""

    def to_python(self, value):
        return super().to_python(value).lower()


# --- Contacts list filters -------------------------------------------------------------------

SORT_CHOICES = [
    ("name", _("Name, A to Z")),
    ("-name", _("Name, Z to A")),
    ("recent", _("Recently added")),
    ("last_contact", _("Longest since last contact")),
    ("organization", _("Organization")),
]


class FlagInput(forms.CheckboxInput):
    """A checkbox sent as name=1; any other value counts as unticked."""

    def __init__(self, attrs=None):
        super().__init__({"value": "1", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        return data.get(name) in ("1", "on", "true")


class ContactFilterForm(forms.Form):
    """The GET filters of the contacts list. A value that does not validate is ignored."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_(
            "Name, organization, title, tag, or words from your notes and conversation "
            "notes. Small typos in names and organizations are forgiven."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    relationship = forms.ChoiceField(
        label=_("How you know them"),
        required=False,
        choices=[("", _("Anyone")), *Relationship.choices],
    )
    tag = TagChoiceField(label=_("Tag"), required=False)
    # Chosen from a link (the targets page, a contact's page), not from a list: a student can
    # have contacts at thousands of organizations. Typing a name into the search finds them too.
    organization = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=None, widget=forms.HiddenInput
    )
    targets = forms.BooleanField(
        label=_("Only at my target organizations"),
        required=False,
        widget=FlagInput,
        label_suffix="",
    )
    losing = forms.BooleanField(
        label=_("Losing touch"), required=False, widget=FlagInput, label_suffix=""
    )
    upcoming = forms.BooleanField(
        label=_("With an upcoming conversation"), required=False, widget=FlagInput, label_suffix=""
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, user, tag_choices: list | None = None, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if tag_choices is None:
            tag_choices = self.tag_choices_for(user)
        self.fields["tag"].choices = tag_choices
        # Only a chosen organization is checked against the student's own (the field is
        # hidden, never a list): without one, no queryset is built.
        if organizations is None and self.is_bound and self.data.get("organization"):
            organizations = organizations_for_user(user=user)
        if organizations is not None:
            self.fields["organization"].queryset = organizations

    @staticmethod
    def tag_choices_for(user) -> list[tuple[str, str]]:
        names = tag_names_for_user(user=user)
        return [("", _("Any tag"))] + [(name, name) for name in names]

    def for_display(self, values: dict) -> ContactFilterForm:
        """An unbound copy showing only the values that were kept, without error messages."""
        return ContactFilterForm(
            initial=values,
            user=self.user,
            tag_choices=self.fields["tag"].choices,
            organizations=self.fields["organization"].queryset,
        )

    def valid_values(self) -> dict:
        """The values that validated; the others are dropped, never an error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @staticmethod
    def to_filters(values: dict) -> ContactFilters:
        organization = values.get("organization")
        return ContactFilters(
            q=values.get("q", ""),
            relationship=values.get("relationship", ""),
            tag=values.get("tag", ""),
            organization=organization.pk if organization else None,
            targets_only=bool(values.get("targets")),
            losing_touch=bool(values.get("losing")),
            upcoming=bool(values.get("upcoming")),
            sort=values.get("sort") or "name",
        )


# --- Contact create and edit -----------------------------------------------------------------


def _is_linkedin(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "linkedin.com" or host.endswith(".linkedin.com")


def parse_tags(text: str) -> list[str]:
    """'Alumni, finance ,, Boston' -> ['alumni', 'finance', 'boston'], without repeats."""
    seen: dict[str, None] = {}
    for raw in (text or "").split(","):
        name = " ".join(raw.split()).lower()
        if name:
            seen.setdefault(name, None)
    return list(seen)


class ContactForm(forms.Form):
    """A contact as typed. `contact` is the one being edited (None when adding)."""

    # The services name the organization; this form takes it by name.
    service_error_fields = {"organization": "organization_name"}

    name = forms.CharField(label=_("Name"), max_length=200)
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Employer or school. The same name typed twice is one organization."),
    )
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=120, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter a valid email address, like name@example.com.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn profile"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("The address of their profile, like https://www.linkedin.com/in/their-name."),
        error_messages={
            "invalid": _(
                "Enter the full address of their LinkedIn profile, "
                "like https://www.linkedin.com/in/their-name."
            )
        },
    )
    relationship = forms.ChoiceField(
        label=_("How you know each other"),
        choices=[("", _("Choose…")), *Relationship.choices],
        error_messages={"required": _("Choose how you know each other.")},
    )
    how_met = forms.CharField(
        label=_("How and where you met"),
        max_length=300,
        required=False,
        help_text=_("For example: “Alumni panel, October” or “My manager at the summer job”."),
    )
    referred_by = ContactChoiceField(
        label=_("Referred by"),
        queryset=None,
        required=False,
        empty_label=_("Nobody"),
        help_text=_("One of your contacts who suggested you talk to this person."),
        error_messages={"invalid_choice": _("Choose one of your own contacts.")},
    )
    may_use_referrer_name = forms.BooleanField(
        label=_("The referrer said I may use their name"), required=False, label_suffix=""
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas, for example: finance, Boston, alumni."),
    )
    cadence_days = forms.TypedChoiceField(
        label=_("Stay in touch"),
        choices=Cadence.choices,
        coerce=int,
        initial=Cadence.NONE,
        help_text=_("Rapport reminds you when it is time to reach out again."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    save_anyway = forms.BooleanField(
        label=_("Save anyway: this is a different person"), required=False, label_suffix=""
    )

    FIELDSETS = [
        (_("Who they are"), ["name", "organization_name", "title", "industry"]),
        (_("How to reach them"), ["email", "phone", "linkedin_url"]),
        (
            _("How you know them"),
            ["relationship", "how_met", "referred_by", "may_use_referrer_name", "tags"],
        ),
        (_("Staying in touch"), ["cadence_days", "notes"]),
    ]

    def __init__(self, *args, user, contact: Contact | None = None, **kwargs):
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(contact)
        super().__init__(*args, **kwargs)
        self.contact = contact
        referrers = contacts_for_user(user=user)
        if contact is not None:
            referrers = referrers.exclude(pk=contact.pk)
        self.fields["referred_by"].queryset = referrers

    @staticmethod
    def initial_for(contact: Contact) -> dict:
        initial = {
            name: getattr(contact, name)
            for name in [
                "name",
                "title",
                "industry",
                "email",
                "phone",
                "linkedin_url",
                "relationship",
                "how_met",
                "may_use_referrer_name",
                "cadence_days",
                "notes",
            ]
        }
        initial["organization_name"] = contact.organization.name if contact.organization else ""
        initial["referred_by"] = contact.referred_by_id
        initial["tags"] = ", ".join(tag.name for tag in contact.tags.all())
        return initial

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter their name."))
        return name

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data["linkedin_url"]
        if url and not _is_linkedin(url):
            raise ValidationError(
                _(
                    "This is not a LinkedIn address. Paste the address of their profile on "
                    "linkedin.com, or leave the field empty."
                )
            )
        return url

    def clean_tags(self) -> list[str]:
        names = parse_tags(self.cleaned_data["tags"])
        too_long = [name for name in names if len(name) > TAG_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("Keep each tag to %(limit)s characters or fewer (“%(tag)s…” is longer).")
                % {"limit": TAG_MAX_LENGTH, "tag": too_long[0][:TAG_MAX_LENGTH]}
            )
        return names

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("may_use_referrer_name") and not cleaned.get("referred_by"):
            self.add_error(
                "may_use_referrer_name",
                _("Choose who referred them, or untick “may use their name”."),
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """What contacts.services.contact_create / contact_update take."""
        data = self.cleaned_data
        return {
            "organization_name": data["organization_name"],
            "tags": data["tags"],
            **{name: data[name] for name in CONTACT_FIELDS},
        }


# --- Interactions ----------------------------------------------------------------------------


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", _("Choose…")), *InteractionKind.choices],
        error_messages={"required": _("Choose what kind of interaction it was.")},
    )
    occurred_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date it happened."),
            "invalid": _("Enter a date, like 2026-03-14."),
        },
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].initial = timezone.localdate

    def clean_occurred_on(self):
        occurred_on = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if occurred_on > today:
            raise ValidationError(
                _(
                    "An interaction cannot be in the future: choose today (%(today)s) or an "
                    "earlier date."
                )
                % {"today": f"{today:%Y-%m-%d}"}
            )
        return occurred_on


# --- Merge -----------------------------------------------------------------------------------


class MergePickForm(forms.Form):
    other = ContactChoiceField(
        label=_("Contact to merge into this one"),
        queryset=None,
        empty_label=_("Choose a contact…"),
        error_messages={
            "required": _("Choose the contact to merge."),
            "invalid_choice": _("Choose another of your own contacts."),
        },
    )

    def __init__(self, *args, user, keep: Contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = contacts_for_user(user=user).exclude(pk=keep.pk)


# --- Target organizations --------------------------------------------------------------------


class TargetAddForm(forms.Form):
    name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        error_messages={"required": _("Enter the organization's name.")},
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.MEDIUM
    )
    notes = forms.CharField(
        label=_("Notes (optional)"),
        required=False,
        help_text=_("Why this employer, roles you are curious about, who you might know there."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Enter the organization's name."))
        return name


class TargetEditForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    notes = forms.CharField(
        label=_("Notes (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
