"""The Today page: what needs the student today, each list most urgent first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from contacts.capture.models import CapturedMessage, CaptureKind
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    ConversationStatus,
    PreparedQuestion,
    TargetOrganization,
)
from contacts.selectors.people import (
    attach_organization,
    contacts_with_due_date,
    losing_touch_filter,
)
from networking_app.accounts.models import User
from networking_app.core.prepared import PreparedQuery, instance, model_columns

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
    scheduled_until = now + UPCOMING_WITHIN
    conversations = [
        _due_conversation(row)
        for row in _DUE_CONVERSATIONS.rows(
            user_id=user.pk,
            intro_before=today - FOLLOW_UP_DUE_AFTER,
            since=now - UPCOMING_SINCE,
            until=scheduled_until,
        )
    ]
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
        questions: dict[int, list[str]] = {c.pk: [] for c in upcoming}
        for conversation_id, text in _UPCOMING_QUESTIONS.rows(
            user_id=user.pk, since=now - UPCOMING_SINCE, until=scheduled_until
        ):
            if conversation_id in questions:
                questions[conversation_id].append(text)
        for conversation in upcoming:
            conversation.question_texts = questions[conversation.pk]
    losing_touch = [
        _losing_touch_contact(row)
        for row in _LOSING_TOUCH.rows((limit,), user_id=user.pk, today=today)
    ]
    return TodayPage(
        thank_yous=lists[S.HELD],
        follow_ups=lists[S.REQUESTED],
        upcoming=upcoming,
        losing_touch=losing_touch,
        action_items=action_items_due(user=user, today=today, limit=limit)
        if with_action_items
        else [],
        replies=sorted(answered, key=lambda c: (c.replied_at, c.pk))[:limit],
        scheduled_times=scheduled_times,
        scheduled_until=scheduled_until,
    )


# The rows Today reads, each query compiled once per process (networking_app.core.prepared):
# building and compiling them took several times as long as PostgreSQL took to run them.


def _due_conversations(*, user_id: int, intro_before: dt.date, since, until) -> QuerySet:
    """The student's conversations due: held (thank-you), requested a week ago or answered
    (follow-up, reply), scheduled from `since` to `until` (upcoming)."""
    replies = CapturedMessage.objects.filter(conversation=OuterRef("pk"), kind=CaptureKind.REPLY)
    due = (
        Q(status=S.HELD)
        | Q(status=S.REQUESTED, requested_on__lte=intro_before)
        | Q(status=S.REQUESTED, replied=True)
        | Q(status=S.SCHEDULED, scheduled_at__gte=since, scheduled_at__lte=until)
    )
    return (
        Conversation.objects.filter(owner_id=user_id)
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
        .order_by("id")
        .values_list(*_CONVERSATION_COLUMNS, *_CONTACT_COLUMNS, "replied_at")[:TODAY_MAX_DUE]
    )


_DUE_CONVERSATIONS = PreparedQuery(_due_conversations)
_CONVERSATION_COLUMNS = model_columns(
    Conversation,
    (
        "id",
        "contact_id",
        "status",
        "held_at",
        "requested_on",
        "scheduled_at",
        "duration_minutes",
        "mode",
        "location",
    ),
)
_CONTACT_COLUMNS = ("contact__name", "contact__organization_id", "contact__organization__name")


def _due_conversation(row: tuple) -> Conversation:
    """A conversation with its contact and organization, as `select_related` builds them (the
    other columns deferred)."""
    db = DEFAULT_DB_ALIAS
    width = len(_CONVERSATION_COLUMNS)
    conversation = Conversation.from_db(db, _CONVERSATION_COLUMNS, row[:width])
    name, organization_id, organization_name, replied_at = row[width:]
    contact = instance(
        Contact, id=conversation.contact_id, name=name, organization_id=organization_id
    )
    attach_organization(contact, organization_name)
    conversation.contact = contact
    conversation.replied_at = replied_at
    return conversation


def _upcoming_questions(*, user_id: int, since, until) -> QuerySet:
    """The prepared questions of the conversations Today lists as coming up, in order."""
    return (
        PreparedQuestion.objects.filter(
            conversation__owner_id=user_id,
            conversation__status=S.SCHEDULED,
            conversation__scheduled_at__gte=since,
            conversation__scheduled_at__lte=until,
        )
        .order_by("conversation_id", "position", "id")
        .values_list("conversation_id", "text")
    )


_UPCOMING_QUESTIONS = PreparedQuery(_upcoming_questions)


def _losing_touch(limit: int, *, user_id: int, today: dt.date) -> QuerySet:
    return (
        contacts_with_due_date(Contact.objects.filter(owner_id=user_id))
        .filter(losing_touch_filter(today))
        .order_by("stay_in_touch_due", "name")
        .values_list(*_LOSING_TOUCH_COLUMNS, "organization__name")[:limit]
    )


_LOSING_TOUCH = PreparedQuery(_losing_touch)
_LOSING_TOUCH_COLUMNS = model_columns(
    Contact, ("id", "name", "last_interaction_on", "organization_id", "cadence_days")
)


def _losing_touch_contact(row: tuple) -> Contact:
    db = DEFAULT_DB_ALIAS
    contact = Contact.from_db(db, _LOSING_TOUCH_COLUMNS, row[:-1])
    attach_organization(contact, row[-1])
    return contact


def _action_items(limit: int, *, user_id: int, today: dt.date) -> QuerySet:
    return (
        ActionItem.objects.filter(owner_id=user_id, done_at__isnull=True, due_on__lte=today)
        .order_by("due_on", "id")
        .values_list("id", "text", "due_on", "contact_id", "contact__name")[:limit]
    )


_ACTION_ITEMS = PreparedQuery(_action_items)


def action_items_due(*, user, today: dt.date, limit: int = 20) -> list[ActionItem]:
    """The open action items due by `today`, oldest first: the Today page's checklist (the
    query of action_item_rows_due, as instances with their contact)."""
    items = []
    for pk, text, due_on, contact_id, contact_name in _ACTION_ITEMS.rows(
        (limit,), user_id=user.pk, today=today
    ):
        item = instance(ActionItem, id=pk, text=text, due_on=due_on, contact_id=contact_id)
        if contact_id is not None:
            item.contact = instance(Contact, id=contact_id, name=contact_name)
        items.append(item)
    return items


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
            pk=pk,
            text=text,
            due_on=due_on,
            contact_name=contact_name if contact_id is not None else None,
        )
        for pk, text, due_on, contact_id, contact_name in _ACTION_ITEMS.rows(
            (limit,), user_id=user.pk, today=today
        )
    ]


# The most conversations the Today page reads at once (all three lists together).
TODAY_MAX_DUE = 1_000


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


def _started(*, user_id: int) -> QuerySet:
    return User.objects.filter(pk=user_id).values_list(
        Exists(TargetOrganization.objects.filter(owner=OuterRef("pk"))),
        Exists(Contact.objects.filter(owner=OuterRef("pk"))),
        Exists(Conversation.objects.filter(owner=OuterRef("pk"))),
    )


_STARTED = PreparedQuery(_started)


def started_data(*, user) -> StartedData:
    rows = _STARTED.rows(user_id=user.pk)
    has_target, has_contact, has_conversation = rows[0] if rows else (False, False, False)
    return StartedData(
        has_target=bool(has_target),
        has_contact=bool(has_contact),
        has_conversation=bool(has_conversation),
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
