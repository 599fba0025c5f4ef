"""A student's conversations in calendars: which ones their subscribed feed carries (events'
personal feed) and what each looks like there. The file is written by
`networking_app.core.calendar_files`.

A conversation keeps one UID for its whole life (`conversation_uid`). Conversations have no
counter of their own, so the SEQUENCE is derived from their history of changes
(`ConversationChange`), see `_sequence`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import ChangeKind, Conversation, ConversationChange, ConversationStatus
from networking_app.core.calendar_files import MEETING_ALARM, Alarm, CalendarItem, Status
from networking_app.notifications import links

STATUSES_SHOWN = (
    ConversationStatus.SCHEDULED,
    ConversationStatus.HELD,
    ConversationStatus.THANKED,
)
# A conversation without a length is booked for this long.
DEFAULT_MINUTES = 30


def conversation_uid(conversation: Conversation) -> str:
    return f"conversation-{conversation.pk}@rapport"


def conversations_for_calendar(*, user, since: dt.datetime) -> QuerySet[Conversation]:
    """A student's conversations with a date: scheduled ones, and those already held; plus the
    ones whose meeting was cancelled (scheduled_at cleared) so calendars drop the old date.
    Annotated with what `conversation_feed_item` reads of their history."""
    if not getattr(user, "keeps_network", False):
        return Conversation.objects.none()
    changes = ConversationChange.objects.filter(conversation=OuterRef("pk"))
    latest = changes.order_by("-created_at", "-pk")
    change_count = changes.order_by().values("conversation").annotate(n=Count("pk")).values("n")[:1]
    return (
        Conversation.objects.filter(owner=user)
        .annotate(
            last_change_kind=Subquery(latest.values("kind")[:1]),
            last_change_previous_at=Subquery(latest.values("previous_at")[:1]),
            change_count=Subquery(change_count),
        )
        .filter(
            Q(status__in=STATUSES_SHOWN, scheduled_at__isnull=False, scheduled_at__gte=since)
            | Q(
                scheduled_at__isnull=True,
                last_change_kind=ChangeKind.CANCELLED,
                last_change_previous_at__gte=since,
            )
        )
        .select_related("contact__organization")
        .order_by("pk")
    )


def _sequence(conversation) -> int:
    """Every change (reschedule, cancellation) is a ConversationChange row; scheduling again
    after a cancellation writes none. Two steps per change, plus one while the conversation is
    scheduled again after its last cancellation, keeps the number rising at every step."""
    changes = conversation.change_count or 0
    rescheduled_after_cancel = (
        conversation.scheduled_at is not None
        and conversation.last_change_kind == ChangeKind.CANCELLED
    )
    return 2 * changes + (1 if rescheduled_after_cancel else 0)


def conversation_feed_item(conversation) -> CalendarItem:
    """A conversation from `conversations_for_calendar`; one whose meeting was cancelled is
    shown, cancelled, at the date it had."""
    contact = conversation.contact
    cancelled = conversation.scheduled_at is None
    start = conversation.scheduled_at or conversation.last_change_previous_at
    organization = getattr(contact, "organization", None)
    if organization:
        who = _("%(name)s (%(organization)s)") % {
            "name": contact.name,
            "organization": organization.name,
        }
    else:
        who = contact.name
    summary = _("Conversation with %(who)s") % {"who": who}
    page = links.absolute(
        reverse("contacts:conversation", kwargs={"conversation_id": conversation.pk})
    )
    lines = []
    if conversation.goal:
        lines.append(_("What I want to learn: %(goal)s") % {"goal": conversation.goal.strip()})
    lines.append(_("Questions and notes: %(url)s") % {"url": page})
    stamp = conversation.updated_at or timezone.now()
    minutes = conversation.duration_minutes or DEFAULT_MINUTES
    return CalendarItem(
        uid=conversation_uid(conversation),
        sequence=_sequence(conversation),
        stamp=stamp,
        last_modified=stamp,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        summary=_("Cancelled: %(summary)s") % {"summary": summary} if cancelled else summary,
        description="\n\n".join(lines),
        location=conversation.location
        or (conversation.get_mode_display() if conversation.mode else ""),
        url=page,
        status=Status.CANCELLED if cancelled else Status.CONFIRMED,
        alarm=(
            Alarm(trigger=MEETING_ALARM, text=_("In one hour: %(summary)s") % {"summary": summary})
            if conversation.status == ConversationStatus.SCHEDULED and not cancelled
            else None
        ),
    )
