"""Direct flash requests, asking: a request holds the slot and emails the volunteer; a slot
that is not open or already held, a full month, a second open request, a mentor who is
not bookable and an empty message are refused."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import FlashRequest, RequestStatus
from mentoring.services import requests as services
from mentoring.services.availability import slot_is_open
from mentoring.services.sessions import SLOT_TAKEN
from tests.factories import StudentFactory
from tests.mentoring.helpers import ask as _ask
from tests.mentoring.helpers import error_text as _error
from tests.mentoring.helpers import logged_in_client as _client
from tests.mentoring.helpers import (
    mentor_fixture,  # noqa: F401 (the `mentor` fixture)
    slots_fixture,  # noqa: F401 (the `slots` fixture)
)

pytestmark = pytest.mark.django_db


def test_a_request_holds_the_slot_expires_in_a_week_and_emails_the_volunteer(
    student, volunteer, mentor, slots
):
    before = timezone.now()
    flash_request = _ask(student, mentor, slots[0])

    assert flash_request.status == RequestStatus.PENDING
    assert flash_request.volunteer == volunteer
    assert flash_request.end_at - flash_request.start_at == dt.timedelta(minutes=30)
    week = dt.timedelta(days=7)
    assert before + week <= flash_request.expires_at <= timezone.now() + week
    assert not slot_is_open(mentor, slots[0].start_at)

    [email] = mail.outbox
    assert email.to == [volunteer.email]
    assert "Alice Student" in email.subject
    assert "How do analysts spend their first year?" in email.body
    url = reverse("mentoring:request", kwargs={"request_id": flash_request.pk})
    assert url in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert url in html


def test_the_volunteer_sees_the_students_major_and_what_they_want_to_learn_before_answering(
    student, volunteer, mentor, slots
):
    profile = student.student_profile
    profile.class_year, profile.major = None, "Economics <and> Data"
    profile.save()
    _ask(student, mentor, slots[0], message="How do <b>analysts</b> spend their first year?")
    [email] = mail.outbox
    assert "Alice Student (Economics <and> Data) asks you" in email.body
    assert "(Economics &lt;and&gt; Data) asks you" in email.alternatives[0][0]
    html = _client(volunteer).get(reverse("mentoring:requests")).content.decode()
    assert "· Economics &lt;and&gt; Data</span>" in html
    assert "Would like to learn: How do &lt;b&gt;analysts&lt;/b&gt; spend their first year?" in html


def test_a_slot_that_is_not_open_is_refused(student, mentor, slots):
    midnight = slots[0].start_at.replace(hour=2, minute=0)  # outside every window
    with pytest.raises(ValidationError) as excinfo:
        services.flash_request_create(
            student=student, mentor=mentor, start_at=midnight, message="Hello"
        )
    assert _error(excinfo) == SLOT_TAKEN
    assert not FlashRequest.objects.exists()


def test_a_slot_held_by_another_student_is_refused(student, other_student, mentor, slots):
    _ask(other_student, mentor, slots[0])
    with pytest.raises(ValidationError) as excinfo:
        _ask(student, mentor, slots[0])
    assert _error(excinfo) == SLOT_TAKEN


def test_monthly_capacity_reached_is_refused_with_the_month(student, mentor, slots):
    mentor.monthly_capacity = 1
    mentor.save()
    students = StudentFactory.create_batch(2)
    _ask(students[0], mentor, slots[0])
    same_month = next(
        s
        for s in slots[1:]
        if (s.start_at.year, s.start_at.month)
        == (
            slots[0].start_at.year,
            slots[0].start_at.month,
        )
    )
    with pytest.raises(ValidationError) as excinfo:
        _ask(students[1], mentor, same_month)
    assert "has no more room for conversations in" in _error(excinfo)
    assert same_month.start_at.strftime("%B") in _error(excinfo)


def test_one_open_request_per_student_and_volunteer(student, mentor, slots):
    _ask(student, mentor, slots[0])
    with pytest.raises(ValidationError) as excinfo:
        _ask(student, mentor, slots[3])
    assert "You already have a request waiting for Carol Volunteer" in _error(excinfo)


def test_a_mentor_who_is_not_bookable_is_refused(student, mentor, slots):
    mentor.is_bookable = False
    mentor.save()
    with pytest.raises(ValidationError) as excinfo:
        _ask(student, mentor, slots[0])
    assert "Carol Volunteer is not taking requests at the moment." in _error(excinfo)


def test_only_students_ask(other_volunteer, mentor, slots):
    with pytest.raises(ValidationError):
        _ask(other_volunteer, mentor, slots[0])


def test_an_empty_message_is_refused(student, mentor, slots):
    with pytest.raises(ValidationError) as excinfo:
        _ask(student, mentor, slots[0], message="   ")
    assert "message" in excinfo.value.error_dict


def test_the_unique_constraint_is_the_last_line_of_defence(
    student, other_student, volunteer, mentor, slots
):
    # A holder the checks cannot see (as if it committed between check and insert).
    _ask(other_student, mentor, slots[0])
    with (
        mock.patch.object(services, "slot_is_open", return_value=True),
        pytest.raises(ValidationError) as excinfo,
    ):
        _ask(student, mentor, slots[0])
    assert _error(excinfo) == SLOT_TAKEN
    assert FlashRequest.objects.filter(volunteer=volunteer).count() == 1
