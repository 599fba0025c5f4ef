"""The onboarding steps' forms (mentoring.views.onboarding): each one page, each skippable."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentoring.models import Topic
from networking_app.accounts.forms import class_year_field
from networking_app.accounts.models import Profile, StudentProfile, time_zone_choices


class AboutForm(forms.ModelForm):
    class_year = class_year_field(_("Class year"))

    class Meta:
        model = StudentProfile
        fields = ["class_year", "major"]
        help_texts = {"major": _("Or your field of study, if you have not declared one.")}


class InterestsForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics you would like to talk about"),
        queryset=Topic.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Volunteers offer these topics: they decide who is suggested to you."),
    )

    class Meta:
        model = StudentProfile
        fields = ["interests"]
        labels = {"interests": _("What interests you, in your own words")}
        help_texts = {
            "interests": _("Subjects, causes, kinds of work: what would you enjoy learning about?")
        }
        widgets = {"interests": forms.Textarea(attrs={"rows": 3})}


class GoalsForm(forms.ModelForm):
    class Meta:
        model = StudentProfile
        fields = ["strengths", "career_goals", "target_industries"]
        labels = {"target_industries": _("Industries you are curious about")}
        help_texts = {
            "strengths": _("What you do well: skills, experiences, what others count on you for."),
            "career_goals": _("Possible directions, even tentative ones. They can change."),
        }
        widgets = {
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "career_goals": forms.Textarea(attrs={"rows": 3}),
        }


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        help_text=_(
            "An employer, a lab, a nonprofit, an agency: somewhere you would like to work."
        ),
        widget=forms.TextInput(attrs={"list": "organization-suggestions", "autocomplete": "off"}),
    )


class TimeZoneForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Volunteers' open times, your reminders and every date are shown in this zone."
        ),
    )

    class Meta:
        model = Profile
        fields = ["time_zone"]
