""" "Download my data": everything Rapport holds about one person, as a ZIP.

One JSON file per kind of record, the contacts again as CSV and vCard, a calendar (ICS) of
their conversations and mentoring sessions, and README.txt saying what each file holds.
Each app registers the files it adds (`register`) and the events it adds to the calendar
(`register_calendar_events`) in its AppConfig.ready(), like the reminder kinds: accounts builds
the ZIP and imports none of them. Each kind is read with a fixed number of queries (joins and
prefetches), so the cost does not grow with the amount of data; the ZIP is built in memory,
which is fine for one person's data (a student with 5,000 contacts makes a ZIP of about 2 MB).

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

from django.db.models import Model
from django.utils import timezone

from networking_app.accounts.models import Role, User
from networking_app.core.calendar_files import CalendarItem, calendar_file

PRODID = "-//Rapport//Download my data//EN"
EVERYONE = (Role.STUDENT, Role.VOLUNTEER, Role.STAFF)
STUDENT = (Role.STUDENT,)
STUDENT_OR_VOLUNTEER = (Role.STUDENT, Role.VOLUNTEER)
VOLUNTEER = (Role.VOLUNTEER,)
CALENDAR_FILENAME = "calendar.ics"
CALENDAR_DESCRIPTION = "your conversations and mentoring sessions (iCalendar)"


@dataclass(frozen=True)
class DataFile:
    """One file of the ZIP. `build(user)` returns JSON-able data (its README line gives the
    number of records), or, with `raw`, the file's bytes (the README line has no count) or
    None when the person has no such file (a volunteer without a photo).
    Files are written by `order`: accounts 0, contacts 10-29, notifications 30-39, mentoring
    40-49, events 50-59; raw files 90-99 come after every JSON file."""

    filename: str
    description: str
    build: Callable[[User], object]
    roles: tuple[str, ...] = EVERYONE
    order: int = 0
    raw: bool = False


REGISTRY: dict[str, DataFile] = {}
# (order, items(user, dtstamp) -> calendar items), for calendar.ics.
CALENDAR_SOURCES: dict[str, tuple[int, Callable[[User, dt.datetime], Iterable[CalendarItem]]]] = {}


def register(*files: DataFile) -> None:
    for data_file in files:
        REGISTRY[data_file.filename] = data_file


def register_calendar_events(
    name: str, events: Callable[[User, dt.datetime], Iterable[CalendarItem]], *, order: int
) -> None:
    CALENDAR_SOURCES[name] = (order, events)


# --- Helpers for each app's exporter ------------------------------------------------------


def export_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Model):
        return str(value)
    return value


def export_fields(obj, names: Iterable[str]) -> dict:
    return {name: export_value(getattr(obj, name)) for name in names}


def export_person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"name": user.display_name, "email": user.email}


# --- Accounts' own file --------------------------------------------------------------------


def profile_data(user: User) -> dict:
    data = {
        "email": user.email,
        "role": user.role,
        "date_joined": export_value(user.date_joined),
        "last_login": export_value(user.last_login),
    }
    profile = getattr(user, "profile", None)
    if profile is not None:
        data["display_name"] = profile.display_name
        data["time_zone"] = profile.time_zone
    student = getattr(user, "student_profile", None) if user.is_student else None
    if student is not None:
        data["student"] = export_fields(
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
        data["volunteer"] = export_fields(
            volunteer,
            ["affiliation", "class_year", "status", "reviewed_at", "review_note", "created_at"],
        )
    return data


def register_files() -> None:
    register(DataFile("profile.json", "your account and profile", profile_data, order=0))


# --- The archive --------------------------------------------------------------------------


def calendar_ics(user: User) -> bytes:
    """Every app's events for this person (conversations, then mentoring sessions) as one
    iCalendar file."""
    stamp = timezone.now()
    items = [
        item
        for _order, events in sorted(CALENDAR_SOURCES.values(), key=lambda source: source[0])
        for item in events(user, stamp)
    ]
    return calendar_file(items, prodid=PRODID)


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
    files = sorted(REGISTRY.values(), key=lambda data_file: (data_file.order, data_file.filename))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for data_file in files:
            if user.role not in data_file.roles:
                continue
            data = data_file.build(user)
            if data_file.raw:
                if data is None:
                    continue
                archive.writestr(data_file.filename, data)
                readme_lines.append(f"{data_file.filename:30} {data_file.description}")
            else:
                archive.writestr(data_file.filename, _json(data))
                readme_lines.append(
                    f"{data_file.filename:30} {data_file.description} ({_count(data)})"
                )
        archive.writestr(CALENDAR_FILENAME, calendar_ics(user))
        readme_lines.append(f"{CALENDAR_FILENAME:30} {CALENDAR_DESCRIPTION}")
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
