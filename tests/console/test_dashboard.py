"""The dashboard's aggregates against hand-built data (tests/console/conftest.py), the median's
SQLite fallback, the charts and their CSV exports, and the query count at two sizes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import types

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from networking_app.console import selectors
from networking_app.console.charts import Chart, Series, csv_text, neutralise, nice_ceiling
from networking_app.console.models import EligibilityLabel, StudentLabel
from networking_app.console.reports import CHART_KEYS, dashboard_charts
from networking_app.core.models import AuditLog
from tests.console.conftest import Expected, add_student_activity, noon
from tests.contacts.factories import ConversationFactory
from tests.factories import StudentFactory
from tests.querycount import assert_queries_stable, capture_queries

pytestmark = pytest.mark.django_db


def _dashboard(**cohort):
    filters = selectors.default_filters()
    return selectors.dashboard(selectors.DashboardFilters(filters.start, filters.end, **cohort))


def test_student_numbers(programme):
    d = _dashboard()
    assert d.students["total"] == Expected.students
    assert d.students["active"] == Expected.active
    assert d.students["not_started"] == Expected.not_started
    assert d.students["contacts_added"] == Expected.contacts_added


def test_funnel_and_median(programme):
    d = _dashboard()
    f = d.funnel
    assert (f["requested"], f["scheduled"], f["held"], f["thanked"]) == (
        Expected.requested,
        Expected.scheduled,
        Expected.held,
        Expected.thanked,
    )
    assert f["held_in_period"] == Expected.held_in_period
    assert f["thanked_in_period"] == Expected.thanked_in_period
    assert d.changes == {"rescheduled": Expected.rescheduled, "cancelled": Expected.cancelled}
    assert d.median_days_to_thank == pytest.approx(Expected.median_days_to_thank)


def test_breakdowns_by_class_year_and_major(programme):
    d = _dashboard()
    years = {row.key: row for row in d.by_class_year}
    assert (years["2027"].students, years["2027"].active, years["2027"].not_started) == (2, 2, 0)
    assert (years["2027"].contacts_added, years["2027"].conversations_held) == (2, 2)
    assert (years["2028"].students, years["2028"].active, years["2028"].not_started) == (2, 0, 1)
    majors = {row.key: row for row in d.by_major}
    assert majors["Economics"].students == 2
    assert majors["Not given"].students == 1


def test_cohort_filters(programme):
    _s1, _s2, s3, _ = programme["students"]
    assert _dashboard(class_year=2028).students["total"] == 2
    assert _dashboard(major="economics").students["total"] == 2
    label = EligibilityLabel.objects.create(name="First-gen")
    StudentLabel.objects.create(label=label, student=s3)
    d = _dashboard(label_id=label.pk)
    assert (d.students["total"], d.students["not_started"]) == (1, 1)
    # Deleted accounts keep no labels: none count when a label is chosen.
    assert d.all_time["contacts"] == 0


def test_mentoring_numbers(programme):
    m = _dashboard().mentoring
    assert m["listed"] == 1
    assert (m["requests"], m["accepted"], m["declined"], m["expired"]) == (
        Expected.requests,
        Expected.accepted,
        Expected.declined,
        Expected.expired,
    )
    assert m["acceptance_rate"] == pytest.approx(Expected.acceptance_rate)
    assert m["capacity_used"] == Expected.capacity_used
    assert m["capacity_offered"] == round(4 * 30 / selectors.DAYS_PER_MONTH)
    assert (m["sessions_held"], m["no_shows"]) == (Expected.sessions_held, Expected.no_shows)
    assert m["no_show_rate"] == pytest.approx(Expected.no_show_rate)
    assert m["feedback_average"] == pytest.approx(Expected.feedback_average)
    assert m["active"] == 1


def test_event_numbers(programme):
    d = _dashboard()
    e = d.events
    assert (e["rsvps"], e["going"], e["waitlisted"], e["cancelled"]) == (
        Expected.event_rsvps,
        Expected.going,
        Expected.waitlisted,
        Expected.cancelled_rsvps,
    )
    assert e["attendance_rate"] == pytest.approx(Expected.attendance_rate)
    assert [(w.title, w.n_waitlisted) for w in d.waitlists] == [("Career fair", 1)]


def test_outcomes_and_all_time_with_erased_accounts(programme):
    d = _dashboard()
    o = d.outcomes
    assert (o["total"], o["internships"], o["jobs"], o["with_contacts"]) == (
        Expected.outcomes,
        Expected.internships,
        Expected.jobs,
        Expected.with_contacts,
    )
    assert d.erased["contacts"] == Expected.erased_contacts
    assert d.all_time["contacts"] == Expected.all_time_contacts
    assert d.all_time["students"] == Expected.students + 1
    assert d.all_time["outcomes"] == 2 + 1


def test_activity_series_daily_then_weekly(programme):
    d = _dashboard()
    assert len(d.activity) == 30
    assert not d.activity_by_week
    assert sum(row[1] for row in d.activity) == Expected.contacts_added
    assert sum(row[3] for row in d.activity) == Expected.held_in_period
    today = timezone.localdate()
    wide = selectors.dashboard(
        selectors.DashboardFilters(start=today - dt.timedelta(days=119), end=today)
    )
    assert wide.activity_by_week
    assert sum(row[1] for row in wide.activity) == 3  # the contact added 100 days ago too


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_median_sqlite_fallback_matches_postgres(monkeypatch, student, n):
    contact = None
    for hours in [10, 30, 50, 200][:n]:
        conversation = ConversationFactory(owner=student, held_at=noon(20))
        contact = contact or conversation.contact
        conversation.thanked_at = conversation.held_at + dt.timedelta(hours=hours)
        conversation.save()
    qs = student.conversations.all()
    expected = sorted([10, 30, 50, 200][:n])
    middle = expected[(n - 1) // 2 : n // 2 + 1]
    want = dt.timedelta(hours=sum(middle) / len(middle))
    assert selectors.median_duration(qs, "held_at", "thanked_at") == want
    monkeypatch.setattr(selectors.filters, "connection", types.SimpleNamespace(vendor="sqlite"))
    assert selectors.median_duration(qs, "held_at", "thanked_at") == want
    assert selectors.median_duration(qs.none(), "held_at", "thanked_at") is None


def _svg(chart: Chart) -> str:
    """The chart's SVG as the dashboard shows it (templates/jinja2/console/chart_figure.html)."""
    html = Template("{% load console_tags %}{% chart_figure chart %}").render(
        Context({"chart": chart})
    )
    return re.search(r"<svg.*</svg>", html, re.S).group(0)


