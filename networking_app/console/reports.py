"""The dashboard's charts, built from its figures (selectors.rollup.dashboard_from_rollup for
the page and its CSV exports, selectors.dashboard for the direct computation)."""

from __future__ import annotations

from django.utils import formats

from networking_app.console.charts import Chart, Series
from networking_app.console.selectors import Dashboard

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
            "class_year", "Students by class year", "Class year", d.by_class_year
        ),
        "major": lambda d: _breakdown_chart("major", "Students by major", "Major", d.by_major),
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
        title="Conversation funnel",
        kind="bar",
        category_label="Stage",
        categories=["Requested", "Scheduled", "Held", "Thanked"],
        series=[Series("Conversations", [f["requested"], f["scheduled"], f["held"], f["thanked"]])],
        description=(
            "Conversations whose intro was sent in the period, and how many of them were "
            "then scheduled, held and followed by a thank-you"
        ),
    )


def _activity_chart(d: Dashboard) -> Chart:
    return Chart(
        key="activity",
        title="Activity per " + ("week" if d.activity_by_week else "day"),
        kind="line",
        category_label="Week of" if d.activity_by_week else "Day",
        categories=[formats.date_format(day, "SHORT_DATE_FORMAT") for day, *_ in d.activity],
        series=[
            Series("Contacts added", [row[1] for row in d.activity]),
            Series("Conversations requested", [row[2] for row in d.activity]),
            Series("Conversations held", [row[3] for row in d.activity]),
        ],
        description="Contacts added, intros sent and conversations held over the period",
    )


def _mentoring_chart(d: Dashboard) -> Chart:
    m = d.mentoring
    measures = [
        ("Requests", "requests"),
        ("Accepted", "accepted"),
        ("Declined", "declined"),
        ("Expired", "expired"),
        ("Sessions held", "sessions_held"),
        ("No-shows", "no_shows"),
    ]
    return Chart(
        key="mentoring",
        title="Flash mentoring",
        kind="bar",
        category_label="Measure",
        categories=[label for label, _ in measures],
        series=[Series("Number", [m[key] for _, key in measures])],
        description="Requests made to volunteers in the period and sessions held",
    )


def _events_chart(d: Dashboard) -> Chart:
    return Chart(
        key="events",
        title="Event attendance",
        kind="bar",
        category_label="Event",
        categories=[
            f"{e.title} ({formats.date_format(e.starts_at, 'SHORT_DATE_FORMAT')})"
            for e in d.event_rows
        ],
        series=[
            Series("Going", [e.n_going for e in d.event_rows]),
            Series("Checked in", [e.n_checked_in for e in d.event_rows]),
            Series("Waitlisted", [e.n_waitlisted for e in d.event_rows]),
        ],
        description="People going to, checked in at and waitlisted for each event",
    )


def _outcomes_chart(d: Dashboard) -> Chart:
    return Chart(
        key="outcomes",
        title="Outcomes attributed to networking",
        kind="bar",
        category_label="Outcome",
        categories=["Internship offers", "Job offers"],
        series=[Series("Offers", [d.outcomes["internships"], d.outcomes["jobs"]])],
        description="Internship and job offers students recorded in the period",
    )


def _breakdown_chart(key, title, label, rows) -> Chart:
    return Chart(
        key=key,
        title=title,
        kind="bar",
        category_label=label,
        categories=[row.key for row in rows],
        series=[
            Series("Students", [row.students for row in rows]),
            Series("Active in the period", [row.active for row in rows]),
            Series("Not started", [row.not_started for row in rows]),
            Series("Contacts added", [row.contacts_added for row in rows]),
            Series("Conversations held", [row.conversations_held for row in rows]),
        ],
        description=f"{title}: students, how many were active, have not started, contacts "
        "added and conversations held in the period",
    )
