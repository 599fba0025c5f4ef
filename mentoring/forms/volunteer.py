"""A volunteer's forms: the mentor profile and availability.

Forms only validate what was typed; the writes and the rules that need the database (overlaps)
are in mentoring.services.profiles, whose ValidationErrors go back on the form with
`add_service_errors`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dates
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from mentoring.models import HIDEABLE_FIELDS, SLOT_LENGTHS, Mentor, Mode, OverrideKind, Topic
from mentoring.photos import ACCEPT_ATTRIBUTE, photo_reencoded
from mentoring.services.profiles import validate_linkedin_url
from networking_app.accounts.forms import class_year_field
from networking_app.accounts.models import Affiliation, VolunteerProfile

WEEKDAYS = [(day, dates.WEEKDAYS[day]) for day in range(7)]
HIDEABLE_LABELS = {
    "title": _("Hide my job title"),
    "industry": _("Hide my industry"),
    "job_function": _("Hide my job function"),
    "location": _("Hide my location"),
    "class_year": _("Hide my class year"),
    "major": _("Hide my major"),
    "bio": _("Hide “About you”"),
    "linkedin_url": _("Hide my LinkedIn profile"),
}
assert set(HIDEABLE_LABELS) == set(HIDEABLE_FIELDS)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": "300"}, format="%H:%M")


class MentorProfileForm(forms.Form):
    affiliation = forms.ChoiceField(
        label=_("Your connection to the school"),
        choices=[("", _("Choose…")), *Affiliation.choices],
        error_messages={"required": _("Choose your connection to the school.")},
    )
    class_year = class_year_field(_("Class year (if you studied here)"))
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        required=False,
        help_text=_("Your employer or school. Students looking for people there will find you."),
    )
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    industry = forms.CharField(
        label=_("Industry"),
        max_length=120,
        required=False,
        help_text=_("For example: Healthcare."),
    )
    job_function = forms.CharField(
        label=_("Job function"),
        max_length=120,
        required=False,
        help_text=_("For example: Marketing, Engineering, Finance."),
    )
    location = forms.CharField(
        label=_("Location"), max_length=120, required=False, help_text=_("City, or “Remote”.")
    )
    major = forms.CharField(
        label=_("Major"), max_length=120, required=False, help_text=_("What you studied.")
    )
    bio = forms.CharField(
        label=_("About you"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few sentences for students: your path, and what you enjoy talking about."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("I can help with"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modes = forms.MultipleChoiceField(
        label=_("I can meet by"),
        choices=Mode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    linkedin_url = forms.URLField(
        label=_("LinkedIn profile"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Like https://www.linkedin.com/in/your-name."),
        error_messages={
            "invalid": _(
                "Enter the full address of your LinkedIn profile, "
                "like https://www.linkedin.com/in/your-name."
            )
        },
    )
    photo = forms.FileField(
        label=_("Choose a photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={"empty": _("This file is empty: choose a photo.")},
    )
    hidden_fields = forms.MultipleChoiceField(
        label=_("Hide from students"),
        choices=list(HIDEABLE_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Your name and organization are always shown. What you hide is not searchable either."
        ),
    )
    code_of_conduct = forms.BooleanField(
        label=_("I have read and accept the code of conduct"),
        required=False,
        label_suffix="",
    )
    listed = forms.BooleanField(
        label=_("List me in the directory, so students can find me and request a conversation"),
        required=False,
        label_suffix="",
    )
    on_leave_until = forms.DateField(
        label=_("On leave until"),
        required=False,
        widget=_date_input(),
        help_text=_(
            "Students cannot request you up to and including this day. Leave it empty "
            "when you are available."
        ),
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        limit = settings.PHOTO_MAX_UPLOAD_BYTES / 1024 / 1024
        self.fields["photo"].help_text = gettext(
            "A JPEG, PNG or WebP file up to %(limit)s MB. Students see it on your card instead "
            "of your initials. Where and when it was taken, and anything else the file says "
            "about it, is removed."
        ) % {"limit": f"{limit:g}"}

    @classmethod
    def initial_for(cls, mentor: Mentor, volunteer: VolunteerProfile, *, today: dt.date):
        on_leave = mentor.on_leave_until
        return {
            "affiliation": volunteer.affiliation,
            "class_year": volunteer.class_year,
            "organization_name": mentor.organization.name if mentor.organization_id else "",
            "title": mentor.title,
            "industry": mentor.industry,
            "job_function": mentor.job_function,
            "location": mentor.location,
            "major": mentor.major,
            "bio": mentor.bio,
            "topics": list(mentor.topics.all()) if mentor.pk else [],
            "modes": mentor.modes,
            "linkedin_url": mentor.linkedin_url,
            "hidden_fields": mentor.hidden_fields,
            "code_of_conduct": bool(mentor.code_of_conduct_accepted_at),
            "listed": mentor.listed,
            # A leave that has ended is not shown: saving the form would refuse a past date.
            "on_leave_until": on_leave if on_leave and on_leave >= today else None,
        }

    def clean_linkedin_url(self):
        url = self.cleaned_data["linkedin_url"]
        validate_linkedin_url(url)
        return url

    def clean_photo(self) -> bytes | None:
        """The upload re-encoded as the JPEG to store (None without one)."""
        upload = self.cleaned_data["photo"]
        return photo_reencoded(upload) if upload else None

    @property
    def photo_to_choose_again(self) -> bool:
        """A photo came with a form that is refused for another field: browsers cannot fill a
        file field in again, so the volunteer has to choose it once more."""
        return bool(self.files.get("photo")) and bool(self.errors) and "photo" not in self.errors

    def clean_on_leave_until(self):
        day = self.cleaned_data["on_leave_until"]
        if day is not None and day < self.today:
            raise ValidationError(gettext("Choose today or a later date, or leave it empty."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("listed") and not cleaned.get("code_of_conduct"):
            self.add_error(
                "listed", gettext("Accept the code of conduct to be listed in the directory.")
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """mentor_save's arguments: everything but the photo (mentor_photo_set's)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "photo"}


