"""The directory's result cards (mentoring.selectors.directory.result_cards.directory_cards and
templates/mentoring/_directory_results.html) and its filter fields: the same next open time as a
volunteer's own page, the same markup as the templates they replaced, everything escaped."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentoring.forms.directory import DirectoryFilterForm
from mentoring.models import Mentor, OverrideKind, RequestStatus, Topic
from mentoring.selectors.directory import topic_rows
from mentoring.selectors.directory.result_cards import directory_cards
from mentoring.services.availability import open_slots
from networking_app.accounts.models import Affiliation
from networking_app.core.templatetags.rows import avatar_hue, initials
from tests.contacts.factories import OrganizationFactory
from tests.factories import VolunteerFactory
from tests.mentoring.factories import (
    AvailabilityOverrideFactory,
    AvailabilityWindowFactory,
    MentorFactory,
    TopicFactory,
)
from tests.mentoring.helpers import NEW_YORK, NOW, hold, mentor_in
from tests.querycount import assert_num_queries

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("mentoring:directory")


def weekdays(mentor, start=dt.time(9), end=dt.time(12), days=range(5)):
    for weekday in days:
        AvailabilityWindowFactory(mentor=mentor, weekday=weekday, start_time=start, end_time=end)


def all_topics() -> list[tuple[int, str]]:
    return list(Topic.objects.values_list("pk", "name"))


def _plain():
    mentor = mentor_in()
    weekdays(mentor)
    return mentor


def _blackout_today():
    mentor = mentor_in()
    weekdays(mentor)
    AvailabilityOverrideFactory(mentor=mentor, date=dt.date(2026, 3, 2), kind=OverrideKind.BLACKOUT)
    return mentor


def _one_day_window_instead():
    mentor = mentor_in()
    weekdays(mentor)
    AvailabilityOverrideFactory(
        mentor=mentor,
        date=dt.date(2026, 3, 2),
        kind=OverrideKind.WINDOW,
        start_time=dt.time(15),
        end_time=dt.time(16),
    )
    return mentor


def _only_a_one_day_window_later():
    mentor = mentor_in()
    AvailabilityOverrideFactory(
        mentor=mentor,
        date=dt.date(2026, 3, 20),
        kind=OverrideKind.WINDOW,
        start_time=dt.time(8),
        end_time=dt.time(9),
    )
    return mentor


def _first_slot_requested_with_a_break():
    mentor = mentor_in(slot_minutes=30, buffer_minutes=15)
    weekdays(mentor)
    hold(mentor, dt.datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK))
    hold(mentor, dt.datetime(2026, 3, 2, 9, 45, tzinfo=NEW_YORK), status=RequestStatus.ACCEPTED)
    # Not holding: a declined request frees its slot.
    hold(mentor, dt.datetime(2026, 3, 2, 10, 30, tzinfo=NEW_YORK), status=RequestStatus.DECLINED)
    return mentor


def _march_full():
    # Capacity counts the whole month, requests before today included.
    mentor = mentor_in(monthly_capacity=2, booking_window_days=60)
    weekdays(mentor)
    hold(mentor, dt.datetime(2026, 3, 1, 9, 0, tzinfo=NEW_YORK), status=RequestStatus.ACCEPTED)
    hold(mentor, dt.datetime(2026, 3, 31, 9, 0, tzinfo=NEW_YORK))
    return mentor


def _full_for_the_whole_window():
    mentor = mentor_in(monthly_capacity=1, booking_window_days=10)
    weekdays(mentor)
    hold(mentor, dt.datetime(2026, 3, 30, 9, 0, tzinfo=NEW_YORK))
    return mentor


def _on_leave():
    mentor = mentor_in()
    weekdays(mentor)
    Mentor.objects.filter(pk=mentor.pk).update(on_leave_until=dt.date(2026, 3, 10))
    return mentor


def _long_notice_in_tokyo():
    mentor = mentor_in("Asia/Tokyo", min_notice_hours=72)
    weekdays(mentor, start=dt.time(19), end=dt.time(21))
    return mentor


def _across_the_dst_change():
    mentor = mentor_in(booking_window_days=14)
    weekdays(mentor, start=dt.time(1), end=dt.time(4), days=[6])
    return mentor


def _unknown_time_zone():
    mentor = mentor_in()
    weekdays(mentor)
    mentor.user.profile.__class__.objects.filter(user=mentor.user).update(time_zone="Nowhere/Zone")
    return mentor


def _no_window():
    return mentor_in()


SCENARIOS = [
    _plain,
    _blackout_today,
    _one_day_window_instead,
    _only_a_one_day_window_later,
    _first_slot_requested_with_a_break,
    _march_full,
    _full_for_the_whole_window,
    _on_leave,
    _long_notice_in_tokyo,
    _across_the_dst_change,
    _unknown_time_zone,
    _no_window,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("vendor", ["this database", "sqlite"])
def test_next_open_time_is_the_volunteers_first_open_slot(scenario, vendor, monkeypatch):
    """The cards load availability their own way (arrays in one row on PostgreSQL), then
    compute with slots_from: the result must be the volunteer's own first open slot."""
    mentor = scenario()
    other = _plain()  # a neighbour on the page, whose rows must not leak into the first's
    hold(other, dt.datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK))
    if vendor == "sqlite":
        monkeypatch.setattr(connection, "vendor", "sqlite")
    cards = directory_cards([mentor.pk, other.pk], now=NOW, topics=all_topics())
    monkeypatch.undo()

    mentor = Mentor.objects.select_related("user__profile").get(pk=mentor.pk)
    expected = open_slots(mentor, now=NOW, limit=1)
    assert [card.mentor_id for card in cards] == [mentor.pk, other.pk]
    assert cards[0].next_slot == (expected[0] if expected else None)
    assert cards[1].next_slot == open_slots(other, now=NOW, limit=1)[0]


