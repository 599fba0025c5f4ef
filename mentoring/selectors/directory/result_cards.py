"""The directory's result cards (`DirectoryCard`): a page of volunteers with what each card
shows, of the hideable fields only those the volunteer did not hide, and each one's next open
time; on PostgreSQL in one query."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F

from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    FlashRequest,
    Mentor,
)
from mentoring.services.availability import (
    HOLDING,
    MONTH_MARGIN,
    OverrideRow,
    Slot,
    WindowRow,
    slots_from,
    zone_named,
)
from networking_app.accounts.models import Affiliation
from networking_app.core.prepared import PreparedSQL


@dataclass(slots=True)
class DirectoryCard:
    """One volunteer in the directory's results: what the card shows, and of the hideable
    fields only those the volunteer did not hide (the others stay empty)."""

    mentor_id: int
    name: str
    organization: str
    affiliation: str
    topics: list[str]
    title: str = ""
    industry: str = ""
    job_function: str = ""
    location: str = ""
    class_year: int | None = None
    next_slot: Slot | None = None
    photo_url: str = ""  # empty: the initials
    # Why the card is suggested to this student (selectors.suggestions), never in the search.
    reasons: list[str] = field(default_factory=list)


# What slots_from reads of a volunteer: their booking rules.
_SLOT_RULES = (
    "min_notice_hours",
    "booking_window_days",
    "slot_minutes",
    "buffer_minutes",
    "monthly_capacity",
    "on_leave_until",
)
_CARD_TEXT_FIELDS = ("title", "industry", "job_function", "location")
_AFFILIATIONS = dict(Affiliation.choices)


@dataclass(slots=True)
class _Availability:
    """What slots_from needs besides the volunteer's rules, loaded for a page of cards."""

    windows: list[AvailabilityWindow | WindowRow] = field(default_factory=list)
    overrides: list[AvailabilityOverride | OverrideRow] = field(default_factory=list)
    holding: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)


# Rows that can matter to the next open slot of anyone on a page, a superset of what
# open_slots_for_mentors loads (slots_from ignores the others): one-day changes from the day
# before today in UTC (the volunteers' zones differ from UTC by less than a day), and
# requests from MONTH_MARGIN before now, since a booking range starts after now and the
# capacity of each of its months counts every request of the month.
def _first_override_day(now: dt.datetime) -> dt.date:
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=1)


def _holding_since(now: dt.datetime) -> dt.datetime:
    return now - MONTH_MARGIN


# PostgreSQL: a page of cards in one query, a prepared statement of each session. Each
# volunteer's row carries the columns a card shows (not the bio or the search columns), the
# booking rules slots_from reads, and, as arrays, their topic ids, weekly windows, one-day
# changes and holding requests. Written out rather than built with the ORM, which cannot write
# the arrays of rows. The user, profile and volunteer profile are LATERAL lookups by user id
# (OFFSET 0 keeps PostgreSQL from flattening them into joins): as joins it hashed the whole
# users table for the twenty rows of a page.
_CARDS = PreparedSQL(
    "mentoring_mentor__directory_cards",
    """
SELECT m.id, m.user_id, m.title, m.industry, m.job_function, m.location, m.hidden_fields, m.photo,
       m.min_notice_hours, m.booking_window_days, m.slot_minutes, m.buffer_minutes,
       m.monthly_capacity, m.on_leave_until,
       u.email AS card_email,
       p.display_name AS card_display_name,
       p.time_zone AS card_time_zone,
       v.affiliation AS card_affiliation,
       v.class_year AS card_class_year,
       (SELECT o.name FROM contacts_organization o WHERE o.id = m.organization_id)
           AS card_organization,
       ARRAY(SELECT t.topic_id FROM mentoring_mentor_topics t WHERE t.mentor_id = m.id)
           AS card_topic_ids,
       ARRAY(SELECT jsonb_build_array(w.weekday, w.start_time, w.end_time)
             FROM mentoring_availabilitywindow w WHERE w.mentor_id = m.id) AS card_windows,
       ARRAY(SELECT jsonb_build_array(x.date, x.kind, x.start_time, x.end_time)
             FROM mentoring_availabilityoverride x
             WHERE x.mentor_id = m.id AND x.date >= %(first_override_day)s) AS card_overrides,
       ARRAY(SELECT jsonb_build_array(f.start_at, f.end_at)
             FROM mentoring_flashrequest f
             WHERE f.volunteer_id = m.user_id AND f.status = ANY(%(holding)s)
               AND f.start_at >= %(holding_since)s) AS card_holding
FROM mentoring_mentor m
CROSS JOIN LATERAL (
    SELECT u.email FROM accounts_user u WHERE u.id = m.user_id AND u.is_active OFFSET 0
) u
LEFT JOIN LATERAL (
    SELECT p.display_name, p.time_zone FROM accounts_profile p WHERE p.user_id = m.user_id
    OFFSET 0
) p ON true
LEFT JOIN LATERAL (
    SELECT v.affiliation, v.class_year FROM accounts_volunteerprofile v
    WHERE v.user_id = m.user_id OFFSET 0
) v ON true
WHERE m.id = ANY(%(ids)s) AND m.is_bookable
""",
    {
        "ids": "bigint[]",
        "first_override_day": "date",
        "holding": "text[]",
        "holding_since": "timestamptz",
    },
)


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _rows(array: list) -> list[list]:
    # The database driver hands jsonb over as text, which Django's JSONField decodes itself.
    return [json.loads(row) if isinstance(row, str) else row for row in array]


