"""Writes to conversations (informational interviews): the state machine (TRANSITIONS) and
the services that move a conversation through it, each locking its row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import reminders
from contacts.models import (
    ChangeKind,
    Contact,
    Conversation,
    ConversationChange,
    ConversationStatus,
    InteractionKind,
    MeetingMode,
    PreparedQuestion,
)
from contacts.services.common import owner_changed
from contacts.services.people import contact_refresh_conversation_text, interaction_log
from contacts.services.preparation import question_answers_save
from networking_app.core.prepared import attach

S = ConversationStatus

# Which status may follow which: anything else is refused with a clear message.
TRANSITIONS: dict[str, set[str]] = {
    S.PLANNED: {S.REQUESTED, S.SCHEDULED, S.CLOSED},
    S.REQUESTED: {S.SCHEDULED, S.DECLINED, S.NO_RESPONSE, S.CLOSED},
    S.SCHEDULED: {S.REQUESTED, S.HELD, S.DECLINED, S.CLOSED},
    S.HELD: {S.THANKED, S.CLOSED},
    S.THANKED: {S.CLOSED},
    S.DECLINED: {S.CLOSED},
    S.NO_RESPONSE: {S.REQUESTED, S.CLOSED},
    S.CLOSED: set(),
}

MODE_TO_INTERACTION = {
    MeetingMode.IN_PERSON: InteractionKind.IN_PERSON,
    MeetingMode.PHONE: InteractionKind.CALL,
    MeetingMode.VIDEO: InteractionKind.VIDEO,
}


class TransitionError(ValidationError):
    pass


def _check_transition(conversation: Conversation, new_status: str) -> None:
    if new_status not in TRANSITIONS[conversation.status]:
        raise TransitionError(
            _("A conversation that is “%(current)s” cannot become “%(new)s”.")
            % {"current": conversation.get_status_display(), "new": S(new_status).label}
        )


# --- Conversations -------------------------------------------------------------------------


def conversation_plan(
    *, contact: Contact, goal: str, questions: list[str] | None = None
) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.create(
            owner_id=contact.owner_id, contact=contact, goal=goal.strip()
        )
        for position, text in enumerate(q.strip() for q in questions or []):
            if text:
                PreparedQuestion.objects.create(
                    conversation=conversation, text=text, position=position
                )
        owner_changed(contact.owner_id)
    return conversation


def _lock(conversation: Conversation) -> Conversation:
    # Two tabs clicking different pipeline buttons must not both apply.
    locked = (
        Conversation.objects.select_for_update().select_related("contact").get(pk=conversation.pk)
    )
    # The owner never changes: the one already read (the signed-in student, when the view's
    # lookup found the conversation among theirs) serves the reminders without a query.
    if Conversation.owner.field.is_cached(conversation):
        attach([locked, locked.contact], owner=conversation.owner)
    return locked


def _set_status(conversation: Conversation, status: str, *fields: str) -> None:
    conversation.status = status
    conversation.save(update_fields=["status", "updated_at", *fields])
    reminders.sync_conversation(conversation)
    owner_changed(conversation.owner_id)


def conversation_mark_requested(
    *, conversation: Conversation, requested_on: dt.date | None = None, note: str = ""
) -> Conversation:
    """The intro email went out: the conversation waits for an answer."""
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.REQUESTED)
        conversation.requested_on = requested_on or timezone.localdate()
        _set_status(conversation, S.REQUESTED, "requested_on")
        interaction_log(
            contact=conversation.contact,
            kind=InteractionKind.EMAIL,
            occurred_on=conversation.requested_on,
            note=note or _("Sent an intro email asking for a conversation."),
            conversation=conversation,
        )
    return conversation


def _require_future(when: dt.datetime, field: str = "scheduled_at") -> None:
    if when <= timezone.now():
        raise ValidationError({field: _("Choose a date and time in the future.")})


def conversation_schedule(
    *,
    conversation: Conversation,
    scheduled_at: dt.datetime,
    mode: str,
    location: str = "",
    duration_minutes: int = 30,
) -> Conversation:
    _require_future(scheduled_at)
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.SCHEDULED)
        conversation.scheduled_at = scheduled_at
        conversation.mode = mode
        conversation.location = location
        conversation.duration_minutes = duration_minutes
        _set_status(
            conversation, S.SCHEDULED, "scheduled_at", "mode", "location", "duration_minutes"
        )
    return conversation


def conversation_reschedule(
    *,
    conversation: Conversation,
    scheduled_at: dt.datetime,
    asked_by: str,
    reason: str = "",
    location: str | None = None,
) -> Conversation:
    _require_future(scheduled_at)
    with transaction.atomic():
        conversation = _lock(conversation)
        if conversation.status != S.SCHEDULED:
            raise TransitionError(_("Only a scheduled conversation can be rescheduled."))
        ConversationChange.objects.create(
            conversation=conversation,
            kind=ChangeKind.RESCHEDULED,
            asked_by=asked_by,
            reason=reason.strip(),
            previous_at=conversation.scheduled_at,
            new_at=scheduled_at,
        )
        conversation.scheduled_at = scheduled_at
        if location is not None:
            conversation.location = location
        conversation.save(update_fields=["scheduled_at", "location", "updated_at"])
        owner_changed(conversation.owner_id)
        reminders.sync_conversation(conversation)
    return conversation


def conversation_cancel(
    *, conversation: Conversation, asked_by: str, reason: str = ""
) -> Conversation:
    """The meeting is off for now; the conversation goes back to waiting for a new date."""
    with transaction.atomic():
        conversation = _lock(conversation)
        if conversation.status != S.SCHEDULED:
            raise TransitionError(_("Only a scheduled conversation can be cancelled."))
        ConversationChange.objects.create(
            conversation=conversation,
            kind=ChangeKind.CANCELLED,
            asked_by=asked_by,
            reason=reason.strip(),
            previous_at=conversation.scheduled_at,
        )
        conversation.scheduled_at = None
        if conversation.requested_on is None:
            conversation.requested_on = timezone.localdate()
        _set_status(conversation, S.REQUESTED, "scheduled_at", "requested_on")
    return conversation


def conversation_mark_held(
    *,
    conversation: Conversation,
    notes: str = "",
    takeaways: str = "",
    answers: dict[int, str] | None = None,
    held_at: dt.datetime | None = None,
) -> Conversation:
    """The conversation took place at `held_at` (default now), which is stored as given."""
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"held_at": _("A conversation cannot be held in the future.")})
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.HELD)
        conversation.held_at = held_at
        if conversation.scheduled_at is None or conversation.scheduled_at > held_at:
            # The meeting happened earlier than planned (or was never put in the calendar):
            # the record says when it really took place.
            conversation.scheduled_at = held_at
        conversation.notes = notes
        conversation.takeaways = takeaways
        _set_status(conversation, S.HELD, "held_at", "scheduled_at", "notes", "takeaways")
        contact_refresh_conversation_text(contact_id=conversation.contact_id)
        question_answers_save(conversation=conversation, answers=answers or {})
        interaction_log(
            contact=conversation.contact,
            kind=MODE_TO_INTERACTION.get(conversation.mode, InteractionKind.IN_PERSON),
            occurred_on=timezone.localdate(held_at),
            note=_("Career conversation."),
            conversation=conversation,
        )
    return conversation


def conversation_record_held(
    *,
    contact: Contact,
    goal: str,
    held_at: dt.datetime,
    duration_minutes: int = 30,
    mode: str = "",
    location: str = "",
) -> Conversation:
    """A conversation that was arranged elsewhere (a mentoring session) and has taken place:
    recorded as scheduled at that time, then held, so the thank-you reminder follows."""
    with transaction.atomic():
        conversation = Conversation.objects.create(
            owner_id=contact.owner_id,
            contact=contact,
            goal=goal.strip(),
            status=S.SCHEDULED,
            scheduled_at=held_at,
            duration_minutes=duration_minutes,
            mode=mode,
            location=location[:500],
        )
        return conversation_mark_held(conversation=conversation, held_at=held_at)


def conversation_mark_thanked(*, conversation: Conversation, note: str = "") -> Conversation:
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, S.THANKED)
        conversation.thanked_at = timezone.now()
        _set_status(conversation, S.THANKED, "thanked_at")
        interaction_log(
            contact=conversation.contact,
            kind=InteractionKind.EMAIL,
            note=note or _("Sent a thank-you email."),
            conversation=conversation,
        )
    return conversation


def conversation_set_status(*, conversation: Conversation, status: str) -> Conversation:
    """Moves with no details to fill in: declined, no response, closed, back to requested."""
    if status not in (S.DECLINED, S.NO_RESPONSE, S.CLOSED, S.REQUESTED):
        raise TransitionError(_("This move needs its own form."))
    with transaction.atomic():
        conversation = _lock(conversation)
        _check_transition(conversation, status)
        fields = []
        if status == S.CLOSED:
            conversation.closed_at = timezone.now()
            fields.append("closed_at")
        if status == S.REQUESTED and conversation.requested_on is None:
            conversation.requested_on = timezone.localdate()
            fields.append("requested_on")
        _set_status(conversation, status, *fields)
    return conversation


def conversation_update_notes(
    *, conversation: Conversation, goal: str, notes: str, takeaways: str
) -> Conversation:
    conversation.goal = goal
    conversation.notes = notes
    conversation.takeaways = takeaways
    with transaction.atomic():
        conversation.save(update_fields=["goal", "notes", "takeaways", "updated_at"])
        contact_refresh_conversation_text(contact_id=conversation.contact_id)
    owner_changed(conversation.owner_id)
    return conversation
