"""RSVPs arriving at the same moment, on real PostgreSQL: worker threads, each with its own
connection and transactions, are released together by a barrier. The Event row lock in
rsvp_create / rsvp_cancel must hand out exactly the seats there are, in arrival order.

200 RSVPs run on 25 threads (8 each, back to back) rather than 200 threads: PostgreSQL allows
100 connections by default and other test runs share the server."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from events import services
from events.models import RSVP, RSVPStatus
from tests.events.factories import EventFactory
from tests.factories import StudentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEATS = 50
PEOPLE = 200
THREADS = 25


def _run_in_threads(jobs: list, threads: int) -> list[str]:
    """Run the callables on `threads` workers released together; returns the errors."""
    barrier = threading.Barrier(threads)
    errors: list[str] = []
    lock = threading.Lock()
    chunks = [jobs[i::threads] for i in range(threads)]

    def work(chunk):
        try:
            barrier.wait(timeout=30)
            for job in chunk:
                job()
        except Exception as error:  # recorded; the assertion shows it
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()  # this thread's own connection

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "an RSVP thread hung"
    return errors


def test_200_rsvps_for_50_seats_then_10_cancellations():
    event = EventFactory(capacity=SEATS)
    students = StudentFactory.create_batch(PEOPLE)

    def rsvp(student):
        return lambda: services.rsvp_create(event=event, user=student)

    errors = _run_in_threads([rsvp(s) for s in students], THREADS)
    assert errors == []

    rsvps = list(RSVP.objects.filter(event=event).order_by("queued_at", "pk"))
    assert len(rsvps) == PEOPLE
    assert len({r.queued_at for r in rsvps}) == PEOPLE  # a strict arrival order
    statuses = [r.status for r in rsvps]
    # Arrival order decides: the first 50 to arrive have the seats, the next 150 wait in line.
    assert statuses == [RSVPStatus.GOING] * SEATS + [RSVPStatus.WAITLISTED] * (PEOPLE - SEATS)

    going = [r for r in rsvps if r.status == RSVPStatus.GOING]
    waiting = [r for r in rsvps if r.status == RSVPStatus.WAITLISTED]
    mail.outbox.clear()

    def cancel(r):
        return lambda: services.rsvp_cancel(rsvp=r)

    errors = _run_in_threads([cancel(r) for r in going[:10]], 10)
    assert errors == []

    assert RSVP.objects.filter(event=event, status=RSVPStatus.GOING).count() == SEATS
    assert RSVP.objects.filter(event=event, status=RSVPStatus.CANCELLED).count() == 10
    promoted = set(
        RSVP.objects.filter(event=event, promoted_at__isnull=False).values_list("pk", flat=True)
    )
    # Exactly the 10 earliest on the waitlist, each emailed once.
    assert promoted == {r.pk for r in waiting[:10]}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in waiting[:10])
