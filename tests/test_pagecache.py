"""Cached private pages (networking_app/pagecache.py): the data version that database triggers
raise on every change to a person's data, and the pages that use it (contacts list, Today,
the home page's events card)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contacts import services
from contacts.models import ActionItem, Contact, Conversation, ConversationStatus, Tag
from events.models import MetAtEvent
from networking_app.accounts.models import Profile, StudentProfile
from networking_app.pagecache import private_key
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    PreparedQuestionFactory,
)
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StudentFactory
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db


def _version(user) -> int:
    return Profile.objects.values_list("data_version", flat=True).get(user=user)


# Each change, made through any path, raises the version of the person whose data it is.
CHANGES = {
    "contact created": lambda s: ContactFactory(owner=s),
    "contacts bulk-created": lambda s: Contact.objects.bulk_create(
        [Contact(owner=s, name="Bulk One"), Contact(owner=s, name="Bulk Two")]
    ),
    "contact updated by a queryset": lambda s: Contact.objects.filter(owner=s).update(
        cadence_days=F("cadence_days")
    ),
    "contact deleted": lambda s: Contact.objects.filter(owner=s).delete(),
    "tag added to a contact": lambda s: (
        Contact.objects.filter(owner=s).first().tags.add(Tag.objects.create(owner=s, name="mentor"))
    ),
    "conversation created": lambda s: ConversationFactory(
        owner=s, contact=Contact.objects.filter(owner=s).first()
    ),
    "conversation moved": lambda s: Conversation.objects.filter(owner=s).update(
        status=ConversationStatus.HELD
    ),
    "prepared question": lambda s: PreparedQuestionFactory(
        conversation=Conversation.objects.filter(owner=s).first()
    ),
    "action item": lambda s: ActionItemFactory(owner=s),
    "action item done": lambda s: ActionItem.objects.filter(owner=s).update(done_at=timezone.now()),
    "rsvp": lambda s: RSVPFactory(user=s),
    "met at an event": lambda s: MetAtEvent.objects.create(
        event=EventFactory(), contact=ContactFactory(owner=s)
    ),
    "class year": lambda s: StudentProfile.objects.filter(user=s).update(class_year=2031),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_to_a_persons_data_raises_their_version_only(change, student):
    someone_else = StudentFactory()
    contact = ContactFactory(owner=student)
    ConversationFactory(owner=student, contact=contact)
    ActionItemFactory(owner=student)
    mine, theirs = _version(student), _version(someone_else)

    CHANGES[change](student)

    assert _version(student) > mine
    assert _version(someone_else) == theirs


def test_saving_a_profile_never_lowers_its_version(student):
    profile = Profile.objects.get(user=student)  # loaded before the change below
    ContactFactory(owner=student)
    raised = _version(student)
    profile.display_name = "New Name"
    profile.save()
    assert _version(student) == raised
    assert Profile.objects.get(user=student).display_name == "New Name"


def _queries(client, url) -> tuple[int, str]:
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.text


def test_contacts_list_is_served_from_the_cache_until_the_data_changes(student_client, student):
    ContactFactory(owner=student, name="Ada Lovelace")
    url = reverse("contacts:list")
    computed, _first = _queries(student_client, url)
    cached, second = _queries(student_client, url)
    assert cached < computed
    assert "Ada Lovelace" in second

    # Changed by another path than this student's own pages (a volunteer accepting a
    # session adds the contact the same way): the next page has it.
    services.contact_create(owner=student, name="Grace Hopper", relationship="other")
    again, third = _queries(student_client, url)
    assert again == computed
    assert "Grace Hopper" in third


def test_contacts_list_cache_is_per_student_and_per_query(student_client, student, client):
    ContactFactory(owner=student, name="Ada Lovelace")
    other = StudentFactory()
    ContactFactory(owner=other, name="Somebody Else")
    client.force_login(other)
    url = reverse("contacts:list")
    assert "Ada Lovelace" in student_client.get(url).text
    text = client.get(url).text
    assert "Somebody Else" in text
    assert "Ada Lovelace" not in text
    assert "Ada Lovelace" not in student_client.get(url + "?q=somebody").text


def test_cached_html_carries_no_per_request_token(student_client, student):
    from django.core.cache import cache

    ContactFactory(owner=student, name="Ada Lovelace")
    student_client.get(reverse("contacts:list"))
    values = [v for k, v in cache._cache.items() if b"Ada Lovelace" in bytes(v)]
    assert values
    for value in values:
        assert b"csrfmiddlewaretoken" not in bytes(value)
        assert b"nonce" not in bytes(value)


def test_today_shows_a_new_action_item_at_once(student_client, student):
    url = reverse("contacts:today")
    assert "Send the article" not in student_client.get(url).text
    ActionItemFactory(
        owner=student, text="Send the article", due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "Send the article" in student_client.get(url).text


def _card(html: str) -> str:
    return html.split('id="upcoming-events"', 1)[1].split("</section>", 1)[0]


def test_home_events_card_sees_new_events_and_rsvps(student_client, student):
    url = reverse("home")
    assert "Spring career fair" not in student_client.get(url).text
    event = EventFactory(title="Spring career fair")  # saved: the events' stamp changes
    text = student_client.get(url).text
    assert "Spring career fair" in text
    assert "Going" not in _card(text)
    RSVPFactory(event=event, user=student)  # the student's own data: their version changes
    assert "Going" in _card(student_client.get(url).text)


def test_the_key_follows_the_time_zone_and_the_data(student, rf):
    from django.utils import timezone as tz

    user = type(student).objects.select_related("profile").get(pk=student.pk)
    with tz.override("America/New_York"):
        new_york = private_key(user, "x", {})
    with tz.override("Asia/Tokyo"):
        tokyo = private_key(user, "x", {})
    assert new_york != tokyo
    assert private_key(user, "x", {"q": "a"}) != private_key(user, "x", {"q": "b"})
    unloaded = type(student).objects.get(pk=student.pk)
    assert private_key(unloaded, "x", {}) is None  # profile not loaded: no cache


def test_zero_turns_the_cache_off(student_client, student, settings):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    url = reverse("contacts:list")
    first, _ = _queries(student_client, url)
    second, _ = _queries(student_client, url)
    assert first == second


def test_calendar_month_sees_event_changes_at_once(student_client, student):
    from events.models import Event
    from tests.contacts.factories import OrganizationFactory

    url = reverse("events:calendar")
    event = EventFactory(title="Alumni breakfast", starts_at=timezone.now() + dt.timedelta(hours=2))
    assert "Alumni breakfast" in student_client.get(url).text  # cached from here

    event.title = "Alumni brunch"
    event.save()
    text = student_client.get(url).text
    assert "Alumni brunch" in text
    assert "Alumni breakfast" not in text

    RSVPFactory(event=event, user=student)  # the student's own data
    assert "ev-mine" in student_client.get(url).text

    organization = OrganizationFactory(name="Globex")
    EventFactory(title="Globex day").organizations.add(organization)  # a choice of the filter
    filtered = f"{url}?organization={organization.pk}"
    assert "Alumni brunch" not in student_client.get(filtered).text
    event.organizations.add(organization)  # many-to-many: the stamp is renewed too
    assert "Alumni brunch" in student_client.get(filtered).text

    Event.objects.filter(pk=event.pk).delete()
    assert "Alumni brunch" not in student_client.get(url).text


def test_calendar_week_sees_event_changes_at_once(student_client, student):
    url = reverse("events:week")
    event = EventFactory(title="Alumni breakfast", starts_at=timezone.now() + dt.timedelta(hours=2))
    monday = timezone.localdate(event.starts_at) - dt.timedelta(
        days=timezone.localdate(event.starts_at).weekday()
    )
    week = f"{url}?start={monday:%Y-%m-%d}"
    assert "Alumni breakfast" in student_client.get(week).text  # cached from here
    event.title = "Alumni brunch"
    event.save()
    assert "Alumni brunch" in student_client.get(week).text
    RSVPFactory(event=event, user=student)
    assert "ev-mine" in student_client.get(week).text


def _today_cell(html: str) -> str:
    return html.split('class="ev-today"', 1)[1].split("</td>", 1)[0]


def test_the_month_grid_moves_today_when_the_day_changes(student_client, monkeypatch):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    url = f"{reverse('events:calendar')}?month={tomorrow:%Y-%m}"
    first = student_client.get(url).text  # cached from here
    label = f'<span class="visually-hidden">{date_format(tomorrow, "l j F")}</span>'
    assert 'class="ev-today"' not in first or label not in _today_cell(first)
    later = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert label in _today_cell(student_client.get(url).text)
