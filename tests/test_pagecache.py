"""Cached pages of computed data (networking_app/core/cache.py): the versions that the services
changing the data raise, and the pages that use them (contacts list, Today, the calendar, the
home page's events card)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contacts import services
from contacts.imports import import_commit, import_preview, import_undo
from contacts.models import ActionItem, Contact, Conversation
from events import services as event_services
from events.models import RSVP
from networking_app.core.cache import (
    EVENTS,
    attendee,
    bump_version,
    cache_key,
    cached,
    cached_if_current,
    person,
)
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    PreparedQuestionFactory,
    TargetOrganizationFactory,
)
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StudentFactory
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db


def _recomputes(scope: str, change) -> bool:
    """Whether a value cached under `scope` before `change()` is computed again after it."""
    key = cache_key("probe", scope)
    cached(key, lambda: "before", timeout=60, scopes=[scope])
    change()
    return cached(key, lambda: "after", timeout=60, scopes=[scope]) == "after"


def _contact(s) -> Contact:
    return Contact.objects.filter(owner=s).first()


def _conversation(s) -> Conversation:
    return Conversation.objects.filter(owner=s).first()


def _tomorrow() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=1)


CSV = (
    b"Name,Email,Phone,Organization,Title,Industry,LinkedIn URL,Relationship,How we met,"
    b"Tags,Notes\n"
    b"Bulk One,bulk.one@example.com,,,,,,,,,\n"
)


def _import_and_undo(s) -> None:
    batch = import_commit(batch=import_preview(owner=s, filename="rapport-contacts.csv", data=CSV))
    assert Contact.objects.filter(owner=s, name="Bulk One").exists()
    import_undo(batch=batch)


def _rsvp_cancel(s) -> None:
    event = EventFactory(starts_at=_tomorrow())
    event_services.rsvp_cancel(rsvp=event_services.rsvp_create(event=event, user=s))


def _met_people(s) -> None:
    ended = timezone.now() - dt.timedelta(hours=1)
    event = EventFactory(starts_at=ended - dt.timedelta(hours=2), ends_at=ended)
    RSVPFactory(event=event, user=s)
    event_services.met_people_log(event=event, student=s, people=[{"name": "Met Someone"}])


# Every service that changes what a person's cached pages show raises their version (and only
# theirs): the next page after any of these recomputes.
CHANGES = {
    "contact created": lambda s: services.contact_create(
        owner=s, name="New One", relationship="other"
    ),
    "contact updated": lambda s: services.contact_update(contact=_contact(s), name="Renamed"),
    "contact tagged": lambda s: services.contact_update(contact=_contact(s), tags=["mentor"]),
    "contact deleted": lambda s: services.contact_delete(contact=_contact(s)),
    "contacts merged": lambda s: services.contact_merge(
        keep=_contact(s), remove=ContactFactory(owner=s)
    ),
    "interaction logged": lambda s: services.interaction_log(contact=_contact(s), kind="email"),
    "conversation planned": lambda s: services.conversation_plan(contact=_contact(s), goal="x"),
    "conversation scheduled": lambda s: services.conversation_schedule(
        conversation=_conversation(s), scheduled_at=_tomorrow(), mode="video"
    ),
    "conversation notes": lambda s: services.conversation_update_notes(
        conversation=_conversation(s), goal="new goal", notes="", takeaways=""
    ),
    "question prepared": lambda s: services.question_prepare(
        conversation=_conversation(s), text="What surprised you?"
    ),
    "question removed": lambda s: services.question_remove(
        question=PreparedQuestionFactory(conversation=_conversation(s))
    ),
    "action item": lambda s: services.action_item_create(owner=s, text="Send the article"),
    "action item done": lambda s: services.action_item_toggle_done(
        item=ActionItem.objects.filter(owner=s).first()
    ),
    "import committed and undone": _import_and_undo,
    "target added": lambda s: services.target_organization_add(owner=s, name="Initech", priority=1),
    "target updated": lambda s: services.target_organization_update(
        target=TargetOrganizationFactory(owner=s), priority=2, notes="Hiring"
    ),
    "target removed": lambda s: services.target_organization_delete(
        target=TargetOrganizationFactory(owner=s)
    ),
    "rsvp": lambda s: event_services.rsvp_create(event=EventFactory(starts_at=_tomorrow()), user=s),
    "rsvp cancelled": _rsvp_cancel,
    "met at an event": _met_people,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_service_changing_a_persons_data_raises_their_version_only(change, student):
    someone_else = StudentFactory()
    contact = ContactFactory(owner=student)
    ConversationFactory(owner=student, contact=contact)
    ActionItemFactory(owner=student)
    theirs = cache_key("probe", person(someone_else.pk))
    cached(theirs, lambda: "before", timeout=60, scopes=[person(someone_else.pk)])

    assert _recomputes(person(student.pk), lambda: CHANGES[change](student))
    assert cached(theirs, lambda: "after", timeout=60, scopes=[person(someone_else.pk)]) == (
        "before"
    )


@pytest.mark.parametrize("change", ["rsvp", "rsvp cancelled", "met at an event"])
def test_an_rsvp_raises_what_the_calendar_shows_of_the_person(change, student):
    assert _recomputes(attendee(student.pk), lambda: CHANGES[change](student))


@pytest.mark.parametrize(
    "change", ["contact created", "interaction logged", "action item", "target added"]
)
def test_a_change_to_their_contacts_leaves_their_calendar_alone(change, student):
    contact = ContactFactory(owner=student)
    ConversationFactory(owner=student, contact=contact)
    assert not _recomputes(attendee(student.pk), lambda: CHANGES[change](student))


def test_the_month_stays_kept_while_the_student_logs_a_call(student_client, student, staff):
    url = reverse("events:calendar")
    _event(staff, "Alumni breakfast")
    student_client.get(url)
    services.contact_create(owner=student, name="Grace Hopper", relationship="other")
    with capture_queries() as queries:
        assert "Alumni breakfast" in student_client.get(url).text
    assert not any("events_event" in sql for sql in queries)


def test_a_promotion_from_the_waitlist_raises_the_promoted_persons_version(student):
    event = EventFactory(starts_at=_tomorrow(), capacity=1)
    waiting = StudentFactory()
    seat = event_services.rsvp_create(event=event, user=student)
    assert event_services.rsvp_create(event=event, user=waiting).status == "waitlisted"
    calendar_probe = cache_key("probe", attendee(waiting.pk))
    cached(calendar_probe, lambda: "before", timeout=60, scopes=[attendee(waiting.pk)])
    assert _recomputes(person(waiting.pk), lambda: event_services.rsvp_cancel(rsvp=seat))
    assert RSVP.objects.get(event=event, user=waiting).status == "going"
    # Their calendar shows the seat too.
    assert cached(calendar_probe, lambda: "after", timeout=60, scopes=[attendee(waiting.pk)]) == (
        "after"
    )


def test_the_event_services_raise_the_events_version(staff):
    start = _tomorrow()
    created = []
    assert _recomputes(
        EVENTS,
        lambda: created.append(
            event_services.event_create(
                created_by=staff,
                title="Panel",
                place="Hall",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            )
        ),
    )
    event = created[0]
    assert _recomputes(
        EVENTS, lambda: event_services.event_update(event=event, by=staff, title="Renamed")
    )
    assert _recomputes(
        EVENTS, lambda: event_services.event_cancel(event=event, by=staff, reason="Snow")
    )


def test_a_stale_value_is_served_while_another_process_computes_the_new_one():
    from django.core.cache import cache

    key, scope = cache_key("probe", "stale"), "probe-scope"
    keep = {"timeout": 60, "scopes": [scope], "stale_while_computing": True}
    assert cached(key, lambda: "old", **keep) == "old"
    bump_version(scope)
    cache.add(f"{key}:computing", 1, 30)  # another process is computing the new value
    assert cached(key, lambda: "new", **keep) == "old"
    # Without the option a moved version is always computed again.
    assert cached(key, lambda: "own", timeout=60, scopes=[scope]) == "own"
    bump_version(scope)
    cache.delete(f"{key}:computing")  # done (or its process died and the mark expired)
    assert cached(key, lambda: "new", **keep) == "new"
    assert cached(key, lambda: "newer", **keep) == "new"  # kept under the new version
    assert cache.get(f"{key}:computing") is None


def test_a_value_is_read_without_computing_only_while_its_versions_hold():
    key, scope = cache_key("probe", "if-current"), "probe-scope-3"
    assert cached_if_current(key, scopes=[scope]) is None  # never stored
    cached(key, lambda: "kept", timeout=60, scopes=[scope])
    assert cached_if_current(key, scopes=[scope]) == "kept"
    assert cached_if_current(key, scopes=[scope], validator="other data") is None
    bump_version(scope)
    assert cached_if_current(key, scopes=[scope]) is None  # stale: the caller computes it
    assert cached(key, lambda: "new", timeout=60, scopes=[scope]) == "new"
    assert cached_if_current(key, scopes=[scope]) == "new"


def test_the_computing_mark_goes_when_the_computation_fails():
    from django.core.cache import cache

    key, scope = cache_key("probe", "failing"), "probe-scope-2"
    keep = {"timeout": 60, "scopes": [scope], "stale_while_computing": True}
    cached(key, lambda: "old", **keep)
    bump_version(scope)

    def fails():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        cached(key, fails, **keep)
    assert cache.get(f"{key}:computing") is None
    assert cached(key, lambda: "new", **keep) == "new"


def test_a_change_committed_while_a_value_is_computed_makes_it_stale(
    student, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from networking_app.core.cache import bump_version

    key = cache_key("probe", "race")
    scope = person(student.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        bump_version(scope)
        # Meanwhile another request computes the value from the rows before the commit.
        assert cached(key, lambda: "before", timeout=60, scopes=[scope]) == "before"
        assert cached(key, lambda: "again", timeout=60, scopes=[scope]) == "before"
    assert cached(key, lambda: "after", timeout=60, scopes=[scope]) == "after"


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


def test_the_contacts_search_form_is_kept_with_the_results(student_client, student):
    contact = ContactFactory(owner=student, name="Ada Lovelace")
    url = reverse("contacts:list") + '?q=say+"hi"+<b>'
    computed, _first = _queries(student_client, url)
    cached, second = _queries(student_client, url)
    assert cached < computed
    assert second.count('value="say &#34;hi&#34; &lt;b&gt;"') == 1  # escaped, from the cache
    assert "<b>" not in second.split('id="id_q"')[0][-400:]
    # A new tag is one of the form's choices on the next page.
    services.contact_update(contact=contact, tags=["robotics"])
    assert '<option value="robotics">robotics</option>' in student_client.get(url).text


def test_cached_html_carries_no_per_request_token(student_client, student):
    from django.core.cache import cache

    ContactFactory(owner=student, name="Ada Lovelace")
    student_client.get(reverse("contacts:list"))
    values = [v for k, v in cache._cache.items() if b"Ada Lovelace" in bytes(v)]
    assert values
    for value in values:
        assert b"csrfmiddlewaretoken" not in bytes(value)
        assert b"nonce" not in bytes(value)


def test_today_shows_a_new_action_item_at_once_with_this_requests_token(student_client, student):
    url = reverse("contacts:today")
    assert "Send the article" not in student_client.get(url).text
    services.action_item_create(
        owner=student, text="Send the article", due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    first = student_client.get(url).text
    assert "Send the article" in first
    # Its row from the cache, its form rendered for each request: a token of this request.
    again = student_client.get(url).text
    token = 'name="csrfmiddlewaretoken" value="'
    assert token in again
    assert first.split(token)[1][:64] != again.split(token)[1][:64]


def test_today_is_served_from_the_cache_until_a_service_changes_the_data(student_client, student):
    contact = ContactFactory(owner=student, name="Ada Lovelace")
    conversation = ConversationFactory(owner=student, contact=contact)
    url = reverse("contacts:today")
    computed, first = _queries(student_client, url)
    cached_count, _ = _queries(student_client, url)
    assert cached_count < computed
    assert "today-upcoming" not in first
    services.conversation_schedule(
        conversation=conversation, scheduled_at=timezone.now() + dt.timedelta(days=1), mode="video"
    )
    _, after = _queries(student_client, url)
    assert "today-upcoming" in after
    assert "Ada Lovelace" in after


def _card(html: str) -> str:
    return html.split('id="upcoming-events"', 1)[1].split("</section>", 1)[0]


def _event(staff, title: str, **fields):
    start = fields.pop("starts_at", timezone.now() + dt.timedelta(hours=2))
    return event_services.event_create(
        created_by=staff,
        title=title,
        place="Hall",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        **fields,
    )


def test_home_events_card_sees_new_events_and_rsvps(student_client, student, staff):
    url = reverse("home")
    assert "Spring career fair" not in student_client.get(url).text
    event = _event(staff, "Spring career fair")  # the events' version is raised
    text = student_client.get(url).text
    assert "Spring career fair" in text
    assert "Going" not in _card(text)
    event_services.rsvp_create(event=event, user=student)  # the student's own version
    assert "Going" in _card(student_client.get(url).text)


def test_today_after_logging_a_call_keeps_the_events_card(student_client, student, staff):
    """The card is kept under the events' and the attendee's versions: a call logged recomputes
    Today's lists but not the card."""
    url = reverse("home")
    _event(staff, "Alumni breakfast")
    contact = ContactFactory(owner=student, name="Grace Hopper")
    student_client.get(url)
    services.interaction_log(contact=contact, kind="call")
    with capture_queries() as queries:
        text = student_client.get(url).text
    assert "Alumni breakfast" in _card(text)
    assert not any("events_event" in sql for sql in queries)
    assert any("contacts_conversation" in sql for sql in queries)  # the lists, recomputed