@pytest.mark.parametrize("vendor", ["this database", "sqlite"])
def test_cards_hold_what_students_may_see_in_the_pages_order(vendor, monkeypatch):
    later, earlier = TopicFactory(name="Resume review"), TopicFactory(name="Career switch")
    TopicFactory(name="Unused")
    shown = MentorFactory(
        user=VolunteerFactory(
            profile__display_name="Shown Sam",
            volunteer_profile__affiliation=Affiliation.PARENT,
            volunteer_profile__class_year=1999,
        ),
        organization=OrganizationFactory(name="Initech"),
        title="Analyst",
        industry="Software",
        job_function="Engineering",
        location="Remote",
        topics=[later, earlier],
    )
    hidden = MentorFactory(
        user=VolunteerFactory(
            profile__display_name="",
            email="hidden.hana@example.org",
            volunteer_profile__class_year=1987,
        ),
        organization=None,
        hidden_fields=["title", "industry", "job_function", "location", "class_year"],
    )
    gone = MentorFactory()
    gone.user.is_active = False
    gone.user.save()
    if vendor == "sqlite":
        monkeypatch.setattr(connection, "vendor", "sqlite")

    cards = directory_cards([hidden.pk, gone.pk, shown.pk], now=NOW, topics=all_topics())

    assert [card.name for card in cards] == ["hidden.hana", "Shown Sam"]
    hana, sam = cards
    assert (sam.organization, sam.affiliation, sam.class_year) == ("Initech", "Parent", 1999)
    assert (sam.title, sam.industry, sam.job_function, sam.location) == (
        "Analyst",
        "Software",
        "Engineering",
        "Remote",
    )
    assert sam.topics == ["Career switch", "Resume review"]
    assert hana.organization == ""
    assert (hana.title, hana.industry, hana.job_function, hana.location) == ("", "", "", "")
    assert hana.class_year is None
    assert hana.topics == []


def test_no_ids_no_query():
    with assert_num_queries(0):
        assert directory_cards([], now=NOW, topics=[]) == []


# --- Markup --------------------------------------------------------------------------------


def mentor_card_items(cards) -> str:
    """The cards' <li> as the directory's results show them."""
    html = render_to_string("mentoring/_directory_results.html#results", {"cards": cards})
    return re.search(r'<li class="card mentor-card">.*</li>', html, re.S).group(0)


def _normal(html: str) -> str:
    # Quotes as Django escapes them (the fields' Jinja2 templates write &#34; and &#39;).
    html = html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).strip()


