"""The dashboard's charts, built from its figures (selectors.rollup.dashboard_from_rollup for
the page and its CSV exports, selectors.dashboard for the direct computation)."""

from __future__ import annotations

import re

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from networking_app.console.charts import Chart, Series
from networking_app.console.selectors import Dashboard
from networking_app.console.selectors.filters import NOT_GIVEN, OTHER_MAJORS

OTHER_MAJORS_KEY = re.compile(re.escape(OTHER_MAJORS).replace("%d", r"(\d+)"))

# Each chart and the dashboard sections (selectors.SECTIONS) its numbers come from: an export
# computes only those.
CHART_SECTIONS = {
    "funnel": ("students",),
    "activity": ("activity",),
    "class_year": ("students",),
    "major": ("students",),
    "mentoring": ("mentoring",),
    "events": ("events",),
    "outcomes": ("outcomes",),
}
CHART_KEYS = list(CHART_SECTIONS)


def dashboard_charts(d: Dashboard, only: str | None = None) -> dict[str, Chart]:
    """Every chart of the dashboard (or only the one named `only`)."""
    builders = {
        "funnel": _funnel_chart,
        "activity": _activity_chart,
        "class_year": lambda d: _breakdown_chart(
            "class_year", _("Students by class year"), _("Class year"), d.by_class_year
        ),
        "major": lambda d: _breakdown_chart(
            "major", _("Students by major"), _("Major"), d.by_major
        ),
        "mentoring": _mentoring_chart,
        "events": _events_chart,
        "outcomes": _outcomes_chart,
    }
    keys = [only] if only else CHART_KEYS
    return {key: builders[key](d) for key in keys}


def _funnel_chart(d: Dashboard) -> Chart:
    f = d.funnel
    return Chart(
        key="funnel",
        title=_("Conversation funnel"),
        kind="bar",
        category_label=_("Stage"),
        categories=[_("Requested"), _("Scheduled"), _("Held"), _("Thanked")],
        series=[
            Series(_("Conversations"), [f["requested"], f["scheduled"], f["held"], f["thanked"]])
        ],
        description=_(
            "Conversations whose intro was sent in the period, and how many of them were "
            "then scheduled, held and followed by a thank-you"
        ),
    )


def _activity_chart(d: Dashboard) -> Chart:
    return Chart(
        key="activity",
        title=_("Activity per week") if d.activity_by_week else _("Activity per day"),
        kind="line",
        category_label=_("Week of") if d.activity_by_week else _("Day"),
        categories=[formats.date_format(day, "SHORT_DATE_FORMAT") for day, *_rest in d.activity],
        series=[
            Series(_("Contacts added"), [row[1] for row in d.activity]),
            Series(_("Conversations requested"), [row[2] for row in d.activity]),
            Series(_("Conversations held"), [row[3] for row in d.activity]),
        ],
        description=_("Contacts added, intros sent and conversations held over the period"),
    )


def _mentoring_chart(d: Dashboard) -> Chart:
    m = d.mentoring
    measures = [
        (_("Requests"), "requests"),
        (pgettext("flash requests, counted", "Accepted"), "accepted"),
        (pgettext("flash requests, counted", "Declined"), "declined"),
        (pgettext("flash requests, counted", "Expired"), "expired"),
        (_("Sessions held"), "sessions_held"),
        (_("No-shows"), "no_shows"),
    ]
    return Chart(
        key="mentoring",
        title=_("Flash mentoring"),
        kind="bar",
        category_label=_("Measure"),
        categories=[label for label, _key in measures],
        series=[Series(_("Number"), [m[key] for _label, key in measures])],
        description=_("Requests made to volunteers in the period and sessions held"),
    )


def _events_chart(d: Dashboard) -> Chart:
    return Chart(
        key="events",
        title=_("Event attendance"),
        kind="bar",
        category_label=_("Event"),
        categories=[
            f"{e.title} ({formats.date_format(e.starts_at, 'SHORT_DATE_FORMAT')})"
            for e in d.event_rows
        ],
        series=[
            Series(_("Going"), [e.n_going for e in d.event_rows]),
            Series(_("Checked in"), [e.n_checked_in for e in d.event_rows]),
            Series(_("Waitlisted"), [e.n_waitlisted for e in d.event_rows]),
        ],
        description=_("People going to, checked in at and waitlisted for each event"),
    )


def _outcomes_chart(d: Dashboard) -> Chart:
    return Chart(
        key="outcomes",
        title=_("Outcomes attributed to networking"),
        kind="bar",
        category_label=_("Outcome"),
        categories=[_("Internship offers"), _("Job offers")],
        series=[Series(_("Offers"), [d.outcomes["internships"], d.outcomes["jobs"]])],
        description=_("Internship and job offers students recorded in the period"),
    )


def category_label(key: str) -> str:
    """A breakdown's key as the reader says it (the stored figures keep them in English)."""
    if key == NOT_GIVEN:
        return _("Not given")
    other = OTHER_MAJORS_KEY.fullmatch(key)
    if other:
        n = int(other.group(1))
        return ngettext("Other majors (%(n)d)", "Other majors (%(n)d)", n) % {"n": n}
    return key


def _breakdown_chart(key, title, label, rows) -> Chart:
    return Chart(
        key=key,
        title=title,
        kind="bar",
        category_label=label,
        categories=[category_label(row.key) for row in rows],
        series=[
            Series(_("Students"), [row.students for row in rows]),
            Series(_("Active in the period"), [row.active for row in rows]),
            Series(_("Not started"), [row.not_started for row in rows]),
            Series(_("Contacts added"), [row.contacts_added for row in rows]),
            Series(_("Conversations held"), [row.conversations_held for row in rows]),
        ],
        description=_(
            "%(title)s: students, how many were active, have not started, contacts added and "
            "conversations held in the period"
        )
        % {"title": title},
    )
