"""'People I met' without JavaScript and as the server renders it: the form posts one person
(once per key, so a double submit adds them once), offers the events the student is going to,
lets the page register its service worker (worker-src), and the list of people added recently
is a fragment of its own with a fixed number of queries. Every page of a student or former
student links the web app manifest; a signed-out page forgets the copy kept offline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.met.models import MetReceipt
from contacts.models import Contact, Relationship, Source
from events.models import MetAtEvent, RSVPStatus
from tests.contacts.factories import ContactFactory, OrganizationFactory
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import VolunteerFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

PAGE = reverse("contacts:met")
RECENT = reverse("contacts:met_recent")


def _key(response) -> str:
    return re.search(r'name="key" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def _event(student, title: str, *, hours_from_now: float, **rsvp):
    starts = timezone.now() + dt.timedelta(hours=hours_from_now)
    event = EventFactory(title=title, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    RSVPFactory(event=event, user=student, **rsvp)
    return event


def test_the_page_offers_the_events_the_student_is_going_to(student_client, student, other_student):
    tonight = _event(student, "Tonight's mixer", hours_from_now=8)
    now = _event(student, "Career fair", hours_from_now=-1)
    last_week = _event(student, "Alumni panel", hours_from_now=-24 * 7)
    _event(student, "Next month's talk", hours_from_now=24 * 30)
    _event(student, "Too long ago", hours_from_now=-24 * 20)
    _event(student, "Waitlisted", hours_from_now=-1, status=RSVPStatus.WAITLISTED)
    _event(student, "Cancelled RSVP", hours_from_now=-1, status=RSVPStatus.CANCELLED)
    _event(other_student, "Someone else's", hours_from_now=-1)
    response = student_client.get(PAGE)
    assert response.status_code == 200
    choices = response.context["form"].fields["event"].widget.choices
    assert [value for value, _ in choices] == ["", str(tonight.pk), str(now.pk), str(last_week.pk)]
    assert choices[0][1] == "Not at one of your events"
    assert choices[2][1].startswith("Career fair, ")


def test_without_events_there_is_no_where_you_met(student_client):
    response = student_client.get(PAGE)
    assert "event" not in response.context["form"].fields
    assert 'name="event"' not in response.content.decode()


def test_the_page_may_register_its_service_worker(student_client):
    response = student_client.get(PAGE)
    policy = response["Content-Security-Policy"]
    assert re.search(r"worker-src 'self'", policy)
    assert re.search(r"script-src 'nonce-[^']+'", policy)
    html = response.content.decode()
    assert f'data-sw-url="{reverse("service_worker")}"' in html
    assert f'data-sw-scope="{PAGE}"' in html
    # Other pages keep the site's policy: no workers from anywhere.
    assert (
        "worker-src" not in student_client.get(reverse("contacts:list"))["Content-Security-Policy"]
    )


def test_each_page_draws_a_new_key(student_client):
    assert _key(student_client.get(PAGE)) != _key(student_client.get(PAGE))


def test_without_javascript_the_form_adds_one_person(student_client, student):
    event = _event(student, "Career fair", hours_from_now=-1)
    key = _key(student_client.get(PAGE))
    data = {
        "key": key,
        "name": "  Grace   Hopper ",
        "organization_name": "Navy Research",
        "title": "Computer scientist",
        "email": "grace@navy.example",
        "phone": "+1 555 0100",
        "linkedin_url": "linkedin.com/in/grace-hopper",
        "event": str(event.pk),
        "notes": "Send her the paper",
    }
    response = student_client.post(PAGE, data, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "Grace Hopper is in your contacts." in response.content.decode()
    grace = Contact.objects.get(owner=student)
    assert grace.name == "Grace Hopper"
    assert grace.linkedin_url == "https://linkedin.com/in/grace-hopper"
    assert (grace.source, grace.relationship) == (Source.EVENT, Relationship.MET_AT_EVENT)
    assert grace.how_met.startswith("Career fair, ")
    assert grace.notes == "Send her the paper"
    assert MetAtEvent.objects.get(contact=grace).event == event
    # The button pressed twice (or the page sent again): the same key, still one person.
    again = student_client.post(PAGE, data, follow=True)
    assert "Grace Hopper was already added." in again.content.decode()
    assert Contact.objects.filter(owner=student).count() == 1
    assert MetReceipt.objects.filter(owner=student).count() == 1


def test_a_form_with_mistakes_comes_back_with_them_and_its_key(student_client, student):
    key = _key(student_client.get(PAGE))
    response = student_client.post(PAGE, {"key": key, "name": "", "email": "grace@"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter their name." in html
    assert "Enter a valid email address, like name@example.com." in html
    assert _key(response) == key
    assert 'id="met-form-problem" hidden' not in html
    assert not Contact.objects.exists()


def test_an_event_that_is_not_theirs_is_shown_on_the_field(student_client, student, other_student):
    _event(student, "Career fair", hours_from_now=-1)
    theirs = _event(other_student, "Private dinner", hours_from_now=-1)
    key = _key(student_client.get(PAGE))
    response = student_client.post(PAGE, {"key": key, "name": "Ada", "event": str(theirs.pk)})
    assert response.status_code == 200
    assert response.context["form"].errors["event"] == [
        "That event is not one you are going to (or it was cancelled): choose another, or none."
    ]
    assert not Contact.objects.exists()


# --- Added recently ----------------------------------------------------------------------------


def test_the_recent_list_shows_the_students_own_people_met_newest_first(
    student_client, student, other_student
):
    older = ContactFactory(owner=student, name="Older Met", source=Source.EVENT)
    newer = ContactFactory(
        owner=student,
        name="Newer Met",
        source=Source.EVENT,
        organization=OrganizationFactory(name="Navy Research"),
        how_met="Career fair, 7 March 2026",
    )
    Contact.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    ContactFactory(owner=student, name="Added By Hand", source=Source.MANUAL)
    ContactFactory(owner=other_student, name="Not Yours", source=Source.EVENT)
    response = student_client.get(RECENT)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="met-recent">')
    assert html.index("Newer Met") < html.index("Older Met")
    assert "Navy Research" in html
    assert "Career fair, 7 March 2026" in html
    assert reverse("contacts:detail", kwargs={"contact_id": newer.pk}) in html
    assert "Added By Hand" not in html
    assert "Not Yours" not in html
    assert "no-store" in response["Cache-Control"]


def test_the_recent_list_costs_the_same_queries_at_any_size(student_client, student):
    def add_rows(n):
        for _ in range(n):
            ContactFactory(owner=student, source=Source.EVENT, organization=OrganizationFactory())

    count = assert_queries_stable(lambda: student_client.get(RECENT), add_rows, small=3, large=30)
    assert count > 0
    assert student_client.get(RECENT).content.decode().count('class="met-entry"') == 10


# --- The app's head and the signed-out cleanup -------------------------------------------------


def test_students_pages_link_the_manifest(student_client, volunteer_client, staff_client, client):
    manifest = f'<link rel="manifest" href="{reverse("web_manifest")}">'
    assert manifest in student_client.get(reverse("contacts:list")).content.decode()
    assert manifest not in volunteer_client.get(reverse("home")).content.decode()
    assert manifest not in staff_client.get(reverse("staff:home")).content.decode()
    signed_out = client.get(reverse("account_login")).content.decode()
    assert manifest not in signed_out
    assert re.search(r'<script src="/static/js/met_signed_out.js" nonce="[^"]+"', signed_out)
    assert "met_signed_out.js" not in student_client.get(reverse("home")).content.decode()


def test_a_former_student_has_the_page_and_the_app(client):
    alumna = VolunteerFactory(former_student=True)
    client.force_login(alumna)
    assert client.get(PAGE).status_code == 200
    assert 'rel="manifest"' in client.get(reverse("home")).content.decode()
