"""A brief before each career conversation (issue 19): who they are, how the student knows
them, the history (interactions, earlier conversations' notes and takeaways), the prepared
questions, what the student wants to learn, the place or link, and the guide's things to
remember. Emailed BRIEF_MINUTES before (contacts.reminders, kind "brief"), on Today when the
conversation starts within BRIEF_ON_TODAY, and on a page of its own (contacts:conversation_brief).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from contacts.advice import THINGS_TO_REMEMBER
from contacts.models import Conversation, ConversationStatus, Interaction

BRIEF_MINUTES = 60
BRIEF_ON_TODAY = dt.timedelta(hours=3)
# ... and still, for a conversation begun this long ago.
BEGUN_WITHIN = dt.timedelta(minutes=30)
HISTORY = 8  # interactions shown, newest first


@dataclass(frozen=True)
class Earlier:
    held_on: dt.date
    notes: str
    takeaways: str


@dataclass(frozen=True)
class Brief:
    conversation: Conversation
    who: str  # "Ada Lee, Head of Research at Contoso"
    how_you_know: list[str]
    interactions: list[Interaction]
    earlier: list[Earlier]
    questions: list[str]
    goal: str
    place: str
    things_to_remember: list[str]


def who_line(conversation: Conversation) -> str:
    contact = conversation.contact
    role = contact.title
    if contact.organization_id:
        role = (
            gettext("%(title)s at %(organization)s")
            % {"title": role, "organization": contact.organization.name}
            if role
            else contact.organization.name
        )
    return (
        gettext("%(name)s, %(role)s") % {"name": contact.name, "role": role}
        if role
        else contact.name
    )


def how_you_know_lines(conversation: Conversation) -> list[str]:
    contact = conversation.contact
    known = []
    if contact.relationship:
        known.append(contact.get_relationship_display())
    if contact.how_met:
        known.append(gettext("Met: %(how)s") % {"how": contact.how_met})
    if contact.referred_by_id:
        text = (
            gettext("Referred by %(name)s (you may use their name)")
            if contact.may_use_referrer_name
            else gettext("Referred by %(name)s (ask before naming them)")
        )
        known.append(text % {"name": contact.referred_by.name})
    return known


def conversation_brief(conversation: Conversation) -> Brief:
    """Needs the conversation with select_related("contact__organization",
    "contact__referred_by"); three queries."""
    contact = conversation.contact
    interactions = list(
        Interaction.objects.filter(contact=contact).order_by("-occurred_on", "-pk")[:HISTORY]
    )
    earlier = [
        Earlier(held.held_at.date(), held.notes, held.takeaways)
        for held in Conversation.objects.filter(contact=contact, held_at__isnull=False)
        .exclude(pk=conversation.pk)
        .order_by("-held_at")
        .only("held_at", "notes", "takeaways")
        if held.notes or held.takeaways
    ]
    place = conversation.location
    if conversation.mode and not place:
        place = conversation.get_mode_display()
    return Brief(
        conversation=conversation,
        who=who_line(conversation),
        how_you_know=how_you_know_lines(conversation),
        interactions=interactions,
        earlier=earlier,
        questions=[q.text for q in conversation.questions.all()],
        goal=conversation.goal,
        place=place,
        things_to_remember=THINGS_TO_REMEMBER,
    )


def _starting_soon_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - BEGUN_WITHIN, now + BRIEF_ON_TODAY


def may_start_soon(
    *, now: dt.datetime, scheduled_times: Iterable[dt.datetime], seen_until: dt.datetime | None
) -> bool:
    """Whether briefs_starting_soon could find anything, from the times of the student's
    scheduled conversations looked up until `seen_until` (Today's lists): False spares it
    its query."""
    start, end = _starting_soon_window(now)
    if seen_until is None or seen_until < end:
        return True
    return any(start <= when <= end for when in scheduled_times)


def briefs_starting_soon(*, user, now: dt.datetime | None = None) -> list[Conversation]:
    """The student's conversations starting within BRIEF_ON_TODAY (or begun in the last half
    hour): Today shows a card with their brief. One query."""
    start, end = _starting_soon_window(now or timezone.now())
    return list(
        Conversation.objects.filter(
            owner=user,
            status=ConversationStatus.SCHEDULED,
            scheduled_at__gte=start,
            scheduled_at__lte=end,
        )
        .select_related("contact__organization")
        .order_by("scheduled_at")
    )
