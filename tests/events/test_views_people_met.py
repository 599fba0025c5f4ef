"""After an event: logging the people met there (only after it, only for the people who
went), and the home pages' events block, which lists upcoming events and asks for the people met
until they are logged, with its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Source
from tests.events.factories import EventFactory, RSVPFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

# --- After the event -------------------------------------------------------------------------


def test_log_people_met(student_client, student, past_event):
    RSVPFactory(event=past_event, user=student)
    url = reverse("events:met", kwargs={"event_id": past_event.pk})
    data = {
        "met-TOTAL_FORMS": "3",
        "met-INITIAL_FORMS": "0",
        "met-0-name": "Grace Hopper",
        "met-0-organization": "Navy",
        "met-1-name": "",
        "met-1-email": "not-an-email",
        "met-2-name": "",
    }
    response = student_client.post(url, data)
    assert response.status_code == 200  # the bad row is shown with its errors, nothing lost
    assert "Grace Hopper" in response.content.decode()
    assert not Contact.objects.filter(owner=student).exists()
    data["met-1-email"] = ""
    data["met-1-name"] = "Alan Turing"
    response = student_client.post(url, data)
    assert response.status_code == 302
    contacts = Contact.objects.filter(owner=student).order_by("name")
    assert [c.name for c in contacts] == ["Alan Turing", "Grace Hopper"]
    assert {c.source for c in contacts} == {Source.EVENT}
    page = student_client.get(reverse("contacts:list")).content.decode()
    assert "Grace Hopper" in page
    assert "Alan Turing" in page
    empty = student_client.post(url, {"met-TOTAL_FORMS": "1", "met-INITIAL_FORMS": "0"})
    assert empty.status_code == 200
    assert "at least one" in empty.content.decode()
    broken = student_client.post(url, {"met-0-name": "x"})
    assert broken.status_code == 200  # a missing management form is a form error, not a 500


def test_log_people_met_refused_before_the_event_or_when_not_going(
    student_client, student, event, past_event
):
    RSVPFactory(event=event, user=student)
    assert (
        student_client.get(reverse("events:met", kwargs={"event_id": event.pk})).status_code == 404
    )
    assert (
        student_client.get(reverse("events:met", kwargs={"event_id": past_event.pk})).status_code
        == 404
    )


def test_home_pages_show_upcoming_events(student_client, volunteer_client, staff_client, student):
    EventFactory(title="Upcoming mixer")
    past = EventFactory(
        title="Yesterday's fair",
        starts_at=timezone.now() - dt.timedelta(days=1, hours=3),
        ends_at=timezone.now() - dt.timedelta(days=1),
    )
    RSVPFactory(event=past, user=student)
    page = student_client.get(reverse("home")).content.decode()
    assert "Upcoming mixer" in page
    assert "log the people you met" in page
    assert "Upcoming mixer" in volunteer_client.get(reverse("home")).content.decode()
    assert "Upcoming mixer" in staff_client.get(reverse("staff:home")).content.decode()


def test_log_prompt_leaves_the_home_page_once_people_are_logged(student_client, student):
    from events.services import met_people_log

    past = EventFactory(
        starts_at=timezone.now() - dt.timedelta(hours=5),
        ends_at=timezone.now() - dt.timedelta(hours=3),
    )
    RSVPFactory(event=past, user=student)
    assert "log the people you met" in student_client.get(reverse("home")).content.decode()
    met_people_log(event=past, student=student, people=[{"name": "Ada Lovelace"}])
    assert "log the people you met" not in student_client.get(reverse("home")).content.decode()


# --- Query counts ----------------------------------------------------------------------------


def test_home_block_query_count(student_client, student):
    def add(n):
        for _ in range(n):
            RSVPFactory(event=EventFactory(), user=student)

    assert_queries_stable(lambda: student_client.get(reverse("home")), add)
