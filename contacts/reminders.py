"""The student's reminder kinds, registered with networking_app.notifications at start-up,
and the functions contacts.services calls to keep them in step with the pipeline."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.advice import THINGS_TO_REMEMBER
from contacts.briefs import BRIEF_MINUTES, how_you_know_lines, who_line
from contacts.models import ActionItem, Contact, Conversation, ConversationStatus
from networking_app.core.cache import bump_version, person
from networking_app.core.emails import format_when
from networking_app.notifications import services as notify
from networking_app.notifications.kinds import ReminderKind, Timing, register
from networking_app.notifications.models import Delivery, Reminder

S = ConversationStatus
MORNING = 9  # reminders about a day go out at 9:00 in the student's time zone

THANK_YOU = "thank_you"
FOLLOW_UP = "follow_up"
PREP = "prep"
BRIEF = "brief"
STAY_IN_TOUCH = "stay_in_touch"
ACTION_ITEM = "action_item"
CUSTOM = "custom"


# Where `_prefetch` leaves a reminder's subject (None: it no longer exists).
SUBJECT = "_prefetched_subject"


def _id(reminder: Reminder) -> int:
    return int(reminder.subject_key.split(":")[1])


def _prefetch(queryset):
    """A kind's `prefetch`: one query loads the subjects of all the reminders (a list page)."""

    def prefetch(reminders: list[Reminder]) -> None:
        found = {
            (subject.owner_id, subject.pk): subject
            for subject in queryset.filter(pk__in={_id(r) for r in reminders})
        }
        for reminder in reminders:
            vars(reminder)[SUBJECT] = found.get((reminder.user_id, _id(reminder)))

    return prefetch


def _conversation(reminder: Reminder) -> Conversation | None:
    if SUBJECT in vars(reminder):
        return vars(reminder)[SUBJECT]
    return (
        Conversation.objects.select_related("contact__organization")
        .filter(owner_id=reminder.user_id, pk=_id(reminder))
        .first()
    )


def _contact(reminder: Reminder) -> Contact | None:
    if SUBJECT in vars(reminder):
        return vars(reminder)[SUBJECT]
    return (
        Contact.objects.select_related("organization")
        .filter(owner_id=reminder.user_id, pk=_id(reminder))
        .first()
    )


def _who(contact: Contact) -> str:
    """ "Ana Ruiz (Northwind)", or the name alone."""
    if contact.organization_id:
        return _("%(name)s (%(organization)s)") % {
            "name": contact.name,
            "organization": contact.organization.name,
        }
    return contact.name


def _when(value: dt.datetime) -> str:
    # In the active zone: the reader's, which notifications activates to render a reminder.
    return format_when(value)


# --- Thank-you ------------------------------------------------------------------------------


def _thank_you_relevant(reminder):
    conversation = _conversation(reminder)
    return conversation is not None and conversation.status == S.HELD


def _thank_you_render(reminder):
    conversation = _conversation(reminder)
    contact = conversation.contact
    return {
        "title": _("Thank %(name)s for your conversation") % {"name": contact.name},
        "lines": [
            _(
                "You spoke with %(who)s. A short thank-you that says how you will act on their "
                "advice makes the conversation count."
            )
            % {"who": _who(contact)},
        ],
        "url": reverse("contacts:draft", kwargs={"contact_id": contact.pk, "kind": "thank_you"})
        + f"?conversation={conversation.pk}",
        "action": _("Write the thank-you note"),
    }


def _thank_you_done(reminder):
    from contacts.services.pipeline import conversation_mark_thanked

    conversation = _conversation(reminder)
    if conversation is not None and conversation.status == S.HELD:
        conversation_mark_thanked(conversation=conversation)


# --- Follow-up ------------------------------------------------------------------------------


def _follow_up_relevant(reminder):
    conversation = _conversation(reminder)
    return conversation is not None and conversation.status == S.REQUESTED


