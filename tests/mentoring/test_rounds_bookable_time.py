"""Match rounds and the time a student can book (issue 15): the matcher pairs only volunteers
with open time in the round's dates, the review warns about a match without any, and a
swap to such a volunteer is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring import matching
from mentoring.models import (
    FlashRequest,
    Match,
    Mentor,
    RequestStatus,
    RoundVolunteer,
)
from mentoring.selectors import rounds as selectors
from mentoring.services import round_matches
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    sign_up_student,
    sign_up_volunteer,
)
from tests.mentoring.helpers import named_student as _student
from tests.mentoring.helpers import named_volunteer as _volunteer
from tests.mentoring.helpers import round_pairs as _pairs
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db


TUESDAY_8_DEC = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)


def _january_round():
    """Conversations from Mon 18 to Fri 29 January 2027, six weeks after the frozen now."""
    return _closed_round(
        signup_deadline=TUESDAY_8_DEC - dt.timedelta(days=1),
        window_start=dt.date(2027, 1, 18),
        window_end=dt.date(2027, 1, 29),
    )


def _bookable_volunteers(match_round):
    """Far: books 30 days ahead, so nothing in January yet. Full: January's capacity is taken.
    Near: books 60 days ahead, with room, on weekday mornings only."""
    far = _volunteer("Far Away")
    full = _volunteer("Full January")
    near = _volunteer("Near Enough", windows=[(d, dt.time(9), dt.time(12)) for d in range(5)])
    Mentor.objects.filter(user__in=[full, near]).update(booking_window_days=60)
    Mentor.objects.filter(user=full).update(monthly_capacity=1)
    start = dt.datetime(2027, 1, 5, 10, 0, tzinfo=dt.UTC)
    FlashRequest.objects.create(
        student=StudentFactory(),
        volunteer=full,
        start_at=start,
        end_at=start + dt.timedelta(minutes=30),
        message="Hello",
        status=RequestStatus.ACCEPTED,
        expires_at=start,
    )
    for volunteer in (far, full, near):
        sign_up_volunteer(match_round, volunteer, capacity=2)
    return far, full, near


def test_matcher_pairs_only_volunteers_with_time_to_book_in_the_round(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    far, full, near = _bookable_volunteers(match_round)
    ann, ben, cy = _student("Ann"), _student("Ben"), _student("Cy")
    sign_up_student(match_round, ann, preferences=[far.pk, full.pk])
    sign_up_student(match_round, ben, preferences=[full.pk])
    sign_up_student(match_round, cy, availability=[[d, 14, 16] for d in range(5)])

    data = selectors.matcher_input(match_round=match_round)
    assert {v.id: v.bookable for v in data.volunteers} == {
        far.pk: False,
        full.pk: False,
        near.pk: True,
    }
    run = round_matches.round_run_matcher(match_round=match_round)
    assert _pairs(match_round) == {(ann.pk, near.pk), (ben.pk, near.pk)}
    assert run.unmatched == {str(cy.pk): matching.NO_BOOKABLE_TIME}


def test_matcher_input_works_out_bookable_time_in_fixed_queries(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    counts = []
    for size in (3, 12):
        while RoundVolunteer.objects.filter(round=match_round).count() < size:
            volunteer = VolunteerFactory()
            mentor_for(volunteer)
            Mentor.objects.filter(user=volunteer).update(booking_window_days=60)
            sign_up_volunteer(match_round, volunteer)
        with capture_queries() as queries:
            bookable = selectors.round_bookable_volunteers(
                match_round=match_round,
                volunteer_ids=RoundVolunteer.objects.filter(round=match_round).values(
                    "volunteer_id"
                ),
            )
        assert len(bookable) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.fixture
def on_tuesday_8_dec(time_machine):
    """The clock stopped before staff sign in (a session, or a second factor, from another
    date may have run out by then)."""
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    return time_machine


def test_review_warns_about_a_match_with_no_time_to_book(on_tuesday_8_dec, staff_client):
    """An older match (a lock, a swap, or availability changed since the run) whose volunteer
    has no slot left in the round's dates is flagged on the review page."""
    match_round = _january_round()
    far, _full, near = _bookable_volunteers(match_round)
    stuck = Match.objects.create(
        round=match_round, student=_student("Ann"), volunteer=far, locked=True
    )
    fine = Match.objects.create(round=match_round, student=_student("Ben"), volunteer=near)
    page = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk]))
    html = page.content.decode()
    assert f'id="no-time-{stuck.pk}"' in html
    assert f'id="no-time-{fine.pk}"' not in html
    assert "1 match below has no time the student can book" in html
    # The volunteer adds time (books further ahead): the warning goes.
    Mentor.objects.filter(user=far).update(booking_window_days=60)
    html = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk])).content
    assert b"no-time-" not in html
    assert b"no time the student can book" not in html


def test_swap_to_a_volunteer_with_no_time_to_book_is_refused(time_machine):
    time_machine.move_to(TUESDAY_8_DEC, tick=False)
    match_round = _january_round()
    far, _full, near = _bookable_volunteers(match_round)
    ann, ben = _student("Ann"), _student("Ben")
    for student in (ann, ben):
        sign_up_student(match_round, student)
    first = Match.objects.create(round=match_round, student=ann, volunteer=far, locked=True)
    second = Match.objects.create(round=match_round, student=ben, volunteer=near)
    with pytest.raises(ValidationError, match="no time to book in the round's dates"):
        round_matches.match_swap(match_round=match_round, first_id=first.pk, second_id=second.pk)
