"""Helpers the tests of several apps share: where a redirect really lands, the `next=`
values an attacker tries, an email in the outbox, more of every kind of data."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.utils import timezone

from networking_app.notifications.models import OutgoingEmail

LOGIN_PAGE = "/accounts/login/"


def normal_html(html: str) -> str:
    """Markup as a browser reads it: Jinja2 and Django escape quotes differently, and the
    whitespace between tags is one space or none."""
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


EVIL_NEXT = [
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http://testserver@evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "//evil.example%2F..",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "https%3A%2F%2Fevil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def lands_on(location: str, page: str = LOGIN_PAGE) -> tuple[str, str]:
    """Where a browser goes for this Location header: (scheme, host). Browsers read a
    backslash as a slash and ignore leading blanks and tabs."""
    normalized = location.strip().replace("\t", "").replace("\\", "/")
    target = urlsplit(urljoin(f"http://testserver{page}", normalized))
    return target.scheme, target.hostname or ""


SECRET_BODY = "Private words that only the recipient may read"


def make_email(status: str, *, to="maya@example.com", subject="Thank Maya", **fields):
    key = uuid.uuid4().hex
    return OutgoingEmail.objects.create(
        from_email="rapport@example.edu",
        to=[to],
        subject=subject,
        text=f"{SECRET_BODY} (text)",
        html=f"<p>{SECRET_BODY} (html)</p>",
        message_id=f"<{key}@example.edu>",
        idempotency_key=key,
        status=status,
        **fields,
    )


def grow_world(student, volunteer, staff, n: int) -> None:
    """n more of every kind of data the pages list: contacts, conversations, questions,
    interactions, targets, outcomes, events and RSVPs, rounds, audit entries, failed emails,
    listed volunteers, requests and sessions on both sides."""
    from events.models import RSVPStatus
    from mentoring.models import Mentor
    from mentoring.services.availability import open_slots
    from mentoring.services.requests import flash_request_accept, flash_request_create
    from networking_app.core.models import AuditLog
    from networking_app.notifications.models import OutgoingEmail
    from tests.contacts.factories import (
        ActionItemFactory,
        ContactFactory,
        ConversationFactory,
        InteractionFactory,
        OutcomeFactory,
        PreparedQuestionFactory,
        TargetOrganizationFactory,
    )
    from tests.events.factories import EventFactory, RSVPFactory
    from tests.factories import StudentFactory, VolunteerFactory
    from tests.mentoring.helpers import bookable_mentor, open_round

    for i in range(n):
        contact = ContactFactory(owner=student)
        conversation = ConversationFactory(owner=student, contact=contact)
        PreparedQuestionFactory(conversation=conversation)
        InteractionFactory(owner=student, contact=contact)
        ActionItemFactory(owner=student, contact=contact)
        TargetOrganizationFactory(owner=student)
        OutcomeFactory(owner=student)
        event = EventFactory(starts_at=timezone.now() + dt.timedelta(days=3, hours=i))
        RSVPFactory(event=event, user=student, status=RSVPStatus.GOING)
        RSVPFactory(event=event, user=StudentFactory(), status=RSVPStatus.GOING)
        open_round(created_by=staff, name=f"Round {event.pk}")
        AuditLog.objects.create(actor=staff, action="test.grow", summary="grow")
        OutgoingEmail.objects.create(
            to=["someone@example.org"],
            subject="Hello",
            text="Hi",
            status="failed",
            message_id=f"<grow-{i}@example.org>",
            idempotency_key=f"grow-{i}",
        )
    # Listed volunteers, and requests and sessions on both sides.
    for _ in range(n):
        other = bookable_mentor(VolunteerFactory())
        slot = open_slots(other, limit=1)[0]
        flash_request_create(student=student, mentor=other, start_at=slot.start_at, message="Hi")
    mentor = Mentor.objects.get(user=volunteer)
    mentor.monthly_capacity = 100
    mentor.save(update_fields=["monthly_capacity"])
    accepted = 0
    for slot in open_slots(mentor, limit=n * 4):
        try:
            asked = flash_request_create(
                student=StudentFactory(), mentor=mentor, start_at=slot.start_at, message="Hello"
            )
        except ValidationError:  # next to a slot already asked for: try the next one
            continue
        flash_request_accept(flash_request=asked, by=volunteer)
        accepted += 1
        if accepted == n:
            break
    assert accepted == n