class AvailabilityRulesForm(forms.Form):
    slot_minutes = forms.TypedChoiceField(
        label=_("Conversation length"), choices=SLOT_LENGTHS, coerce=int
    )
    buffer_minutes = forms.IntegerField(
        label=_("Break between conversations (minutes)"), min_value=0, max_value=120
    )
    min_notice_hours = forms.IntegerField(
        label=_("Minimum notice (hours)"),
        min_value=0,
        max_value=24 * 14,
        help_text=_("Students cannot request a time sooner than this."),
    )
    booking_window_days = forms.IntegerField(
        label=_("Students may book up to (days ahead)"), min_value=1, max_value=180
    )
    monthly_capacity = forms.IntegerField(
        label=_("Conversations per month, at most"),
        min_value=0,
        max_value=100,
        help_text=_("Once a month has this many requests, its other times are no longer offered."),
    )

    @classmethod
    def initial_for(cls, mentor: Mentor) -> dict:
        return {name: getattr(mentor, name) for name in cls.base_fields}


class WindowForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=pgettext_lazy("time range", "From"), widget=_time_input())
    end_time = forms.TimeField(label=pgettext_lazy("time range", "To"), widget=_time_input())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", gettext("The end time must be after the start time."))
        return cleaned


class OverrideForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=_date_input())
    kind = forms.ChoiceField(
        label=_("That day"),
        choices=OverrideKind.choices,
        initial=OverrideKind.BLACKOUT,
        widget=forms.RadioSelect,
    )
    start_time = forms.TimeField(
        label=pgettext_lazy("time range", "From"), required=False, widget=_time_input()
    )
    end_time = forms.TimeField(
        label=pgettext_lazy("time range", "To"), required=False, widget=_time_input()
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, prefix="override", **kwargs)
        self.today = today

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < self.today:
            raise ValidationError(gettext("Choose today or a later date."))
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == OverrideKind.WINDOW:
            start, end = cleaned.get("start_time"), cleaned.get("end_time")
            if start is None:
                self.add_error("start_time", gettext("Enter the time you are available from."))
            if end is None:
                self.add_error("end_time", gettext("Enter the time you are available until."))
            if start and end and end <= start:
                self.add_error("end_time", gettext("The end time must be after the start time."))
        else:
            cleaned["start_time"] = cleaned["end_time"] = None
        return cleaned