def test_the_card_stops_asking_once_people_met_are_logged_and_asks_again_after_a_minute(
    student_client, student
):
    ended = timezone.now() - dt.timedelta(hours=1)
    event = EventFactory(
        title="Spring mixer", starts_at=ended - dt.timedelta(hours=2), ends_at=ended
    )
    RSVPFactory(event=event, user=student)
    url = reverse("home")
    assert "log the people you met" in _card(student_client.get(url).text)
    [met] = event_services.met_people_log(event=event, student=student, people=[{"name": "Ann"}])
    assert "log the people you met" not in _card(student_client.get(url).text)  # at once
    # A contact met there deleted: the card asks again once it expires (a minute at most).
    services.contact_delete(contact=met)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61), tick=False):
        assert "log the people you met" in _card(student_client.get(url).text)


def test_the_key_follows_the_time_zone_the_language_and_the_parts():
    from django.utils import translation

    from networking_app.core.cache import viewer_parts

    with timezone.override("America/New_York"):
        new_york = cache_key("x", *viewer_parts())
    with timezone.override("Asia/Tokyo"):
        tokyo = cache_key("x", *viewer_parts())
    with translation.override("fr"):
        french = cache_key("x", *viewer_parts())
    assert len({new_york, tokyo, french}) == 3
    assert cache_key("x", {"q": "a"}) != cache_key("x", {"q": "b"})
    assert "secret" not in cache_key("x", "secret words")


