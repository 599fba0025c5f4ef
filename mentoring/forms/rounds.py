"""Forms of match rounds: staff's round settings and review actions, students' and volunteers'
sign-up. Forms only validate what was typed; the writes and their rules are in
mentoring.services.rounds, round_matches and round_intros, whose ValidationErrors go back on
the form through `networking_app.core.form_errors`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mentoring import matching
from mentoring.matching import PARTS_OF_DAY
from mentoring.models import MatchRound, Topic
from mentoring.services.round_intros import (
    MERGE_FIELDS,
    default_intro_body,
    default_intro_subject,
    unknown_merge_fields,
)
from mentoring.services.rounds import MAX_PREFERENCES

# A day's part as a choice's label, in the student's words ("Monday morning").
PART_OF_DAY_LABELS = {
    "morning": _("%(day)s morning"),
    "afternoon": _("%(day)s afternoon"),
    "evening": _("%(day)s evening"),
}
assert set(PART_OF_DAY_LABELS) == set(PARTS_OF_DAY)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _weight_field(label, default: float, help_text=None) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        max_value=matching.WEIGHT_MAX,
        help_text=help_text
        or format_lazy(_("Points, in steps of 0.25. Empty: {default}."), default=f"{default:g}"),
        widget=forms.NumberInput(attrs={"step": "0.25", "placeholder": f"{default:g}"}),
    )


_DEFAULTS = matching.DEFAULT_SETTINGS
# The matcher's tuning (matching.MatchSettings), field by field.
MATCHING_WEIGHT_FIELDS = {
    "topic_points": "topic_points",
    "industry_points": "industry_points",
    "first_choice_points": ("preference_points", 0),
    "second_choice_points": ("preference_points", 1),
    "third_choice_points": ("preference_points", 2),
    "not_yet_served_points": "not_yet_served_points",
    "availability_points_per_hour": "availability_points_per_hour",
}
MATCHING_FIELDS = (*MATCHING_WEIGHT_FIELDS, "require_shared_topic", "require_same_industry")
MATCHING_FIELDS = (*MATCHING_FIELDS, "objective", "no_show_points")


def _default_weight(name: str) -> float:
    key = MATCHING_WEIGHT_FIELDS[name]
    if isinstance(key, tuple):
        return getattr(_DEFAULTS, key[0])[key[1]]
    return getattr(_DEFAULTS, key)


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    signup_deadline = forms.DateTimeField(
        label=_("Sign-up deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text=_("In your time zone. Students and volunteers sign up until then."),
    )
    window_start = forms.DateField(
        label=_("Conversations from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    window_end = forms.DateField(
        label=_("Conversations until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    class_years = forms.CharField(
        label=_("Class years"),
        required=False,
        help_text=_(
            "Separate years with commas, e.g. 2027, 2028. Leave empty for every class year."
        ),
    )
    majors = forms.CharField(
        label=_("Majors"),
        required=False,
        max_length=1000,
        help_text=_("Separate majors with commas. Leave empty for every major."),
    )
    intro_subject = forms.CharField(
        label=_("Introduction email: subject"), max_length=200, initial=default_intro_subject
    )
    intro_body = forms.CharField(
        label=_("Introduction email: message"),
        widget=forms.Textarea(attrs={"rows": 14}),
        initial=default_intro_body,
        help_text=format_lazy(
            _(
                "One email goes to each pair. Merge fields: {fields}. Without {{booking_url}}, "
                "the booking link is added at the end."
            ),
            fields=", ".join("{" + f + "}" for f in MERGE_FIELDS),
        ),
    )
    objective = forms.ChoiceField(
        label=_("Matcher: objective"),
        required=False,
        choices=[
            (matching.OBJECTIVE_TOTAL, _("Best total fit")),
            (matching.OBJECTIVE_MOST_MATCHED, _("Most students matched first, then best fit")),
        ],
        initial=matching.OBJECTIVE_TOTAL,
    )
    topic_points = _weight_field(_("Matcher: points per shared topic"), _DEFAULTS.topic_points)
    industry_points = _weight_field(
        _("Matcher: points for an industry the student named"), _DEFAULTS.industry_points
    )
    first_choice_points = _weight_field(
        _("Matcher: points for the student's first choice"), _DEFAULTS.preference_points[0]
    )
    second_choice_points = _weight_field(
        _("Matcher: points for the student's second choice"), _DEFAULTS.preference_points[1]
    )
    third_choice_points = _weight_field(
        _("Matcher: points for the student's third choice"), _DEFAULTS.preference_points[2]
    )
    not_yet_served_points = _weight_field(
        _("Matcher: points for a student who has not met a volunteer yet"),
        _DEFAULTS.not_yet_served_points,
    )
    availability_points_per_hour = _weight_field(
        _("Matcher: points per shared hour a week"),
        _DEFAULTS.availability_points_per_hour,
        help_text=format_lazy(
            _("Points, in steps of 0.25, for up to {hours} hours. Empty: {default}."),
            hours=matching.AVAILABILITY_HOURS_COUNTED,
            default=f"{_DEFAULTS.availability_points_per_hour:g}",
        ),
    )
    no_show_points = _weight_field(
        _("Matcher: points off per recent no-show of the student"),
        0,
        help_text=_(
            "Points, in steps of 0.25. Empty: the mentoring policy's. A student never loses "
            "more than a match is worth."
        ),
    )
    require_shared_topic = forms.BooleanField(
        label=_("Matcher: a pair must share at least one topic"), required=False
    )
    require_same_industry = forms.BooleanField(
        label=_("Matcher: the volunteer's industry must be one the student named"),
        required=False,
    )

    @classmethod
    def for_round(cls, match_round: MatchRound, data=None) -> RoundForm:
        initial = {
            "name": match_round.name,
            "signup_deadline": match_round.signup_deadline,
            "window_start": match_round.window_start,
            "window_end": match_round.window_end,
            "class_years": ", ".join(str(y) for y in match_round.class_years),
            "majors": ", ".join(match_round.majors),
            "intro_subject": match_round.intro_subject or default_intro_subject(),
            "intro_body": match_round.intro_body or default_intro_body(),
        }
        try:
            settings = matching.MatchSettings.from_json(match_round.matching_settings)
        except ValueError:
            settings = matching.DEFAULT_SETTINGS
        if settings != matching.DEFAULT_SETTINGS:
            stored = settings.as_json()
            for name, key in MATCHING_WEIGHT_FIELDS.items():
                initial[name] = stored[key[0]][key[1]] if isinstance(key, tuple) else stored[key]
            for name in ("require_shared_topic", "require_same_industry", "objective"):
                initial[name] = stored[name]
            initial["no_show_points"] = stored.get("no_show_points")
        return cls(data, initial=initial)

    def matching_settings(self) -> dict:
        """The tuning typed, as matching.MatchSettings.from_json reads it (empty weights
        take the defaults)."""
        data = self.cleaned_data
        weight = {
            name: _default_weight(name) if data.get(name) is None else data[name]
            for name in MATCHING_WEIGHT_FIELDS
        }
        return {
            "topic_points": weight["topic_points"],
            "industry_points": weight["industry_points"],
            "preference_points": [
                weight["first_choice_points"],
                weight["second_choice_points"],
                weight["third_choice_points"],
            ],
            "not_yet_served_points": weight["not_yet_served_points"],
            "availability_points_per_hour": weight["availability_points_per_hour"],
            "require_shared_topic": bool(data.get("require_shared_topic")),
            "require_same_industry": bool(data.get("require_same_industry")),
            "objective": data.get("objective") or matching.OBJECTIVE_TOTAL,
            "no_show_points": data.get("no_show_points"),
        }

    def clean(self):
        cleaned = super().clean()
        for name in (*MATCHING_WEIGHT_FIELDS, "no_show_points"):
            value = cleaned.get(name)
            if value is not None and value * 4 != int(value * 4):
                self.add_error(name, gettext("Use steps of 0.25 (e.g. 2.5 or 2.75)."))
        return cleaned

    def clean_class_years(self) -> list[int]:
        years = []
        for part in _split(self.cleaned_data["class_years"]):
            if not part.isdigit() or not 1900 <= int(part) <= 2200:
                raise ValidationError(gettext("“%(value)s” is not a class year.") % {"value": part})
            years.append(int(part))
        return sorted(set(years))

    def clean_majors(self) -> list[str]:
        return _split(self.cleaned_data["majors"])

    def _clean_template(self, name: str) -> str:
        text = self.cleaned_data[name]
        unknown = unknown_merge_fields(text)
        if unknown:
            found = ", ".join("{" + u + "}" for u in unknown)
            allowed = ", ".join("{" + f + "}" for f in MERGE_FIELDS)
            raise ValidationError(
                ngettext(
                    "Unknown merge field: %(found)s. Use %(allowed)s.",
                    "Unknown merge fields: %(found)s. Use %(allowed)s.",
                    len(unknown),
                )
                % {"found": found, "allowed": allowed}
            )
        return text

    def clean_intro_subject(self) -> str:
        return self._clean_template("intro_subject")

    def clean_intro_body(self) -> str:
        return self._clean_template("intro_body")


class ReviewFilterForm(forms.Form):
    """The review page's filters, read from the query string."""

    volunteer = forms.CharField(label=_("Volunteer"), required=False, max_length=120)
    min_score = forms.FloatField(label=_("Score from"), required=False)
    max_score = forms.FloatField(label=_("Score up to"), required=False)
    warning = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All matches")),
            ("no_time", _("No time to book in the round's dates")),
            ("locked", _("Locked matches")),
        ],
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("open", "open"), ("closed", "closed"), ("draft", "draft")])


