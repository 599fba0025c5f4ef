""" "Download my data": everything Rapport holds about one person, as a ZIP.

One JSON file per kind of record, the contacts again as CSV and vCard, a calendar (ICS) of
their conversations and mentoring sessions, and README.txt saying what each file holds.
Each kind is read with a fixed number of queries (joins and prefetches), so the cost does not
grow with the amount of data; the ZIP is built in memory, which is fine for one person's data
(a student with 5,000 contacts makes a ZIP of about 2 MB).

Only the person's own records and what they wrote are included: another person's feedback or
private notes are not, and a calendar feed's secret token is left out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Model, Prefetch, Q
from django.utils import timezone

from contacts.exports.contacts import contacts_csv_text, contacts_vcard_text
from contacts.ics import conversation_uid
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    EmailTemplate,
    Interaction,
    Outcome,
    Question,
    Tag,
    TargetOrganization,
)
from events.models import RSVP, EventHost, MetAtEvent
from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    Feedback,
    FlashRequest,
    Match,
    Mentor,
    RoundStudent,
    RoundVolunteer,
    Session,
)
from networking_app.accounts.models import Role, User
from networking_app.calendar_files import CalendarItem, Status, calendar_file
from networking_app.notifications.models import NotificationSettings, Reminder

PRODID = "-//Rapport//Download my data//EN"


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def _fields(obj, names: Iterable[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"name": user.display_name, "email": user.email}


# --- Each kind of record ------------------------------------------------------------------


def profile_data(user: User) -> dict:
    data = {
        "email": user.email,
        "role": user.role,
        "date_joined": _plain(user.date_joined),
        "last_login": _plain(user.last_login),
    }
    profile = getattr(user, "profile", None)
    if profile is not None:
        data["display_name"] = profile.display_name
        data["time_zone"] = profile.time_zone
    student = getattr(user, "student_profile", None) if user.is_student else None
    if student is not None:
        data["student"] = _fields(
            student,
            [
                "class_year",
                "major",
                "interests",
                "strengths",
                "career_goals",
                "target_industries",
            ],
        )
    volunteer = getattr(user, "volunteer_profile", None) if user.is_volunteer else None
    if volunteer is not None:
        data["volunteer"] = _fields(
            volunteer,
            ["affiliation", "class_year", "status", "reviewed_at", "review_note", "created_at"],
        )
    return data


CONTACT_FIELDS = [
    "id",
    "name",
    "email",
    "phone",
    "linkedin_url",
    "title",
    "industry",
    "relationship",
    "how_met",
    "notes",
    "cadence_days",
    "referred_by_id",
    "may_use_referrer_name",
    "source",
    "last_interaction_on",
    "created_at",
    "updated_at",
]


def contacts_data(user: User) -> list[dict]:
    contacts = (
        Contact.objects.filter(owner=user)
        .select_related("organization")
        .prefetch_related("tags")
        .order_by("name", "id")
    )
    rows = []
    for contact in contacts:
        row = _fields(contact, CONTACT_FIELDS)
        row["organization"] = contact.organization.name if contact.organization_id else ""
        row["tags"] = sorted(tag.name for tag in contact.tags.all())
        rows.append(row)
    return rows


def imports_data(user: User) -> list[dict]:
    """What was imported when (the uploaded files themselves are not kept after an import)."""
    from contacts.models import ImportBatch

    batches = ImportBatch.objects.filter(owner=user).order_by("created_at")
    return [
        _fields(
            b,
            [
                "filename",
                "format",
                "status",
                "total_rows",
                "created_count",
                "merged_count",
                "skipped_count",
                "created_at",
                "committed_at",
                "undone_at",
            ],
        )
        for b in batches
    ]


def tags_data(user: User) -> list[dict]:
    tags = Tag.objects.filter(owner=user).annotate(contact_count=Count("contacts"))
    return [{"name": tag.name, "contacts": tag.contact_count} for tag in tags.order_by("name")]


def target_organizations_data(user: User) -> list[dict]:
    targets = TargetOrganization.objects.filter(owner=user).select_related("organization")
    return [
        {
            "organization": target.organization.name,
            "priority": target.get_priority_display(),
            "notes": target.notes,
            "created_at": _plain(target.created_at),
        }
        for target in targets
    ]


CONVERSATION_FIELDS = [
    "id",
    "goal",
    "status",
    "requested_on",
    "scheduled_at",
    "duration_minutes",
    "mode",
    "location",
    "held_at",
    "thanked_at",
    "closed_at",
    "notes",
    "takeaways",
    "created_at",
    "updated_at",
]


def _conversations(user: User):
    return (
        Conversation.objects.filter(owner=user)
        .select_related("contact")
        .prefetch_related("questions", "changes")
        .order_by("created_at", "id")
    )


def conversations_data(user: User) -> list[dict]:
    rows = []
    for conversation in _conversations(user):
        row = _fields(conversation, CONVERSATION_FIELDS)
        row["contact"] = {"id": conversation.contact_id, "name": conversation.contact.name}
        row["prepared_questions"] = [
            {"question": q.text, "answer": q.answer} for q in conversation.questions.all()
        ]
        row["changes"] = [
            _fields(change, ["kind", "asked_by", "reason", "previous_at", "new_at", "created_at"])
            for change in conversation.changes.all()
        ]
        rows.append(row)
    return rows


def action_items_data(user: User) -> list[dict]:
    items = ActionItem.objects.filter(owner=user).select_related("contact", "conversation")
    return [
        {
            **_fields(item, ["text", "due_on", "done_at", "created_at"]),
            "contact": item.contact.name if item.contact_id else None,
            "conversation_id": item.conversation_id,
        }
        for item in items
    ]


def interactions_data(user: User) -> list[dict]:
    interactions = Interaction.objects.filter(owner=user).select_related("contact")
    return [
        {
            **_fields(i, ["kind", "occurred_on", "note", "conversation_id", "created_at"]),
            "contact": {"id": i.contact_id, "name": i.contact.name},
        }
        for i in interactions
    ]


def outcomes_data(user: User) -> list[dict]:
    outcomes = (
        Outcome.objects.filter(owner=user)
        .select_related("organization")
        .prefetch_related(Prefetch("helped_by", queryset=Contact.objects.only("id", "name")))
    )
    return [
        {
            **_fields(o, ["kind", "title", "decided_on", "notes", "created_at"]),
            "organization": o.organization.name,
            "helped_by": [c.name for c in o.helped_by.all()],
        }
        for o in outcomes
    ]


def email_templates_data(user: User) -> list[dict]:
    return [
        _fields(t, ["kind", "subject", "body", "updated_at"])
        for t in EmailTemplate.objects.filter(owner=user).order_by("kind")
    ]


def questions_data(user: User) -> list[dict]:
    return [_fields(q, ["text", "created_at"]) for q in Question.objects.filter(owner=user)]


def reminders_data(user: User) -> list[dict]:
    return [
        _fields(
            r,
            ["kind", "subject_key", "due_at", "state", "text", "repeat_days", "last_sent_at"],
        )
        for r in Reminder.objects.filter(user=user).order_by("due_at")
    ]


def notification_settings_data(user: User) -> dict | None:
    settings_row = NotificationSettings.objects.filter(user=user).first()
    if settings_row is None:
        return None
    return _fields(settings_row, ["digest_hour", "delivery", "timing", "updated_at"])


def flash_requests_data(user: User) -> list[dict]:
    requests = (
        FlashRequest.objects.filter(Q(student=user) | Q(volunteer=user))
        .select_related("student__profile", "volunteer__profile")
        .order_by("created_at")
    )
    return [
        {
            **_fields(
                r,
                [
                    "start_at",
                    "end_at",
                    "message",
                    "status",
                    "proposed_start_at",
                    "decline_note",
                    "expires_at",
                    "responded_at",
                    "created_at",
                ],
            ),
            "student": _person(r.student),
            "volunteer": _person(r.volunteer),
        }
        for r in requests
    ]


def _sessions(user: User):
    return (
        Session.objects.filter(Q(student=user) | Q(volunteer=user))
        .select_related("student__profile", "volunteer__profile")
        .prefetch_related(
            "changes",
            # Only what this person wrote: the other person's feedback is theirs.
            Prefetch("feedback", queryset=Feedback.objects.filter(author=user), to_attr="mine"),
        )
        .order_by("start_at")
    )


def sessions_data(user: User) -> list[dict]:
    rows = []
    for s in _sessions(user):
        row = _fields(
            s,
            [
                "ics_uid",
                "start_at",
                "end_at",
                "mode",
                "location",
                "status",
                "cancel_reason",
                "created_at",
            ],
        )
        row["student"] = _person(s.student)
        row["volunteer"] = _person(s.volunteer)
        row["changes"] = [
            _fields(c, ["kind", "reason", "previous_start_at", "new_start_at", "created_at"])
            for c in s.changes.all()
        ]
        row["my_feedback"] = [
            _fields(f, ["rating", "comments", "would_meet_again", "created_at"]) for f in s.mine
        ]
        rows.append(row)
    return rows


def match_rounds_data(user: User) -> dict:
    signups = (
        RoundStudent.objects.filter(student=user)
        .select_related("round")
        .prefetch_related("topics")
        .order_by("created_at")
    )
    offers = RoundVolunteer.objects.filter(volunteer=user).select_related("round")
    matches = (
        Match.objects.filter(Q(student=user) | Q(volunteer=user), published=True)
        .select_related("round", "student__profile", "volunteer__profile")
        .order_by("created_at")
    )
    return {
        "student_signups": [
            {
                "round": s.round.name,
                "topics": [t.name for t in s.topics.all()],
                "industries": s.industries,
                "availability": s.availability,
                "created_at": _plain(s.created_at),
            }
            for s in signups
        ],
        "volunteer_signups": [
            {"round": v.round.name, "capacity": v.capacity, "created_at": _plain(v.created_at)}
            for v in offers
        ],
        "published_matches": [
            {
                "round": m.round.name,
                "student": _person(m.student),
                "volunteer": _person(m.volunteer),
            }
            for m in matches
        ],
    }


def mentor_data(user: User) -> dict | None:
    mentor = (
        Mentor.objects.filter(user=user)
        .select_related("organization")
        .prefetch_related("topics")
        .first()
    )
    if mentor is None:
        return None
    data = _fields(
        mentor,
        [
            "title",
            "industry",
            "job_function",
            "location",
            "major",
            "bio",
            "modes",
            "linkedin_url",
            "code_of_conduct_accepted_at",
            "listed",
            "hidden_fields",
            "on_leave_until",
            "slot_minutes",
            "buffer_minutes",
            "min_notice_hours",
            "booking_window_days",
            "monthly_capacity",
        ],
    )
    data["organization"] = mentor.organization.name if mentor.organization_id else ""
    data["topics"] = [t.name for t in mentor.topics.all()]
    return data


def availability_data(user: User) -> dict:
    windows = AvailabilityWindow.objects.filter(mentor__user=user)
    overrides = AvailabilityOverride.objects.filter(mentor__user=user)
    return {
        "weekly_windows": [
            {**_fields(w, ["start_time", "end_time"]), "weekday": w.get_weekday_display()}
            for w in windows
        ],
        "one_day_changes": [
            _fields(o, ["date", "kind", "start_time", "end_time"]) for o in overrides
        ],
    }


def event_rsvps_data(user: User) -> list[dict]:
    rsvps = RSVP.objects.filter(user=user).select_related("event").order_by("queued_at")
    return [
        {
            "event": r.event.title,
            "starts_at": _plain(r.event.starts_at),
            **_fields(r, ["status", "queued_at", "promoted_at", "cancelled_at", "checked_in_at"]),
        }
        for r in rsvps
    ]


def hosted_events_data(user: User) -> list[dict]:
    hosting = (
        EventHost.objects.filter(user=user).select_related("event").order_by("event__starts_at")
    )
    return [
        {"event": h.event.title, "starts_at": _plain(h.event.starts_at), "role": h.role}
        for h in hosting
    ]


def met_at_events_data(user: User) -> list[dict]:
    met = MetAtEvent.objects.filter(contact__owner=user).select_related("event", "contact")
    return [
        {
            "event": m.event.title,
            "contact": {"id": m.contact_id, "name": m.contact.name},
            "created_at": _plain(m.created_at),
        }
        for m in met
    ]


# --- Calendar -----------------------------------------------------------------------------


def calendar_ics(user: User) -> bytes:
    """Conversations that have a time, and mentoring sessions, as one iCalendar file."""
    stamp = timezone.now()
    conversations = (
        Conversation.objects.filter(owner=user, scheduled_at__isnull=False)
        .select_related("contact")
        .order_by("scheduled_at")
    )
    items: list[CalendarItem] = []
    for conversation in conversations:
        start = conversation.scheduled_at
        items.append(
            CalendarItem(
                uid=conversation_uid(conversation),
                stamp=stamp,
                start=start,
                end=start + dt.timedelta(minutes=conversation.duration_minutes or 30),
                summary=f"Career conversation with {conversation.contact.name}",
                description=conversation.goal,
                location=conversation.location,
                status=Status.CANCELLED if conversation.status == "declined" else Status.CONFIRMED,
            )
        )
    sessions = (
        Session.objects.filter(Q(student=user) | Q(volunteer=user))
        .select_related("student__profile", "volunteer__profile")
        .order_by("start_at")
    )
    for session in sessions:
        other = session.volunteer if session.student_id == user.pk else session.student
        items.append(
            CalendarItem(
                uid=session.ics_uid,
                sequence=session.ics_sequence,
                stamp=stamp,
                start=session.start_at,
                end=session.end_at,
                summary=f"{settings.MENTORING_PROGRAMME_NAME} with {other.display_name}",
                location=session.location,
                status=Status.CANCELLED if session.status == "cancelled" else Status.CONFIRMED,
            )
        )
    return calendar_file(items, prodid=PRODID)


# --- The archive --------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    filename: str
    description: str
    build: Callable[[User], object]
    roles: tuple[str, ...] = (Role.STUDENT, Role.VOLUNTEER, Role.STAFF)


STUDENT = (Role.STUDENT,)
STUDENT_OR_VOLUNTEER = (Role.STUDENT, Role.VOLUNTEER)
VOLUNTEER = (Role.VOLUNTEER,)

JSON_PARTS = [
    Part("profile.json", "your account and profile", profile_data),
    Part("contacts.json", "your contacts, with their tags", contacts_data, STUDENT),
    Part("tags.json", "your tags", tags_data, STUDENT),
    Part(
        "target_organizations.json",
        "the organizations you target",
        target_organizations_data,
        STUDENT,
    ),
    Part(
        "conversations.json",
        "your career conversations, with prepared questions, notes and changes",
        conversations_data,
        STUDENT,
    ),
    Part("imports.json", "the contact imports you made", imports_data, STUDENT),
    Part("action_items.json", "your action items", action_items_data, STUDENT),
    Part("interactions.json", "the interactions you logged", interactions_data, STUDENT),
    Part("outcomes.json", "internships and jobs you recorded", outcomes_data, STUDENT),
    Part("email_templates.json", "your own email templates", email_templates_data, STUDENT),
    Part("questions.json", "the questions you added to your bank", questions_data, STUDENT),
    Part("reminders.json", "your reminders", reminders_data),
    Part(
        "notification_settings.json",
        "how and when you are emailed",
        notification_settings_data,
    ),
    Part(
        "flash_requests.json",
        "flash-mentoring requests you sent or received",
        flash_requests_data,
        STUDENT_OR_VOLUNTEER,
    ),
    Part(
        "mentoring_sessions.json",
        "flash-mentoring sessions, their changes and the feedback you gave",
        sessions_data,
        STUDENT_OR_VOLUNTEER,
    ),
    Part(
        "match_rounds.json",
        "match-round sign-ups and published matches",
        match_rounds_data,
        STUDENT_OR_VOLUNTEER,
    ),
    Part("mentor_profile.json", "your mentor profile", mentor_data, VOLUNTEER),
    Part("availability.json", "your mentoring availability", availability_data, VOLUNTEER),
    Part("event_rsvps.json", "your event RSVPs", event_rsvps_data),
    Part(
        "events_hosted.json",
        "events where you are listed as a host or speaker",
        hosted_events_data,
        (Role.VOLUNTEER, Role.STAFF),
    ),
    Part(
        "met_at_events.json",
        "the people you logged as met at events",
        met_at_events_data,
        STUDENT,
    ),
]


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def _count(data) -> int:
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        return sum(len(v) for v in data.values() if isinstance(v, list)) or 1
    return 0 if data is None else 1


def data_archive_filename(user: User, now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"rapport-my-data-{now:%Y-%m-%d}.zip"


def data_archive(*, user: User, now: dt.datetime | None = None) -> bytes:
    """Build the ZIP of everything of `user`'s, in memory."""
    now = now or timezone.now()
    user = User.objects.select_related("profile").get(pk=user.pk)
    buffer = io.BytesIO()
    readme_lines: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in JSON_PARTS:
            if user.role not in part.roles:
                continue
            data = part.build(user)
            archive.writestr(part.filename, _json(data))
            readme_lines.append(f"{part.filename:30} {part.description} ({_count(data)})")
        if user.is_student:
            archive.writestr("contacts.csv", contacts_csv_text(user=user).encode())
            readme_lines.append(
                f"{'contacts.csv':30} your contacts, for a spreadsheet (UTF-8, Excel-ready)"
            )
            archive.writestr("contacts.vcf", contacts_vcard_text(user=user).encode())
            readme_lines.append(f"{'contacts.vcf':30} your contacts as vCard 4.0")
        archive.writestr("calendar.ics", calendar_ics(user))
        readme_lines.append(
            f"{'calendar.ics':30} your conversations and mentoring sessions (iCalendar)"
        )
        archive.writestr("README.txt", _readme(user, now, readme_lines).encode())
    return buffer.getvalue()


def _readme(user: User, now: dt.datetime, lines: list[str]) -> str:
    generated = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\r\n".join(
        [
            "Your data from Rapport",
            "======================",
            "",
            f"Account: {user.email}",
            f"Generated: {generated}",
            "",
            "Files (number of records in brackets):",
            "",
            *lines,
            "",
            "Dates and times are in UTC (ISO 8601). The JSON files are UTF-8. Other people's",
            "private notes and the feedback they wrote are not included: they are theirs.",
            "",
        ]
    )