def test_zero_turns_the_cache_off(student_client, student, settings):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    url = reverse("contacts:list")
    first, _ = _queries(student_client, url)
    second, _ = _queries(student_client, url)
    assert first == second


def test_calendar_month_sees_event_changes_at_once(student_client, student, staff):
    from django.contrib import admin

    from events.models import Event

    url = reverse("events:calendar")
    event = _event(staff, "Alumni breakfast")
    assert "Alumni breakfast" in student_client.get(url).text  # cached from here

    event_services.event_update(event=event, by=staff, title="Alumni brunch")
    text = student_client.get(url).text
    assert "Alumni brunch" in text
    assert "Alumni breakfast" not in text

    event_services.rsvp_create(event=event, user=student)  # the student's own data
    assert "ev-mine" in student_client.get(url).text

    globex = _event(staff, "Globex day", organizations=["Globex"])  # a choice of the filter
    filtered = f"{url}?organization={globex.organizations.get().pk}"
    assert "Alumni brunch" not in student_client.get(filtered).text
    event_services.event_update(event=event, by=staff, organizations=["Globex"])
    assert "Alumni brunch" in student_client.get(filtered).text

    # Deleted in the admin (no service deletes an event).
    admin.site._registry[Event].delete_model(None, Event.objects.get(pk=event.pk))
    assert "Alumni brunch" not in student_client.get(url).text


