"""The Today page: what needs the student today, each list most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, Subquery, prefetch_related_objects
from django.utils import timezone

from contacts.capture.models import CapturedMessage, CaptureKind
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    ConversationStatus,
    TargetOrganization,
)
from contacts.selectors.people import contacts_with_due_date, losing_touch_filter
from networking_app.accounts.models import User

S = ConversationStatus
# The guide's rule: thank people within a day of the conversation. Today lists every
# conversation held and not thanked yet, the overdue ones marked so.
THANK_YOU_WITHIN = dt.timedelta(hours=24)
FOLLOW_UP_DUE_AFTER = dt.timedelta(days=7)
# Upcoming: the conversations scheduled from two hours ago to a week ahead.
UPCOMING_SINCE = dt.timedelta(hours=2)
UPCOMING_WITHIN = dt.timedelta(days=7)


@dataclass
class TodayPage:
    thank_yous: list[Conversation]
    follow_ups: list[Conversation]
    upcoming: list[Conversation]
    losing_touch: list[Contact]
    action_items: list[ActionItem]
    # Intros the contact answered (their reply forwarded to the capture address, contacts/capture):
    # schedule it? Not listed among the follow-ups.
    replies: list[Conversation] = field(default_factory=list)
    # When every scheduled conversation seen starts (not cut to `limit`), and until when they
    # were looked for: whether one is starting soon needs no query of its own (contacts.briefs).
    scheduled_times: tuple[dt.datetime, ...] = ()
    scheduled_until: dt.datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not any(
            [
                self.thank_yous,
                self.follow_ups,
                self.upcoming,
                self.losing_touch,
                self.action_items,
                self.replies,
            ]
        )


def today_page(
    *, user, now: dt.datetime | None = None, limit: int = 20, with_action_items: bool = True
) -> TodayPage:
    """What needs the student today, each list most urgent first and at most `limit` long
    (without the action items when not `with_action_items`: see action_items_due).

    The three conversation lists (one status each) come from one plain query and are cut to
    `limit` here: a student has few conversations due at once, and a row number per status
    cost more to compile than the two queries it saved. TODAY_MAX_DUE bounds the query for a
    student with an absurd backlog.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    replies = CapturedMessage.objects.filter(conversation=OuterRef("pk"), kind=CaptureKind.REPLY)
    scheduled_until = now + UPCOMING_WITHIN
    due = (
        Q(status=S.HELD)
        | Q(status=S.REQUESTED, requested_on__lte=today - FOLLOW_UP_DUE_AFTER)
        | Q(status=S.REQUESTED, replied=True)
        | Q(
            status=S.SCHEDULED,
            scheduled_at__gte=now - UPCOMING_SINCE,
            scheduled_at__lte=scheduled_until,
        )
    )
    conversations = (
        Conversation.objects.filter(owner=user)
        .alias(replied=Exists(replies))
        .filter(due)
        .annotate(
            replied_at=Subquery(
                replies.order_by()
                .values("conversation")
                .annotate(last=Max("sent_at"))
                .values("last")
            )
        )
        .select_related("contact__organization")
        .only(*TODAY_CONVERSATION_FIELDS)
        .order_by("id")[:TODAY_MAX_DUE]
    )
    # Thank-yous by when they were held, follow-ups by the intro, upcoming by when they are.
    urgency = {
        S.HELD: lambda c: (c.held_at, c.pk),
        S.REQUESTED: lambda c: (c.requested_on, c.pk),
        S.SCHEDULED: lambda c: (c.scheduled_at, c.pk),
    }
    lists: dict[str, list[Conversation]] = {status: [] for status in urgency}
    answered: list[Conversation] = []
    for conversation in conversations:
        if conversation.status == S.REQUESTED and conversation.replied_at is not None:
            answered.append(conversation)
        else:
            lists[conversation.status].append(conversation)
    scheduled_times = tuple(sorted(c.scheduled_at for c in lists[S.SCHEDULED]))
    for status, key in urgency.items():
        lists[status] = sorted(lists[status], key=key)[:limit]
    for conversation in lists[S.HELD]:
        held_at = conversation.held_at or now
        conversation.thank_you_due_at = held_at + THANK_YOU_WITHIN
        conversation.thank_you_overdue = conversation.thank_you_due_at <= now
    upcoming = lists[S.SCHEDULED]
    if upcoming:
        prefetch_related_objects(upcoming, "questions")
    losing_touch = (
        contacts_with_due_date(Contact.objects.filter(owner=user).select_related("organization"))
        .only("name", "last_interaction_on", "organization__name", "cadence_days", "created_at")
        .filter(losing_touch_filter(today))
        .order_by("stay_in_touch_due", "name")
    )
    return TodayPage(
        thank_yous=lists[S.HELD],
        follow_ups=lists[S.REQUESTED],
        upcoming=upcoming,
        losing_touch=list(losing_touch[:limit]),
        action_items=action_items_due(user=user, today=today, limit=limit)
        if with_action_items
        else [],
        replies=sorted(answered, key=lambda c: (c.replied_at, c.pk))[:limit],
        scheduled_times=scheduled_times,
        scheduled_until=scheduled_until,
    )


