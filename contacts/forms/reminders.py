"""The "Remind me" form on a contact's page: a reminder of the student's own, once or repeating."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from networking_app.notifications.models import Reminder

# Stored as a number of days (Reminder.repeat_days); "" means once.
REPEAT_CHOICES = [
    ("", _("Once")),
    ("7", _("Every week")),
    ("30", _("Every month")),
    ("91", _("Every 3 months")),
]
# How the card and the confirmation say a repeat ("…, then every week").
REPEAT_LABELS = {7: _("every week"), 30: _("every month"), 91: _("every 3 months")}


def repeat_label(days: int) -> str:
    label = REPEAT_LABELS.get(days)
    if label is None:
        return ngettext("every %(days)s day", "every %(days)s days", days) % {"days": days}
    return str(label)


class ContactReminderForm(forms.Form):
    text = forms.CharField(
        label=_("Remind me to"),
        max_length=Reminder._meta.get_field("text").max_length,
        help_text=_("For example: send her the article on museum careers."),
        error_messages={"required": _("Write what you want to be reminded of.")},
    )
    due_on = forms.DateField(
        label=_("On"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The reminder is emailed at 9:00 in the morning, your time."),
        error_messages={
            "required": _("Choose the day to be reminded."),
            "invalid": _("Enter a date, like 2026-03-14."),
        },
    )
    repeat = forms.TypedChoiceField(
        label=_("Repeat"),
        choices=REPEAT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reminder")  # the contact page has other forms' fields
        super().__init__(*args, **kwargs)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError(
                _("That day has passed: choose today (%(today)s) or a later date.")
                % {"today": f"{today:%Y-%m-%d}"}
            )
        return due_on
