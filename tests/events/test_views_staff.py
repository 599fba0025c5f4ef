"""Staff pages of an event: creating it in its own time zone, bad input kept as typed, editing
(a new sequence, emails to the people going), cancelling, the attendee list and its search, the
CSV export, check-in by search or scanned code with its counter and QR code, and the query
counts of the attendee list and the check-in search."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import segno
from django.core import mail
from django.urls import reverse

from events.models import Event, EventStatus, RSVPStatus
from events.qr import qr_code
from tests.events.factories import RSVPFactory
from tests.factories import StudentFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

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


# --- Query counts ----------------------------------------------------------------------------


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
