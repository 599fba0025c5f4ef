"""The events calendar for each kind of visitor: which events the agenda, month and week
views show to whom, their filters, the viewer's time zone, the htmx fragment, the one audience
rule for the calendar, an event's page and RSVP (issue 15), and the views' query counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Audience, Event, EventStatus
from tests.contacts.factories import OrganizationFactory
from tests.events.factories import EventFactory, LabelFactory, RSVPFactory
from tests.factories import StudentFactory, VolunteerFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def _month_param(when: dt.datetime) -> str:
    return f"?month={timezone.localtime(when):%Y-%m}"


# --- Calendar --------------------------------------------------------------------------------


def test_anonymous_sees_public_events_only_without_link_or_attendees(client, student):
    public = EventFactory(title="Public fair", video_url="https://video.example.com/secret")
    EventFactory(title="Members only", is_public=False, starts_at=public.starts_at)
    EventFactory(title="Draft thing", status=EventStatus.DRAFT, starts_at=public.starts_at)
    RSVPFactory(event=public, user=student)
    page = client.get(reverse("events:agenda")).content.decode()
    assert "Public fair" in page
    assert "Members only" not in page
    assert "Draft thing" not in page
    month = client.get(reverse("events:calendar") + _month_param(public.starts_at))
    assert "Public fair" in month.content.decode()
    detail = client.get(reverse("events:detail", kwargs={"event_id": public.pk})).content.decode()
    assert "video.example.com" not in detail
    assert "going" not in detail.lower().split("video link is shown to people who are going")[0]
    assert "alice@example.edu" not in detail
    assert "Alice Student" not in detail
    assert "Sign in" in detail


def test_student_audience_and_class_year(student_client, student):
    own = EventFactory(title="For 2027", audience=Audience.STUDENTS, class_years=[2027])
    EventFactory(title="For 2030", audience=Audience.STUDENTS, class_years=[2030])
    EventFactory(title="Volunteers briefing", audience=Audience.VOLUNTEERS)
    page = student_client.get(reverse("events:agenda")).content.decode()
    assert "For 2027" in page
    assert "For 2030" not in page
    assert "Volunteers briefing" not in page
    assert (
        student_client.get(reverse("events:detail", kwargs={"event_id": own.pk})).status_code == 200
    )
    other = Event.objects.get(title="For 2030")
    assert (
        student_client.get(reverse("events:detail", kwargs={"event_id": other.pk})).status_code
        == 404
    )


def test_staff_see_drafts(staff_client):
    EventFactory(title="Draft thing", status=EventStatus.DRAFT)
    assert "Draft thing" in staff_client.get(reverse("events:agenda")).content.decode()


def test_filters_by_kind_industry_and_organization(student_client):
    finance = LabelFactory(name="Finance")
    acme = OrganizationFactory(name="Acme")
    fair = EventFactory(title="Fair", kind="career_fair")
    fair.labels.add(finance)
    panel = EventFactory(title="Panel", kind="alumni_panel")
    panel.organizations.add(acme)
    url = reverse("events:agenda")
    page = student_client.get(url, {"kind": "career_fair"}).content.decode()
    assert ">Fair<" in page
    assert ">Panel<" not in page
    page = student_client.get(url, {"industry": finance.pk}).content.decode()
    assert ">Fair<" in page
    assert ">Panel<" not in page
    page = student_client.get(url, {"organization": acme.pk}).content.decode()
    assert ">Panel<" in page
    assert ">Fair<" not in page
    # Bad filter values are ignored, never a 500.
    for bad in ({"kind": "nope"}, {"industry": "abc"}, {"organization": "999999"}):
        response = student_client.get(url, bad)
        assert response.status_code == 200
        assert ">Fair<" in response.content.decode()


def test_month_and_week_in_the_viewers_time_zone(student_client, student):
    student.profile.time_zone = "Pacific/Auckland"
    student.profile.save()
    # 20:00 UTC on the 1st is the 2nd in Auckland.
    starts = dt.datetime(2031, 3, 1, 20, 0, tzinfo=dt.UTC)
    EventFactory(title="Late meetup", starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    page = student_client.get(reverse("events:calendar"), {"month": "2031-03"}).content.decode()
    assert "March 2031" in page
    assert "Late meetup" in page
    local = starts.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland"))
    assert local.strftime("%-I:%M") in page
    week = student_client.get(reverse("events:week"), {"start": "2031-03-02"}).content.decode()
    assert "Late meetup" in week
    assert "Sun 2 Mar" in week.replace("\n", " ")


def test_bad_month_and_week_parameters_fall_back(student_client):
    for params in ({"month": "2031-13"}, {"month": "x"}, {"month": "99999-01"}):
        assert student_client.get(reverse("events:calendar"), params).status_code == 200
    for params in ({"start": "2031-02-30"}, {"start": "nope"}):
        assert student_client.get(reverse("events:week"), params).status_code == 200


def test_htmx_calendar_returns_the_fragment(student_client):
    response = student_client.get(reverse("events:agenda"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="calendar-body"')
    assert "<html" not in body


# --- Audience: one rule for the calendar, the lists, an event's page and RSVP (issue 15) -----

NOW_DEC = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def _class_event(**fields):
    starts = NOW_DEC + dt.timedelta(days=7)
    return EventFactory(
        title="Class of 2027 mixer",
        audience=Audience.STUDENTS,
        class_years=[2027],
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        **fields,
    )


@pytest.mark.parametrize("is_public", [True, False])
def test_student_without_class_year_sees_a_class_year_event_and_is_told_why(
    time_machine, client, is_public
):
    time_machine.move_to(NOW_DEC, tick=False)
    event = _class_event(is_public=is_public)
    student = StudentFactory(student_profile__class_year=None)
    client.force_login(student)
    detail = reverse("events:detail", kwargs={"event_id": event.pk})
    assert "Class of 2027 mixer" in client.get(reverse("events:agenda")).content.decode()
    assert (
        "Class of 2027 mixer"
        in client.get(reverse("events:calendar") + _month_param(event.starts_at)).content.decode()
    )
    response = client.get(detail)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<a href="{reverse("profile")}">set your class year in your profile</a>' in page
    assert "RSVP: I'm going" not in page
    rsvp = client.post(reverse("events:rsvp", kwargs={"event_id": event.pk}), follow=True)
    assert "set your class year in your profile" in rsvp.content.decode()
    assert not RSVP.objects.filter(event=event).exists()
    # Once the class year is set, the same page lets them RSVP.
    student.student_profile.class_year = 2027
    student.student_profile.save()
    assert "RSVP: I'm going" in client.get(detail).content.decode()


def test_student_of_another_year_gets_a_clear_explanation_not_a_bare_404(time_machine, client):
    time_machine.move_to(NOW_DEC, tick=False)
    event = _class_event()
    client.force_login(StudentFactory(student_profile__class_year=2030))
    response = client.get(reverse("events:detail", kwargs={"event_id": event.pk}))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This event is for the class of 2027 only." in page
    assert "Class of 2027 mixer" not in page
    assert "Class of 2027 mixer" not in client.get(reverse("events:agenda")).content.decode()
    assert client.post(reverse("events:rsvp", kwargs={"event_id": event.pk})).status_code == 404
    # A volunteer is told the event is for students; a missing event stays a plain 404.
    client.force_login(VolunteerFactory())
    page = client.get(reverse("events:detail", kwargs={"event_id": event.pk})).content.decode()
    assert "This event is for students." in page
    missing = client.get(reverse("events:detail", kwargs={"event_id": event.pk + 1000}))
    assert missing.status_code == 404
    assert "not open to you" not in missing.content.decode()


def test_anonymous_visitor_sees_a_public_class_year_event_and_must_sign_in(time_machine, client):
    time_machine.move_to(NOW_DEC, tick=False)
    event = _class_event()
    page = client.get(reverse("events:detail", kwargs={"event_id": event.pk})).content.decode()
    assert "Class of 2027 mixer" in page
    assert "to RSVP" in page


# --- Query counts ----------------------------------------------------------------------------


def _add_events(n, **kwargs):
    acme = OrganizationFactory()
    label = LabelFactory()
    for _ in range(n):
        event = EventFactory(**kwargs)
        event.organizations.add(acme)
        event.labels.add(label)
        RSVPFactory(event=event)


def test_month_view_query_count(student_client):
    when = timezone.now() + dt.timedelta(days=7)
    assert_queries_stable(
        lambda: student_client.get(reverse("events:calendar") + _month_param(when)),
        lambda n: _add_events(n, starts_at=when, ends_at=when + dt.timedelta(hours=1)),
    )


def test_week_view_query_count(student_client):
    when = timezone.now() + dt.timedelta(days=7)
    assert_queries_stable(
        lambda: student_client.get(reverse("events:week"), {"start": f"{when:%Y-%m-%d}"}),
        lambda n: _add_events(n, starts_at=when, ends_at=when + dt.timedelta(hours=1)),
    )


def test_agenda_query_count(student_client):
    assert_queries_stable(lambda: student_client.get(reverse("events:agenda")), _add_events)
