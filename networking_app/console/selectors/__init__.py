"""Reads for the staff console, one module per concern:

- `filters`: the dashboard's filters, the students of a cohort and the figures' dataclasses;
- `rollup`: the dashboard page's figures, summed from the precomputed rows
  (networking_app/console/rollup.py refreshes them in the background);
- `dashboard`: the same figures computed directly from the domain tables (the reference the
  rollup is tested against);
- `live`: what both read live (volunteers, match rounds, events, the median);
- `pages`: the dashboard of each preset period, computed whole by each refresh;
- `admin`: the administration pages' lists and the filter forms' choices.
"""

from networking_app.console.selectors.admin import (
    audit_actions,
    audit_entries,
    cohort_choices,
    cohort_years_and_majors,
    invitation_get_by_token,
    invitations_for_staff,
    label_choices,
    label_students,
    labels_with_counts,
    volunteer_status_counts,
    volunteers_awaiting_approval,
    volunteers_for_staff,
)
from networking_app.console.selectors.dashboard import SECTIONS, dashboard, students_not_started
from networking_app.console.selectors.filters import (
    DAYS_PER_MONTH,
    PRESET_PERIODS,
    Breakdown,
    Dashboard,
    DashboardFilters,
    EventRow,
    RoundRow,
    cohort_students,
    default_filters,
    median_duration,
    preset_range,
    students_queryset,
)
from networking_app.console.selectors.live import unused_capacity_mentors

__all__ = [
    "DAYS_PER_MONTH",
    "PRESET_PERIODS",
    "SECTIONS",
    "Breakdown",
    "Dashboard",
    "DashboardFilters",
    "EventRow",
    "RoundRow",
    "audit_actions",
    "audit_entries",
    "cohort_choices",
    "cohort_students",
    "cohort_years_and_majors",
    "dashboard",
    "default_filters",
    "invitation_get_by_token",
    "invitations_for_staff",
    "label_choices",
    "label_students",
    "labels_with_counts",
    "median_duration",
    "preset_range",
    "students_not_started",
    "students_queryset",
    "unused_capacity_mentors",
    "volunteer_status_counts",
    "volunteers_awaiting_approval",
    "volunteers_for_staff",
]
