"""The console's demo cohort: loads once, gives the dashboard and the nudge something to show."""

from __future__ import annotations

import pytest

from networking_app.accounts.models import Role, User
from networking_app.console import selectors
from networking_app.console.demo import COHORT, NOT_STARTED, demo_console_load
from networking_app.console.models import EligibilityLabel

pytestmark = pytest.mark.django_db


def test_demo_cohort_is_loaded_once():
    demo_console_load()
    demo_console_load()
    assert User.objects.filter(role=Role.STUDENT).count() == COHORT
    assert selectors.students_not_started().count() == NOT_STARTED
    assert EligibilityLabel.objects.get(name="First-gen").students.count() == COHORT // 3
    d = selectors.dashboard(selectors.default_filters())
    assert d.students["total"] == COHORT
    assert d.funnel["requested"] > 0
    assert d.outcomes["total"] + d.all_time["outcomes"] > 0
