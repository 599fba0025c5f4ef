"""Reads of the calendar and the home pages' card: the rows they return and what they cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from events import selectors
from events.models import Audience, EventStatus, LabelKind, MetAtEvent, RSVPStatus
from networking_app.accounts.models import User
from tests.contacts.factories import ContactFactory, OrganizationFactory
from tests.events.factories import EventFactory, LabelFactory, RSVPFactory
from tests.querycount import assert_num_queries

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _in(hours: float, length: float = 2) -> dict:
    starts = NOW + dt.timedelta(hours=hours)
    return {"starts_at": starts, "ends_at": starts + dt.timedelta(hours=length)}


def _fresh(user) -> User:
    """The user as a request loads it: no profile read yet."""
    return User.objects.get(pk=user.pk)


def _home(user):
    upcoming, to_log = selectors.home_events_for(user=user, now=NOW)
    return [(e.title, e.my_status) for e in upcoming], [e.title for e in to_log]


def test_home_card_events_in_one_query(student):
    going = EventFactory(title="Soonest", **_in(1))
    waiting = EventFactory(title="Second", **_in(5))
    EventFactory(title="Third", **_in(5))  # same start as Second: then by id
    for i in range(4):
        EventFactory(title=f"Later {i}", **_in(30 + i))
    EventFactory(title="Draft", status=EventStatus.DRAFT, **_in(2))
    EventFactory(title="Called off", status=EventStatus.CANCELLED, **_in(2))
    EventFactory(title="Volunteers only", audience=Audience.VOLUNTEERS, **_in(2))
    EventFactory(title="Other class year", class_years=[2030], **_in(2))
    EventFactory(title="Running now", **_in(-1))
    RSVPFactory(event=going, user=student, status=RSVPStatus.GOING)
    RSVPFactory(event=waiting, user=student, status=RSVPStatus.WAITLISTED)
    went = []
    for days, title in ((1, "Yesterday"), (3, "Three days ago"), (5, "Five days ago")):
        event = EventFactory(title=title, **_in(-24 * days))
        RSVPFactory(event=event, user=student)
        went.append(event)
    older = EventFactory(title="Seven days ago", **_in(-24 * 7))
    RSVPFactory(event=older, user=student)
    logged = EventFactory(title="Logged already", **_in(-30))
    RSVPFactory(event=logged, user=student)
    MetAtEvent.objects.create(event=logged, contact=ContactFactory(owner=student))
    skipped = EventFactory(title="Not going", **_in(-30))
    RSVPFactory(event=skipped, user=student, status=RSVPStatus.CANCELLED)
    EventFactory(title="Weeks ago", **_in(-24 * 20))

    user = _fresh(student)
    # One UNION on PostgreSQL; SQLite (a run without services) cannot slice inside a UNION,
    # so it reads the two lists apart, and the class year with a query of its own.
    with assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        upcoming, to_log = _home(user)
    assert upcoming == [
        ("Running now", ""),
        ("Soonest", "going"),
        ("Second", "waitlisted"),
        ("Third", ""),
        ("Later 0", ""),
    ]
    assert to_log == ["Yesterday", "Three days ago", "Five days ago"]
    # The same as the two selectors on their own.
    assert [(e.title, e.my_status) for e in selectors.upcoming_events_for(user=user, now=NOW)] == (
        upcoming
    )
    assert [e.title for e in selectors.events_to_log_for(user=user, now=NOW)] == to_log


def test_home_card_for_volunteers_staff_and_visitors(volunteer, staff, student):
    EventFactory(title="Everyone", **_in(1))
    EventFactory(title="Volunteers", audience=Audience.VOLUNTEERS, **_in(2))
    EventFactory(title="Students", audience=Audience.STUDENTS, **_in(3))
    EventFactory(title="Members only", is_public=False, **_in(4))
    EventFactory(title="Draft", status=EventStatus.DRAFT, **_in(5))
    past = EventFactory(title="Past", **_in(-5))
    RSVPFactory(event=past, user=volunteer)
    assert _home(_fresh(volunteer)) == (
        [("Everyone", ""), ("Volunteers", ""), ("Members only", "")],
        [],
    )
    assert [title for title, _ in _home(_fresh(staff))[0]] == [
        "Everyone",
        "Volunteers",
        "Students",
        "Members only",
    ]
    assert _home(None) == ([("Everyone", ""), ("Volunteers", ""), ("Students", "")], [])


@pytest.mark.parametrize("profile_loaded", [False, True])
def test_class_year_with_or_without_the_profile_loaded(student, profile_loaded):
    EventFactory(title="Every year", **_in(1))
    EventFactory(title="Theirs", class_years=[2026, 2027], **_in(2))
    EventFactory(title="Another year", class_years=[2030], **_in(3))
    user = _fresh(student)
    if profile_loaded:
        assert user.student_profile.class_year == 2027
    titles = [e.title for e in selectors.events_visible_to(user=user).order_by("starts_at")]
    assert titles == ["Every year", "Theirs"]


def test_a_student_without_a_class_year_sees_class_year_events_but_may_not_rsvp(student):
    """They might be in the audience: the event is shown, and its page asks for the class year
    (issue 15). Students of another class year still do not see it."""
    student.student_profile.class_year = None
    student.student_profile.save()
    EventFactory(title="Every year", **_in(1))
    one_year = EventFactory(title="One year", class_years=[2027], **_in(2))
    for user in (_fresh(student), student):
        titles = [e.title for e in selectors.events_visible_to(user=user).order_by("starts_at")]
        assert titles == ["Every year", "One year"]
        code, why = selectors.audience_refusal(event=one_year, user=user)
        assert code == selectors.NEEDS_CLASS_YEAR
        assert "set your class year in your profile" in why
    student.student_profile.class_year = 2030
    student.student_profile.save()
    for user in (_fresh(student), student):
        assert [e.title for e in selectors.events_visible_to(user=user)] == ["Every year"]
        assert selectors.audience_refusal(event=one_year, user=user) == (
            "class_year",
            "This event is for the class of 2027 only.",
        )


def test_events_between_carries_the_persons_rsvp(student, other_student):
    going = EventFactory(title="Going", **_in(1))
    theirs = EventFactory(title="Theirs", **_in(2))
    EventFactory(title="Nobody", **_in(3))
    RSVPFactory(event=going, user=student)
    RSVPFactory(event=theirs, user=other_student)
    window = {"start": NOW, "end": NOW + dt.timedelta(days=1)}
    mine = selectors.events_between(user=_fresh(student), **window)
    assert [(e.title, e.my_status) for e in mine] == [
        ("Going", "going"),
        ("Theirs", ""),
        ("Nobody", ""),
    ]
    assert all(e.my_status == "" for e in selectors.events_between(user=None, **window))


def test_filter_choices_are_industries_and_organizations_with_events():
    LabelFactory(name="Technology")
    finance = LabelFactory(name="Finance")
    LabelFactory(name="Remote", kind=LabelKind.TAG)
    zeta, acme = OrganizationFactory(name="Zeta"), OrganizationFactory(name="Acme")
    OrganizationFactory(name="No events")
    first, second = EventFactory(), EventFactory()
    for event in (first, second):
        event.organizations.add(zeta, acme)
    with assert_num_queries(1):
        industries, organizations = selectors.calendar_filter_choices()
    assert [name for _, name in industries] == ["Finance", "Technology"]
    assert industries[0][0] == finance.pk
    assert organizations == [(acme.pk, "Acme"), (zeta.pk, "Zeta")]