def _follow_up_render(reminder):
    conversation = _conversation(reminder)
    contact = conversation.contact
    return {
        "title": _("Follow up with %(name)s") % {"name": contact.name},
        "lines": [
            _(
                "You asked %(who)s for a conversation and have not heard back. One polite "
                "follow-up is expected; be patient after that."
            )
            % {"who": _who(contact)},
        ],
        "url": reverse("contacts:draft", kwargs={"contact_id": contact.pk, "kind": "follow_up"})
        + f"?conversation={conversation.pk}",
        "action": _("Write the follow-up"),
    }


# --- Conversation prep ----------------------------------------------------------------------


def _prep_relevant(reminder):
    conversation = _conversation(reminder)
    return (
        conversation is not None
        and conversation.status == S.SCHEDULED
        and conversation.scheduled_at is not None
        and conversation.scheduled_at > timezone.now()
    )


def _prep_render(reminder):
    conversation = _conversation(reminder)
    contact = conversation.contact
    questions = [q.text for q in conversation.questions.all()]
    when = _when(conversation.scheduled_at)
    if conversation.location:
        first = _("Your conversation with %(who)s is on %(when)s, %(location)s.") % {
            "who": _who(contact),
            "when": when,
            "location": conversation.location,
        }
    else:
        first = _("Your conversation with %(who)s is on %(when)s.") % {
            "who": _who(contact),
            "when": when,
        }
    lines = [
        first,
        _(
            "Be on time, be considerate of their time, listen carefully, and ask who else you "
            "should talk to."
        ),
    ]
    if questions:
        lines.append(_("Your questions:"))
        lines.extend(f"{n}. {text}" for n, text in enumerate(questions, 1))
    return {
        "title": _("Tomorrow: your conversation with %(name)s") % {"name": contact.name},
        "lines": lines,
        "url": reverse("contacts:conversation", kwargs={"conversation_id": conversation.pk}),
        "action": _("Open your preparation"),
    }


# --- The brief, an hour before (contacts.briefs) ----------------------------------------------


def _brief_render(reminder):
    """From the prefetched conversation only (no query each): the full brief, history
    included, is the page the email links to."""
    conversation = _conversation(reminder)
    contact = conversation.contact
    lines = [
        f"{who_line(conversation)}, {_when(conversation.scheduled_at)}"
        + (f", {conversation.location}" if conversation.location else "")
        + ".",
        *how_you_know_lines(conversation),
        _("What you want to learn: %(goal)s") % {"goal": conversation.goal}
        if conversation.goal
        else "",
    ]
    questions = [q.text for q in conversation.questions.all()]
    if questions:
        lines.append(_("Your questions:"))
        lines.extend(f"{n}. {text}" for n, text in enumerate(questions, 1))
    lines.append(_("Remember:") + " " + " ".join(str(t) for t in THINGS_TO_REMEMBER[1:5]))
    return {
        "title": _("In an hour: your conversation with %(name)s") % {"name": contact.name},
        "lines": [line for line in lines if line],
        "url": reverse("contacts:conversation_brief", kwargs={"conversation_id": conversation.pk}),
        "action": _("Read your brief"),
    }


# --- Stay in touch --------------------------------------------------------------------------


def _stay_relevant(reminder):
    contact = _contact(reminder)
    if contact is None or not contact.cadence_days:
        return False
    due = contact.stay_in_touch_due_on
    return due is not None and due <= timezone.localdate() + dt.timedelta(days=1)


def _stay_render(reminder):
    contact = _contact(reminder)
    last = contact.last_interaction_on
    if last:
        line = _(
            "You have not been in touch with %(who)s since %(date)s. Relationships are built "
            "over time: share an update or ask how they are."
        ) % {"who": _who(contact), "date": formats.date_format(last)}
    else:
        line = _(
            "You have not been in touch with %(who)s in a while. Relationships are built over "
            "time: share an update or ask how they are."
        ) % {"who": _who(contact)}
    return {
        "title": _("Stay in touch with %(name)s") % {"name": contact.name},
        "lines": [line],
        "url": reverse(
            "contacts:draft", kwargs={"contact_id": contact.pk, "kind": "stay_in_touch"}
        ),
        "action": _("Write a stay-in-touch note"),
    }


# --- Action items and custom reminders ------------------------------------------------------


def _action_item(reminder) -> ActionItem | None:
    if SUBJECT in vars(reminder):
        return vars(reminder)[SUBJECT]
    return (
        ActionItem.objects.select_related("contact")
        .filter(owner_id=reminder.user_id, pk=_id(reminder))
        .first()
    )


