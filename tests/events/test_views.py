"""Views of the events calendar: the calendar for each kind of visitor, an event's page,
RSVP with htmx, staff pages with bad input, check-in, CSV, and "log the people you met"."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo

import pytest
import segno
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Source
from events import services
from events.models import RSVP, Audience, Event, EventStatus, RSVPStatus
from events.qr import qr_code
from tests.contacts.factories import ContactFactory, OrganizationFactory
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


# --- Staff pages -----------------------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "title": "Finance networking night",
        "kind": "networking_night",
        "description": "Meet **alumni**",
        "status": "published",
        "time_zone": "America/New_York",
        "starts_at": "2031-05-06T18:00",
        "ends_at": "2031-05-06T20:00",
        "place": "Hall A",
        "video_url": "",
        "capacity": "30",
        "rsvp_opens_at": "",
        "rsvp_closes_at": "",
        "audience": "everyone",
        "class_years": "",
        "is_public": "on",
        "organizations": "Acme\nGlobex",
        "industries": "Finance, Banking",
        "tags": "",
    }
    data.update(overrides)
    return data


def test_staff_create_event_in_its_time_zone(staff_client):
    response = staff_client.post(reverse("events:create"), _form_data())
    event = Event.objects.get(title="Finance networking night")
    assert response.status_code == 302
    assert event.starts_at == dt.datetime(2031, 5, 6, 22, 0, tzinfo=dt.UTC)  # 18:00 EDT
    assert event.capacity == 30
    assert "<strong>alumni</strong>" in event.description_html
    assert sorted(o.name for o in event.organizations.all()) == ["Acme", "Globex"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"ends_at": "2031-05-06T17:00"}, "ends_at"),
        ({"starts_at": "not a date"}, "starts_at"),
        ({"place": "", "video_url": ""}, "place"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"capacity": "-3"}, "capacity"),
        ({"class_years": "twenty"}, "class_years"),
        (
            {"rsvp_opens_at": "2031-05-02T10:00", "rsvp_closes_at": "2031-05-01T10:00"},
            "rsvp_closes_at",
        ),
        ({"time_zone": "Mars/Base"}, "time_zone"),
        ({"kind": "rave"}, "kind"),
    ],
)
def test_staff_create_bad_input_keeps_what_was_typed(staff_client, overrides, field):
    response = staff_client.post(reverse("events:create"), _form_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Finance networking night" in response.content.decode() or field == "title"
    assert not Event.objects.exists()


def test_staff_edit_raises_sequence_and_emails(staff_client, event):
    student = StudentFactory()
    RSVPFactory(event=event, user=student)
    url = reverse("events:edit", kwargs={"event_id": event.pk})
    form = staff_client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        starts_at=form.initial["starts_at"].strftime("%Y-%m-%dT%H:%M"),
        ends_at=form.initial["ends_at"].strftime("%Y-%m-%dT%H:%M"),
        place="A new room",
        is_public="on",
        capacity="2",
        hosts=[],
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    event.refresh_from_db()
    assert event.place == "A new room"
    assert event.ics_sequence == 1
    assert [m.to for m in mail.outbox] == [[student.email]]


def test_staff_cancel_needs_a_reason(staff_client, event):
    RSVPFactory(event=event)
    url = reverse("events:cancel", kwargs={"event_id": event.pk})
    response = staff_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = staff_client.post(url, {"reason": "Snow storm"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.cancel_reason == "Snow storm"
    assert len(mail.outbox) == 1
    # A cancelled event can no longer be edited.
    assert (
        staff_client.get(reverse("events:edit", kwargs={"event_id": event.pk})).status_code == 302
    )


def test_attendee_list_and_search(staff_client, event):
    RSVPFactory(event=event, user=StudentFactory(profile__display_name="Zoe Zed"))
    RSVPFactory(event=event, user=StudentFactory(profile__display_name="Yan Why"))
    RSVPFactory(event=event, status=RSVPStatus.WAITLISTED)
    url = reverse("events:attendees", kwargs={"event_id": event.pk})
    page = staff_client.get(url).content.decode()
    assert "Zoe Zed" in page
    assert "Yan Why" in page
    assert "Waitlisted" in page
    fragment = staff_client.get(url, {"q": "zoe"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="attendee-rows"')
    assert "Zoe Zed" in fragment
    assert "Yan Why" not in fragment


def test_csv_export_neutralises_formulas(staff_client, event):
    RSVPFactory(event=event, user=StudentFactory(profile__display_name='=HYPERLINK("x")'))
    RSVPFactory(event=event, user=StudentFactory(profile__display_name="@SUM(A1)"))
    response = staff_client.get(reverse("events:attendees_csv", kwargs={"event_id": event.pk}))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Name"
    names = sorted(row[0] for row in rows[1:])
    assert names == ['\'=HYPERLINK("x")', "'@SUM(A1)"]


def test_check_in_by_search_and_by_scanned_code(staff_client, staff, event):
    person = StudentFactory(profile__display_name="Walter Door")
    rsvp = RSVPFactory(event=event, user=person)
    url = reverse("events:check_in", kwargs={"event_id": event.pk})
    page = staff_client.get(url, {"q": "walter"}).content.decode()
    assert "Check in Walter Door" in page
    scanned = staff_client.get(url, {"code": f"http://testserver{url}?code={rsvp.check_in_code}"})
    assert scanned.context["scanned"] == rsvp
    bad = staff_client.get(url, {"code": "nonsense"})
    assert bad.status_code == 200
    assert bad.context["scanned"] is None
    assert "No RSVP of this event has that code" in bad.content.decode()
    post = reverse("events:check_in_rsvp", kwargs={"event_id": event.pk, "rsvp_id": rsvp.pk})
    response = staff_client.post(post, HTTP_HX_REQUEST="true")
    assert "Checked in" in response.content.decode()
    rsvp.refresh_from_db()
    assert rsvp.checked_in_by == staff
    undo = reverse("events:check_in_undo", kwargs={"event_id": event.pk, "rsvp_id": rsvp.pk})
    assert staff_client.post(undo).status_code == 302
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_post_is_staff_only(student_client, event):
    rsvp = RSVPFactory(event=event)
    post = reverse("events:check_in_rsvp", kwargs={"event_id": event.pk, "rsvp_id": rsvp.pk})
    assert student_client.post(post).status_code == 403
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_check_in_rsvp_of_another_event_is_404(staff_client, event):
    other = RSVPFactory()
    post = reverse("events:check_in_rsvp", kwargs={"event_id": event.pk, "rsvp_id": other.pk})
    assert staff_client.post(post).status_code == 404


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


def test_attendee_list_query_count(staff_client, event):
    def add(n):
        for _ in range(n):
            RSVPFactory(event=event, status=RSVPStatus.WAITLISTED)

    url = reverse("events:attendees", kwargs={"event_id": event.pk})
    assert_queries_stable(lambda: staff_client.get(url), add)
    assert_queries_stable(lambda: staff_client.get(url, HTTP_HX_REQUEST="true"), add)


def test_check_in_search_query_count(staff_client, event):
    def add(n):
        for _ in range(n):
            RSVPFactory(event=event, user=StudentFactory(profile__display_name="Sam Same"))

    url = reverse("events:check_in", kwargs={"event_id": event.pk})
    assert_queries_stable(lambda: staff_client.get(url, {"q": "sam"}), add)


def test_home_block_query_count(student_client, student):
    def add(n):
        for _ in range(n):
            RSVPFactory(event=EventFactory(), user=student)

    assert_queries_stable(lambda: student_client.get(reverse("home")), add)


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


def test_hosts_see_the_video_link(volunteer, volunteer_client, staff):
    from events.services import event_update

    event = EventFactory(video_url="https://video.example.com/hosts")
    detail = reverse("events:detail", kwargs={"event_id": event.pk})
    assert "video.example.com/hosts" not in volunteer_client.get(detail).content.decode()
    event_update(event=event, by=staff, hosts=[volunteer])
    page = volunteer_client.get(detail).content.decode()
    assert "video.example.com/hosts" in page
    assert "Carol Volunteer" in page


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


# --- Check-in: the counter and the student's page (issue 15) -----------------------------------


def test_check_in_updates_the_counter_in_the_htmx_response(time_machine, staff_client, event):
    time_machine.move_to(event.starts_at - dt.timedelta(minutes=10), tick=False)
    rsvp = RSVPFactory(event=event)
    post = reverse("events:check_in_rsvp", kwargs={"event_id": event.pk, "rsvp_id": rsvp.pk})
    body = staff_client.post(post, HTTP_HX_REQUEST="true").content.decode()
    assert '<dl class="stats" id="attendee-counts" hx-swap-oob="true">' in body
    assert '<dd id="count-checked-in">1</dd>' in body
    page = staff_client.get(reverse("events:check_in", kwargs={"event_id": event.pk}))
    assert '<dd id="count-checked-in">1</dd>' in page.content.decode()
    undo = reverse("events:check_in_undo", kwargs={"event_id": event.pk, "rsvp_id": rsvp.pk})
    body = staff_client.post(undo, HTTP_HX_REQUEST="true").content.decode()
    assert '<dd id="count-checked-in">0</dd>' in body


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


def test_the_check_in_qr_code_draws_exactly_the_dark_modules():
    """templates/events/_rsvp.html draws events.qr.qr_code's runs: read back, they are
    segno's matrix, quiet zone included."""
    data = "http://testserver/events/1/check-in/?code=abc"
    code = qr_code(data)
    drawn = [[False] * code.modules for _ in range(code.modules)]
    for x, y, length in re.findall(r"M(\d+) (\d+)\.5h(\d+)", code.path):
        for column in range(int(x), int(x) + int(length)):
            drawn[int(y)][column] = True
    expected = [
        [bool(module) for module in row]
        for row in segno.make(data, error="m").matrix_iter(scale=1, border=2)
    ]
    assert drawn == expected
    assert code.pixels == code.modules * 4
