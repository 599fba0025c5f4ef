"""Direct flash requests, the answers: the volunteer accepts, declines or proposes another
time; the student accepts the proposal, declines it or withdraws the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from mentoring.models import FlashRequest, RequestStatus, Session
from mentoring.services import requests as services
from mentoring.services.availability import slot_is_open
from mentoring.services.sessions import SLOT_TAKEN
from networking_app.notifications.models import Reminder
from tests.mentoring.helpers import ask as _ask
from tests.mentoring.helpers import error_text as _error
from tests.mentoring.helpers import (
    mentor_fixture,  # noqa: F401 (the `mentor` fixture)
    slots_fixture,  # noqa: F401 (the `slots` fixture)
)

pytestmark = pytest.mark.django_db


def test_accepting_opens_a_session_and_invites_both(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    mail.outbox.clear()

    session = services.flash_request_accept(
        flash_request=flash_request,
        by=volunteer,
        mode="video",
        location="https://meet.example.com/carol",
    )

    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.ACCEPTED
    assert flash_request.responded_at is not None
    assert (session.start_at, session.end_at) == (flash_request.start_at, flash_request.end_at)
    assert session.location == "https://meet.example.com/carol"
    assert session.ics_uid
    assert session.ics_sequence == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([student.email, volunteer.email])
    for email in mail.outbox:
        assert email.alternatives[0][1] == "text/html"
        [(name, content, mimetype)] = email.attachments
        assert name.endswith(".ics")
        assert mimetype == "text/calendar; method=REQUEST"
        assert b"METHOD:REQUEST" in (content if isinstance(content, bytes) else content.encode())
    kinds = set(Reminder.objects.values_list("user__email", "kind"))
    assert kinds == {
        (student.email, "session_tomorrow"),
        (student.email, "session_brief"),
        (student.email, "session_feedback"),
        (volunteer.email, "session_tomorrow"),
        (volunteer.email, "session_brief"),
        (volunteer.email, "session_feedback"),
    }


def test_only_the_volunteer_accepts_and_only_once(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    with pytest.raises(ValidationError):
        services.flash_request_accept(flash_request=flash_request, by=student)
    services.flash_request_accept(flash_request=flash_request, by=volunteer)
    with pytest.raises(ValidationError) as excinfo:
        services.flash_request_accept(flash_request=flash_request, by=volunteer)
    assert "“Accepted”: it can no longer be changed" in _error(excinfo)
    assert Session.objects.count() == 1


def test_a_request_whose_time_has_passed_cannot_be_accepted(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    past = timezone.now() - dt.timedelta(hours=1)
    FlashRequest.objects.filter(pk=flash_request.pk).update(
        start_at=past, end_at=past + dt.timedelta(minutes=30)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.flash_request_accept(flash_request=flash_request, by=volunteer)
    assert "already passed" in _error(excinfo)


def test_declining_tells_the_student_with_the_note_and_frees_the_slot(
    student, volunteer, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    mail.outbox.clear()
    services.flash_request_decline(
        flash_request=flash_request, by=volunteer, note="Travelling that week, try Dana!"
    )
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.DECLINED
    [email] = mail.outbox
    assert email.to == [student.email]
    assert "Travelling that week, try Dana!" in email.body
    assert "Travelling that week, try Dana!" in email.alternatives[0][0]
    assert slot_is_open(mentor, slots[0].start_at)


def test_a_proposal_the_student_accepts_moves_the_request_and_opens_the_session(
    student, volunteer, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    mail.outbox.clear()
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=slots[4].start_at
    )
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.PROPOSED
    assert flash_request.proposed_start_at == slots[4].start_at
    [email] = mail.outbox
    assert email.to == [student.email]
    assert "proposes" in email.subject

    session = services.flash_request_accept_proposal(flash_request=flash_request, by=student)

    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.ACCEPTED
    assert flash_request.start_at == slots[4].start_at
    assert flash_request.proposed_start_at is None
    assert session.start_at == slots[4].start_at
    assert session.end_at == slots[4].end_at
    assert slot_is_open(mentor, slots[0].start_at)  # the first time is free again


def test_a_proposal_must_be_one_of_the_volunteers_open_slots(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    with pytest.raises(ValidationError) as excinfo:
        services.flash_request_propose(
            flash_request=flash_request,
            by=volunteer,
            start_at=slots[0].start_at.replace(hour=3),
        )
    assert _error(excinfo) == SLOT_TAKEN


def test_proposing_within_a_full_month_counts_the_request_once(student, volunteer, mentor, slots):
    # The request holds the month's only unit: moving it inside the month must stay possible.
    mentor.monthly_capacity = 1
    mentor.save()
    flash_request = _ask(student, mentor, slots[0])
    same_month = next(
        s
        for s in slots[2:]
        if (s.start_at.year, s.start_at.month) == (slots[0].start_at.year, slots[0].start_at.month)
    )
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=same_month.start_at
    )
    session = services.flash_request_accept_proposal(flash_request=flash_request, by=student)
    assert session.start_at == same_month.start_at


def test_a_proposed_time_taken_meanwhile_cannot_be_accepted(
    student, other_student, volunteer, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=slots[4].start_at
    )
    _ask(other_student, mentor, slots[4])
    with pytest.raises(ValidationError) as excinfo:
        services.flash_request_accept_proposal(flash_request=flash_request, by=student)
    assert "The proposed time is no longer available" in _error(excinfo)
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.PROPOSED


def test_withdrawing_tells_the_volunteer_and_frees_the_slot(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    mail.outbox.clear()
    services.flash_request_withdraw(flash_request=flash_request, by=student)
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.WITHDRAWN
    [email] = mail.outbox
    assert email.to == [volunteer.email]
    assert "withdrew" in email.subject
    assert slot_is_open(mentor, slots[0].start_at)
    with pytest.raises(ValidationError):
        services.flash_request_withdraw(flash_request=flash_request, by=student)


def test_declining_a_proposal_closes_the_request_and_says_so(student, volunteer, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=slots[4].start_at
    )
    mail.outbox.clear()
    services.flash_request_withdraw(flash_request=flash_request, by=student)
    [email] = mail.outbox
    assert "declined the time you proposed" in email.subject
