"""Calendar feeds: the personal subscription's address (create, rotate, revoke, who may touch
it), its settings page, and how it is served: fetches recorded, 304 while nothing changed, one
render per change, HEAD for calendar apps, and the events a host or speaker is on.

Every calendar is read back with vobject (tests/events/helpers.py), a second iCalendar parser
independent of the icalendar library that writes them, so a file only one library understands
fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from events.models import CalendarFeed, RSVPStatus
from events.services import event_update
from tests.events.factories import EventFactory, RSVPFactory
from tests.events.helpers import VIDEO, one, parse, value
from tests.factories import VolunteerFactory
from tests.mentoring.helpers import request_objects

pytestmark = pytest.mark.django_db

# --- The subscription: create, rotate, revoke ----------------------------------------------


def test_rotating_replaces_the_address_and_the_old_one_answers_404(
    client, student_client, student, feed_url
):
    assert client.get(feed_url).status_code == 200
    response = student_client.post(reverse("events:feed_rotate"))
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=student)
    assert feed.rotated_at is not None
    new_url = reverse("events:feed_personal", kwargs={"feed_token": feed.token})
    assert new_url != feed_url
    assert client.get(feed_url).status_code == 404
    assert client.get(new_url).status_code == 200


def test_revoking_deletes_the_address(client, student_client, student, feed_url):
    student_client.post(reverse("events:feed_revoke"))
    assert not CalendarFeed.objects.filter(user=student).exists()
    assert client.get(feed_url).status_code == 404
    page = student_client.get(reverse("events:feed_settings"))
    assert b"Create my calendar address" in page.content


def test_creating_twice_keeps_one_address_and_others_cannot_touch_it(
    client, student_client, other_student_client, student, feed_url
):
    student_client.post(reverse("events:feed_create"))
    assert CalendarFeed.objects.filter(user=student).count() == 1
    assert (
        reverse(
            "events:feed_personal",
            kwargs={"feed_token": CalendarFeed.objects.get(user=student).token},
        )
        == feed_url
    )
    # Bob's rotate and revoke act on Bob's address only.
    other_student_client.post(reverse("events:feed_rotate"))
    other_student_client.post(reverse("events:feed_revoke"))
    assert client.get(feed_url).status_code == 200


def test_unknown_token_and_inactive_user_get_404(client, student, feed_url):
    bogus = reverse("events:feed_personal", kwargs={"feed_token": "x" * 32})
    assert client.get(bogus).status_code == 404
    student.is_active = False
    student.save(update_fields=["is_active"])
    assert client.get(feed_url).status_code == 404


def test_feed_actions_are_post_only_and_need_a_login(client, student_client):
    for name in ("feed_create", "feed_rotate", "feed_revoke"):
        url = reverse(f"events:{name}")
        assert student_client.get(url).status_code == 405
        response = client.post(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not CalendarFeed.objects.exists()


def test_settings_page_shows_the_address_and_instructions(student_client, student, feed_url):
    page = student_client.get(reverse("events:feed_settings"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"http://testserver{feed_url}" in html
    assert f"webcal://testserver{feed_url}" in html
    for app in ("Google Calendar", "Apple Calendar", "Outlook"):
        assert app in html
    assert "http://testserver/events/calendar/public.ics" in html


def test_fetches_are_recorded_at_most_every_quarter_hour(client, student, feed_url):
    client.get(feed_url)
    feed = CalendarFeed.objects.get(user=student)
    first = feed.last_fetched_at
    assert first is not None
    client.get(feed_url)
    feed.refresh_from_db()
    assert feed.last_fetched_at == first
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=first - dt.timedelta(minutes=20))
    client.get(feed_url)
    feed.refresh_from_db()
    assert feed.last_fetched_at > first - dt.timedelta(minutes=20)


def test_personal_feed_answers_304_while_nothing_changed(client, student, staff, feed_url):
    event = EventFactory()
    RSVPFactory(event=event, user=student)
    etag = client.get(feed_url)["ETag"]
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    event_update(event=event, by=staff, title="Renamed night")
    assert client.get(feed_url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_unchanged_feed_is_rendered_once_and_any_change_shows(
    client, student, volunteer, feed_url, monkeypatch
):
    from events import ics

    session_id = request_objects(student, volunteer)["session_id"]
    renders = []
    original = ics.personal_calendar
    monkeypatch.setattr(ics, "personal_calendar", lambda **kw: renders.append(1) or original(**kw))
    first = client.get(feed_url).content
    assert client.get(feed_url).content == first
    assert len(renders) == 1

    # A change in a related row (the volunteer's name) is a new cache key, not a stale feed.
    volunteer.profile.display_name = "Carol Renamed"
    volunteer.profile.save()
    from mentoring.models import Session

    uid = Session.objects.get(pk=session_id).ics_uid
    assert "Carol Renamed" in value(one(client.get(feed_url).content, uid), "summary")
    assert len(renders) == 2


def test_calendar_apps_may_ask_with_head(client, feed_url):
    assert client.head(feed_url).status_code == 200
    assert client.head(reverse("events:feed_public")).status_code == 200
    assert client.post(feed_url).status_code == 405


def test_a_host_or_speaker_gets_the_event_with_its_link_in_their_feed(client, volunteer):
    from events.models import EventHost, HostRole

    event = EventFactory(title="Alumni panel", video_url=VIDEO)
    other = EventFactory(title="Someone else's panel", video_url="https://video.example.com/b")
    EventHost.objects.create(event=event, user=volunteer, role=HostRole.SPEAKER)
    EventHost.objects.create(event=other, user=VolunteerFactory(), role=HostRole.HOST)
    RSVPFactory(event=event, user=volunteer, status=RSVPStatus.GOING)  # listed once only
    feed = CalendarFeed.objects.create(user=volunteer)
    body = client.get(reverse("events:feed_personal", kwargs={"feed_token": feed.token})).content
    entries = parse(body)
    assert set(entries) == {event.ics_uid}
    assert VIDEO in value(entries[event.ics_uid][0], "description")
    assert b"video.example.com/b" not in body
