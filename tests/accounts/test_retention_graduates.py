"""Retention of inactive graduates (accounts/retention.py): a class graduates the day after
its graduation date, graduates are told before their account is deleted (the notice email says
when, in their own zone) and keep it by signing in, the deletion is the account closing path,
volunteers and staff are never deleted, and 0 turns the rule off.

Every test runs on a frozen clock (NOW in tests/accounts/retention_helpers.py, mid-August: the
class of 2026 has graduated), whatever TEST_CLOCK the suite runs at."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from networking_app.accounts import retention
from networking_app.accounts.models import ErasedAccount, StudentProfile, User
from networking_app.notifications.models import OutgoingEmail
from tests.accounts import retention_helpers
from tests.accounts.retention_helpers import DAY, NOW, graduate, run
from tests.contacts.helpers import fill_student_data
from tests.factories import PASSWORD, StaffFactory, VolunteerFactory

pytestmark = pytest.mark.django_db
# Autouse: every test runs on the frozen clock and the documented limits.
clock = retention_helpers.clock
limits = retention_helpers.limits


def noticed_at(user: User) -> dt.datetime | None:
    return StudentProfile.objects.get(user=user).deletion_notice_sent_at


def exists(user: User) -> bool:
    return User.objects.filter(pk=user.pk).exists()


# --- Graduation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "zone", "last_class"),
    [
        # 30 June is still the class year; 1 July is the first day after it...
        (dt.datetime(2026, 6, 30, 23, 59, tzinfo=dt.UTC), "UTC", 2025),
        (dt.datetime(2026, 7, 1, 0, 0, tzinfo=dt.UTC), "UTC", 2026),
        # ...in the school's zone: 03:30 UTC on 1 July is still 30 June in New York.
        (dt.datetime(2026, 7, 1, 3, 30, tzinfo=dt.UTC), "America/New_York", 2025),
        (dt.datetime(2026, 7, 1, 4, 0, tzinfo=dt.UTC), "America/New_York", 2026),
        (dt.datetime(2027, 1, 10, 12, 0, tzinfo=dt.UTC), "UTC", 2026),
    ],
)
def test_a_class_graduates_the_day_after_its_graduation_date(settings, instant, zone, last_class):
    settings.DEFAULT_USER_TIME_ZONE = zone
    assert retention.last_graduated_class(instant) == last_class


def test_the_graduation_date_is_a_setting(settings):
    settings.GRADUATION_MONTH, settings.GRADUATION_DAY = 5, 15
    assert retention.last_graduated_class(dt.datetime(2026, 5, 15, 12, tzinfo=dt.UTC)) == 2025
    assert retention.last_graduated_class(dt.datetime(2026, 5, 16, 12, tzinfo=dt.UTC)) == 2026


# --- Inactive graduates: notice first ---------------------------------------------------------


def test_the_notice_goes_to_graduates_within_the_notice_period_of_their_limit():
    due = graduate(last_login_days_ago=336)  # deleted after day 365: 29 days from now
    on_the_day = graduate(last_login_days_ago=335)  # exactly 30 days from now
    not_yet = graduate(last_login_days_ago=334)
    never_signed_in = graduate(last_login_days_ago=None)  # joined 540 days ago
    this_year = graduate(last_login_days_ago=800, class_year=2027)  # still a student
    no_class_year = graduate(last_login_days_ago=800, class_year=None)

    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 3}

    assert {m.to[0] for m in mail.outbox} == {due.email, on_the_day.email, never_signed_in.email}
    for user in (due, on_the_day, never_signed_in):
        assert noticed_at(user) == NOW
    for user in (not_yet, this_year, no_class_year):
        assert noticed_at(user) is None
    assert User.objects.count() == 6  # a notice deletes nobody


def test_nobody_is_deleted_without_a_notice(clock):
    """Long past the limit, but never told (the rule was just turned on, or the worker was
    down): the notice goes now, and the deletion waits the whole notice period."""
    user = graduate(last_login_days_ago=1000)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 1}
    assert exists(user)

    clock.move_to(NOW + 30 * DAY - dt.timedelta(minutes=1))
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)

    clock.move_to(NOW + 30 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 1, "notices_sent": 0}
    assert not exists(user)


def test_the_deletion_is_the_account_closing_path(clock, volunteer):
    """The same account_delete a person uses: the anonymous tally stays, the people they were
    due to meet are told, their data goes."""
    user = graduate(last_login_days_ago=400, email="grace@example.edu")
    run()
    clock.move_to(NOW + 31 * DAY)
    fill_student_data(user, volunteer)  # with a session to come
    mail.outbox.clear()

    run()

    assert not exists(user)
    erased = ErasedAccount.objects.get()
    assert (erased.role, erased.class_year, erased.contacts) == ("student", 2025, 2)
    assert any(m.to == [volunteer.email] and "Cancelled" in m.subject for m in mail.outbox)
    assert not StudentProfile.objects.filter(user_id=user.pk).exists()


def test_a_limit_raised_after_the_notice_postpones_the_deletion(settings, clock):
    user = graduate(last_login_days_ago=335)
    run()
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 400
    clock.move_to(NOW + 65 * DAY - dt.timedelta(minutes=1))
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)
    clock.move_to(NOW + 65 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 1, "notices_sent": 0}


def test_signing_in_after_the_notice_keeps_the_account(clock):
    user = graduate(last_login_days_ago=340)
    run()
    assert noticed_at(user) == NOW

    clock.move_to(NOW + 10 * DAY)
    Client().force_login(user)  # a real sign-in: Django records last_login
    clock.move_to(NOW + 60 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(user)
    assert len(mail.outbox) == 1

    # Inactive again: a new notice once the new limit comes near, then the deletion.
    signed_in = NOW + 10 * DAY
    clock.move_to(signed_in + 334 * DAY)
    assert run()["accounts.graduates"]["notices_sent"] == 0
    clock.move_to(signed_in + 335 * DAY)
    assert run()["accounts.graduates"]["notices_sent"] == 1
    assert noticed_at(user) == signed_in + 335 * DAY
    clock.move_to(signed_in + 365 * DAY)
    assert run()["accounts.graduates"]["accounts_deleted"] == 1
    assert not exists(user)


def test_a_notice_before_the_last_sign_in_does_not_count(clock):
    """Signed in after the notice, then gone for good: the next deletion needs a new notice,
    even if no run happened in between (beat stopped for a year)."""
    user = graduate(last_login_days_ago=340)
    run()
    clock.move_to(NOW + DAY)
    Client().force_login(user)
    clock.move_to(NOW + DAY + 400 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 1}
    assert exists(user)


def test_the_keep_link_signs_in_and_keeps_the_account(clock):
    user = graduate(last_login_days_ago=340)
    run()
    clock.move_to(NOW + 2 * DAY)
    keep = reverse("account_keep")
    client = Client()
    response = client.get(keep)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))

    assert retention.pending_deletion(User.objects.get(pk=user.pk)) is not None

    signed_in = client.post(
        response["Location"], {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == keep
    assert "it is not due to be deleted" in signed_in.content.decode()
    assert retention.pending_deletion(User.objects.get(pk=user.pk)) is None
    clock.move_to(NOW + 40 * DAY)
    run()
    assert exists(user)


def test_someone_still_signed_in_keeps_the_account_with_the_button(clock):
    user = graduate(last_login_days_ago=340)
    run()
    client = Client()
    client.force_login(user)
    # As if the session had outlived the sign-in that the notice counts from.
    User.objects.filter(pk=user.pk).update(last_login=NOW - 340 * DAY)

    page = client.get(reverse("account_keep")).content.decode()
    assert "Keep my account" in page
    assert "due to be deleted after" in page
    assert "Mon 14 Sep 2026" in page  # the notice's 30 days

    response = client.post(reverse("account_keep"))
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).last_login == NOW
    assert "it is not due to be deleted" in client.get(reverse("account_keep")).content.decode()
    clock.move_to(NOW + 40 * DAY)
    run()
    assert exists(user)


def test_the_keep_button_changes_nothing_without_a_notice():
    user = graduate(last_login_days_ago=10)
    client = Client()
    client.force_login(user)
    before = User.objects.get(pk=user.pk).last_login
    assert client.post(reverse("account_keep")).status_code == 302
    assert User.objects.get(pk=user.pk).last_login == before


def test_volunteers_and_staff_are_never_deleted_by_the_graduates_rule(clock):
    """Not even an alumna who was a student (her student profile stays) nor anyone with a
    class year long past."""
    alumna = VolunteerFactory()
    StudentProfile.objects.create(user=alumna, class_year=2020)
    staff = StaffFactory()
    StudentProfile.objects.create(user=staff, class_year=2020)
    old = NOW - 3000 * DAY
    User.objects.filter(pk__in=[alumna.pk, staff.pk]).update(last_login=old, date_joined=old)
    for later in (0, 31, 400, 800):
        clock.move_to(NOW + later * DAY)
        assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert exists(alumna)
    assert exists(staff)
    assert mail.outbox == []


def test_a_noticed_student_who_becomes_a_volunteer_is_not_deleted(clock):
    user = graduate(last_login_days_ago=400)
    run()
    User.objects.filter(pk=user.pk).update(role="volunteer")
    clock.move_to(NOW + 40 * DAY)
    assert run()["accounts.graduates"]["accounts_deleted"] == 0
    assert exists(user)


def test_the_graduates_rule_is_off_at_zero(settings, clock):
    told = graduate(last_login_days_ago=400)
    run()
    settings.RETENTION_GRADUATE_INACTIVE_DAYS = 0
    graduate(last_login_days_ago=2000)
    clock.move_to(NOW + 60 * DAY)
    assert run()["accounts.graduates"] == {}
    assert exists(told)
    assert len(mail.outbox) == 1


def test_running_twice_does_nothing_more(clock):
    graduate(last_login_days_ago=400)
    graduate(last_login_days_ago=340)
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 2}
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    clock.move_to(NOW + 30 * DAY)
    assert run()["accounts.graduates"] == {"accounts_deleted": 2, "notices_sent": 0}
    assert run()["accounts.graduates"] == {"accounts_deleted": 0, "notices_sent": 0}
    assert len(mail.outbox) == 2


def test_one_failed_deletion_does_not_stop_the_others(clock, monkeypatch, caplog):
    first = graduate(last_login_days_ago=400)
    second = graduate(last_login_days_ago=400)
    run()
    clock.move_to(NOW + 31 * DAY)
    real_delete = retention.account_delete

    def flaky(*, user, now):
        if user.pk == first.pk:
            raise RuntimeError("boom")
        return real_delete(user=user, now=now)

    monkeypatch.setattr(retention, "account_delete", flaky)
    with caplog.at_level(logging.ERROR, logger="networking_app.accounts.retention"):
        counts = run()["accounts.graduates"]
    assert counts == {"accounts_deleted": 1, "notices_sent": 0, "failed": 1}
    assert exists(first)
    assert not exists(second)
    assert f"for user {first.pk}" in caplog.text


# --- The notice email -------------------------------------------------------------------------


def test_the_notice_tells_when_in_the_recipients_zone_and_how_to_keep_the_account(settings):
    settings.DEFAULT_USER_TIME_ZONE = "Asia/Tokyo"  # the school's zone is not the reader's
    settings.SCHOOL_NAME = "Hopper College"
    user = graduate(
        last_login_days_ago=340,
        email="grace@example.edu",
        profile__display_name="Grace Hopper",
        profile__time_zone="America/New_York",
    )
    run()
    (message,) = mail.outbox
    html = next(body for body, kind in message.alternatives if kind == "text/html")

    assert message.to == [user.email]
    assert message.subject == "Sign in to keep your Hopper College Rapport account"
    # Last sign-in 340 days before NOW (9 September 2025): day 365 would be 25 days from now,
    # but the notice's 30 days come first: 14:00 UTC, 10:00 AM in New York (EDT).
    when = "Monday 14 September 2026, 10:00 AM EDT"
    keep = "http://testserver" + reverse("account_keep")
    data = "http://testserver" + reverse("account_data")
    for body in (message.body, html):
        assert "Hello Grace Hopper" in body
        assert when in body
        assert keep in body
        assert data in body
        assert "365 days" in body
        assert "9 September 2025" in body  # the last sign-in
    assert f'href="{keep}"' in html


def test_the_notice_is_an_outbox_row_of_its_own_kind(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    user = graduate(last_login_days_ago=340)
    run()
    row = OutgoingEmail.objects.get()
    assert (row.kind, row.user_id, row.to) == ("retention_notice", user.pk, [user.email])
    assert row.idempotency_key.startswith(f"retention_notice:{user.pk}:")
