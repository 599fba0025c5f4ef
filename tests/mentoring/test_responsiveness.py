"""Requests nobody can ignore (issue 19): reminders at 2 and 4 days, the next suggested
volunteer offered at expiry, the pause policy and the volunteer's resume, response figures for
staff. The clock is frozen (tests/mentoring/helpers.NOW)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from mentoring.models import FlashRequest, Mentor, MentoringPolicy, StudentInterests
from mentoring.services import requests as request_services
from mentoring.services.availability import open_slots
from mentoring.services.responsiveness import (
    flash_requests_remind,
    response_stats,
    volunteer_resume,
)
from networking_app.core.models import AuditLog
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.factories import TopicFactory
from tests.mentoring.helpers import NOW, bookable_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _ask(student, mentor, *, days_ahead: int = 6, message: str = "How did you start?"):
    start = NOW + dt.timedelta(days=days_ahead)
    slot = next(s for s in open_slots(mentor) if s.start_at >= start)
    return request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message=message
    )


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_pending_request_reminds_its_volunteer_at_two_and_four_days(student, volunteer):
    mentor = bookable_mentor(volunteer)
    flash_request = _ask(student, mentor, days_ahead=9)
    mail.outbox.clear()

    assert flash_requests_remind(now=NOW + dt.timedelta(days=1, hours=23)) == 0
    assert flash_requests_remind(now=NOW + dt.timedelta(days=2, hours=1)) == 1
    assert flash_requests_remind(now=NOW + dt.timedelta(days=3)) == 0  # not twice
    [first] = _to(volunteer)
    assert first.subject.startswith("Reminder: ")
    assert "still waiting for your answer" in first.body
    assert "/mentoring/requests/answer/" in first.body  # one-click answers, no sign-in
    assert flash_requests_remind(now=NOW + dt.timedelta(days=4, hours=1)) == 1
    last = _to(volunteer)[-1]
    assert last.subject.startswith("Last reminder: ")
    assert "the request expires on" in last.body
    flash_request.refresh_from_db()
    assert flash_request.reminders_sent == 2


def test_an_answered_request_is_not_reminded(student, volunteer):
    mentor = bookable_mentor(volunteer)
    flash_request = _ask(student, mentor, days_ahead=9)
    request_services.flash_request_decline(flash_request=flash_request, by=volunteer)
    assert flash_requests_remind(now=NOW + dt.timedelta(days=2, hours=1)) == 0


def test_at_expiry_the_student_is_offered_the_next_suggested_volunteer(student, volunteer):
    topic = TopicFactory(name="Consulting")
    StudentInterests.objects.create(student=student).topics.set([topic])
    first = bookable_mentor(volunteer)
    first.topics.set([topic])
    other = bookable_mentor(VolunteerFactory(profile__display_name="Olga Other"))
    other.topics.set([topic])
    flash_request = _ask(student, first, days_ahead=9, message="Your path into consulting")
    mail.outbox.clear()

    request_services.flash_requests_expire(now=NOW + dt.timedelta(days=8))

    [expired] = _to(student)
    assert "Olga Other is suggested for you" in expired.body
    url = next(line for line in expired.body.splitlines() if "/request/?start=" in line)
    assert f"from={flash_request.pk}" in url
    assert f"/directory/{other.pk}/request/" in url
    # One click: the form with that time chosen and the message kept.
    client = _client(student)
    page = client.get(url.split("testserver", 1)[-1].split("127.0.0.1:8000", 1)[-1])
    assert page.status_code == 200
    assert "Your path into consulting" in page.text


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_someone_elses_request_is_not_carried_over(student, other_student, volunteer):
    mentor = bookable_mentor(volunteer)
    theirs = _ask(other_student, mentor, message="A secret question")
    url = reverse("mentoring:request_new", kwargs={"mentor_id": mentor.pk})
    page = _client(student).get(url, {"from": theirs.pk})
    assert "A secret question" not in page.text


def _expire_three(volunteer, mentor):
    for days in (6, 7, 8):
        _ask(StudentFactory(), mentor, days_ahead=days + 3)
    mail.outbox.clear()
    request_services.flash_requests_expire(now=NOW + dt.timedelta(days=8))


def test_three_expired_in_a_row_pause_the_volunteer_who_can_resume(volunteer, student):
    mentor = bookable_mentor(volunteer, monthly_capacity=10)
    _expire_three(volunteer, mentor)

    mentor.refresh_from_db()
    assert mentor.paused_unanswered_at is not None
    assert mentor.is_bookable is False
    [told] = _to(volunteer)
    assert "paused" in told.subject
    assert "Resume my listing" in told.alternatives[0][0]
    home = _client(volunteer).get(reverse("home")).text
    assert 'id="paused-unanswered"' in home

    response = _client(volunteer).post(reverse("mentoring:volunteer_resume"))
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.paused_unanswered_at is None
    assert mentor.is_bookable is True


def test_an_answer_between_expiries_breaks_the_run(volunteer):
    mentor = bookable_mentor(volunteer, monthly_capacity=10)
    _ask(StudentFactory(), mentor, days_ahead=9)
    _ask(StudentFactory(), mentor, days_ahead=10)
    answered = _ask(StudentFactory(), mentor, days_ahead=11)
    request_services.flash_request_decline(flash_request=answered, by=volunteer)
    FlashRequest.objects.filter(pk=answered.pk).update(created_at=NOW + dt.timedelta(hours=1))
    request_services.flash_requests_expire(now=NOW + dt.timedelta(days=8))
    assert Mentor.objects.get(pk=mentor.pk).paused_unanswered_at is None


def test_the_policy_can_be_off(volunteer):
    policy = MentoringPolicy.current()
    policy.pause_after_expired = 0
    policy.save()
    mentor = bookable_mentor(volunteer, monthly_capacity=10)
    _expire_three(volunteer, mentor)
    assert Mentor.objects.get(pk=mentor.pk).paused_unanswered_at is None


def test_resume_is_only_for_the_policys_pause(volunteer):
    mentor = bookable_mentor(volunteer, listed=False)
    assert volunteer_resume(user=volunteer).is_bookable is False
    assert Mentor.objects.get(pk=mentor.pk).listed is False


def test_staff_set_the_policy_and_see_response_figures(staff_client, volunteer):
    rules = {
        "student_no_show_penalty": "6",
        "student_open_requests_after_no_show": "1",
        "volunteer_pause_after_no_shows": "2",
    }
    response = staff_client.post(reverse("mentoring:policy"), {"pause_after_expired": "5", **rules})
    assert response.status_code == 302
    assert MentoringPolicy.current().pause_after_expired == 5
    assert AuditLog.objects.filter(action="mentoring.policy").exists()
    bad = staff_client.post(reverse("mentoring:policy"), {"pause_after_expired": "99", **rules})
    assert bad.status_code == 200
    assert MentoringPolicy.current().pause_after_expired == 5

    mentor = bookable_mentor(volunteer, monthly_capacity=10)
    quick = _ask(StudentFactory(), mentor, days_ahead=9)
    slow = _ask(StudentFactory(), mentor, days_ahead=10)
    _ask(StudentFactory(), mentor, days_ahead=11)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        request_services.flash_request_decline(flash_request=quick, by=volunteer)
    with time_machine.travel(NOW + dt.timedelta(hours=10), tick=False):
        request_services.flash_request_decline(flash_request=slow, by=volunteer)
    request_services.flash_requests_expire(now=NOW + dt.timedelta(days=8))

    stats = response_stats(volunteer_ids=[volunteer.pk], now=NOW + dt.timedelta(days=8))
    figures = stats[volunteer.pk]
    assert (figures.received, figures.answered, figures.expired) == (3, 2, 1)
    assert figures.rate == 67
    assert figures.median_hours == 6.0
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        page = staff_client.get(reverse("console:volunteers"), {"status": "approved"}).text
    assert "3 requests, 67% answered, median answer in 6.0 h, 1 expired unanswered" in page
