"""Forms of flash requests and sessions.

A slot travels as its start in ISO 8601 (UTC); it is shown in the viewer's own time zone
(activated by UserTimeZoneMiddleware). Choosing among offered slots, rather than typing a time,
keeps every request on the volunteer's real availability; the services check it again under
the lock.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from mentoring.models import Mode
from mentoring.services.availability import Slot, slot_value
from mentoring.services.requests import MESSAGE_MAX_LENGTH
from mentoring.services.sessions import SLOT_TAKEN


def parse_start(value: str | None) -> dt.datetime | None:
    """An ISO 8601 date-time from a link or a form, as an aware UTC datetime (None if it is
    not one). A query string turns an unencoded "+01:00" into " 01:00": put the plus back. A
    time without an offset is taken as UTC."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def slot_label(slot: Slot) -> str:
    start = timezone.localtime(slot.start_at)
    end = timezone.localtime(slot.end_at)
    return gettext("%(start)s to %(end)s") % {
        "start": formats.date_format(start, pgettext("date format", "D j M, g:i A")),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


class PageForm(forms.Form):
    """A form that shares a page with others: its ids get a prefix, its names do not."""

    id_prefix = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class SlotChoiceField(forms.ChoiceField):
    """One of the offered slots; cleans to an aware UTC datetime."""

    placeholder = _("Choose a time")

    def __init__(self, *, slots: list[Slot] = (), **kwargs):
        super().__init__(**kwargs)
        self.set_slots(slots)

    def set_slots(self, slots: list[Slot]) -> None:
        choices = [(slot_value(slot.start_at), slot_label(slot)) for slot in slots]
        if not isinstance(self.widget, forms.RadioSelect):
            choices.insert(0, ("", self.placeholder))
        self.choices = choices

    def clean(self, value):
        value = super().clean(value)
        return parse_start(value) if value else None


class FlashRequestForm(forms.Form):
    start = SlotChoiceField(
        label=_("Time"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the volunteer's open times."),
            "invalid_choice": SLOT_TAKEN,
        },
    )
    message = forms.CharField(
        label=_("What I would like to learn"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "A few lines: who you are, what you are exploring, and two or three questions. "
            "The volunteer reads this before deciding."
        ),
    )

    def __init__(self, *args, slots: list[Slot] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].set_slots(slots)


def _mode_choices(modes: list[str] | None) -> list[tuple[str, str]]:
    offered = [m for m in (modes or []) if m in Mode.values]
    return [(m.value, m.label) for m in Mode if not offered or m.value in offered]


class PlaceForm(PageForm):
    id_prefix = "place"

    mode = forms.ChoiceField(label=_("How you will meet"), widget=forms.RadioSelect)
    location = forms.CharField(
        label=_("Place or link"),
        max_length=500,
        required=False,
        help_text=_("A video-call link, a phone number or an address. You can add it later."),
    )

    def __init__(self, *args, modes: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _mode_choices(modes)
        self.fields["mode"].choices = choices
        if not self.initial.get("mode"):
            self.fields["mode"].initial = choices[0][0]


class AcceptForm(PlaceForm):
    id_prefix = "accept"


class DeclineForm(PageForm):
    id_prefix = "decline"

    note = forms.CharField(
        label=_("A note for the student (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A kind word, or who else they could ask, goes a long way."),
    )


class ProposeForm(PageForm):
    id_prefix = "propose"

    start = SlotChoiceField(label=_("Another time you could do"))

    def __init__(self, *args, slots: list[Slot] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].set_slots(slots)


class RescheduleForm(PageForm):
    id_prefix = "reschedule"

    start = SlotChoiceField(label=_("New time"))
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)

    def __init__(self, *args, slots: list[Slot] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].set_slots(slots)


class CancelForm(PageForm):
    id_prefix = "cancel"

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The other person receives it with the cancellation."),
    )


RATINGS = [(n, str(n)) for n in range(5, 0, -1)]


class FeedbackForm(PageForm):
    id_prefix = "feedback"

    rating = forms.TypedChoiceField(
        label=_("How useful was the conversation? (5 = very)"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("Comments (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the career office reads them."),
    )
    would_meet_again = forms.BooleanField(
        label=_("I would meet again"), required=False, label_suffix=""
    )