def _cards_postgresql(ids: list[int], now: dt.datetime) -> tuple[list[Mentor], dict]:
    params = {
        "ids": list(ids),
        "first_override_day": _first_override_day(now),
        "holding": [str(status) for status in HOLDING],
        "holding_since": _holding_since(now),
    }
    mentors = list(_CARDS.raw(Mentor, **params))
    availability = {}
    for m in mentors:
        availability[m.pk] = _Availability(
            windows=[
                WindowRow(weekday, _time(start), _time(end))
                for weekday, start, end in _rows(m.card_windows)
            ],
            overrides=[
                OverrideRow(dt.date.fromisoformat(date), kind, _time(start), _time(end))
                for date, kind, start, end in _rows(m.card_overrides)
            ],
            holding=[
                (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
                for start, end in _rows(m.card_holding)
            ],
        )
    return mentors, availability


def _cards_other_databases(ids: list[int], now: dt.datetime) -> tuple[list[Mentor], dict]:
    """What _CARDS reads, with the ORM, in five queries (SQLite, local development)."""
    mentors = list(
        Mentor.objects.filter(pk__in=ids, is_bookable=True, user__is_active=True)
        .only("user_id", "hidden_fields", "photo", *_CARD_TEXT_FIELDS, *_SLOT_RULES)
        .annotate(
            card_email=F("user__email"),
            card_display_name=F("user__profile__display_name"),
            card_time_zone=F("user__profile__time_zone"),
            card_affiliation=F("user__volunteer_profile__affiliation"),
            card_class_year=F("user__volunteer_profile__class_year"),
            card_organization=F("organization__name"),
        )
    )
    ids = [m.pk for m in mentors]
    availability: dict[int, _Availability] = defaultdict(_Availability)
    for window in AvailabilityWindow.objects.filter(mentor_id__in=ids).order_by():
        availability[window.mentor_id].windows.append(window)
    for override in AvailabilityOverride.objects.filter(
        mentor_id__in=ids, date__gte=_first_override_day(now)
    ).order_by():
        availability[override.mentor_id].overrides.append(override)
    mentor_of_user = {m.user_id: m.pk for m in mentors}
    for user_id, start_at, end_at in FlashRequest.objects.filter(
        volunteer_id__in=list(mentor_of_user),
        status__in=HOLDING,
        start_at__gte=_holding_since(now),
    ).values_list("volunteer_id", "start_at", "end_at"):
        availability[mentor_of_user[user_id]].holding.append((start_at, end_at))
    topic_ids: dict[int, list[int]] = defaultdict(list)
    through = Mentor.topics.through.objects.filter(mentor_id__in=ids)
    for mentor_id, topic_id in through.values_list("mentor_id", "topic_id"):
        topic_ids[mentor_id].append(topic_id)
    for mentor in mentors:
        mentor.card_topic_ids = topic_ids[mentor.pk]
    return mentors, availability


def directory_cards(
    ids: list[int], *, now: dt.datetime, topics: list[tuple[int, str]]
) -> list[DirectoryCard]:
    """The cards of a page of `directory_search`, in its order, each with its next open slot.

    `topics` is every (id, name) in name order, which the page has already read for its
    filter. One query on PostgreSQL (_CARDS), five elsewhere, whatever the page holds:
    rather than open_slots_for_mentors (three queries) and prefetch_related, whose machinery
    cost more than the page's SQL, the rows slots_from needs come with each volunteer."""
    if not ids:
        return []
    if connection.vendor == "postgresql":
        rows, availability = _cards_postgresql(ids, now)
    else:
        rows, availability = _cards_other_databases(ids, now)
    by_id = {mentor.pk: mentor for mentor in rows}
    mentors = [by_id[pk] for pk in ids if pk in by_id]
    topic_names = dict(topics)
    topic_rank = {topic_id: rank for rank, (topic_id, _) in enumerate(topics)}
    cards = []
    for mentor in mentors:
        hidden = mentor.hidden_fields or []
        loaded = availability.get(mentor.pk) or _Availability()
        slots = slots_from(
            mentor,
            zone=zone_named(mentor.card_time_zone),
            windows=loaded.windows,
            overrides=loaded.overrides,
            holding=loaded.holding,
            now=now,
            limit=1,
        )
        mine = sorted((t for t in mentor.card_topic_ids if t in topic_names), key=topic_rank.get)
        card = DirectoryCard(
            mentor_id=mentor.pk,
            # User.display_name, from the columns loaded.
            name=mentor.card_display_name or mentor.card_email.split("@", 1)[0],
            organization=mentor.card_organization or "",
            affiliation=_AFFILIATIONS.get(mentor.card_affiliation, mentor.card_affiliation or ""),
            topics=[topic_names[t] for t in mine],
            next_slot=slots[0] if slots else None,
            photo_url=mentor.photo_url,
        )
        for name in _CARD_TEXT_FIELDS:
            if name not in hidden:
                setattr(card, name, getattr(mentor, name))
        if "class_year" not in hidden:
            card.class_year = mentor.card_class_year
        cards.append(card)
    return cards
