"""Two students booking at the same moment, on real PostgreSQL: each thread has its own
connection and transaction, a barrier releases them together, and the Mentor row lock in
flash_request_create must let exactly one through. Repeated to give a race room to show."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mentoring.models import FlashRequest, Mentor
from mentoring.services.availability import HOLDING, mentor_zone, month_key, open_slots
from mentoring.services.requests import flash_request_create
from mentoring.services.sessions import SLOT_TAKEN
from tests.factories import StudentFactory
from tests.mentoring.helpers import bookable_mentor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 8


def _race(*attempts) -> list[tuple[str, str]]:
    """Run the callables in threads released together; ("ok", "") or ("refused", message)
    for each, in order. Anything else (a deadlock, an IntegrityError) fails the test."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[tuple[str, str] | None] = [None] * len(attempts)

    def run(index, attempt):
        try:
            barrier.wait(timeout=10)
            attempt()
            outcomes[index] = ("ok", "")
        except ValidationError as error:
            outcomes[index] = ("refused", " ".join(error.messages))
        except Exception as error:  # recorded, and the assertion below shows it
            outcomes[index] = ("error", repr(error))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a booking thread hung"
    return outcomes


def _booking(student, mentor_id, slot):
    def attempt():
        # Each thread loads its own Mentor, as two web requests would.
        mentor = Mentor.objects.select_related("user__profile").get(pk=mentor_id)
        flash_request_create(student=student, mentor=mentor, start_at=slot.start_at, message="Race")

    return attempt


def _holding(mentor) -> int:
    return FlashRequest.objects.filter(volunteer_id=mentor.user_id, status__in=HOLDING).count()


def test_two_students_booking_the_same_last_slot_at_once(volunteer):
    # One 30-minute window a week: few slots, the first of which both want.
    mentor = bookable_mentor(
        volunteer, weekdays=[2], start=dt.time(8), end=dt.time(8, 30), monthly_capacity=50
    )
    for round_ in range(ROUNDS):
        [slot] = open_slots(mentor, limit=1)
        first, second = StudentFactory.create_batch(2)
        outcomes = _race(_booking(first, mentor.pk, slot), _booking(second, mentor.pk, slot))
        assert sorted(o[0] for o in outcomes) == ["ok", "refused"], (round_, outcomes)
        assert [o[1] for o in outcomes if o[0] == "refused"] == [SLOT_TAKEN]
        assert _holding(mentor) == 1
        FlashRequest.objects.all().delete()


def test_two_students_booking_the_last_unit_of_capacity_on_two_slots_at_once(volunteer):
    mentor = bookable_mentor(volunteer, monthly_capacity=1)
    zone = mentor_zone(mentor)
    for round_ in range(ROUNDS):
        slots = open_slots(mentor, limit=40)
        month = month_key(slots[0].start_at, zone)
        first_slot, second_slot = [s for s in slots if month_key(s.start_at, zone) == month][::3][
            :2
        ]
        first, second = StudentFactory.create_batch(2)
        outcomes = _race(
            _booking(first, mentor.pk, first_slot), _booking(second, mentor.pk, second_slot)
        )
        assert sorted(o[0] for o in outcomes) == ["ok", "refused"], (round_, outcomes)
        [refusal] = [o[1] for o in outcomes if o[0] == "refused"]
        assert "has no more room for conversations in" in refusal
        assert _holding(mentor) == 1
        FlashRequest.objects.all().delete()
