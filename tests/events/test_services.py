"""events.services: events, RSVPs with the waitlist, promotion emails, check-in, met people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts.models import Contact, Source
from events import services
from events.models import RSVP, Audience, EventStatus, MetAtEvent, RSVPStatus
from events.reminders import EVENT_TOMORROW
from networking_app.notifications.models import Reminder, ReminderState
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StudentFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def _students(n):
    return [StudentFactory() for _ in range(n)]


def test_event_create_renders_sanitised_description(staff):
    start = timezone.now() + dt.timedelta(days=3)
    event = services.event_create(
        created_by=staff,
        title="Panel",
        kind="alumni_panel",
        description="Hello **there** <script>alert(1)</script>",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        place="Hall",
        organizations=["Acme Corp", "acme  corp", "Globex"],
        industries=["Finance", "Finance"],
        tags=["alumni"],
    )
    assert "<strong>there</strong>" in event.description_html
    assert "<script>" not in event.description_html
    assert sorted(o.name for o in event.organizations.all()) == ["Acme Corp", "Globex"]
    assert sorted(lab.name for lab in event.labels.all()) == ["Finance", "alumni"]
    assert event.created_by == staff
    assert event.ics_sequence == 0


def test_event_create_refuses_non_staff_and_bad_times(student, staff):
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(ValidationError):
        services.event_create(
            created_by=student, title="x", starts_at=start, ends_at=start + dt.timedelta(hours=1)
        )
    with pytest.raises(ValidationError) as error:
        services.event_create(created_by=staff, title="x", starts_at=start, ends_at=start)
    assert "ends_at" in error.value.message_dict


def test_rsvp_goes_then_waitlists_in_arrival_order(event):
    first, second, third, fourth = _students(4)
    assert services.rsvp_create(event=event, user=first).status == RSVPStatus.GOING
    assert services.rsvp_create(event=event, user=second).status == RSVPStatus.GOING
    assert services.rsvp_create(event=event, user=third).status == RSVPStatus.WAITLISTED
    assert services.rsvp_create(event=event, user=fourth).status == RSVPStatus.WAITLISTED
    waiting = RSVP.objects.filter(event=event, status=RSVPStatus.WAITLISTED).order_by("queued_at")
    assert [r.user for r in waiting] == [third, fourth]
    # Asking again changes nothing.
    again = services.rsvp_create(event=event, user=third)
    assert again.status == RSVPStatus.WAITLISTED
    assert RSVP.objects.filter(event=event).count() == 4


def test_cancel_promotes_earliest_waitlisted_and_emails_them(event):
    first, second, third, fourth = _students(4)
    for person in (first, second, third, fourth):
        services.rsvp_create(event=event, user=person)
    mail.outbox.clear()
    services.rsvp_cancel(rsvp=RSVP.objects.get(event=event, user=second))
    assert RSVP.objects.get(event=event, user=third).status == RSVPStatus.GOING
    assert RSVP.objects.get(event=event, user=third).promoted_at is not None
    assert RSVP.objects.get(event=event, user=fourth).status == RSVPStatus.WAITLISTED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [third.email]
    assert "You have a seat" in mail.outbox[0].subject
    assert event.title in mail.outbox[0].body
    # The promoted person gets the day-before reminder; the one who cancelled loses theirs.
    assert Reminder.objects.filter(user=third, kind=EVENT_TOMORROW).exists()
    assert not Reminder.objects.filter(
        user=second, kind=EVENT_TOMORROW, state=ReminderState.PENDING
    ).exists()


def test_cancelling_a_waitlist_place_promotes_nobody(event):
    people = _students(3)
    for person in people:
        services.rsvp_create(event=event, user=person)
    mail.outbox.clear()
    services.rsvp_cancel(rsvp=RSVP.objects.get(event=event, user=people[2]))
    assert RSVP.objects.filter(event=event, status=RSVPStatus.GOING).count() == 2
    assert mail.outbox == []


def test_rebooking_after_cancelling_queues_at_the_back(event):
    a, b, c, d = _students(4)
    for person in (a, b, c):
        services.rsvp_create(event=event, user=person)
    services.rsvp_cancel(rsvp=RSVP.objects.get(event=event, user=c))
    services.rsvp_create(event=event, user=d)
    back = services.rsvp_create(event=event, user=c)
    assert back.status == RSVPStatus.WAITLISTED
    waiting = RSVP.objects.filter(event=event, status=RSVPStatus.WAITLISTED).order_by("queued_at")
    assert [r.user for r in waiting] == [d, c]


def test_rsvp_window_and_status(event, student):
    now = timezone.now()
    event.rsvp_opens_at = now + dt.timedelta(days=1)
    event.save()
    with pytest.raises(ValidationError, match="open"):
        services.rsvp_create(event=event, user=student)
    event.rsvp_opens_at = now - dt.timedelta(days=2)
    event.rsvp_closes_at = now - dt.timedelta(days=1)
    event.save()
    with pytest.raises(ValidationError, match="closed"):
        services.rsvp_create(event=event, user=student)
    event.rsvp_closes_at = None
    event.status = EventStatus.DRAFT
    event.save()
    with pytest.raises(ValidationError):
        services.rsvp_create(event=event, user=student)


def test_rsvp_audience_and_class_years(staff):
    student_2027 = StudentFactory(student_profile__class_year=2027)
    student_2028 = StudentFactory(student_profile__class_year=2028)
    volunteer = VolunteerFactory()
    for_2028 = EventFactory(audience=Audience.STUDENTS, class_years=[2028])
    with pytest.raises(ValidationError):
        services.rsvp_create(event=for_2028, user=student_2027)
    with pytest.raises(ValidationError):
        services.rsvp_create(event=for_2028, user=volunteer)
    assert services.rsvp_create(event=for_2028, user=student_2028).status == RSVPStatus.GOING
    for_volunteers = EventFactory(audience=Audience.VOLUNTEERS)
    with pytest.raises(ValidationError):
        services.rsvp_create(event=for_volunteers, user=student_2028)
    assert services.rsvp_create(event=for_volunteers, user=volunteer).status == RSVPStatus.GOING
    with pytest.raises(ValidationError):
        services.rsvp_create(event=EventFactory(), user=staff)


def test_update_raises_sequence_emails_and_promotes_on_more_seats(event, staff):
    a, b, c = _students(3)
    for person in (a, b, c):
        services.rsvp_create(event=event, user=person)
    mail.outbox.clear()
    services.event_update(event=event, by=staff, capacity=3)
    event.refresh_from_db()
    assert event.ics_sequence == 0  # capacity is not something a calendar shows
    assert RSVP.objects.get(event=event, user=c).status == RSVPStatus.GOING
    assert [m.to for m in mail.outbox] == [[c.email]]
    mail.outbox.clear()
    services.event_update(event=event, by=staff, place="Library, room 2")
    event.refresh_from_db()
    assert event.ics_sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in (a, b, c))
    assert "Library, room 2" in mail.outbox[0].body


def test_cancel_event_notifies_going_and_waitlisted(event, staff):
    a, b, c, d = _students(4)
    for person in (a, b, c, d):
        services.rsvp_create(event=event, user=person)
    services.rsvp_cancel(rsvp=RSVP.objects.get(event=event, user=d))
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        services.event_cancel(event=event, by=staff, reason="   ")
    services.event_cancel(event=event, by=staff, reason="The speaker is ill.")
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.ics_sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in (a, b, c))
    assert all("The speaker is ill." in m.body for m in mail.outbox)
    with pytest.raises(ValidationError):
        services.rsvp_create(event=event, user=d)
    with pytest.raises(ValidationError):
        services.event_update(event=event, by=staff, title="Back on")


def test_check_in_and_no_shows(past_event, staff, student):
    going = RSVPFactory(event=past_event, user=student)
    waiting = RSVPFactory(event=past_event, status=RSVPStatus.WAITLISTED)
    RSVPFactory(event=past_event)
    with pytest.raises(ValidationError):
        services.rsvp_check_in(rsvp=going, by=student)
    with pytest.raises(ValidationError):
        services.rsvp_check_in(rsvp=waiting, by=staff)
    checked = services.rsvp_check_in(rsvp=going, by=staff)
    assert checked.checked_in_at is not None
    assert checked.checked_in_by == staff
    first_time = checked.checked_in_at
    assert services.rsvp_check_in(rsvp=going, by=staff).checked_in_at == first_time
    from events.selectors.attendees import attendee_counts

    counts = attendee_counts(event=past_event)
    assert (counts.going, counts.waitlisted, counts.checked_in, counts.no_shows) == (2, 1, 1, 1)
    services.rsvp_check_in_undo(rsvp=going, by=staff)
    assert attendee_counts(event=past_event).no_shows == 2


def test_met_people_creates_contacts_from_the_event(past_event, student, other_student):
    RSVPFactory(event=past_event, user=student)
    contacts = services.met_people_log(
        event=past_event,
        student=student,
        people=[
            {"name": "Grace Hopper", "organization": "Navy", "email": "grace@example.com"},
            {"name": "  "},
            {"name": "Alan Turing", "title": "Researcher"},
        ],
    )
    assert [c.name for c in contacts] == ["Grace Hopper", "Alan Turing"]
    assert all(c.source == Source.EVENT and c.owner == student for c in contacts)
    assert contacts[0].organization.name == "Navy"
    assert MetAtEvent.objects.filter(event=past_event).count() == 2
    with pytest.raises(ValidationError):
        services.met_people_log(event=past_event, student=other_student, people=[{"name": "X"}])
    with pytest.raises(ValidationError):
        services.met_people_log(event=past_event, student=student, people=[{"name": ""}])
    assert Contact.objects.filter(owner=other_student).count() == 0


def test_unpublishing_an_event_with_rsvps_is_refused(event, staff, student):
    services.rsvp_create(event=event, user=student)
    with pytest.raises(ValidationError) as error:
        services.event_update(event=event, by=staff, status=EventStatus.DRAFT)
    assert "status" in error.value.message_dict
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_draft_to_published_raises_the_sequence(staff):
    event = EventFactory(status=EventStatus.DRAFT)
    services.event_update(event=event, by=staff, status=EventStatus.PUBLISHED)
    event.refresh_from_db()
    assert event.ics_sequence == 1


def test_a_volunteer_awaiting_approval_cannot_rsvp(pending_volunteer, volunteer):
    event = EventFactory(audience=Audience.VOLUNTEERS)
    with pytest.raises(ValidationError, match="approved your volunteer account"):
        services.rsvp_create(event=event, user=pending_volunteer)
    assert not RSVP.objects.filter(user=pending_volunteer).exists()
    assert services.rsvp_create(event=event, user=volunteer).status == RSVPStatus.GOING


def test_rsvp_refused_to_a_student_without_the_events_class_year():
    """The service applies the audience rule itself, whatever the page showed (issue 15)."""
    event = EventFactory(audience=Audience.STUDENTS, class_years=[2027])
    no_year = StudentFactory(student_profile__class_year=None)
    with pytest.raises(ValidationError, match="set your class year in your profile"):
        services.rsvp_create(event=event, user=no_year)
    assert not RSVP.objects.filter(event=event).exists()
    assert services.rsvp_create(event=event, user=StudentFactory()).status == RSVPStatus.GOING
