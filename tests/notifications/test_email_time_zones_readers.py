"""Beyond one email per kind: a message about something two people share is written to each
of them in their own zone, and the page a reminder email links to speaks in the reader's zone
too. The people and seasons are those of tests/notifications/time_zone_helpers.py."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from contacts.models import ConversationStatus
from mentoring.services import requests as mentoring_requests
from networking_app.notifications import links
from networking_app.notifications.models import Reminder
from tests.notifications.time_zone_helpers import (
    SEASONS,
    _conversation,
    _request,
    _student,
    _to,
    _volunteer,
)

pytestmark = pytest.mark.django_db


def test_each_person_reads_a_shared_session_in_their_own_zone(time_machine):
    """A confirmation goes to both people: one message each, in each one's zone."""
    season = SEASONS[0]
    time_machine.move_to(season.now, tick=False)
    student, volunteer = _student(), _volunteer("Europe/Paris")
    flash_request = _request(student, volunteer, season.start)
    mail.outbox.clear()
    mentoring_requests.flash_request_accept(flash_request=flash_request, by=volunteer)

    assert "Monday 7 December 2026, 11:00 AM EST" in _to(student).body
    assert "Monday 7 December 2026, 5:00 PM CET" in _to(volunteer).body
    assert "EST" not in _to(volunteer).body
    assert "CET" not in _to(student).body


def test_the_page_a_reminder_email_links_to_reads_in_the_recipients_zone(time_machine):
    """Snooze and done links open a page without signing in: it speaks in the reader's zone
    too, not the server's."""
    season = SEASONS[0]
    time_machine.move_to(season.now, tick=False)
    student = _student()
    conversation = _conversation(
        student, ConversationStatus.SCHEDULED, scheduled_at=season.start, location="Cafe"
    )
    reminder = Reminder.objects.create(
        user=student,
        kind="prep",
        subject_key=f"conversation:{conversation.pk}",
        due_at=season.now,
    )
    link = links.reminder_link(reminder_id=reminder.pk, action="snooze1")

    page = Client().get(link.removeprefix(settings.SITE_URL)).content.decode()

    assert "Monday 7 December 2026, 11:00 AM EST" in page, re.findall(r"is on [^<]*", page)
