"""The "Remind me" form on a contact's page: a reminder of the student's own, once or repeating."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from networking_app.notifications.models import Reminder

# Stored as a number of days (Reminder.repeat_days); "" means once.
REPEAT_CHOICES = [
    ("", "Once"),
    ("7", "Every week"),
    ("30", "Every month"),
    ("91", "Every 3 months"),
]
REPEAT_LABELS = {int(value): label.lower() for value, label in REPEAT_CHOICES if value}


class ContactReminderForm(forms.Form):
    text = forms.CharField(
        label="Remind me to",
        max_length=Reminder._meta.get_field("text").max_length,
        help_text="For example: send her the article on museum careers.",
        error_messages={"required": "Write what you want to be reminded of."},
    )
    due_on = forms.DateField(
        label="On",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The reminder is emailed at 9:00 in the morning, your time.",
        error_messages={
            "required": "Choose the day to be reminded.",
            "invalid": "Enter a date, like 2026-03-14.",
        },
    )
    repeat = forms.TypedChoiceField(
        label="Repeat",
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
                f"That day has passed: choose today ({today:%Y-%m-%d}) or a later date."
            )
        return due_on
