"""The directory's search and filters (GET). A value that does not validate is ignored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.forms.people import FlagInput
from mentoring.selectors.directory.search import DirectoryFilters
from networking_app.accounts.forms import class_year_field


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_(
            "A name, an organization, a job title, an industry or a topic. Small typos "
            "in names and organizations are forgiven."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    organization = forms.CharField(label=_("Organization"), required=False, max_length=200)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=120)
    job_function = forms.CharField(label=_("Job function"), required=False, max_length=120)
    location = forms.CharField(label=_("Location"), required=False, max_length=120)
    class_year = class_year_field(_("Class year"))
    topic = forms.ChoiceField(label=_("Can help with"), required=False)
    has_slots = forms.BooleanField(
        label=_("Only volunteers with open times"),
        required=False,
        widget=FlagInput,
        label_suffix="",
    )

    def __init__(self, *args, topic_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("Any topic")), *topic_choices]
        self.topic_choices = topic_choices

    def valid_values(self) -> dict:
        """The values that validated; the others are dropped, never an error."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def for_display(self, values: dict) -> DirectoryFilterForm:
        """An unbound copy showing only the values that were kept, without error messages."""
        return DirectoryFilterForm(initial=values, topic_choices=self.topic_choices)

    @staticmethod
    def to_filters(values: dict) -> DirectoryFilters:
        return DirectoryFilters(
            q=values.get("q", ""),
            organization=values.get("organization", ""),
            industry=values.get("industry", ""),
            job_function=values.get("job_function", ""),
            location=values.get("location", ""),
            class_year=values.get("class_year"),
            topic=values.get("topic", ""),
            has_slots=bool(values.get("has_slots")),
        )
