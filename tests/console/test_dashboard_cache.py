"""The dashboard's figures are kept in the cache for DASHBOARD_CACHE_SECONDS
(networking_app.console.reports.dashboard_figures): the page says how old they are, staff can
recompute them, different filters never share them, and without Redis the page computes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from networking_app.console import reports
from networking_app.console.models import AuditLog
from networking_app.console.selectors import DashboardFilters, default_filters
from tests.console.conftest import Expected, add_student_activity
from tests.factories import StudentFactory
from tests.querycount import assert_queries_do_not_grow
from tests.security.test_injection import EVIL_NEXT, _lands_on

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/dashboard/"
RECOMPUTE = "/staff/dashboard/recompute/"


def _page(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD, params or {})
    assert response.status_code == 200
    return response, queries


def _students(response) -> int:
    return response.context["d"].students["total"]


def _new_students(n: int = 1, **profile) -> None:
    for _ in range(n):
        student = StudentFactory(**{f"student_profile__{k}": v for k, v in profile.items()})
        add_student_activity(student)


def test_the_routes():
    assert reverse("console:dashboard") == DASHBOARD
    assert reverse("console:dashboard_recompute") == RECOMPUTE


def test_a_second_view_within_the_ttl_reuses_the_figures(staff_client, programme):
    first, computing = _page(staff_client)
    _new_students(2)
    second, cached = _page(staff_client)
    # The same figures, although the data changed: none of the dashboard's queries ran again.
    assert _students(first) == _students(second) == Expected.students
    assert second.context["computed_at"] == first.context["computed_at"]
    assert len(computing) > 25
    assert len(cached) <= 8
    tables = ("contacts_conversation", "contacts_contact", "events_rsvp", "mentoring_")
    assert not [q["sql"] for q in cached if any(t in q["sql"] for t in tables)]
    # The page is rendered from them like a computed one, charts and tables included.
    body = second.content.decode()
    assert body.count("<svg") == len(reports.CHART_KEYS)
    assert body.count('<details class="chart-table">') == len(reports.CHART_KEYS)


def test_a_cached_page_costs_the_same_queries_at_two_sizes(staff_client, programme):
    def get_page():
        return staff_client.get(DASHBOARD, {"preset": "90"})

    count = assert_queries_do_not_grow(get_page, _new_students, small=2, large=12, page_caches=True)
    assert count <= 8


def test_after_the_ttl_the_figures_are_computed_again(staff_client, programme, monkeypatch):
    first, _ = _page(staff_client)
    _new_students()
    later = timezone.now() + dt.timedelta(seconds=300)
    monkeypatch.setattr(timezone, "now", lambda: later)
    second, queries = _page(staff_client)
    assert _students(second) == _students(first) + 1
    assert second.context["computed_at"] == later.replace(microsecond=0)
    assert len(queries) > 25


def test_lowering_the_setting_shortens_the_life_of_stored_figures(
    staff_client, programme, settings
):
    first, _ = _page(staff_client)
    _new_students()
    settings.DASHBOARD_CACHE_SECONDS = 1
    stored = cache.get(reports.figures_cache_key(first.context["filters"]))
    stored.computed_at -= dt.timedelta(seconds=2)
    cache.set(reports.figures_cache_key(first.context["filters"]), stored, 300)
    assert _students(_page(staff_client)[0]) == _students(first) + 1


def test_zero_seconds_turns_the_cache_off(staff_client, programme, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    first, _ = _page(staff_client)
    _new_students()
    second, queries = _page(staff_client)
    assert _students(second) == _students(first) + 1
    assert len(queries) > 25
    assert "(computed for this page)" in second.content.decode()
    assert cache.get(reports.figures_cache_key(first.context["filters"])) is None


def test_recompute_now_stores_fresh_figures_and_goes_back_to_the_same_dashboard(
    staff_client, programme
):
    query = {"preset": "90", "class_year": "2028"}
    first, _ = _page(staff_client, query)
    assert _students(first) == 2
    _new_students(class_year=2028)
    assert _students(_page(staff_client, query)[0]) == 2  # still the stored figures
    response = staff_client.post(f"{RECOMPUTE}?preset=90&class_year=2028")
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?preset=90&class_year=2028"
    after, queries = _page(staff_client, query)
    assert _students(after) == 3
    assert len(queries) <= 8  # what the recompute stored
    assert "The figures were recomputed just now." in after.content.decode()


def test_the_page_offers_recompute_for_its_own_filters(staff_client, programme):
    body = _page(staff_client, {"preset": "90", "major": "Economics"})[0].content.decode()
    action = f'action="{RECOMPUTE}?preset=90&amp;major=Economics"'
    assert f'<form method="post" {action} class="inline-form">' in body
    assert 'name="csrfmiddlewaretoken"' in body.split(action)[1].split("</form>")[0]
    assert ">Recompute now</button>" in body


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_recompute_only_ever_goes_back_to_the_dashboard(staff_client, target):
    query = urlencode({"next": target, "preset": "7"})
    response = staff_client.post(f"{RECOMPUTE}?{query}", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?preset=7"
    assert _lands_on(response["Location"], RECOMPUTE) == ("http", "testserver")


def test_recompute_with_invalid_filters_goes_back_to_them(staff_client):
    response = staff_client.post(f"{RECOMPUTE}?preset=custom&start=2026-01-05&end=2026-01-01")
    assert response["Location"] == f"{DASHBOARD}?preset=custom&start=2026-01-05&end=2026-01-01"


@pytest.mark.parametrize("who", ["client", "student_client", "volunteer_client"])
def test_only_staff_can_recompute(request, who, staff_client, programme):
    first, _ = _page(staff_client)
    _new_students()
    response = request.getfixturevalue(who).post(RECOMPUTE)
    if who == "client":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 403
    assert _students(_page(staff_client)[0]) == _students(first)  # nothing was recomputed
    assert staff_client.get(RECOMPUTE).status_code == 405


def test_different_filters_never_share_figures(staff_client, programme):
    everyone, _ = _page(staff_client)
    assert _students(_page(staff_client, {"class_year": "2028"})[0]) == 2
    assert _students(_page(staff_client, {"major": "Economics"})[0]) == 2
    assert _students(everyone) == Expected.students
    # Presets are resolved to dates: the same dates are the same figures, other dates are not.
    today = timezone.localdate()
    same = {"preset": "custom", "start": (today - dt.timedelta(days=29)).isoformat()}
    assert len(_page(staff_client, same)[1]) <= 8
    wider, queries = _page(staff_client, {"preset": "90"})
    assert len(queries) > 25
    assert wider.context["d"].filters.days == 90


def test_the_cache_key_holds_every_filter_the_time_zone_and_the_version():
    base = default_filters()
    variants = [
        base,
        DashboardFilters(base.start - dt.timedelta(days=1), base.end),
        DashboardFilters(base.start, base.end - dt.timedelta(days=1)),
        DashboardFilters(base.start, base.end, class_year=2027),
        DashboardFilters(base.start, base.end, major="Economics"),
        DashboardFilters(base.start, base.end, major="economics"),
        DashboardFilters(base.start, base.end, label_id=1),
    ]
    keys = {reports.figures_cache_key(f) for f in variants}
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        keys.add(reports.figures_cache_key(base))
    assert len(keys) == len(variants) + 1
    assert all(f":v{reports.FIGURES_VERSION}:" in key for key in keys)


def test_the_freshness_line_is_in_the_viewers_time_zone(staff, staff_client, programme):
    staff.profile.time_zone = "Asia/Kolkata"
    staff.profile.save()
    response, _ = _page(staff_client)
    computed_at = response.context["computed_at"]
    local = timezone.localtime(computed_at, zoneinfo.ZoneInfo("Asia/Kolkata"))
    shown = formats.time_format(local)  # TIME_FORMAT: "10:42 AM"
    assert shown != formats.time_format(timezone.localtime(computed_at, dt.UTC))
    body = response.content.decode()
    assert (
        f'Figures as of <time datetime="{local.isoformat(timespec="seconds")}">{shown}</time> '
        "(recomputed every 5 minutes)."
    ) in body


@pytest.mark.parametrize(
    ("seconds", "wording"),
    [
        (300, "every 5 minutes"),
        (60, "every minute"),
        (90, "every 90 seconds"),
        (3600, "every hour"),
    ],
)
def test_the_freshness_line_says_how_often(staff_client, settings, seconds, wording):
    settings.DASHBOARD_CACHE_SECONDS = seconds
    assert f"(recomputed {wording})." in _page(staff_client)[0].content.decode()


def test_without_redis_the_page_computes_every_time(staff_client, programme, settings):
    # networking_app.cache: an unreachable Redis misses (get returns None) and drops writes.
    settings.CACHES = {
        "default": {
            "BACKEND": "networking_app.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    first, _ = _page(staff_client)
    _new_students()
    second, queries = _page(staff_client)
    assert _students(second) == _students(first) + 1
    assert len(queries) > 25
    response = staff_client.post(RECOMPUTE)
    assert response.status_code == 302


def test_something_else_under_the_key_is_ignored(staff_client, programme):
    filters = _page(staff_client)[0].context["filters"]
    cache.set(reports.figures_cache_key(filters), {"an": "older shape"}, 300)
    _new_students()
    assert _students(_page(staff_client)[0]) == Expected.students + 1


def test_an_export_matches_the_page_it_was_downloaded_from(staff_client, staff, programme):
    page, _ = _page(staff_client, {"preset": "90"})
    shown = page.context["charts"]["class_year"].rows()
    _new_students(class_year=2027)
    url = reverse("console:chart_export", kwargs={"chart_key": "class_year"})
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url, {"preset": "90"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [[str(cell) for cell in row] for row in shown]
    assert not [q for q in queries if "contacts_contact" in q["sql"]]
    entry = AuditLog.objects.get(action="export.csv")
    assert (entry.actor, entry.detail["chart"], entry.detail["rows"]) == (
        staff,
        "class_year",
        len(shown),
    )
    # Other filters have no stored figures: the export computes its own section, fresh.
    fresh = staff_client.get(url, {"preset": "30"})
    years = {row[0]: row for row in csv.reader(io.StringIO(fresh.content.decode()))}
    assert years["2027"][1] == "3"
    assert AuditLog.objects.filter(action="export.csv").count() == 2


def test_the_figures_html_is_kept_with_the_figures_and_holds_no_token(staff_client, programme):
    first, _ = _page(staff_client)
    stored = [k for k in cache._cache if ":html:" in k]
    assert len(stored) == 1
    html = cache.get(stored[0].split(":", 2)[2])
    assert "csrfmiddlewaretoken" not in html
    assert "nonce" not in html
    assert html in first.content.decode()
    second, _ = _page(staff_client)
    assert [k for k in cache._cache if ":html:" in k] == stored
    assert html in second.content.decode()