def test_charts_svg_table_and_csv(programme):
    charts = dashboard_charts(_dashboard())
    assert list(charts) == CHART_KEYS
    funnel = charts["funnel"]
    assert funnel.rows() == [["Requested", 3], ["Scheduled", 2], ["Held", 1], ["Thanked", 1]]
    svg = _svg(funnel)
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 4
    assert 'role="img"' in svg
    assert "<polyline" in _svg(charts["activity"])
    rows = list(csv.reader(io.StringIO(funnel.csv())))
    assert rows[0] == ["Stage", "Conversations"]
    assert rows[1] == ["Requested", "3"]


def test_svg_escapes_text():
    chart = Chart(
        key="x",
        title="<b>&",
        kind="bar",
        category_label="c",
        categories=["<script>alert(1)</script>"],
        series=[Series('"quoted"', [2])],
    )
    svg = _svg(chart)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<b>" not in svg


@pytest.mark.parametrize("value", ["=1+2", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralises_formulas(value):
    assert neutralise(value) == "'" + value
    text = csv_text(["h"], [[value], [5]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + value]
    assert rows[2] == ["5"]


def test_nice_ceiling():
    assert nice_ceiling(0) == (1, 1)
    assert nice_ceiling(7) == (8, 2)
    assert nice_ceiling(96) == (100, 25)
    assert nice_ceiling(1) == (1, 1)
    assert nice_ceiling(0.6, whole=False) == (pytest.approx(0.6), pytest.approx(0.2))


def test_dashboard_page_and_presets(staff_client, programme):
    response = staff_client.get(reverse("console:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Conversation funnel" in body
    assert "<svg" in body
    assert "<details" in body
    response = staff_client.get(reverse("console:dashboard"), {"preset": "90"})
    assert response.context["filters"].days == 90
    response = staff_client.get(
        reverse("console:dashboard"),
        {"preset": "custom", "start": "2026-01-05", "end": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "end date must be on or after" in response.content.decode()
    assert response.context["filters"].days == 30  # bad input: the defaults, never a 500


def test_chart_export_is_a_neutralised_csv_and_audited(staff_client, staff, programme):
    programme["students"][0].student_profile.major = "=HYPERLINK(evil)"
    programme["students"][0].student_profile.save()
    url = reverse("console:chart_export", kwargs={"chart_key": "major"})
    response = staff_client.get(url, {"preset": "30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "'=HYPERLINK(evil)" in text
    assert "\n=HYPERLINK" not in text
    entry = AuditLog.objects.get(action="export.csv")
    assert entry.actor == staff
    assert entry.detail["chart"] == "major"
    assert (
        staff_client.get(reverse("console:chart_export", kwargs={"chart_key": "nope"})).status_code
        == 404
    )


def test_dashboard_query_count_does_not_grow(staff_client, programme, settings):
    # The refresh and the page, recomputed for every page (the page alone: test_dashboard_cache).
    settings.DASHBOARD_REFRESH_SECONDS = 0

    def get_page():
        return staff_client.get(reverse("console:dashboard"))

    def add_rows(n):
        for i in range(n):
            student = StudentFactory(student_profile__class_year=2025 + i % 4)
            add_student_activity(student, days_ago=1 + i % 20)

    assert_queries_stable(get_page, add_rows, small=2, large=12)


def test_dashboard_query_count_does_not_grow_with_a_cohort(staff_client, programme, settings):
    settings.DASHBOARD_REFRESH_SECONDS = 0  # recomputed for every page: the counts below are fresh
    label = EligibilityLabel.objects.create(name="Pilot")

    def get_page():
        return staff_client.get(
            reverse("console:dashboard"), {"preset": "90", "class_year": 2027, "label": label.pk}
        )

    def add_rows(n):
        for i in range(n):
            student = StudentFactory(student_profile__class_year=2027)
            StudentLabel.objects.create(label=label, student=student)
            add_student_activity(student, days_ago=1 + i % 20)

    assert_queries_stable(get_page, add_rows, small=2, large=12)
    d = get_page().context["d"]
    assert d.students["total"] == 12
    assert d.funnel["held_in_period"] == 12


@pytest.mark.parametrize("key", CHART_KEYS)
def test_each_export_computes_only_its_section_and_matches_the_page(staff_client, programme, key):
    full = dashboard_charts(_dashboard())[key]
    url = reverse("console:chart_export", kwargs={"chart_key": key})
    staff_client.get(reverse("console:dashboard"))  # the figures, computed once for both
    with capture_queries() as export_queries:
        response = staff_client.get(url)
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == full.header()
    assert rows[1:] == [[str(cell) for cell in row] for row in full.rows()]
    # The default period's page is stored whole by the refresh (selectors/pages.py); a period
    # of other dates is summed for each request, the export's section only.
    today = timezone.localdate()
    other = {"preset": "custom", "start": today - dt.timedelta(days=20), "end": today}
    with capture_queries() as export_queries:
        staff_client.get(url, other)
    with capture_queries() as page_queries:
        staff_client.get(reverse("console:dashboard"), other)
    assert len(export_queries) < len(page_queries)


def test_match_rounds_and_event_rows_of_the_period(staff_client, staff, programme):
    from tests.mentoring.helpers import open_round, sign_up_student

    today = timezone.localdate()
    current = open_round(
        created_by=staff,
        name="Winter <round>",
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=5),
    )
    open_round(created_by=staff, name="Next year")  # its window is after the period
    sign_up_student(current, programme["students"][0])
    d = _dashboard()
    [row] = d.rounds
    assert (row.pk, row.name, row.status_display) == (
        current.pk,
        "Winter <round>",
        "Open for sign-up",
    )
    assert (row.n_students, row.n_volunteers, row.n_matched, row.match_rate) == (1, 0, 0, 0.0)
    assert not row.is_published
    panel = {e.title: e for e in d.event_rows}["Alumni panel"]
    assert (panel.n_going, panel.n_checked_in, panel.is_past) == (2, 1, True)
    assert panel.attendance_rate == pytest.approx(0.5)
    body = staff_client.get(reverse("console:dashboard")).content.decode()
    link = reverse("mentoring:round", kwargs={"round_id": current.pk})
    assert f'<a href="{link}">Winter &lt;round&gt;</a>' in body
    assert "<td>Open for sign-up</td>" in body
