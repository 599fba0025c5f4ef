from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from networking_app.console.selectors import (
    PRESET_PERIODS,
    DashboardFilters,
    default_filters,
    preset_range,
)
from networking_app.console.services import Audience, NudgeSpec, VolunteerDecision

MAX_RANGE_DAYS = 3 * 366

PRESETS = [*PRESET_PERIODS.items(), ("custom", _("Custom dates"))]


class DashboardFilterForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Period"),
        choices=PRESETS,
        required=False,
        initial="30",
        help_text=_("Choose “Custom dates” to use the dates below."),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    class_year = forms.TypedChoiceField(
        label=_("Class year"), required=False, coerce=int, empty_value=None
    )
    major = forms.ChoiceField(label=_("Major"), required=False)
    label = forms.TypedChoiceField(
        label=_("Eligibility label"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_year"].choices = [("", gettext("Every class year"))] + [
            (y, str(y)) for y in choices["class_years"]
        ]
        self.fields["major"].choices = [("", gettext("Every major"))] + [
            (m, m) for m in choices["majors"]
        ]
        self.fields["label"].choices = [("", gettext("Any label"))] + [
            (label.pk, label.name) for label in choices["labels"]
        ]

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        preset = cleaned.get("preset") or ""
        start, end = cleaned.get("start"), cleaned.get("end")
        if preset and preset != "custom":
            start, end = preset_range(preset, today)
        elif start or end:
            start = start or (end or today) - dt.timedelta(days=29)
            end = end or today
        else:
            defaults = default_filters(today)
            start, end = defaults.start, defaults.end
        if start > end:
            self.add_error("end", gettext("The end date must be on or after the start date."))
        elif (end - start).days > MAX_RANGE_DAYS:
            self.add_error("start", gettext("Choose a period of at most three years."))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> DashboardFilters:
        """The valid filters, or the defaults when the form is not valid."""
        if not self.is_valid():
            return default_filters()
        c = self.cleaned_data
        return DashboardFilters(
            start=c["start"],
            end=c["end"],
            class_year=c.get("class_year"),
            major=c.get("major") or "",
            label_id=c.get("label"),
        )


def filters_query(filters: DashboardFilters) -> str:
    """The query string of the dashboard with exactly these filters, its period as custom
    dates: a link made from it (a chart's CSV) gives the figures on the page, whatever day it is
    followed and however the page's own query string was written."""
    params = {
        "preset": "custom",
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        "class_year": filters.class_year,
        "major": filters.major,
        "label": filters.label_id,
    }
    return urlencode({name: value for name, value in params.items() if value not in (None, "")})


class VolunteerDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=VolunteerDecision.CHOICES)
    note = forms.CharField(max_length=500, required=False)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Volunteer's email address"))
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=60, initial=14, required=False
    )


class LabelForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("eligibility", "Label"), max_length=80)
    description = forms.CharField(
        label=_("What it means (optional)"), max_length=300, required=False
    )


class LabelStudentsForm(forms.Form):
    emails = forms.CharField(
        label=_("Students' email addresses"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One address per line (or separated by commas or spaces)."),
        max_length=50_000,
    )

    def clean_emails(self) -> list[str]:
        parts = [p for p in re.split(r"[\s,;]+", self.cleaned_data["emails"]) if p]
        bad = [p for p in parts if "@" not in p]
        if bad:
            raise forms.ValidationError(
                gettext("These are not email addresses: %(bad)s"),
                params={"bad": ", ".join(bad[:5])},
            )
        if len(parts) > 2000:
            raise forms.ValidationError(gettext("Add at most 2,000 students at a time."))
        return parts


class NudgeForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Send to"), choices=Audience.CHOICES, widget=forms.RadioSelect
    )
    class_year = forms.TypedChoiceField(
        label=_("Students' class year"), required=False, coerce=int, empty_value=None
    )
    major = forms.ChoiceField(label=_("Students' major"), required=False)
    label = forms.TypedChoiceField(
        label=_("Students with the label"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("A personal note added to the email (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_year"].choices = [("", gettext("Every class year"))] + [
            (y, str(y)) for y in choices["class_years"]
        ]
        self.fields["major"].choices = [("", gettext("Every major"))] + [
            (m, m) for m in choices["majors"]
        ]
        self.fields["label"].choices = [("", gettext("Any label"))] + [
            (label.pk, label.name) for label in choices["labels"]
        ]

    def spec(self) -> NudgeSpec:
        c = self.cleaned_data
        students = c["audience"] == Audience.STUDENTS_NOT_STARTED
        return NudgeSpec(
            audience=c["audience"],
            note=c.get("note") or "",
            class_year=c.get("class_year") if students else None,
            major=(c.get("major") or "") if students else "",
            label_id=c.get("label") if students else None,
        )


class NudgeConfirmForm(forms.Form):
    expected = forms.IntegerField(min_value=0)
    nonce = forms.CharField(max_length=64)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.TypedChoiceField(
        label=_("Staff member"), required=False, coerce=int, empty_value=None
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str], staff: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", gettext("Every action"))] + [(a, a) for a in actions]
        self.fields["actor"].choices = [("", gettext("Everyone"))] + [
            (u.pk, u.display_name) for u in staff
        ]