def action_items_due(*, user, today: dt.date, limit: int = 20) -> list[ActionItem]:
    """The open action items due by `today`, oldest first: the Today page's checklist."""
    return list(
        ActionItem.objects.filter(owner=user, done_at__isnull=True, due_on__lte=today)
        .select_related("contact")
        .only("text", "due_on", "contact__name")
        .order_by("due_on", "id")[:limit]
    )


@dataclass(frozen=True)
class DueActionItem:
    """An action item as Today lists it: plain values, which the cache may keep (its "Mark
    done" form, with the request's CSRF token, is rendered for each request)."""

    pk: int
    text: str
    due_on: dt.date
    contact_name: str | None


def action_item_rows_due(*, user, today: dt.date, limit: int = 20) -> list[DueActionItem]:
    """action_items_due as plain rows."""
    return [
        DueActionItem(
            pk=item.pk,
            text=item.text,
            due_on=item.due_on,
            contact_name=item.contact.name if item.contact_id else None,
        )
        for item in action_items_due(user=user, today=today, limit=limit)
    ]


# The most conversations the Today page reads at once (all three lists together).
TODAY_MAX_DUE = 1_000
# What the Today page shows of a conversation and its contact.
TODAY_CONVERSATION_FIELDS = (
    "status",
    "held_at",
    "requested_on",
    "scheduled_at",
    "duration_minutes",
    "mode",
    "location",
    "contact__name",
    "contact__organization__name",
)


# --- Getting started -----------------------------------------------------------------------


@dataclass(frozen=True)
class StartStep:
    key: str
    done: bool


@dataclass(frozen=True)
class GettingStarted:
    """The first steps the career office's guide asks of a student ("before networking"), each
    done or not: Today shows them until all are done."""

    steps: list[StartStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def finished(self) -> bool:
        return all(step.done for step in self.steps)


@dataclass(frozen=True)
class StartedData:
    """What of the first steps the student's own data shows: one query (kept with Today's
    lists, under the student's version: the services that add or remove these raise it)."""

    has_target: bool
    has_contact: bool
    has_conversation: bool


def started_data(*, user) -> StartedData:
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_target=Exists(TargetOrganization.objects.filter(owner=OuterRef("pk"))),
            has_contact=Exists(Contact.objects.filter(owner=OuterRef("pk"))),
            has_conversation=Exists(Conversation.objects.filter(owner=OuterRef("pk"))),
        )
        .values("has_target", "has_contact", "has_conversation")
        .first()
    ) or {}
    return StartedData(
        has_target=bool(row.get("has_target")),
        has_contact=bool(row.get("has_contact")),
        has_conversation=bool(row.get("has_conversation")),
    )


def getting_started(*, user, data: StartedData | None = None) -> GettingStarted:
    """Onboarding finished, class year and major on the profile (read from the profile), target
    organizations, a first contact and a first conversation (`data`, else one query)."""
    data = data or started_data(user=user)
    profile = getattr(user, "student_profile", None)
    return GettingStarted(
        steps=[
            StartStep("onboarding", bool(profile and profile.onboarded_at)),
            StartStep("profile", bool(profile and profile.class_year and profile.major)),
            StartStep("targets", data.has_target),
            StartStep("contact", data.has_contact),
            StartStep("conversation", data.has_conversation),
        ]
    )
