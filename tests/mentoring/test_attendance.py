"""Shows that count (issue 19): both sides say whether a session happened (one click from the
email, or the session's page); a no-show is recorded with who reported it; a disagreement goes
to staff; the policy turns no-shows into a lower priority in rounds, fewer open requests, and
a volunteer's pause. On a frozen clock."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mentoring import matching
from mentoring.attendance_links import HELD, NO_SHOW, attendance_link
from mentoring.models import Mentor, MentoringPolicy, SessionStatus
from mentoring.services import attendance
from mentoring.services import requests as request_services
from mentoring.services.availability import open_slots
from networking_app.core.models import AuditLog
from networking_app.notifications import services as notify
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import NOW, bookable_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _session(student, volunteer, *, mentor=None, index: int = 0):
    mentor = mentor or bookable_mentor(volunteer, monthly_capacity=20)
    slot = open_slots(mentor)[index]
    flash_request = request_services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message="Your path"
    )
    return request_services.flash_request_accept(flash_request=flash_request, by=volunteer)


def _after(session, minutes: int = 40):
    return time_machine.travel(session.end_at + dt.timedelta(minutes=minutes), tick=False)


def test_both_say_it_happened(student, volunteer):
    session = _session(student, volunteer)
    with _after(session):
        attendance.attendance_record(session=session, by=volunteer, said=HELD)
        session = attendance.attendance_record(session=session, by=student, said=HELD)
    assert session.status == SessionStatus.COMPLETED
    assert (session.student_said, session.volunteer_said) == (HELD, HELD)
    assert session.disputed_at is None


def test_a_no_show_is_recorded_with_who_reported_it(student, volunteer):
    session = _session(student, volunteer)
    with _after(session):
        session = attendance.attendance_record(session=session, by=volunteer, said=NO_SHOW)
    assert session.status == SessionStatus.NO_SHOW
    assert session.no_show_reported_by == volunteer
    assert attendance.no_show_of(session) == student.pk


def test_a_disagreement_goes_to_staff_who_decide(student, volunteer, staff_client, staff):
    session = _session(student, volunteer)
    with _after(session):
        attendance.attendance_record(session=session, by=volunteer, said=NO_SHOW)
        session = attendance.attendance_record(session=session, by=student, said=HELD)
    assert session.disputed_at is not None
    with _after(session):
        page = staff_client.get(reverse("console:attendance")).text
        assert "The student said it happened; the volunteer said the student did not come." in (
            page
        )
        attendance.dispute_resolve(session=session, staff=staff, outcome=HELD)
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert session.disputed_at is None
    assert AuditLog.objects.filter(action="mentoring.dispute").exists()


def test_nobody_says_anything_before_the_start(student, volunteer):
    session = _session(student, volunteer)
    with pytest.raises(ValidationError):
        attendance.attendance_record(session=session, by=student, said=HELD)


def test_one_click_from_the_email_without_signing_in(student, volunteer):
    session = _session(student, volunteer)
    mail.outbox.clear()
    with _after(session, minutes=70):
        notify.reminders_dispatch()
        [email] = [m for m in mail.outbox if m.to == [volunteer.email]]
        link = re.search(r"They did not come: (\S+)", email.body).group(1)
        path = link.split("://", 1)[1].split("/", 1)[1]
        anonymous = Client()
        page = anonymous.get(f"/{path}")
        assert page.status_code == 200
        assert "Confirm that" in page.text
        session.refresh_from_db()
        assert session.status == SessionStatus.SCHEDULED  # a GET changes nothing
        done = anonymous.post(f"/{path}")
        assert "Noted: the session did not take place." in done.text
    session.refresh_from_db()
    assert session.status == SessionStatus.NO_SHOW
    assert session.no_show_reported_by == volunteer


def test_a_tampered_link_is_refused(student, volunteer):
    session = _session(student, volunteer)
    link = attendance_link(session, student, HELD)
    response = Client().get(link.split("127.0.0.1:8000", 1)[-1][:-3] + "xx/")
    assert response.status_code == 400


def test_recent_no_shows_limit_a_students_open_requests(student, volunteer):
    mentor = bookable_mentor(volunteer, monthly_capacity=20)
    session = _session(student, volunteer, mentor=mentor)
    with _after(session):
        attendance.attendance_record(session=session, by=volunteer, said=NO_SHOW)
        other = bookable_mentor(VolunteerFactory(), monthly_capacity=20)
        third = bookable_mentor(VolunteerFactory(), monthly_capacity=20)
        request_services.flash_request_create(
            student=student, mentor=other, start_at=open_slots(other)[0].start_at, message="Hi"
        )
        with pytest.raises(ValidationError, match="After a missed conversation"):
            request_services.flash_request_create(
                student=student, mentor=third, start_at=open_slots(third)[0].start_at, message="Hi"
            )


def test_a_volunteer_is_paused_after_the_policys_no_shows(volunteer, staff, staff_client):
    mentor = bookable_mentor(volunteer, monthly_capacity=20)
    first = _session(StudentFactory(), volunteer, mentor=mentor, index=0)
    second = _session(StudentFactory(), volunteer, mentor=mentor, index=1)
    with _after(second):
        attendance.attendance_record(session=first, by=first.student, said=NO_SHOW)
        assert Mentor.objects.get(pk=mentor.pk).paused_no_shows_at is None
        attendance.attendance_record(session=second, by=second.student, said=NO_SHOW)
    mentor.refresh_from_db()
    assert mentor.paused_no_shows_at is not None
    assert mentor.is_bookable is False
    attendance.volunteer_resume_after_no_shows(volunteer=volunteer, staff=staff)
    mentor.refresh_from_db()
    assert mentor.is_bookable is True


def test_no_shows_lower_a_students_priority_in_rounds_and_why_says_so():
    reliable = matching.StudentIn(id=1, availability=frozenset({1}))
    missed = matching.StudentIn(
        id=2, availability=frozenset({1}), no_shows=2, no_show_points=matching.no_show_points(2, 6)
    )
    volunteer = matching.VolunteerIn(id=10, availability=frozenset({1}), capacity=1)
    result = matching.solve([reliable, missed], [volunteer])
    assert [m.student_id for m in result.matches] == [1]
    why = matching.pair_breakdown(missed, volunteer)
    assert why["no_shows"] == 2
    assert why["no_show_penalty"] == -(matching.MATCH_POINTS - 1)  # capped: never below 1
    assert why["total"] > 0
    alone = matching.solve([missed], [volunteer])
    assert [m.student_id for m in alone.matches] == [2]  # a free seat still goes to them


def test_the_policy_page_holds_the_no_show_rules(staff_client):
    response = staff_client.post(
        reverse("mentoring:policy"),
        {
            "pause_after_expired": "3",
            "student_no_show_penalty": "4",
            "student_open_requests_after_no_show": "2",
            "volunteer_pause_after_no_shows": "0",
        },
    )
    assert response.status_code == 302
    policy = MentoringPolicy.current()
    assert (policy.student_no_show_penalty, policy.volunteer_pause_after_no_shows) == (4, 0)


def test_the_attendance_page_counts_by_person_and_month(student, volunteer, staff_client):
    session = _session(student, volunteer)
    with _after(session):
        attendance.attendance_record(session=session, by=volunteer, said=NO_SHOW)
        html = staff_client.get(reverse("console:attendance")).text
    assert "Students who missed sessions" in html
    assert student.display_name in html
    assert "100%" in html


def test_a_round_may_weigh_no_shows_itself_else_the_policy_does(student, volunteer):
    from mentoring.selectors import rounds as round_selectors
    from tests.mentoring.helpers import open_round, sign_up_student

    session = _session(student, volunteer)
    with _after(session):
        attendance.attendance_record(session=session, by=volunteer, said=NO_SHOW)
        match_round = open_round()
        sign_up_student(match_round, student)

        def points() -> float:
            [signed_up] = round_selectors.matcher_input(match_round=match_round).students
            assert signed_up.no_shows == 1
            return signed_up.no_show_points

        assert points() == MentoringPolicy.current().student_no_show_penalty
        match_round.matching_settings = {"no_show_points": 2.5}
        match_round.save(update_fields=["matching_settings"])
        assert points() == 2.5
    assert (
        matching.MatchSettings.from_json({"no_show_points": 2.5}).as_json()["no_show_points"] == 2.5
    )
    with pytest.raises(ValueError, match=r"multiple of 0\.25"):
        matching.MatchSettings.from_json({"no_show_points": 0.3})
