"""The mixed run of bench/bench_load.py: students who read and write at once.

Each wrk connection (one wrk thread each) is a student of its own with a signed-in session and
a CSRF token made here; bench/mixed_writes.lua reads the main pages and, between reads, logs an
interaction on one of the student's contacts, moves one of their conversations (reschedule,
cancel, schedule again: a cycle that stays valid however often it turns) and adds a contact,
then reads the page the write redirects to. The form fields are those of contacts/forms/
(InteractionForm, ContactForm, RescheduleForm, CancelForm, ScheduleForm); one of each is posted
once before the run, so a form that changed fails loudly instead of counting refusals.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from load import LoadError, LoadResult, LoadSite, load_result

SCRIPT = Path(__file__).resolve().parent / "mixed_writes.lua"
CONVERSATIONS_EACH = 4
CONTACTS_EACH = 20
PLACEHOLDER = 987654321


def _lua(value) -> str:
    """A Lua literal of strings, numbers, lists and dicts (ASCII only)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, str):
        if not value.isascii():
            raise ValueError(f"not ASCII: {value!r}")
        return json.dumps(value)
    return str(value)


def _paths() -> dict[str, str]:
    from django.urls import reverse

    def with_id(name: str, kwarg: str) -> str:
        return reverse(name, kwargs={kwarg: PLACEHOLDER}).replace(str(PLACEHOLDER), "%d")

    return {
        "interaction": with_id("contacts:interaction_add", "contact_id"),
        "contact": reverse("contacts:create"),
        "reschedule": with_id("contacts:conversation_reschedule", "conversation_id"),
        "cancel": with_id("contacts:conversation_cancel", "conversation_id"),
        "schedule": with_id("contacts:conversation_schedule", "conversation_id"),
    }


def _scheduled(student, count: int) -> list[int]:
    """`count` of the student's conversations, all set to scheduled next week."""
    from django.utils import timezone

    from contacts.models import Conversation, ConversationStatus, MeetingMode

    ids = list(
        Conversation.objects.filter(owner=student).order_by("pk").values_list("pk", flat=True)
    )[:count]
    if len(ids) < count:
        raise LoadError(f"{student.email} has {len(ids)} conversations, the run needs {count}")
    Conversation.objects.filter(pk__in=ids).update(
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() + dt.timedelta(days=7),
        mode=MeetingMode.VIDEO,
        held_at=None,
        thanked_at=None,
    )
    return ids


def _student(site: LoadSite, user) -> dict:
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    from contacts.models import Contact

    # Django takes the unmasked secret in the form field as well as the masked token.
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    contacts = Contact.objects.filter(owner=user).order_by("pk").values_list("pk", flat=True)
    return {
        "cookie": f"{site.session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "csrf": csrf,
        "contacts": list(contacts[:CONTACTS_EACH]),
        "conversations": _scheduled(user, CONVERSATIONS_EACH),
    }


def _check_writes(site: LoadSite, student: dict, paths: dict, data: dict, login: str) -> None:
    """Each write once, as the script sends it: it must redirect, not re-show the form."""
    future = f"{data['days'][0]}T10:30"
    contact, conversation = student["contacts"][0], student["conversations"][0]
    token = {"csrfmiddlewaretoken": student["csrf"]}
    writes = [
        (paths["interaction"] % contact, {"kind": "email", "occurred_on": data["yesterday"]}),
        (
            paths["contact"],
            {
                "name": "Load Check Person",
                "relationship": "alumni",
                "cadence_days": "0",
                "save_anyway": "on",
            },
        ),
        (paths["reschedule"] % conversation, {"scheduled_at": future, "asked_by": "them"}),
        (paths["cancel"] % conversation, {"asked_by": "me"}),
        (
            paths["schedule"] % conversation,
            {"scheduled_at": future, "mode": "video", "duration_minutes": "30"},
        ),
    ]
    for path, fields in writes:
        status, location = site.post(path, {**token, **fields}, cookie=student["cookie"])
        if status not in (302, 303) or not location or login in location:
            refused = " (the form was refused: have its fields changed?)" if status == 200 else ""
            raise LoadError(f"POST {path} answered {status} {location}{refused}")


def run_mixed_writes(
    site: LoadSite, students: list, *, read_pages: list[str], connections: int, seconds: int
) -> LoadResult:
    """`connections` students (one more is used for the check) reading and writing at once."""
    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.utils import timezone

    from contacts.models import Organization

    if len(students) < connections + 1:
        raise LoadError(f"the mixed run needs {connections + 1} students, not {len(students)}")
    # Dates as the students' own calendar shows them (the pages use their time zone); a day
    # of margin either way keeps "yesterday" in the past and the days ahead in the future.
    today = timezone.localdate()
    data = {
        "read_pages": read_pages,
        "paths": _paths(),
        "days": [(today + dt.timedelta(days=n)).isoformat() for n in range(10, 38)],
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
        "orgs": list(Organization.objects.order_by("pk").values_list("name", flat=True)[:20]),
        "login": resolve_url(settings.LOGIN_URL),
    }
    checker = _student(site, students[0])
    for path in read_pages:
        site.check(path, checker["cookie"])
    _check_writes(site, checker, data["paths"], data, data["login"])
    data["students"] = [_student(site, user) for user in students[1 : connections + 1]]
    prelude = "".join(f"{name} = {_lua(value)}\n" for name, value in data.items())
    raw = site.wrk_run(
        read_pages[0],
        cookie=None,
        connections=connections,
        seconds=seconds,
        lua=prelude + SCRIPT.read_text(),
        threads=connections,
    )
    result = load_result(
        raw,
        label="mixed: reads and writes",
        path=", ".join(read_pages),
        connections=connections,
        seconds=seconds,
    )
    print(
        f"  mixed with writes: {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms, "
        f"errors {result.errors} {result.extra.get('errors_by_request') or ''}",
        flush=True,
    )
    return result
