"""The month grid, the week and the filter form (templates/jinja2/events/month_rows.html and
week_days.html): what each cell, chip and select shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import EventKind, EventStatus, LabelKind, RSVPStatus
from tests.contacts.factories import OrganizationFactory
from tests.events.factories import EventFactory, LabelFactory, RSVPFactory
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db

# A month far from today: no cell of it is "today", and the grid is the same every run.
MARCH_2031 = {"month": "2031-03"}


@pytest.fixture(autouse=True)
def _people_in_utc(settings):
    settings.DEFAULT_USER_TIME_ZONE = "UTC"


def _at(day: int, hour: int = 17) -> dt.datetime:
    return dt.datetime(2031, 3, day, hour, tzinfo=dt.UTC)


def _month(client, **params) -> str:
    return client.get(reverse("events:calendar"), {**MARCH_2031, **params}).content.decode()


def _cell(page: str, label: str) -> str:
    """The <td> of the day whose hidden label is `label` ("Monday 3 March")."""
    match = re.search(
        rf'<td[^>]*>(?:(?!</td>).)*?<span class="visually-hidden">{label}</span>.*?</td>',
        page,
        re.S,
    )
    assert match, f"no cell for {label}"
    return match.group(0)


def _squeeze(html: str) -> str:
    """The markup without the layout whitespace between tags."""
    return re.sub(r">\s+<", "><", html)


def _detail(event) -> str:
    return reverse("events:detail", kwargs={"event_id": event.pk})


def test_a_busy_day_shows_four_events_and_links_the_rest_to_the_week(student_client):
    events = [
        EventFactory(title=f"Fair {i}", kind="career_fair", starts_at=_at(3, 9 + i))
        for i in range(6)
    ]
    EventFactory(title="Not a fair", kind="workshop", starts_at=_at(3, 8))
    cell = _cell(_month(student_client, kind="career_fair"), "Monday 3 March")
    assert [f"Fair {i}" in cell for i in range(6)] == [True] * 4 + [False] * 2
    assert "Not a fair" not in cell
    week = reverse("events:week")
    assert (
        f'<li><a class="ev-more" href="{week}?start=2031-03-03&amp;kind=career_fair">+2 more'
        '<span class="visually-hidden"> on Monday 3 March</span></a></li>'
    ) in cell
    # The week view lists them all.
    page = student_client.get(week, {"start": "2031-03-03", "kind": "career_fair"})
    assert all(_detail(event) in page.content.decode() for event in events)


def test_chips_show_the_time_kind_and_the_persons_rsvp(student_client, student):
    student.profile.time_zone = "America/New_York"  # UTC-5 in early March
    student.profile.save()
    going = EventFactory(title="Going one", kind="alumni_panel", starts_at=_at(4, 14))
    waiting = EventFactory(title="Waiting one", starts_at=_at(4, 18))
    cancelled = EventFactory(title="Called off", status=EventStatus.CANCELLED, starts_at=_at(4, 23))
    RSVPFactory(event=going, user=student, status=RSVPStatus.GOING)
    RSVPFactory(event=waiting, user=student, status=RSVPStatus.WAITLISTED)
    RSVPFactory(event=cancelled, user=student, status=RSVPStatus.CANCELLED)
    cell = _cell(_month(student_client), "Tuesday 4 March")
    assert (
        f'<a class="ev-chip ev-kind-alumni_panel ev-mine" href="{_detail(going)}">'
        '<span class="ev-chip-time">9:00 AM</span> Going one <span class="ev-tag">going</span></a>'
    ) in cell
    assert (
        f'<a class="ev-chip ev-kind-networking_night" href="{_detail(waiting)}">'
        '<span class="ev-chip-time">1:00 PM</span> Waiting one '
        '<span class="ev-tag">waitlist</span></a>'
    ) in cell
    assert (
        f'<a class="ev-chip ev-kind-networking_night ev-cancelled" href="{_detail(cancelled)}">'
        '<span class="ev-chip-time">6:00 PM</span> Called off '
        '<span class="visually-hidden">(cancelled)</span></a>'
    ) in cell


def test_staff_see_draft_chips_and_visitors_see_no_rsvp(client, staff_client, student):
    draft = EventFactory(title="Draft fair", status=EventStatus.DRAFT, starts_at=_at(5))
    public = EventFactory(title="Open fair", starts_at=_at(5, 19))
    RSVPFactory(event=public, user=student)
    staff_page = _month(staff_client)
    assert (
        f'<a class="ev-chip ev-kind-networking_night ev-draft" href="{_detail(draft)}">'
        '<span class="ev-chip-time">5:00 PM</span> Draft fair <span class="ev-tag">draft</span></a>'
    ) in staff_page
    visitor_page = _month(client)
    assert "Draft fair" not in visitor_page
    assert "Open fair" in visitor_page
    assert "ev-mine" not in visitor_page
    assert "ev-tag" not in visitor_page


def test_an_event_over_several_days_is_on_each_of_them(student_client):
    long = EventFactory(title="Career week", starts_at=_at(10, 9), ends_at=_at(12, 17))
    # Ends at midnight: not on the next day.
    midnight = EventFactory(title="Late night", starts_at=_at(20, 20), ends_at=_at(21, 0))
    page = _month(student_client)
    for label in ("Monday 10 March", "Tuesday 11 March", "Wednesday 12 March"):
        assert _detail(long) in _cell(page, label)
    assert _detail(long) not in _cell(page, "Thursday 13 March")
    assert _detail(midnight) in _cell(page, "Thursday 20 March")
    assert _detail(midnight) not in _cell(page, "Friday 21 March")


def test_the_grid_runs_monday_to_sunday_and_greys_the_other_months(student_client):
    page = _month(student_client)
    cells = re.findall(
        r'<td(?: class="([^"]*)")?>\s*<span class="ev-daynum">'
        r'<span class="visually-hidden">([^<]*)</span>',
        page,
    )
    # March 2031 starts on a Saturday and ends on a Monday: 24 Feb to 6 Apr, six weeks.
    assert len(cells) == 42
    assert cells[0] == ("ev-other-month", "Monday 24 February")
    assert cells[5] == ("", "Saturday 1 March")
    assert cells[-1] == ("ev-other-month", "Sunday 6 April")
    assert "ev-today" not in page


def test_today_is_marked_in_the_month_and_the_week(student_client):
    today = timezone.localdate()
    month = student_client.get(reverse("events:calendar")).content.decode()
    assert re.search(
        rf'<td class="(?:ev-other-month )?ev-today">\s*<span class="ev-daynum">'
        rf'<span class="visually-hidden">{today:%A} {today.day} {today:%B}</span>',
        month,
    )
    week = student_client.get(reverse("events:week")).content.decode()
    assert (
        f'<li class="card ev-today">\n    <h3>{today:%a} {today.day} {today:%b} '
        '<span class="badge">Today</span></h3>'
    ) in week
    assert '<p class="muted">Nothing scheduled.</p>' in week


def test_filter_selects_list_industries_and_organizations_with_events(student_client):
    finance = LabelFactory(name="Finance")
    LabelFactory(name="Remote", kind=LabelKind.TAG)
    acme = OrganizationFactory(name="Acme")
    OrganizationFactory(name="Without events")
    event = EventFactory(kind=EventKind.CAREER_FAIR)
    event.organizations.add(acme)
    page = _squeeze(_month(student_client))
    assert (
        '<select name="industry" id="id_industry">'
        '<option value="" selected>Any industry</option>'
        f'<option value="{finance.pk}">Finance</option></select>'
    ) in page
    assert (
        '<select name="organization" id="id_organization">'
        '<option value="" selected>Any organization</option>'
        f'<option value="{acme.pk}">Acme</option></select>'
    ) in page
    assert '<label for="id_kind">Kind:</label>' in page

    page = _month(student_client, kind="career_fair", industry=finance.pk, organization=acme.pk)
    page = _squeeze(page)
    assert '<option value="career_fair" selected>Career fair</option>' in page
    assert f'<option value="{finance.pk}" selected>Finance</option>' in page
    assert f'<option value="{acme.pk}" selected>Acme</option>' in page
    assert f"kind=career_fair&amp;industry={finance.pk}&amp;organization={acme.pk}" in page


@pytest.mark.parametrize("value", ["999999", "abc", "0"])
def test_a_stale_filter_is_ignored_and_shown_as_an_error(student_client, value):
    EventFactory(title="Any fair", starts_at=_at(6))
    response = student_client.get(reverse("events:calendar"), {**MARCH_2031, "organization": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Any fair" in page
    assert "Select a valid choice. That choice is not one of the available choices." in page
    assert "organization=" not in page.split('id="calendar-body"')[1]


def test_an_htmx_swap_does_not_read_the_filter_choices(student_client):
    with capture_queries() as queries:
        response = student_client.get(
            reverse("events:calendar"), MARCH_2031, HTTP_HX_REQUEST="true"
        )
    assert response.content.decode().lstrip().startswith('<div id="calendar-body"')
    assert not [sql for sql in queries if "events_label" in sql]


def test_titles_are_escaped_in_the_grid_and_the_week(student_client):
    EventFactory(title='<script>alert("x")</script>', starts_at=_at(7))
    for url, params in (
        (reverse("events:calendar"), MARCH_2031),
        (reverse("events:week"), {"start": "2031-03-07"}),
    ):
        page = student_client.get(url, params).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
