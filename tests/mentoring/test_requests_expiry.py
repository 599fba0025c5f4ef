"""Direct flash requests, expiry: unanswered requests expire (the task, its beat schedule),
and the expiry shown to both people is the one enforced (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FlashRequest, RequestStatus
from mentoring.services import requests as services
from mentoring.services.availability import slot_is_open
from mentoring.tasks import expire_requests
from networking_app.accounts.models import Profile
from tests.mentoring.helpers import ask as _ask
from tests.mentoring.helpers import (
    bookable_mentor,
    mentor_fixture,  # noqa: F401 (the `mentor` fixture)
    slots_fixture,  # noqa: F401 (the `slots` fixture)
)
from tests.mentoring.helpers import logged_in_client as _client

pytestmark = pytest.mark.django_db


def test_unanswered_requests_expire_and_the_student_is_told_once(
    student, other_student, mentor, slots
):
    old = _ask(student, mentor, slots[0])
    fresh = _ask(other_student, mentor, slots[2])
    FlashRequest.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    mail.outbox.clear()

    assert expire_requests.apply().get() == 1
    assert expire_requests.apply().get() == 0

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == RequestStatus.EXPIRED
    assert fresh.status == RequestStatus.PENDING
    [email] = mail.outbox
    assert email.to == [student.email]
    assert "expired" in email.subject
    assert email.alternatives
    assert slot_is_open(mentor, slots[0].start_at)


def test_a_request_whose_time_passed_unanswered_expires(student, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    later = flash_request.start_at + dt.timedelta(minutes=1)
    assert services.flash_requests_expire(now=later) == 1
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.EXPIRED


def test_the_beat_schedule_runs_the_expiry(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mentoring-expire-requests"]
    assert entry["task"] == expire_requests.name


# --- The expiry shown is the one enforced (issue 15) -------------------------------------------

SUNDAY_6_DEC = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)
TUESDAY_8_DEC_930 = dt.datetime(2026, 12, 8, 9, 30, tzinfo=dt.UTC)  # a slot: 8:00 + 2 x 45 min


def test_a_request_for_tuesday_says_it_expires_on_tuesday_not_a_week_later(
    time_machine, student, volunteer
):
    time_machine.move_to(SUNDAY_6_DEC, tick=False)
    Profile.objects.filter(user__in=[student, volunteer]).update(time_zone="UTC")
    student.refresh_from_db()
    volunteer.refresh_from_db()
    mentor = bookable_mentor(volunteer)
    flash_request = services.flash_request_create(
        student=student, mentor=mentor, start_at=TUESDAY_8_DEC_930, message="Hello"
    )
    assert services.request_expires_at(flash_request) == TUESDAY_8_DEC_930
    [email] = mail.outbox
    assert "The request expires on Tuesday 8 December 2026, 9:30 AM UTC" in email.body
    page = _client(student).get(reverse("mentoring:request", args=[flash_request.pk]))
    html = page.content.decode()
    assert "Tue 8 Dec 2026, 9:30 AM UTC" in html.split("<dt>Expires</dt>")[1][:200]
    assert "13 Dec" not in html
    # Enforced at that very time, not a second before.
    assert services.flash_requests_expire(now=TUESDAY_8_DEC_930 - dt.timedelta(seconds=1)) == 0
    assert services.flash_requests_expire(now=TUESDAY_8_DEC_930) == 1


def test_a_proposed_time_is_what_a_proposed_request_waits_on(time_machine, student, volunteer):
    """Once the volunteer proposes a later time, the time first asked for no longer matters:
    the request stays open until the proposed time (or its week) and says so."""
    time_machine.move_to(SUNDAY_6_DEC, tick=False)
    mentor = bookable_mentor(volunteer)
    flash_request = services.flash_request_create(
        student=student, mentor=mentor, start_at=TUESDAY_8_DEC_930, message="Hello"
    )
    thursday = TUESDAY_8_DEC_930 + dt.timedelta(days=2)
    services.flash_request_propose(flash_request=flash_request, by=volunteer, start_at=thursday)
    flash_request.refresh_from_db()
    assert services.request_expires_at(flash_request) == thursday
    assert services.flash_requests_expire(now=TUESDAY_8_DEC_930 + dt.timedelta(hours=1)) == 0
    assert services.flash_requests_expire(now=thursday) == 1
