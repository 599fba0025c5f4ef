"""The "Remind me" card of a contact's page: reminders the student sets about one contact.

They are notifications reminders of the kind "custom" whose subject is "contact:<id>:<tag>";
contacts.reminders.custom_reminder_set writes them and the notifications pipeline sends them.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contacts import selectors
from contacts.forms.people import InteractionForm
from contacts.forms.reminders import ContactReminderForm, repeat_label
from contacts.models import Contact
from contacts.reminders import CUSTOM, custom_reminder_set
from contacts.views import people
from networking_app.accounts.decorators import network_required
from networking_app.notifications import selectors as reminder_selectors
from networking_app.notifications import services as notify
from networking_app.notifications.models import Reminder, ReminderState

SHOWN_STATES = [ReminderState.PENDING, ReminderState.DIGEST, ReminderState.SENT]


def _subject_prefix(contact: Contact) -> str:
    return f"contact:{contact.pk}:"


def _contact_reminders(contact: Contact) -> list[Reminder]:
    reminders = reminder_selectors.reminders_about(
        user_id=contact.owner_id,
        kind=CUSTOM,
        subject_prefix=_subject_prefix(contact),
        states=SHOWN_STATES,
    )
    for reminder in reminders:
        reminder.repeat_label = repeat_label(reminder.repeat_days) if reminder.repeat_days else ""
    return reminders


def card_context(*, contact: Contact, form: ContactReminderForm | None = None) -> dict:
    """What templates/contacts/_contact_reminders.html needs (the contact page includes it)."""
    return {
        "reminder_form": form or ContactReminderForm(),
        "contact_reminders": _contact_reminders(contact),
    }


def _back_to_card(contact: Contact):
    return redirect(reverse("contacts:detail", args=[contact.pk]) + "#reminders")


@require_POST
@network_required
def reminder_add(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    form = ContactReminderForm(request.POST)
    if not form.is_valid():
        # The contact page again, with the errors and everything typed kept.
        return people._detail_page(request, contact, InteractionForm(), reminder_form=form)
    data = form.cleaned_data
    reminder = custom_reminder_set(
        contact=contact, text=data["text"], due_on=data["due_on"], repeat_days=data["repeat"]
    )
    when = date_format(data["due_on"], "DATE_FORMAT")
    if reminder.repeat_days:
        message = _("We will remind you on %(date)s, then %(repeat)s: %(text)s") % {
            "date": when,
            "repeat": repeat_label(reminder.repeat_days),
            "text": reminder.text,
        }
    else:
        message = _("We will remind you on %(date)s: %(text)s") % {
            "date": when,
            "text": reminder.text,
        }
    messages.success(request, message)
    return _back_to_card(contact)


@require_POST
@network_required
def reminder_cancel(request, contact_id: int, reminder_id: int):
    contact = selectors.contact_get_for_user(user=request.user, contact_id=contact_id)
    reminder = reminder_selectors.reminder_about(
        user=request.user,
        kind=CUSTOM,
        subject_prefix=_subject_prefix(contact),
        reminder_id=reminder_id,
    )
    if reminder.state in SHOWN_STATES:
        notify.reminder_cancel(user=request.user, kind=CUSTOM, subject_key=reminder.subject_key)
        messages.success(request, _("Reminder cancelled: %(text)s") % {"text": reminder.text})
    else:
        messages.info(request, _("That reminder was already finished or cancelled."))
    return _back_to_card(contact)
