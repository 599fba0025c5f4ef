"""The dashboard's figures are precomputed rows refreshed in the background
(networking_app/console/rollup.py): the page says how old they are, staff can recompute them
(once, however many ask), any period and cohort is read from the same rows, the page's queries
do not grow with the data, and the rows give exactly what the direct computation gives."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import zoneinfo
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats, timezone

from networking_app.console import reports
from networking_app.console.models import EligibilityLabel
from networking_app.console.rollup import figures_refresh
from networking_app.console.selectors import DashboardFilters, default_filters
from networking_app.core.models import AuditLog
from tests.console.conftest import Expected, add_student_activity
from tests.factories import StudentFactory
from tests.helpers import EVIL_NEXT, lands_on
from tests.querycount import capture_queries

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
    after, _ = _page(staff_client, query)
    assert _students(after) == 3
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
    # Presets are resolved to dates: the same dates are the same figures.
    today = timezone.localdate()
    same = {"preset": "custom", "start": (today - dt.timedelta(days=29)).isoformat()}
    assert _page(staff_client, same)[0].context["d"] == everyone.context["d"]
    wider, _ = _page(staff_client, {"preset": "90"})
    assert wider.context["d"].filters.days == 90


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


def test_a_repeat_page_reads_no_figures_row_and_a_refresh_moves_its_time(staff_client, programme):
    """The figures' time is kept with the FIGURES version: a repeat page reads nothing of the
    refresh row, and each refresh (which raises the version) shows its own time."""
    first, _ = _page(staff_client)  # computes the figures: their time is read afresh after
    _page(staff_client)
    again, queries = _page(staff_client)
    assert again.context["computed_at"] == first.context["computed_at"]
    assert not [sql for sql in queries if "console_figuresrefresh" in sql]
    with time_machine.travel(first.context["computed_at"] + dt.timedelta(minutes=3), tick=False):
        assert figures_refresh()
        later, queries = _page(staff_client)
    assert later.context["computed_at"] == first.context["computed_at"] + dt.timedelta(minutes=3)
    assert [sql for sql in queries if "console_figuresrefresh" in sql]  # read once, then kept


def test_a_kept_page_of_current_figures_costs_one_cache_read(staff_client, programme, settings):
    from unittest import mock

    from django.core.cache import cache

    settings.DASHBOARD_CACHE_SECONDS = 3600
    first, _ = _page(staff_client)
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as reads:
        again, queries = _page(staff_client)
    assert reads.call_count == 1
    assert not [sql for sql in queries if "console_" in sql]
    assert again.context["computed_at"] == first.context["computed_at"]
    assert _students(again) == _students(first)


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
    settings.DASHBOARD_REFRESH_SECONDS = seconds
    assert f"(recomputed {wording})." in _page(staff_client)[0].content.decode()


def test_the_figures_need_no_redis(staff_client, programme, settings):
    # networking_app.core.cache: an unreachable Redis misses (get returns None) and drops writes.
    settings.CACHES = {
        "default": {
            "BACKEND": "networking_app.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    first, _ = _page(staff_client)
    _new_students()
    response = staff_client.post(RECOMPUTE)
    assert response.status_code == 302
    assert _students(_page(staff_client)[0]) == _students(first) + 1


def test_an_export_matches_the_page_it_was_downloaded_from(staff_client, staff, programme):
    page, _ = _page(staff_client, {"preset": "90"})
    shown = reports.dashboard_charts(page.context["d"])["class_year"].rows()
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
    # Another period is read from the same rows; once recomputed, the new student shows.
    staff_client.post(RECOMPUTE)
    fresh = staff_client.get(url, {"preset": "30"})
    years = {row[0]: row for row in csv.reader(io.StringIO(fresh.content.decode()))}
    assert years["2027"][1] == "3"
    assert AuditLog.objects.filter(action="export.csv").count() == 2


def test_the_page_is_shared_by_every_spelling_of_the_same_filters(staff_client, programme):
    today = timezone.localdate()
    start = today - dt.timedelta(days=89)
    first, _ = _page(staff_client, {"preset": "90"})
    _new_students()
    spelled_out = {"preset": "custom", "start": start.isoformat(), "end": today.isoformat()}
    second, _ = _page(staff_client, spelled_out)
    assert _students(second) == _students(first)
    # Its CSV links name the period by its dates, so a link followed tomorrow, when "the last 90
    # days" are other days, still gives the figures on the page.
    query = urlencode(spelled_out).replace("&", "&amp;")
    assert second.content.decode().count(f'?{query}" download>') == len(reports.CHART_KEYS)


def _label_options(response) -> list[str]:
    select = response.content.decode().split('<select name="label"')[1].split("</select>")[0]
    return [
        html.unescape(name) for name in re.findall(r'<option value="\d+"[^>]*>([^<]*)<', select)
    ]


def test_a_label_just_created_can_be_chosen_at_once(staff_client, programme):
    assert "Scholars" not in _label_options(_page(staff_client)[0])
    response = staff_client.post(reverse("console:labels"), {"name": "Scholars"})
    assert response.status_code == 302
    label = EligibilityLabel.objects.get(name="Scholars")
    page, _ = _page(staff_client, {"label": label.pk})
    assert "Scholars" in _label_options(page)
    assert page.context["filters"].label_id == label.pk


def test_a_label_renamed_or_deleted_in_the_admin_is_forgotten(staff_client, programme, staff):
    from django.contrib import admin

    labels = admin.site._registry[EligibilityLabel]
    label = EligibilityLabel.objects.create(name="Scholars", created_by=staff)
    labels.save_related(None, _Saved(label), [], change=False)
    assert "Scholars" in _label_options(_page(staff_client)[0])
    label.name = "Fellows"
    label.save()
    labels.save_related(None, _Saved(label), [], change=True)
    assert "Fellows" in _label_options(_page(staff_client)[0])
    labels.delete_model(None, label)
    assert "Fellows" not in _label_options(_page(staff_client)[0])


class _Saved:
    """What ModelAdmin.save_related reads of the form: the object saved, its many-to-many."""

    def __init__(self, instance):
        self.instance = instance

    def save_m2m(self):
        pass


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