def test_the_calendar_filter_form_is_kept_and_offers_a_new_organization_at_once(
    student_client, staff
):
    url = reverse("events:calendar")
    _event(staff, "Initech day", organizations=["Initech"])
    student_client.get(url)  # the form kept from here
    with capture_queries() as queries:
        text = student_client.get(url).text
    assert not any("events_label" in sql for sql in queries)  # its choices not read again
    assert ">Initech</option>" in text
    assert ">Globex</option>" not in text
    _event(staff, "Globex day", organizations=["Globex"])
    assert ">Globex</option>" in student_client.get(url).text


def test_calendar_week_sees_event_changes_at_once(student_client, student, staff):
    url = reverse("events:week")
    event = _event(staff, "Alumni breakfast")
    monday = timezone.localdate(event.starts_at) - dt.timedelta(
        days=timezone.localdate(event.starts_at).weekday()
    )
    week = f"{url}?start={monday:%Y-%m-%d}"
    assert "Alumni breakfast" in student_client.get(week).text  # cached from here
    event_services.event_update(event=event, by=staff, title="Alumni brunch")
    assert "Alumni brunch" in student_client.get(week).text
    event_services.rsvp_create(event=event, user=student)
    assert "ev-mine" in student_client.get(week).text


def test_a_class_year_saved_on_the_profile_page_shows_in_the_calendar(student_client, student):
    from events.models import Audience

    EventFactory(
        title="Seniors only",
        audience=Audience.STUDENTS,
        class_years=[2031],
        starts_at=timezone.now() + dt.timedelta(hours=2),
    )
    url = reverse("events:calendar")
    assert "Seniors only" not in student_client.get(url).text  # cached from here
    response = student_client.post(
        reverse("profile"),
        {
            "display_name": "Ada",
            "time_zone": "UTC",
            "role-class_year": "2031",
            "role-major": "History",
        },
    )
    assert response.status_code == 302
    assert "Seniors only" in student_client.get(url).text


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