def _action_relevant(reminder):
    item = _action_item(reminder)
    return item is not None and item.done_at is None


def _action_render(reminder):
    item = _action_item(reminder)
    if item.due_on:
        lines = [_("Due %(date)s.") % {"date": formats.date_format(item.due_on)}]
    else:
        lines = [_("No due date.")]
    if item.contact_id:
        lines.append(_("About %(name)s.") % {"name": item.contact.name})
    url = (
        reverse("contacts:conversation", kwargs={"conversation_id": item.conversation_id})
        if item.conversation_id
        else reverse("home")
    )
    return {"title": item.text, "lines": lines, "url": url, "action": _("Open it")}


def _action_done(reminder):
    item = _action_item(reminder)
    if item is not None and item.done_at is None:
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
        bump_version(person(item.owner_id))  # Today lists it (networking_app.core.cache)


def _custom_relevant(reminder):
    return _contact(reminder) is not None


def _custom_render(reminder):
    contact = _contact(reminder)
    return {
        "title": reminder.text or _("Reminder about %(name)s") % {"name": contact.name},
        "lines": [_("About %(who)s.") % {"who": _who(contact)}],
        "url": reverse("contacts:detail", kwargs={"contact_id": contact.pk}),
        "action": _("Open %(name)s's page") % {"name": contact.name},
    }


CONVERSATIONS = Conversation.objects.select_related("contact__organization")
CONTACTS = Contact.objects.select_related("organization")


def register_kinds() -> None:
    register(
        ReminderKind(
            name=THANK_YOU,
            label=gettext_lazy("Thank-you due"),
            description=gettext_lazy(
                "After a conversation is marked held, until you mark it thanked."
            ),
            render=_thank_you_render,
            is_relevant=_thank_you_relevant,
            on_done=_thank_you_done,
            prefetch=_prefetch(CONVERSATIONS),
            timing=Timing(gettext_lazy("Hours after a conversation"), "hours", 24, 1, 168),
        )
    )
    register(
        ReminderKind(
            name=FOLLOW_UP,
            label=gettext_lazy("Follow-up due"),
            description=gettext_lazy("When an intro email has had no answer."),
            render=_follow_up_render,
            is_relevant=_follow_up_relevant,
            prefetch=_prefetch(CONVERSATIONS),
            timing=Timing(gettext_lazy("Days after the intro email"), "days", 7, 2, 60),
        )
    )
    register(
        ReminderKind(
            name=PREP,
            label=gettext_lazy("Conversation tomorrow"),
            description=gettext_lazy(
                "The day before a scheduled conversation, with your questions."
            ),
            render=_prep_render,
            is_relevant=_prep_relevant,
            prefetch=_prefetch(CONVERSATIONS.prefetch_related("questions")),
            timing=Timing(gettext_lazy("Days before the conversation"), "days", 1, 1, 7),
        )
    )
    register(
        ReminderKind(
            name=BRIEF,
            label=gettext_lazy("Brief before a conversation"),
            description=gettext_lazy(
                "Shortly before a conversation: who they are, your history, your questions and "
                "the place."
            ),
            render=_brief_render,
            is_relevant=_prep_relevant,
            prefetch=_prefetch(
                CONVERSATIONS.select_related("contact__referred_by").prefetch_related("questions")
            ),
            timing=Timing(
                gettext_lazy("Minutes before the conversation"), "minutes", BRIEF_MINUTES, 15, 240
            ),
        )
    )
    register(
        ReminderKind(
            name=STAY_IN_TOUCH,
            label=gettext_lazy("Stay in touch"),
            description=gettext_lazy("When a contact's stay-in-touch rhythm has passed."),
            render=_stay_render,
            is_relevant=_stay_relevant,
            prefetch=_prefetch(CONTACTS),
            default_delivery=Delivery.DIGEST,
        )
    )
    register(
        ReminderKind(
            name=ACTION_ITEM,
            label=gettext_lazy("Action item due"),
            description=gettext_lazy("On the morning an action item is due."),
            render=_action_render,
            is_relevant=_action_relevant,
            on_done=_action_done,
            prefetch=_prefetch(ActionItem.objects.select_related("contact")),
        )
    )
    register(
        ReminderKind(
            name=CUSTOM,
            label=gettext_lazy("Your own reminders"),
            description=gettext_lazy("Reminders you set on a contact, once or repeating."),
            render=_custom_render,
            is_relevant=_custom_relevant,
            prefetch=_prefetch(CONTACTS),
        )
    )