# --- Sign-up ---------------------------------------------------------------------------------


def availability_choices() -> list[tuple[str, str]]:
    return [
        (f"{day}:{part}", PART_OF_DAY_LABELS[part] % {"day": WEEKDAYS[day]})
        for day in range(7)
        for part in PARTS_OF_DAY
    ]


def blocks_to_choices(blocks) -> list[str]:
    by_hours = {hours: part for part, hours in PARTS_OF_DAY.items()}
    values = []
    for block in blocks or []:
        try:
            weekday, start, end = (int(x) for x in block)
        except (TypeError, ValueError):
            continue
        part = by_hours.get((start, end))
        if part:
            values.append(f"{weekday}:{part}")
    return values


class StudentJoinForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("What would you like to talk about?"),
    )
    industries = forms.CharField(
        required=False,
        max_length=300,
        label=_("Industries you are curious about"),
        help_text=_("Separate industries with commas, e.g. fintech, public health."),
    )
    preferred_1 = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("First choice")
    )
    preferred_2 = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Second choice")
    )
    preferred_3 = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label=_("Third choice")
    )
    excluded = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Volunteers you would rather not meet"),
        help_text=_("Someone you already know well, for example. Nobody is told."),
    )
    availability = forms.MultipleChoiceField(
        choices=availability_choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("When could you talk?"),
        help_text=_("In your own time zone: mornings 9-12, afternoons 12-17, evenings 17-21."),
        error_messages={"required": _("Pick at least one time of the week when you could talk.")},
    )

    preference_fields = ("preferred_1", "preferred_2", "preferred_3")

    def __init__(self, *args, volunteers: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.preference_fields:
            self.fields[name].choices = [("", _("No preference")), *volunteers]
        self.fields["excluded"].choices = volunteers

    @classmethod
    def initial_for(cls, signup, student) -> dict:
        if signup is None:
            profile = getattr(student, "student_profile", None)
            return {"industries": getattr(profile, "target_industries", "")}
        initial = {
            "topics": list(signup.topics.all()),
            "industries": signup.industries,
            "excluded": signup.excluded,
            "availability": blocks_to_choices(signup.availability),
        }
        for name, volunteer_id in zip(cls.preference_fields, signup.preferences, strict=False):
            initial[name] = volunteer_id
        return initial

    def clean(self):
        data = super().clean()
        chosen = [data.get(n) for n in self.preference_fields if data.get(n) is not None]
        if len(chosen) != len(set(chosen)):
            self.add_error("preferred_2", gettext("Choose each volunteer once."))
        excluded = set(data.get("excluded") or [])
        if excluded & set(chosen):
            self.add_error(
                "excluded", gettext("A volunteer cannot be both preferred and excluded.")
            )
        data["preferences"] = list(dict.fromkeys(chosen))[:MAX_PREFERENCES]
        return data

    def clean_availability(self) -> list[list[int]]:
        blocks = []
        for value in self.cleaned_data["availability"]:
            day, part = value.split(":")
            start, end = PARTS_OF_DAY[part]
            blocks.append([int(day), start, end])
        return sorted(blocks)

    def availability_grid(self) -> list[dict]:
        """Rows of the weekday x part-of-day grid: each cell a checkbox of `availability`."""
        boxes = {w.data["value"]: w for w in self["availability"]}
        return [
            {"day": WEEKDAYS[day], "cells": [boxes[f"{day}:{part}"] for part in PARTS_OF_DAY]}
            for day in range(7)
        ]


class VolunteerJoinForm(forms.Form):
    capacity = forms.IntegerField(
        min_value=1,
        max_value=20,
        initial=2,
        label=_("How many students could you meet in this round?"),
        help_text=_("One short conversation each, during the round's dates."),
    )


# --- Review ----------------------------------------------------------------------------------


class LockForm(forms.Form):
    locked = forms.TypedChoiceField(
        coerce=lambda v: v == "1", choices=[("1", "lock"), ("0", "unlock")]
    )


class SwapForm(forms.Form):
    """Two matches ticked in the review table (checkboxes tied to this form by `form=`)."""

    match = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": _("Tick the two matches to swap.")}
    )

    def __init__(self, *args, match_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = [(pk, pk) for pk in match_ids]
        self.fields["match"].error_messages["invalid_choice"] = _(
            "That match is no longer proposed: the matcher may have run again."
        )

    def clean_match(self) -> list[int]:
        chosen = self.cleaned_data["match"]
        if len(set(chosen)) != 2:
            raise ValidationError(gettext("Tick exactly two matches to swap their volunteers."))
        return chosen


class BookForm(forms.Form):
    start_at = forms.DateTimeField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("What would you like to learn?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
