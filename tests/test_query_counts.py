"""Every page and fragment costs the same number of queries whatever the amount of data.

One test over all routes: each page of the access table is fetched by every visitor who may
open it, with the access table's objects (one of each kind); then every kind of data grows
(more contacts, conversations, questions, interactions, targets, outcomes, listed volunteers,
requests, sessions, rounds, events, RSVPs, emails, audit entries...) and each page is fetched
again. The counts must match: a difference is an N+1.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.querycount import PAGE_CACHES_OFF, capture_queries
from tests.routes import WHO, expected_for, named_routes, route_kwargs

GROWTH = 6


def _grow(student, volunteer, staff, n: int) -> None:
    from events.models import RSVPStatus
    from mentoring.models import Mentor
    from mentoring.services.availability import open_slots
    from mentoring.services.requests import flash_request_accept, flash_request_create
    from networking_app.console.models import AuditLog
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


def _count(client, url) -> tuple[int, int]:
    with capture_queries() as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def test_no_page_grows_its_queries_with_the_data(
    clients, owned, student, volunteer, staff, settings
):
    for name, value in PAGE_CACHES_OFF.items():
        setattr(settings, name, value)
    routes = [n for n in named_routes() if not n.startswith("admin:")]
    pages = []
    for name in routes:
        url = reverse(name, kwargs=route_kwargs(name, owned))
        for who, expected in enumerate(expected_for(name).get):
            if expected == 200:
                pages.append((name, who, url))
    assert len(pages) > 150
    for _name, who, url in pages:
        clients[who].get(url)  # warm per-process caches (content types, site, templates)
    before = {(name, who): _count(clients[who], url) for name, who, url in pages}
    contacts_page = len(clients[1].get(reverse("contacts:list")).content)
    _grow(student, volunteer, staff, GROWTH)
    # Not vacuous: the lists did get longer.
    assert len(clients[1].get(reverse("contacts:list")).content) > contacts_page
    grown = []
    for name, who, url in pages:
        status, after = _count(clients[who], url)
        status_before, count_before = before[(name, who)]
        assert status == status_before == 200, f"{name} as {WHO[who]}: {status}"
        if after != count_before:
            grown.append(f"{name} as {WHO[who]}: {count_before} -> {after} queries")
    assert grown == []