# --- Keeping reminders in step with the pipeline (called by contacts.services) ---------------


def _morning_of(user, day: dt.date) -> dt.datetime:
    return notify.local_time_on(day, MORNING, notify.user_zone(user))


def sync_conversation(conversation: Conversation) -> None:
    """Schedule or cancel the thank-you, follow-up and prep reminders for its new status."""
    user = conversation.owner
    key = f"conversation:{conversation.pk}"
    status = conversation.status
    if status == S.HELD and conversation.held_at:
        hours = notify.timing_for(user, THANK_YOU)
        notify.reminder_schedule(
            user=user,
            kind=THANK_YOU,
            subject_key=key,
            due_at=conversation.held_at + dt.timedelta(hours=hours),
        )
    else:
        notify.reminder_cancel(user=user, kind=THANK_YOU, subject_key=key)
    if status == S.REQUESTED and conversation.requested_on:
        days = notify.timing_for(user, FOLLOW_UP)
        notify.reminder_schedule(
            user=user,
            kind=FOLLOW_UP,
            subject_key=key,
            due_at=_morning_of(user, conversation.requested_on + dt.timedelta(days=days)),
        )
    else:
        notify.reminder_cancel(user=user, kind=FOLLOW_UP, subject_key=key)
    if status == S.SCHEDULED and conversation.scheduled_at:
        days = notify.timing_for(user, PREP)
        local_day = timezone.localtime(conversation.scheduled_at, notify.user_zone(user)).date()
        due = _morning_of(user, local_day - dt.timedelta(days=days))
        # Scheduled at short notice: remind now rather than never.
        due = min(max(due, timezone.now()), conversation.scheduled_at)
        notify.reminder_schedule(user=user, kind=PREP, subject_key=key, due_at=due)
        minutes = notify.timing_for(user, BRIEF)
        brief_due = conversation.scheduled_at - dt.timedelta(minutes=minutes)
        notify.reminder_schedule(
            user=user, kind=BRIEF, subject_key=key, due_at=max(brief_due, timezone.now())
        )
    else:
        notify.reminder_cancel(user=user, kind=PREP, subject_key=key)
        notify.reminder_cancel(user=user, kind=BRIEF, subject_key=key)


def sync_contact(contact: Contact) -> None:
    """Stay in touch: due when the cadence has passed since the last interaction."""
    key = f"contact:{contact.pk}"
    due_on = contact.stay_in_touch_due_on
    if due_on is None:
        notify.reminder_cancel(user=contact.owner, kind=STAY_IN_TOUCH, subject_key=key)
        return
    notify.reminder_schedule(
        user=contact.owner,
        kind=STAY_IN_TOUCH,
        subject_key=key,
        due_at=_morning_of(contact.owner, due_on),
    )


def sync_action_item(item: ActionItem) -> None:
    key = f"action_item:{item.pk}"
    if item.done_at is not None or item.due_on is None:
        notify.reminder_cancel(user=item.owner, kind=ACTION_ITEM, subject_key=key)
        return
    notify.reminder_schedule(
        user=item.owner,
        kind=ACTION_ITEM,
        subject_key=key,
        due_at=_morning_of(item.owner, item.due_on),
    )


def custom_reminder_set(
    *, contact: Contact, text: str, due_on: dt.date, repeat_days: int | None = None
) -> Reminder:
    """A reminder the student sets on a contact, once or every `repeat_days` days."""
    import uuid

    return notify.reminder_schedule(
        user=contact.owner,
        kind=CUSTOM,
        subject_key=f"contact:{contact.pk}:{uuid.uuid4().hex[:8]}",
        due_at=_morning_of(contact.owner, due_on),
        text=text.strip(),
        repeat_days=repeat_days,
    )
