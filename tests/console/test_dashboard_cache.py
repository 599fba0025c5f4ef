"""The dashboard's figures are kept in the cache for DASHBOARD_CACHE_SECONDS
(networking_app.console.reports.dashboard_figures): the page says how old they are, staff can
recompute them, different filters never share them, and without Redis the page computes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone

from networking_app.console import reports
from networking_app.console.models import AuditLog, EligibilityLabel
from networking_app.console.selectors import DashboardFilters, default_filters
from tests.console.conftest import Expected, add_student_activity
from tests.factories import StudentFactory
from tests.helpers import EVIL_NEXT, lands_on
from tests.querycount import assert_queries_stable, capture_queries

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/dashboard/"
RECOMPUTE = "/staff/dashboard/recompute/"


def _page(client, params=None):
    with capture_queries() as queries:
        response = client.get(DASHBOARD, params or {})
    assert response.status_code == 200
    return response, queries


def _students(response) -> int:
    """The number of students the page shows (from its HTML, which may come from the cache)."""
    shown = re.search(r"<dt>Students</dt><dd>([\d,]+)</dd>", response.content.decode())
    return int(shown[1].replace(",", ""))


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
    assert not [sql for sql in cached if any(t in sql for t in tables)]
    # The page is rendered from them like a computed one, charts and tables included.
    body = second.content.decode()
    assert body.count("<svg") == len(reports.CHART_KEYS)
    assert body.count('<details class="chart-table">') == len(reports.CHART_KEYS)


def test_a_cached_page_costs_the_same_queries_at_two_sizes(staff_client, programme):
    def get_page():
        return staff_client.get(DASHBOARD, {"preset": "90"})

    count = assert_queries_stable(get_page, _new_students, small=2, large=12, page_caches=True)
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
    figures_key = reports.figures_cache_key(first.context["filters"])
    for key in (figures_key, f"{figures_key}:html"):  # the figures, and the page drawn from them
        stored = cache.get(key)
        stored.computed_at -= dt.timedelta(seconds=2)
        cache.set(key, stored, 300)
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
    assert lands_on(response["Location"], RECOMPUTE) == ("http", "testserver")


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
    key = reports.figures_cache_key(filters)
    cache.set_many({key: {"an": "older shape"}, f"{key}:html": "<p>An older shape</p>"}, 300)
    _new_students()
    assert _students(_page(staff_client)[0]) == Expected.students + 1


def test_an_export_matches_the_page_it_was_downloaded_from(staff_client, staff, programme):
    page, _ = _page(staff_client, {"preset": "90"})
    shown = page.context["charts"]["class_year"].rows()
    _new_students(class_year=2027)
    url = reverse("console:chart_export", kwargs={"chart_key": "class_year"})
    with capture_queries() as queries:
        response = staff_client.get(url, {"preset": "90"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1:] == [[str(cell) for cell in row] for row in shown]
    assert not [sql for sql in queries if "contacts_contact" in sql]
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


def _stored_pages() -> list[str]:
    return [key for key in cache._cache if key.endswith(":html")]


def test_the_figures_html_is_kept_with_the_figures_and_holds_no_token(staff_client, programme):
    first, _ = _page(staff_client)
    stored = _stored_pages()
    assert len(stored) == 1
    page = cache.get(stored[0].split(":", 2)[2])
    assert isinstance(page, reports.FiguresPage)
    assert page.computed_at == first.context["computed_at"]
    assert "csrfmiddlewaretoken" not in page.html
    assert "nonce" not in page.html
    assert page.html in first.content.decode()
    second, _ = _page(staff_client)
    assert _stored_pages() == stored
    assert page.html in second.content.decode()


def test_a_cached_page_reads_only_the_html_not_the_figures(staff_client, programme):
    first, _ = _page(staff_client)
    filters = first.context["filters"]
    # Were the page to load the figures, it would find none and compute them again.
    cache.delete(reports.figures_cache_key(filters))
    second, queries = _page(staff_client)
    assert second.context["computed_at"] == first.context["computed_at"]
    assert len(queries) <= 8
    assert cache.get(reports.figures_cache_key(filters)) is None


def test_the_page_is_shared_by_every_spelling_of_the_same_filters(staff_client, programme):
    today = timezone.localdate()
    start = today - dt.timedelta(days=89)
    first, _ = _page(staff_client, {"preset": "90"})
    _new_students()
    spelled_out = {"preset": "custom", "start": start.isoformat(), "end": today.isoformat()}
    second, queries = _page(staff_client, spelled_out)
    assert _students(second) == _students(first)
    assert len(queries) <= 8
    # Its CSV links name the period by its dates, so a link followed tomorrow, when "the last 90
    # days" are other days, still gives the figures on the page.
    query = urlencode(spelled_out).replace("&", "&amp;")
    assert second.content.decode().count(f'?{query}" download>') == len(reports.CHART_KEYS)


def test_recomputing_replaces_the_stored_html(staff_client, programme):
    first, _ = _page(staff_client)
    _new_students()
    staff_client.post(RECOMPUTE)
    after, _ = _page(staff_client)
    assert _students(after) == _students(first) + 1
    assert after.context["computed_at"] >= first.context["computed_at"]
    assert len(_stored_pages()) == 1


def test_a_page_from_other_filters_under_the_key_is_ignored(staff_client, programme):
    first, _ = _page(staff_client)
    filters = first.context["filters"]
    other = reports.FiguresPage(
        html="<p>Not these figures</p>",
        filters=default_filters(dt.date(2020, 1, 31)),
        computed_at=first.context["computed_at"],
    )
    cache.set(f"{reports.figures_cache_key(filters)}:html", other, 300)
    assert "Not these figures" not in _page(staff_client)[0].content.decode()


def _label_options(response) -> list[str]:
    form = response.context["form"]
    return [name for value, name in form.fields["label"].choices if value]


def test_a_cached_page_reads_no_filter_choices_from_the_database(staff_client, programme):
    _page(staff_client)
    _, queries = _page(staff_client)
    tables = ("console_eligibilitylabel", "accounts_studentprofile")
    assert not [sql for sql in queries if any(t in sql for t in tables)]


def test_a_label_just_created_can_be_chosen_at_once(staff_client, programme):
    assert "Scholars" not in _label_options(_page(staff_client)[0])
    response = staff_client.post(reverse("console:labels"), {"name": "Scholars"})
    assert response.status_code == 302
    label = EligibilityLabel.objects.get(name="Scholars")
    page, _ = _page(staff_client, {"label": label.pk})
    assert "Scholars" in _label_options(page)
    assert page.context["filters"].label_id == label.pk


def test_a_label_renamed_or_deleted_elsewhere_is_forgotten(staff_client, programme, staff):
    # The Django admin saves and deletes labels one by one, like this.
    label = EligibilityLabel.objects.create(name="Scholars", created_by=staff)
    assert "Scholars" in _label_options(_page(staff_client)[0])
    label.name = "Fellows"
    label.save()
    assert "Fellows" in _label_options(_page(staff_client)[0])
    label.delete()
    assert "Fellows" not in _label_options(_page(staff_client)[0])


def test_labels_read_before_a_commit_are_forgotten_after_it(
    staff_client, programme, staff, django_capture_on_commit_callbacks
):
    _page(staff_client)
    stored = cache.get(reports.LABELS_CACHE_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        EligibilityLabel.objects.create(name="Scholars", created_by=staff)
        # A page built meanwhile by another request, from the labels before the commit.
        cache.set(reports.LABELS_CACHE_KEY, stored, 300)
    assert "Scholars" in _label_options(_page(staff_client)[0])


def test_the_csv_links_query_gives_back_the_same_filters(staff):
    from django.http import QueryDict

    from networking_app.console.forms import DashboardFilterForm, filters_query

    label = EligibilityLabel.objects.create(name="Scholars & co", created_by=staff)
    choices = {"class_years": [2027], "majors": ["Art & Design"], "labels": [label]}
    filters = DashboardFilters(
        start=dt.date(2026, 1, 5),
        end=dt.date(2026, 3, 1),
        class_year=2027,
        major="Art & Design",
        label_id=label.pk,
    )
    query = QueryDict(filters_query(filters))
    assert DashboardFilterForm(query, choices=choices).filters() == filters
    assert (
        DashboardFilterForm(QueryDict(filters_query(default_filters())), choices=choices).filters()
        == default_filters()
    )
