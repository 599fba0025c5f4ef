"""Check-in with the camera (issue 17): the scan endpoint checks a code's person in at once and
answers one line for the page's list of scans, with the counts out of band; the counts
fragment the check-in page polls; who may use them; CSRF. The browser side (a fake camera
showing the attendee's QR) is tests/e2e/test_check_in_camera.py."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVPStatus
from events.qr import check_in_url
from tests.events.factories import EventFactory, RSVPFactory
from tests.factories import StaffFactory, StudentFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _scan_url(event) -> str:
    return reverse("events:check_in_scan", kwargs={"event_id": event.pk})


def _scan(client, event, code, **extra):
    return client.post(_scan_url(event), {"code": code}, **extra)


@pytest.fixture
def walter(event):
    person = StudentFactory(profile__display_name="Walter Door")
    return RSVPFactory(event=event, user=person)


@pytest.mark.parametrize("as_scanned", ["url", "bare"], ids=["the QR's URL", "a bare code"])
def test_a_scanned_code_checks_its_person_in_at_once(
    staff_client, staff, event, walter, as_scanned
):
    code = check_in_url(walter) if as_scanned == "url" else walter.check_in_code
    response = _scan(staff_client, event, code, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(
        r'<li class="ev-scan ev-scan-checked_in"><span class="ev-scan-icon" aria-hidden="true">✓'
        r"</span> Walter Door checked in\.</li>",
        body,
    )
    # The counter follows out of band: one of one going.
    assert '<dl class="stats" id="attendee-counts" hx-swap-oob="true">' in body
    assert "<dt>Checked in (of 1)</dt>" in body
    assert '<dd id="count-checked-in">1</dd>' in body
    walter.refresh_from_db()
    assert walter.checked_in_at is not None
    assert walter.checked_in_by == staff


def test_a_code_scanned_again_says_when_and_by_whom_and_changes_nothing(
    staff_client, staff, event, walter
):
    zone = zoneinfo.ZoneInfo(staff.profile.time_zone)
    earlier = dt.datetime(2026, 3, 12, 18, 4, tzinfo=zone)
    door_two = StaffFactory(profile__display_name="Omar Otherdoor")
    walter.checked_in_at = earlier
    walter.checked_in_by = door_two
    walter.save()
    body = _scan(staff_client, event, walter.check_in_code, **HTMX).content.decode()
    assert 'class="ev-scan ev-scan-already"' in body
    assert "Walter Door was already checked in at 6:04 PM by Omar Otherdoor." in body
    walter.refresh_from_db()
    assert walter.checked_in_at == earlier
    assert walter.checked_in_by == door_two


def test_an_unknown_code_is_red_and_checks_nobody_in(staff_client, event, walter):
    for code in ("nonsense", "https://example.com/some/page", "x" * 400):
        body = _scan(staff_client, event, code, **HTMX).content.decode()
        assert 'class="ev-scan ev-scan-unknown"' in body
        assert "No RSVP of this event has that code." in body
        assert '<dd id="count-checked-in">0</dd>' in body
    walter.refresh_from_db()
    assert walter.checked_in_at is None


def test_another_events_code_says_which_event_it_is_for(staff_client, event):
    elsewhere = RSVPFactory(event=EventFactory(title="Biotech breakfast"))
    body = _scan(staff_client, event, check_in_url(elsewhere), **HTMX).content.decode()
    assert 'class="ev-scan ev-scan-unknown"' in body
    assert "That code is for another event: Biotech breakfast." in body
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None


def test_someone_without_a_seat_is_refused_with_the_reason(staff_client, event):
    waiting = RSVPFactory(
        event=event,
        user=StudentFactory(profile__display_name="Wendy Wait"),
        status=RSVPStatus.WAITLISTED,
    )
    body = _scan(staff_client, event, waiting.check_in_code, **HTMX).content.decode()
    assert 'class="ev-scan ev-scan-refused"' in body
    assert "Wendy Wait: This person is waitlisted, not going" in body
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_without_javascript_the_scan_redirects_back_with_a_message(staff_client, event, walter):
    response = _scan(staff_client, event, walter.check_in_code, follow=True)
    assert response.redirect_chain == [
        (reverse("events:check_in", kwargs={"event_id": event.pk}), 302)
    ]
    assert "Walter Door checked in." in response.content.decode()
    again = _scan(staff_client, event, walter.check_in_code, follow=True).content.decode()
    assert "Walter Door was already checked in at" in again
    unknown = _scan(staff_client, event, "nonsense", follow=True).content.decode()
    assert "No RSVP of this event has that code." in unknown


def test_only_staff_may_scan(client, student_client, volunteer_client, event, walter):
    url = _scan_url(event)
    code = {"code": walter.check_in_code}
    assert client.post(url, code).status_code == 302  # to the login page
    assert student_client.post(url, code, **HTMX).status_code == 403
    assert volunteer_client.post(url, code, **HTMX).status_code == 403
    assert student_client.get(url).status_code == 405
    walter.refresh_from_db()
    assert walter.checked_in_at is None


def test_a_scan_needs_the_pages_csrf_token(staff_client, event, walter):
    staff_client.handler.enforce_csrf_checks = True
    url = _scan_url(event)
    assert _scan(staff_client, event, walter.check_in_code, **HTMX).status_code == 403
    walter.refresh_from_db()
    assert walter.checked_in_at is None
    # The page carries the token on <body> for htmx, which the camera's requests send.
    page = staff_client.get(reverse("events:check_in", kwargs={"event_id": event.pk}))
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page.content.decode())
    assert token
    response = staff_client.post(
        url, {"code": walter.check_in_code}, HTTP_X_CSRFTOKEN=token.group(1), **HTMX
    )
    assert response.status_code == 200
    walter.refresh_from_db()
    assert walter.checked_in_at is not None


def test_the_page_offers_the_camera_only_to_scripts_and_polls_the_counts(staff_client, event):
    body = staff_client.get(reverse("events:check_in", kwargs={"event_id": event.pk}))
    html = body.content.decode()
    # Hidden until static/js/check_in_camera.js finds a camera API; the code field still works.
    assert re.search(r'<section class="card ev-camera" id="check-in-camera"[^>]* hidden', html)
    assert f'data-scan-url="{_scan_url(event)}"' in html
    assert 'data-jsqr-src="/static/vendor/jsqr/jsQR.js"' in html
    assert re.search(r'<script src="/static/js/check_in_camera.js" nonce="[^"]+" defer>', html)
    assert 'id="check-in-code"' in html
    counts = reverse("events:check_in_counts", kwargs={"event_id": event.pk})
    assert f'hx-get="{counts}" hx-trigger="every 10s"' in html


def test_the_counts_fragment_shows_other_doors_check_ins(staff_client, staff, event, walter):
    url = reverse("events:check_in_counts", kwargs={"event_id": event.pk})
    assert '<dd id="count-checked-in">0</dd>' in staff_client.get(url).content.decode()
    walter.checked_in_at = timezone.now()
    walter.checked_in_by = staff
    walter.save()
    body = staff_client.get(url, **HTMX).content.decode()
    assert body.startswith('<dl class="stats" id="attendee-counts">')
    assert "hx-swap-oob" not in body
    assert "<dt>Checked in (of 1)</dt>" in body
    assert '<dd id="count-checked-in">1</dd>' in body


def test_the_counts_fragment_is_staff_only(student_client, volunteer_client, event):
    url = reverse("events:check_in_counts", kwargs={"event_id": event.pk})
    assert student_client.get(url).status_code == 403
    assert volunteer_client.get(url).status_code == 403


def test_counts_and_scan_query_counts(staff_client, staff, event, walter):
    def add(n):
        for _ in range(n):
            RSVPFactory(event=event, checked_in_at=timezone.now(), checked_in_by=staff)

    counts = reverse("events:check_in_counts", kwargs={"event_id": event.pk})
    assert_queries_stable(lambda: staff_client.get(counts, **HTMX), add)
    walter.checked_in_at = timezone.now()
    walter.checked_in_by = staff
    walter.save()
    assert_queries_stable(lambda: _scan(staff_client, event, walter.check_in_code, **HTMX), add)
