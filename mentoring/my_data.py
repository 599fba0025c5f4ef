"""What "download my data" (networking_app/accounts/my_data.py) holds of mentoring: flash
requests, sessions with their changes and the feedback the person gave, match rounds, the
mentor profile, their photo and availability, and their sessions in the calendar. Registered
in MentoringConfig.ready()."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Prefetch, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
from mentoring.selectors.sessions import other_person
from networking_app.accounts.models import User
from networking_app.accounts.my_data import (
    STUDENT_OR_VOLUNTEER,
    VOLUNTEER,
    DataFile,
    export_fields,
    export_person,
    export_value,
    register,
    register_calendar_events,
)
from networking_app.core.calendar_files import CalendarItem, Status


def flash_requests_data(user: User) -> list[dict]:
    requests = (
        FlashRequest.objects.filter(Q(student=user) | Q(volunteer=user))
        .select_related("student__profile", "volunteer__profile")
        .order_by("created_at")
    )
    return [
        {
            **export_fields(
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
            "student": export_person(r.student),
            "volunteer": export_person(r.volunteer),
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
        row = export_fields(
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
        row["student"] = export_person(s.student)
        row["volunteer"] = export_person(s.volunteer)
        row["changes"] = [
            export_fields(c, ["kind", "reason", "previous_start_at", "new_start_at", "created_at"])
            for c in s.changes.all()
        ]
        row["my_feedback"] = [
            export_fields(f, ["rating", "comments", "would_meet_again", "created_at"])
            for f in s.mine
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
                "created_at": export_value(s.created_at),
            }
            for s in signups
        ],
        "volunteer_signups": [
            {
                "round": v.round.name,
                "capacity": v.capacity,
                "created_at": export_value(v.created_at),
            }
            for v in offers
        ],
        "published_matches": [
            {
                "round": m.round.name,
                "student": export_person(m.student),
                "volunteer": export_person(m.volunteer),
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
    data = export_fields(
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


def mentor_photo_file(user: User) -> bytes | None:
    """The photo as stored (the re-encoded JPEG students see), if they have one."""
    name = Mentor.objects.filter(user=user).values_list("photo", flat=True).first()
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    except FileNotFoundError:
        return None


def availability_data(user: User) -> dict:
    windows = AvailabilityWindow.objects.filter(mentor__user=user)
    overrides = AvailabilityOverride.objects.filter(mentor__user=user)
    return {
        "weekly_windows": [
            {**export_fields(w, ["start_time", "end_time"]), "weekday": w.get_weekday_display()}
            for w in windows
        ],
        "one_day_changes": [
            export_fields(o, ["date", "kind", "start_time", "end_time"]) for o in overrides
        ],
    }


def calendar_events(user: User, stamp: dt.datetime) -> list[CalendarItem]:
    """Mentoring sessions, for the ZIP's calendar.ics."""
    sessions = (
        Session.objects.filter(Q(student=user) | Q(volunteer=user))
        .select_related("student__profile", "volunteer__profile")
        .order_by("start_at")
    )
    return [
        CalendarItem(
            uid=session.ics_uid,
            sequence=session.ics_sequence,
            stamp=stamp,
            start=session.start_at,
            end=session.end_at,
            summary=gettext("%(programme)s with %(name)s")
            % {
                "programme": settings.MENTORING_PROGRAMME_NAME,
                "name": other_person(session, user).display_name,
            },
            location=session.location,
            status=Status.CANCELLED if session.status == "cancelled" else Status.CONFIRMED,
        )
        for session in sessions
    ]


def register_data_files() -> None:
    register(
        DataFile(
            "flash_requests.json",
            _("flash-mentoring requests you sent or received"),
            flash_requests_data,
            STUDENT_OR_VOLUNTEER,
            40,
        ),
        DataFile(
            "mentoring_sessions.json",
            _("flash-mentoring sessions, their changes and the feedback you gave"),
            sessions_data,
            STUDENT_OR_VOLUNTEER,
            41,
        ),
        DataFile(
            "match_rounds.json",
            _("match-round sign-ups and published matches"),
            match_rounds_data,
            STUDENT_OR_VOLUNTEER,
            42,
        ),
        DataFile("mentor_profile.json", _("your mentor profile"), mentor_data, VOLUNTEER, 43),
        DataFile(
            "availability.json",
            _("your mentoring availability"),
            availability_data,
            VOLUNTEER,
            44,
        ),
        DataFile(
            "mentor_photo.jpg",
            _("your photo, as students see it"),
            mentor_photo_file,
            VOLUNTEER,
            order=95,
            raw=True,
        ),
    )
    register_calendar_events("mentoring.sessions", calendar_events, order=20)