def test_card_markup(student):
    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
    try:
        mentor = mentor_in(booking_window_days=30)
        AvailabilityWindowFactory(
            mentor=mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(10)
        )
        Mentor.objects.filter(pk=mentor.pk).update(title="Analyst")
        mentor.topics.set([TopicFactory(name="Career switch")])
        card = directory_cards([mentor.pk], now=NOW, topics=all_topics())[0]
        html = mentor_card_items([card])
    finally:
        timezone.deactivate()

    url = reverse("mentoring:mentor", kwargs={"mentor_id": mentor.pk})
    # A request for that very time, in one click from the card.
    ask = reverse("mentoring:request_new", kwargs={"mentor_id": mentor.pk})
    # Wednesday 4 March, 9:00 in New York is 23:00 in Tokyo.
    assert _normal(html) == _normal(
        f"""<li class="card mentor-card">
        <div class="mentor-card-head">
          <span class="avatar avatar-{avatar_hue(card.name)}"
            aria-hidden="true">{initials(card.name)}</span>
          <h3 class="mentor-name"><a href="{url}">{card.name}</a></h3>
          <p class="mentor-role">Analyst at {card.organization}</p>
        </div>
        <p class="muted mentor-meta">Alumna / alumnus, class of 2010 · Software · Product ·
          Boston</p>
        <p class="mentor-topics"><span class="visually-hidden">Can help with: </span><span
          class="tag">Career switch</span></p>
        <p class="mentor-next">Next open time: <time
          datetime="2026-03-04T23:00:00+09:00">Wed 4 Mar, 11:00 PM</time> <a class="pl-action"
          href="{ask}?start=2026-03-04T14:00:00Z">Ask for this time<span
          class="visually-hidden"> with {card.name}</span></a></p>
        </li>"""
    )


def test_card_markup_without_title_class_year_topics_or_open_time():
    mentor = mentor_in()
    Mentor.objects.filter(pk=mentor.pk).update(title="")
    mentor.user.volunteer_profile.__class__.objects.filter(user=mentor.user).update(class_year=2011)
    card = directory_cards([mentor.pk], now=NOW, topics=all_topics())[0]
    html = _normal(mentor_card_items([card]))
    assert f'<p class="mentor-role">{card.organization}</p>' in html
    assert "Alumna / alumnus, class of 2011 · Software" in html
    assert "mentor-topics" not in html
    assert (
        '<p class="mentor-next"><span class="muted">No open time in the coming weeks</span></p>'
        in html
    )


def test_card_values_are_escaped():
    payload = '<script>alert("x")</script>'
    mentor = MentorFactory(
        user=VolunteerFactory(profile__display_name=payload),
        organization=OrganizationFactory(name=payload),
        title=payload,
        industry=payload,
        topics=[TopicFactory(name=payload)],
    )
    card = directory_cards([mentor.pk], now=NOW, topics=all_topics())[0]
    html = mentor_card_items([card])
    assert "<script>" not in html
    # The cards are Jinja2's, which writes a quote as &#34; (Django: &quot;).
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 5


def test_filter_fields_are_what_django_renders(student_client):
    """The fields are Django's own field groups: labels, ids, help text, aria-describedby and
    kept values."""
    TopicFactory(slug="resume-review", name="Resume review")
    query = {
        "q": 'say "hi" <b>',
        "organization": "Initech",
        "class_year": "eleven",  # does not validate: not shown again
        "topic": "resume-review",
        "has_slots": "1",
    }
    response = student_client.get(DIRECTORY, query)
    html = _normal(response.content.decode())
    topics = [(slug, name) for _, slug, name in topic_rows()]
    asked = DirectoryFilterForm(query, topic_choices=topics)
    form = asked.for_display(asked.valid_values())
    for name in form.fields:
        assert _normal(form[name].as_field_group()) in html, name
    assert 'value="say &quot;hi&quot; &lt;b&gt;"' in html
    assert 'value="eleven"' not in html
    assert '<option value="resume-review" selected>Resume review</option>' in html
    assert 'name="has_slots" value="1" id="id_has_slots" checked' in html
