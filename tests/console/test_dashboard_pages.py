"""The dashboards each refresh stores whole for the preset periods (console/selectors/pages.py):
read back equal to the figures they were computed from, used by the page and the chart
exports for exactly those filters, replaced by the next refresh, and never used stale or
garbled."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from networking_app.console import rollup
from networking_app.console.models import FiguresPage
from networking_app.console.selectors import PRESET_PERIODS, DashboardFilters, preset_range
from networking_app.console.selectors.pages import (
    page_key,
    stored_dashboard,
    stored_filters,
)
from networking_app.console.selectors.rollup import dashboard_from_rollup
from tests.console.conftest import add_student_activity
from tests.factories import StudentFactory
from tests.mentoring.helpers import open_round, sign_up_student
from tests.querycount import capture_queries

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/dashboard/"


def _stable(html: str) -> str:
    """The page without what differs between two responses: the CSP nonce, the CSRF token."""
    html = re.sub(r'nonce="[^"]*"', "nonce", html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "token", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "token", html)


@pytest.fixture
def with_round(staff, programme):
    today = timezone.localdate()
    current = open_round(
        created_by=staff,
        name="Winter round",
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=5),
    )
    sign_up_student(current, programme["students"][0])
    return programme


def test_each_preset_period_is_stored_and_reads_back_equal(with_round):
    assert rollup.figures_refresh()
    today = timezone.localdate()
    periods = {preset_range(preset, today) for preset in PRESET_PERIODS}
    assert FiguresPage.objects.count() == len(periods) == len(stored_filters(today))
    for filters in stored_filters(today):
        stored = stored_dashboard(filters)
        assert stored == dashboard_from_rollup(filters)
    default = stored_dashboard(DashboardFilters(start=today - dt.timedelta(days=29), end=today))
    # Dates, datetimes, tuples and the nested rows come back as such, not as strings.
    assert isinstance(default.activity[0], tuple)
    assert isinstance(default.activity[0][0], dt.date)
    assert isinstance(default.rounds[0].window_start, dt.date)
    assert isinstance(default.event_rows[0].starts_at, dt.datetime)
    assert default.event_rows[0].starts_at.tzinfo is not None


def test_the_page_reads_the_stored_dashboard_and_shows_the_same(settings, staff_client, with_round):
    settings.DASHBOARD_CACHE_SECONDS = 0  # the figures as read, not as rendered before
    rollup.figures_refresh()
    with capture_queries() as stored_queries:
        stored_page = _stable(staff_client.get(DASHBOARD).content.decode())
    FiguresPage.objects.all().delete()
    with capture_queries() as summed_queries:
        summed_page = _stable(staff_client.get(DASHBOARD).content.decode())
    assert stored_page == summed_page
    assert "Winter round" in stored_page
    assert not any("console_figuresstudentday" in sql for sql in stored_queries)
    assert any("console_figuresstudentday" in sql for sql in summed_queries)
    assert len(stored_queries) < len(summed_queries) - 5


def test_other_filters_are_summed_for_the_request(staff_client, programme):
    rollup.figures_refresh()
    today = timezone.localdate()
    with capture_queries() as queries:
        response = staff_client.get(
            DASHBOARD,
            {"preset": "custom", "start": today - dt.timedelta(days=10), "end": today},
        )
    assert response.status_code == 200
    assert any("console_figuresstudentday" in sql for sql in queries)
    with capture_queries() as queries:
        staff_client.get(DASHBOARD, {"preset": "30", "class_year": 2028})
    assert any("console_figuresstudentday" in sql for sql in queries)


def test_the_next_refresh_replaces_the_stored_pages(staff_client, programme):
    rollup.figures_refresh()
    before = staff_client.get(DASHBOARD).context["d"].students["total"]
    add_student_activity(StudentFactory(), days_ago=2)
    # Until the refresh the page shows the figures it was computed with, as before.
    assert staff_client.get(DASHBOARD).context["d"].students["total"] == before
    rollup.figures_refresh()
    assert staff_client.get(DASHBOARD).context["d"].students["total"] == before + 1


def test_nothing_is_stored_when_every_page_computes_its_figures(settings, programme):
    rollup.figures_refresh()
    assert FiguresPage.objects.exists()
    settings.DASHBOARD_REFRESH_SECONDS = 0
    rollup.figures_refresh()
    assert not FiguresPage.objects.exists()


def test_a_garbled_or_older_stored_page_is_ignored(staff_client, programme):
    rollup.figures_refresh()
    filters = stored_filters(timezone.localdate())[0]
    FiguresPage.objects.filter(filters=page_key(filters)).update(dashboard={"filters": "?"})
    assert stored_dashboard(filters) is None
    assert staff_client.get(DASHBOARD).status_code == 200


def _figures_section(response) -> str:
    html = response.text
    return html[html.index('aria-labelledby="students-heading"') : html.index("</main>")]


def test_the_rendered_figures_are_kept_until_the_next_refresh(settings, staff_client, programme):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    rollup.figures_refresh()
    first = staff_client.get(DASHBOARD)
    with capture_queries() as queries:
        again = staff_client.get(DASHBOARD)
    # Served as rendered: the stored page is not even read.
    assert not any("console_figurespage" in sql for sql in queries)
    assert _figures_section(again) == _figures_section(first)
    assert again.context["d"] == first.context["d"]
    before = first.context["d"].students["total"]
    add_student_activity(StudentFactory(), days_ago=2)
    rollup.figures_refresh()
    after = staff_client.get(DASHBOARD)
    assert after.context["d"].students["total"] == before + 1
    assert _figures_section(after) != _figures_section(first)


def test_the_rendered_figures_are_kept_per_language(settings, staff, staff_client, programme):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    rollup.figures_refresh()
    assert "Active in the period" in _figures_section(staff_client.get(DASHBOARD))
    staff.profile.language = "es"
    staff.profile.save()
    spanish = _figures_section(staff_client.get(DASHBOARD))
    assert "Activos en el periodo" in spanish
    assert "Active in the period" not in spanish


def test_the_figures_are_rendered_for_every_page_without_a_background_refresh(
    settings, staff_client, programme
):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    settings.DASHBOARD_REFRESH_SECONDS = 0
    before = staff_client.get(DASHBOARD).context["d"].students["total"]
    add_student_activity(StudentFactory(), days_ago=2)
    assert staff_client.get(DASHBOARD).context["d"].students["total"] == before + 1
