"""Direct flash requests: asking, the volunteer's answers, the student's, expiry, the pages,
who may see and do what, and the query counts of the requests list."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.forms.requests import parse_start, slot_value
from mentoring.models import FlashRequest, RequestStatus, Session
from mentoring.services import requests as services
from mentoring.services.availability import open_slots, slot_is_open
from mentoring.services.sessions import SLOT_TAKEN
from mentoring.tasks import expire_requests
from networking_app.accounts.models import Profile
from networking_app.notifications.models import Reminder
from tests.factories import StudentFactory
from tests.mentoring.helpers import bookable_mentor, request_objects
from tests.querycount import assert_queries_stable
from tests.routes import POST_ONLY, ROUTES, route_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(volunteer):
    return bookable_mentor(volunteer)


@pytest.fixture
def slots(mentor):
    return open_slots(mentor, limit=20)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(student, mentor, slot, message="How do analysts spend their first year?"):
    return services.flash_request_create(
        student=student, mentor=mentor, start_at=slot.start_at, message=message
    )


def _error(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- Asking ---------------------------------------------------------------------------------


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


# --- The volunteer answers ------------------------------------------------------------------


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


# --- Expiry ---------------------------------------------------------------------------------


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


# --- The student's request page -------------------------------------------------------------


def _new_url(mentor, start=None) -> str:
    url = reverse("mentoring:request_new", kwargs={"mentor_id": mentor.pk})
    return f"{url}?start={start}" if start else url


def test_the_request_page_shows_the_slot_in_the_students_time_zone(
    student, student_client, mentor, slots
):
    Profile.objects.filter(user=student).update(time_zone="America/New_York")
    slot = slots[0]
    # An unencoded "+00:00" arrives as " 00:00": it is read all the same.
    response = student_client.get(_new_url(mentor, slot.start_at.isoformat()))
    assert response.status_code == 200
    local = slot.start_at.astimezone(ZoneInfo("America/New_York"))
    hour = local.hour % 12 or 12
    html = response.content.decode()
    assert f"{hour}:{local:%M} {local:%p}" in html
    assert local.tzname() in html
    assert 'id="chosen-slot"' in html
    assert "What I would like to learn" in html


def test_without_a_time_the_page_offers_the_next_open_ones(student_client, mentor, slots):
    response = student_client.get(_new_url(mentor))
    assert response.status_code == 200
    assert slot_value(slots[0].start_at) in response.content.decode()


def test_a_taken_time_says_so_and_offers_others(other_student, student_client, mentor, slots):
    _ask(other_student, mentor, slots[0])
    response = student_client.get(_new_url(mentor, slot_value(slots[0].start_at)))
    html = response.content.decode()
    assert "That time is no longer available" in html
    assert slot_value(slots[1].start_at) in html


def test_posting_the_form_sends_the_request(student, student_client, mentor, slots):
    response = student_client.post(
        _new_url(mentor),
        {"start": slot_value(slots[0].start_at), "message": "Your path into analytics"},
    )
    flash_request = FlashRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "mentoring:request", kwargs={"request_id": flash_request.pk}
    )
    assert flash_request.student == student
    assert flash_request.message == "Your path into analytics"


def test_a_refused_post_keeps_what_was_typed_and_says_why(
    other_student, student_client, mentor, slots
):
    _ask(other_student, mentor, slots[0])
    response = student_client.post(
        _new_url(mentor),
        {"start": slot_value(slots[0].start_at), "message": "Keep this text"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "That time is no longer available" in html
    assert "Keep this text" in html
    assert FlashRequest.objects.count() == 1


def test_a_mentor_who_is_not_bookable_has_no_request_page(student_client, mentor):
    mentor.is_bookable = False
    mentor.save()
    assert student_client.get(_new_url(mentor)).status_code == 404


def test_parse_start_reads_iso_links():
    when = dt.datetime(2030, 5, 6, 14, 30, tzinfo=dt.UTC)
    assert parse_start("2030-05-06T16:30:00+02:00") == when
    assert parse_start("2030-05-06T16:30:00 02:00") == when
    assert parse_start("2030-05-06T14:30:00Z") == when
    assert parse_start("2030-05-06T14:30") == when
    assert parse_start("tomorrow") is None
    assert parse_start("") is None


# --- The volunteer's pages ------------------------------------------------------------------


def test_the_volunteer_answers_from_the_request_page(
    student, volunteer, volunteer_client, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    page = volunteer_client.get(
        reverse("mentoring:request", kwargs={"request_id": flash_request.pk})
    )
    assert "Accept the request" in page.content.decode()
    response = volunteer_client.post(
        reverse("mentoring:request_accept", kwargs={"request_id": flash_request.pk}),
        {"mode": "phone", "location": "+1 555 0100"},
    )
    session = Session.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:session", kwargs={"session_id": session.pk})
    assert (session.mode, session.location) == ("phone", "+1 555 0100")


def test_the_volunteer_declines_and_proposes_from_the_page(
    student, other_student, volunteer_client, mentor, slots
):
    first = _ask(student, mentor, slots[0])
    second = _ask(other_student, mentor, slots[2])
    volunteer_client.post(
        reverse("mentoring:request_decline", kwargs={"request_id": first.pk}),
        {"note": "Not this month"},
    )
    response = volunteer_client.post(
        reverse("mentoring:request_propose", kwargs={"request_id": second.pk}),
        {"start": slot_value(slots[5].start_at)},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decline_note) == (RequestStatus.DECLINED, "Not this month")
    assert (second.status, second.proposed_start_at) == (
        RequestStatus.PROPOSED,
        slots[5].start_at,
    )


def test_the_student_accepts_a_proposal_from_the_page(
    student, student_client, volunteer, mentor, slots
):
    flash_request = _ask(student, mentor, slots[0])
    services.flash_request_propose(
        flash_request=flash_request, by=volunteer, start_at=slots[4].start_at
    )
    page = student_client.get(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))
    assert "Accept the proposed time" in page.content.decode()
    response = student_client.post(
        reverse("mentoring:request_accept_proposal", kwargs={"request_id": flash_request.pk})
    )
    assert response.status_code == 302
    assert Session.objects.get().start_at == slots[4].start_at


def test_a_student_cannot_answer_for_the_volunteer(student, student_client, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    response = student_client.post(
        reverse("mentoring:request_accept", kwargs={"request_id": flash_request.pk}),
        {"mode": "video"},
        follow=True,
    )
    assert "volunteer can do this." in response.content.decode()
    assert not Session.objects.exists()


def test_the_requests_list_shows_only_the_volunteers_own_pending_first(
    student, other_student, volunteer, volunteer_client, other_volunteer, mentor, slots
):
    other_mentor = bookable_mentor(other_volunteer)
    answered = _ask(student, mentor, slots[0])
    services.flash_request_decline(flash_request=answered, by=volunteer)
    pending = _ask(other_student, mentor, slots[6])
    not_mine = _ask(student, other_mentor, open_slots(other_mentor, limit=1)[0])

    response = volunteer_client.get(reverse("mentoring:requests"))
    html = response.content.decode()
    assert f'id="request-{pending.pk}"' in html
    assert f'id="request-{answered.pk}"' in html
    assert f'id="request-{not_mine.pk}"' not in html
    assert html.index(f'id="request-{pending.pk}"') < html.index(f'id="request-{answered.pk}"')


def test_the_requests_list_costs_the_same_queries_at_5_and_200_rows(
    volunteer, volunteer_client, mentor
):
    students = StudentFactory.create_batch(5)
    start = timezone.now() + dt.timedelta(days=2)
    statuses = [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.ACCEPTED]
    added = []

    def add_rows(n):
        rows = []
        for i in range(len(added), len(added) + n):
            at = start + dt.timedelta(hours=i)
            rows.append(
                FlashRequest(
                    student=students[i % 5],
                    volunteer=volunteer,
                    start_at=at,
                    end_at=at + dt.timedelta(minutes=30),
                    message=f"Question {i}",
                    status=statuses[i % 3],
                    expires_at=at,
                )
            )
        added.extend(FlashRequest.objects.bulk_create(rows))

    url = reverse("mentoring:requests")
    assert_queries_stable(lambda: volunteer_client.get(url), add_rows, small=5, large=200)
    assert volunteer_client.get(url).content.decode().count('id="request-') == 200


# --- Access ---------------------------------------------------------------------------------


# The request and session actions (every one is POST only: tests/routes.py).
POST_ACTIONS = [
    name
    for name, row in ROUTES.items()
    if name.startswith(("mentoring:request_", "mentoring:session_")) and row.get == POST_ONLY
]


@pytest.mark.parametrize("name", sorted(POST_ACTIONS))
def test_strangers_cannot_post_actions(
    name, client, student, other_student, volunteer, other_volunteer, staff
):
    objects = request_objects(student, volunteer)
    url = reverse(name, kwargs=route_kwargs(name, objects))
    response = client.post(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    for stranger in (other_student, other_volunteer, staff):
        assert _client(stranger).post(url, {"reason": "x", "rating": 5}).status_code == 404
    assert FlashRequest.objects.get(pk=objects["request_id"]).status == RequestStatus.PENDING
    assert Session.objects.get(pk=objects["session_id"]).status == "scheduled"


def test_the_student_withdraws_from_the_page(student, student_client, mentor, slots):
    flash_request = _ask(student, mentor, slots[0])
    page = student_client.get(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))
    assert "Withdraw the request" in page.content.decode()
    response = student_client.post(
        reverse("mentoring:request_withdraw", kwargs={"request_id": flash_request.pk}),
        follow=True,
    )
    assert "Your request is withdrawn." in response.content.decode()
    flash_request.refresh_from_db()
    assert flash_request.status == RequestStatus.WITHDRAWN


def test_the_students_own_list_shows_their_requests(
    student, student_client, other_student, mentor, slots
):
    mine = _ask(student, mentor, slots[0])
    theirs = _ask(other_student, mentor, slots[2])
    html = student_client.get(reverse("mentoring:requests")).content.decode()
    assert f'id="request-{mine.pk}"' in html
    assert f'id="request-{theirs.pk}"' not in html


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
