"""An event's page and RSVP: RSVP and cancel with htmx, the waitlist and its position, who
sees the video link (the people going, the hosts), the RSVP window, the organizations attending
and the student's own contacts there, the checked-in state, and the page's query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import RSVP, Audience, RSVPStatus
from tests.contacts.factories import ContactFactory, OrganizationFactory
from tests.events.factories import EventFactory, LabelFactory, RSVPFactory
from tests.factories import StudentFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

# --- RSVP ------------------------------------------------------------------------------------


def test_rsvp_and_cancel_with_htmx(student_client, student, event):
    url = reverse("events:rsvp", kwargs={"event_id": event.pk})
    response = student_client.post(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="rsvp"')
    assert "You are going" in body
    assert "<svg" in body  # the check-in QR code
    rsvp = RSVP.objects.get(event=event, user=student)
    assert rsvp.check_in_code in body
    response = student_client.post(reverse("events:rsvp_cancel", kwargs={"event_id": event.pk}))
    assert response.status_code == 302
    assert RSVP.objects.get(event=event, user=student).status == RSVPStatus.CANCELLED


def test_full_event_waitlists_and_shows_position(event):
    for _ in range(2):
        RSVPFactory(event=event)
    from django.test import Client

    late = StudentFactory()
    client = Client()
    client.force_login(late)
    client.post(reverse("events:rsvp", kwargs={"event_id": event.pk}))
    page = client.get(reverse("events:detail", kwargs={"event_id": event.pk})).content.decode()
    assert "You are on the waitlist" in page
    assert "number 1 in line" in page


def test_video_link_only_for_people_going(student_client, student, other_student_client):
    event = EventFactory(video_url="https://video.example.com/room")
    detail = reverse("events:detail", kwargs={"event_id": event.pk})
    assert "video.example.com" not in student_client.get(detail).content.decode()
    RSVPFactory(event=event, user=student)
    assert "video.example.com/room" in student_client.get(detail).content.decode()
    assert "video.example.com" not in other_student_client.get(detail).content.decode()


def test_rsvp_refused_outside_the_window_shows_a_message(student_client, student):
    event = EventFactory(rsvp_closes_at=timezone.now() - dt.timedelta(hours=1))
    response = student_client.post(
        reverse("events:rsvp", kwargs={"event_id": event.pk}), follow=True
    )
    assert "RSVPs are closed" in response.content.decode()
    assert not RSVP.objects.filter(event=event).exists()


def test_rsvp_to_an_invisible_event_is_404(student_client):
    event = EventFactory(audience=Audience.VOLUNTEERS)
    response = student_client.post(reverse("events:rsvp", kwargs={"event_id": event.pk}))
    assert response.status_code == 404


def test_anonymous_rsvp_goes_to_login(client, event):
    response = client.post(reverse("events:rsvp", kwargs={"event_id": event.pk}))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Event page extras -----------------------------------------------------------------------


def test_event_page_shows_organizations_warm_paths_and_things_to_remember(student_client, student):
    acme = OrganizationFactory(name="Acme")
    event = EventFactory(kind="networking_night")
    event.organizations.add(acme)
    ContactFactory(owner=student, name="Grace at Acme", organization=acme)
    ContactFactory(owner=StudentFactory(), name="Someone else's contact", organization=acme)
    page = student_client.get(
        reverse("events:detail", kwargs={"event_id": event.pk})
    ).content.decode()
    assert "Organizations attending" in page
    assert "Acme" in page
    assert "Grace at Acme" in page
    assert "Someone else" not in page
    assert "Things to remember" in page
    assert "Dress appropriately" in page


def test_student_page_says_checked_in_instead_of_showing_the_code(
    time_machine, student_client, student, staff, event
):
    time_machine.move_to(event.starts_at - dt.timedelta(minutes=10), tick=False)
    rsvp = RSVPFactory(event=event, user=student)
    detail = reverse("events:detail", kwargs={"event_id": event.pk})
    assert "Show this code at the door" in student_client.get(detail).content.decode()
    services.rsvp_check_in(rsvp=rsvp, by=staff)
    page = student_client.get(detail).content.decode()
    assert "Show this code at the door" not in page
    assert "<svg" not in page
    assert "You are checked in." in page


def test_hosts_see_the_video_link(volunteer, volunteer_client, staff):
    from events.services import event_update

    event = EventFactory(video_url="https://video.example.com/hosts")
    detail = reverse("events:detail", kwargs={"event_id": event.pk})
    assert "video.example.com/hosts" not in volunteer_client.get(detail).content.decode()
    event_update(event=event, by=staff, hosts=[volunteer])
    page = volunteer_client.get(detail).content.decode()
    assert "video.example.com/hosts" in page
    assert "Carol Volunteer" in page


# --- Query counts ----------------------------------------------------------------------------


def test_event_page_query_count(student_client, student):
    from tests.mentoring.factories import MentorFactory

    event = EventFactory(kind="career_fair")
    url = reverse("events:detail", kwargs={"event_id": event.pk})

    def add(n):
        for _ in range(n):
            organization = OrganizationFactory()
            event.organizations.add(organization)
            event.labels.add(LabelFactory())
            ContactFactory(owner=student, organization=organization)
            MentorFactory(organization=organization)

    assert_queries_stable(lambda: student_client.get(url), add)
