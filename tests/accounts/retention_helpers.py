"""What the retention tests share: the frozen clock (NOW) and the documented limits, two
autouse fixtures each retention test module imports, graduates who last signed in some days
before NOW, and one retention run."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from networking_app.accounts import retention
from networking_app.accounts.models import User
from tests.factories import StudentFactory

# Saturday 15 August 2026, 14:00 UTC: the class of 2026 graduated on 30 June.
NOW = dt.datetime(2026, 8, 15, 14, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def limits(settings):
    """The documented defaults, spelt out so that the tests read on their own."""
    settings.DEFAULT_USER_TIME_ZONE = "UTC"
    settings.GRADUATION_MONTH, settings.GRADUATION_DAY = 6, 30
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 365
    settings.RETENTION_NOTICE_DAYS = 30
    settings.RETENTION_OUTBOX_BODY_DAYS = 90
    settings.RETENTION_AUDIT_DAYS = 730
    settings.RETENTION_IMPORT_DAYS = 7
    return settings


def graduate(*, last_login_days_ago: float | None, class_year: int = 2025, **kwargs) -> User:
    """A student of `class_year` who last signed in that long before NOW (None: never, and
    joined a year and a half ago)."""
    user = StudentFactory(student_profile__class_year=class_year, **kwargs)
    joined = NOW - dt.timedelta(days=540)
    last_login = None if last_login_days_ago is None else NOW - dt.timedelta(last_login_days_ago)
    User.objects.filter(pk=user.pk).update(date_joined=joined, last_login=last_login)
    user.refresh_from_db()
    return user


def run(**kwargs) -> dict:
    return retention.retention_apply(now=timezone.now(), **kwargs)
