"""Availability: weekly windows, one-day changes, notice, horizon, monthly capacity and
daylight saving (mentoring.services.availability); adding and deleting them (services and the
volunteer's availability page)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    Mentor,
    OverrideKind,
    RequestStatus,
)
from mentoring.services import profiles as services
from mentoring.services.availability import (
    has_open_slots_filter,
    open_slots,
    open_slots_for_mentors,
    slot_is_open,
)
from tests.mentoring.factories import (
    AvailabilityOverrideFactory,
    AvailabilityWindowFactory,
    MentorFactory,
)
from tests.mentoring.helpers import NEW_YORK, NOW, hold, mentor_in
from tests.querycount import assert_num_queries

pytestmark = pytest.mark.django_db

PAGE = reverse("mentoring:availability")


def local(slots, zone=NEW_YORK) -> list[str]:
    return [s.start_at.astimezone(zone).strftime("%a %d %H:%M") for s in slots]


# --- Slots ---------------------------------------------------------------------------------


def test_weekly_window_is_cut_into_slots_with_breaks():
    mentor = mentor_in(slot_minutes=30, buffer_minutes=15, booking_window_days=7)
    AvailabilityWindowFactory(mentor=mentor, weekday=0, start_time=dt.time(9), end_time=dt.time(11))

    slots = open_slots(mentor, now=NOW)

    assert local(slots) == ["Mon 02 09:00", "Mon 02 09:45", "Mon 02 10:30"]
    assert all(s.end_at - s.start_at == dt.timedelta(minutes=30) for s in slots)
    assert all(s.start_at.tzinfo == dt.UTC for s in slots)


def test_one_day_window_replaces_the_weekly_ones_and_blackout_removes_the_day():
    mentor = mentor_in(slot_minutes=45, booking_window_days=10)
    for weekday in (0, 1):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(10)
        )
    AvailabilityOverrideFactory(
        mentor=mentor,
        date=dt.date(2026, 3, 2),
        kind=OverrideKind.WINDOW,
        start_time=dt.time(14),
        end_time=dt.time(15),
    )
    AvailabilityOverrideFactory(mentor=mentor, date=dt.date(2026, 3, 3))  # blackout

    assert local(open_slots(mentor, now=NOW)) == [
        "Mon 02 14:00",
        # Tuesday the 3rd is blacked out.
        "Mon 09 09:00",
        "Tue 10 09:00",
    ]


def test_minimum_notice_and_booking_window():
    mentor = mentor_in(slot_minutes=60, min_notice_hours=24, booking_window_days=8)
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(10)
        )

    days = local(open_slots(mentor, now=NOW))

    # Not Monday the 2nd (less than 24 hours away); nothing after Tuesday the 10th, 07:00
    # (8 days after now, 06:00 EST, is 07:00 EDT).
    assert days[0] == "Tue 03 09:00"
    assert days[-1] == "Mon 09 09:00"
    assert len(days) == 7


def test_booked_slots_and_their_breaks_are_not_offered():
    mentor = mentor_in(slot_minutes=30, buffer_minutes=30, booking_window_days=1)
    AvailabilityWindowFactory(mentor=mentor, weekday=0, start_time=dt.time(9), end_time=dt.time(12))
    assert local(open_slots(mentor, now=NOW)) == ["Mon 02 09:00", "Mon 02 10:00", "Mon 02 11:00"]

    hold(mentor, dt.datetime(2026, 3, 2, 10, tzinfo=NEW_YORK))
    # A declined request frees its slot again.
    hold(mentor, dt.datetime(2026, 3, 2, 11, tzinfo=NEW_YORK), status=RequestStatus.DECLINED)

    assert local(open_slots(mentor, now=NOW)) == ["Mon 02 09:00", "Mon 02 11:00"]


def test_monthly_capacity_closes_a_full_month_only():
    mentor = mentor_in(slot_minutes=60, monthly_capacity=2, booking_window_days=40)
    AvailabilityWindowFactory(mentor=mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(10))
    wednesdays = local(open_slots(mentor, now=NOW))
    assert wednesdays == ["Wed 04 09:00", "Wed 11 09:00", "Wed 18 09:00", "Wed 25 09:00",
                          "Wed 01 09:00", "Wed 08 09:00"]  # fmt: skip

    # Two requests in March (one accepted, one waiting), one in April.
    hold(mentor, dt.datetime(2026, 3, 4, 9, tzinfo=NEW_YORK), status=RequestStatus.ACCEPTED)
    hold(mentor, dt.datetime(2026, 3, 11, 9, tzinfo=NEW_YORK))
    hold(mentor, dt.datetime(2026, 4, 1, 9, tzinfo=NEW_YORK))

    assert local(open_slots(mentor, now=NOW)) == ["Wed 08 09:00"]


def test_capacity_counts_requests_made_before_the_booking_range_of_the_same_month():
    mentor = mentor_in(slot_minutes=60, monthly_capacity=1, booking_window_days=20)
    AvailabilityWindowFactory(mentor=mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(10))
    # An accepted conversation on the 1st of March, before "now": March is full.
    hold(mentor, dt.datetime(2026, 3, 1, 9, tzinfo=NEW_YORK), status=RequestStatus.ACCEPTED)
    assert open_slots(mentor, now=NOW) == []


def test_weekly_window_keeps_its_local_time_across_daylight_saving():
    mentor = mentor_in(slot_minutes=60, booking_window_days=14)
    AvailabilityWindowFactory(mentor=mentor, weekday=4, start_time=dt.time(9), end_time=dt.time(10))

    slots = open_slots(mentor, now=NOW)

    assert local(slots) == ["Fri 06 09:00", "Fri 13 09:00"]
    # 09:00 EST is 14:00 UTC; after the change, 09:00 EDT is 13:00 UTC.
    assert [s.start_at.hour for s in slots] == [14, 13]


def test_a_window_across_the_daylight_saving_change_gives_real_lengths_without_overlap():
    # Sunday 8 March 2026: 02:00 does not exist in New York. The window 01:00-04:00 holds
    # two real hours: 01:00-01:30 EST, 01:30-02:00 EST (= 03:00 EDT), 03:00-03:30, 03:30-04:00.
    mentor = mentor_in(slot_minutes=30, booking_window_days=10)
    AvailabilityWindowFactory(mentor=mentor, weekday=6, start_time=dt.time(1), end_time=dt.time(4))

    slots = open_slots(mentor, now=NOW)

    assert local(slots) == ["Sun 08 01:00", "Sun 08 01:30", "Sun 08 03:00", "Sun 08 03:30"]
    for earlier, later in itertools.pairwise(slots):
        assert earlier.end_at <= later.start_at
    assert all(s.end_at - s.start_at == dt.timedelta(minutes=30) for s in slots)


def test_a_window_starting_in_the_skipped_hour_is_left_out():
    mentor = mentor_in(slot_minutes=30, booking_window_days=10)
    AvailabilityWindowFactory(
        mentor=mentor, weekday=6, start_time=dt.time(2, 15), end_time=dt.time(5)
    )
    assert local(open_slots(mentor, now=NOW)) == []


def test_on_leave_days_have_no_slots():
    mentor = mentor_in(slot_minutes=60, booking_window_days=10)
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(10)
        )
    Mentor.objects.filter(pk=mentor.pk).update(on_leave_until=dt.date(2026, 3, 9))
    mentor.refresh_from_db()
    assert local(open_slots(mentor, now=NOW))[0] == "Tue 10 09:00"


def test_limit_returns_the_earliest_slots():
    mentor = mentor_in(slot_minutes=20, booking_window_days=30)
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(17)
        )
    every = open_slots(mentor, now=NOW)
    assert open_slots(mentor, now=NOW, limit=10) == every[:10]


def test_slot_is_open():
    mentor = mentor_in(slot_minutes=30, booking_window_days=3)
    AvailabilityWindowFactory(mentor=mentor, weekday=0, start_time=dt.time(9), end_time=dt.time(10))
    nine = dt.datetime(2026, 3, 2, 9, tzinfo=NEW_YORK).astimezone(dt.UTC)
    assert slot_is_open(mentor, nine, now=NOW)
    assert not slot_is_open(mentor, nine + dt.timedelta(minutes=5), now=NOW)
    hold(mentor, nine)
    assert not slot_is_open(mentor, nine, now=NOW)


def test_many_mentors_at_once_match_one_by_one():
    mentors = []
    for n, zone in enumerate(["America/New_York", "Europe/Paris", "Asia/Tokyo", "UTC"]):
        mentor = mentor_in(zone, slot_minutes=30 + 15 * (n % 2), booking_window_days=20)
        AvailabilityWindowFactory(
            mentor=mentor, weekday=n, start_time=dt.time(8), end_time=dt.time(12)
        )
        AvailabilityOverrideFactory(mentor=mentor, date=dt.date(2026, 3, 9 + n))
        hold(mentor, open_slots(mentor, now=NOW)[1].start_at)
        mentors.append(mentor)
    mentors = list(
        Mentor.objects.filter(pk__in=[m.pk for m in mentors]).select_related("user__profile")
    )

    with assert_num_queries(3, at_most=True):
        together = open_slots_for_mentors(mentors, now=NOW, limit=5)

    for mentor in mentors:
        assert together[mentor.pk] == open_slots(mentor, now=NOW, limit=5)


def test_the_directory_prefilter_lists_each_mentor_once():
    mentor = mentor_in()
    AvailabilityWindowFactory(mentor=mentor, weekday=0)
    AvailabilityWindowFactory(mentor=mentor, weekday=1)
    one_day = mentor_in()
    AvailabilityOverrideFactory(
        mentor=one_day, kind=OverrideKind.WINDOW, start_time=dt.time(9), end_time=dt.time(10)
    )
    mentor_in()  # no window at all
    unlisted = mentor_in(listed=False)
    AvailabilityWindowFactory(mentor=unlisted)

    found = list(Mentor.objects.filter(has_open_slots_filter(timezone.now())))

    assert sorted(m.pk for m in found) == sorted([mentor.pk, one_day.pk])


# --- Adding and deleting -------------------------------------------------------------------


def test_window_end_must_follow_start(volunteer):
    mentor = MentorFactory(user=volunteer)
    with pytest.raises(ValidationError) as error:
        services.availability_window_add(
            mentor=mentor, weekday=0, start_time=dt.time(10), end_time=dt.time(10)
        )
    assert "after the start time" in str(error.value)


def test_overlapping_windows_are_refused_and_touching_ones_allowed(volunteer):
    mentor = MentorFactory(user=volunteer)
    services.availability_window_add(
        mentor=mentor, weekday=2, start_time=dt.time(9), end_time=dt.time(11)
    )
    with pytest.raises(ValidationError) as error:
        services.availability_window_add(
            mentor=mentor, weekday=2, start_time=dt.time(10, 30), end_time=dt.time(12)
        )
    assert "overlaps your Wednesday time 9:00 AM to 11:00 AM" in str(error.value)
    services.availability_window_add(
        mentor=mentor, weekday=2, start_time=dt.time(11), end_time=dt.time(12)
    )
    services.availability_window_add(
        mentor=mentor, weekday=3, start_time=dt.time(10), end_time=dt.time(12)
    )
    assert mentor.windows.count() == 3


def test_one_day_changes_are_validated(volunteer):
    mentor = MentorFactory(user=volunteer)
    today = timezone.localdate()
    soon = today + dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="today or a later date"):
        services.availability_override_add(
            mentor=mentor, date=today - dt.timedelta(days=1), kind=OverrideKind.BLACKOUT
        )
    with pytest.raises(ValidationError, match="start and an end time"):
        services.availability_override_add(mentor=mentor, date=soon, kind=OverrideKind.WINDOW)
    services.availability_override_add(
        mentor=mentor,
        date=soon,
        kind=OverrideKind.WINDOW,
        start_time=dt.time(9),
        end_time=dt.time(10),
    )
    with pytest.raises(ValidationError, match="overlaps your times"):
        services.availability_override_add(
            mentor=mentor,
            date=soon,
            kind=OverrideKind.WINDOW,
            start_time=dt.time(9, 30),
            end_time=dt.time(11),
        )
    with pytest.raises(ValidationError, match="delete them first"):
        services.availability_override_add(mentor=mentor, date=soon, kind=OverrideKind.BLACKOUT)
    away = services.availability_override_add(
        mentor=mentor, date=today, kind=OverrideKind.BLACKOUT, start_time=dt.time(9)
    )
    assert away.start_time is None
    with pytest.raises(ValidationError, match="already away"):
        services.availability_override_add(mentor=mentor, date=today, kind=OverrideKind.BLACKOUT)


# --- The availability page -----------------------------------------------------------------


def test_page_shows_the_volunteers_zone_and_next_open_slots(volunteer_client, volunteer):
    volunteer.profile.time_zone = "Asia/Tokyo"
    volunteer.profile.save()
    mentor = MentorFactory(user=volunteer, slot_minutes=45)
    for weekday in range(7):
        AvailabilityWindowFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(19), end_time=dt.time(21)
        )

    response = volunteer_client.get(PAGE)

    html = response.content.decode()
    assert 'id="volunteer-zone">Asia/Tokyo<' in html
    preview = response.context["preview"]
    assert len(preview) == 10
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert {start.astimezone(tokyo).strftime("%H:%M") for start, _ in preview} == {
        "19:00",
        "19:45",
    }
    assert "7:00 PM" in html


def test_page_before_any_profile_writes_nothing(volunteer_client, volunteer):
    response = volunteer_client.get(PAGE)
    assert response.status_code == 200
    assert not Mentor.objects.filter(user=volunteer).exists()
    assert "Students cannot see these times yet" in response.content.decode()


def test_rules_are_saved_and_validated(volunteer_client, volunteer):
    data = {
        "slot_minutes": "20",
        "buffer_minutes": "5",
        "min_notice_hours": "48",
        "booking_window_days": "14",
        "monthly_capacity": "6",
    }
    assert volunteer_client.post(PAGE, data).status_code == 302
    mentor = Mentor.objects.get(user=volunteer)
    assert (mentor.slot_minutes, mentor.buffer_minutes, mentor.min_notice_hours) == (20, 5, 48)
    assert (mentor.booking_window_days, mentor.monthly_capacity) == (14, 6)

    response = volunteer_client.post(
        PAGE, {**data, "slot_minutes": "25", "booking_window_days": "0"}
    )
    assert response.status_code == 200
    errors = response.context["rules_form"].errors
    assert set(errors) == {"slot_minutes", "booking_window_days"}
    mentor.refresh_from_db()
    assert mentor.slot_minutes == 20


def test_defaults_are_a_days_notice_and_thirty_days_ahead(volunteer_client):
    form = volunteer_client.get(PAGE).context["rules_form"]
    assert form.initial["min_notice_hours"] == 24
    assert form.initial["booking_window_days"] == 30


def test_add_and_delete_a_weekly_window(volunteer_client, volunteer):
    add = reverse("mentoring:window_add")
    response = volunteer_client.post(
        add, {"weekday": "1", "start_time": "12:00", "end_time": "13:00"}
    )
    assert response.status_code == 302
    window = AvailabilityWindow.objects.get(mentor__user=volunteer)
    assert (window.weekday, window.start_time, window.end_time) == (1, dt.time(12), dt.time(13))
    page = volunteer_client.get(PAGE).content.decode()
    assert "Tuesday, 12:00 PM to 1:00 PM" in page  # the success message
    assert "12:00 PM to 1:00 PM" in page

    response = volunteer_client.post(
        add, {"weekday": "1", "start_time": "12:30", "end_time": "14:00"}
    )
    assert response.status_code == 200
    assert "overlaps your Tuesday time" in response.content.decode()
    response = volunteer_client.post(
        add, {"weekday": "1", "start_time": "15:00", "end_time": "14:00"}
    )
    assert "The end time must be after the start time." in response.content.decode()

    delete = reverse("mentoring:window_delete", kwargs={"window_id": window.pk})
    assert volunteer_client.post(delete).status_code == 302
    assert not AvailabilityWindow.objects.filter(pk=window.pk).exists()


def test_add_and_delete_a_day(volunteer_client, volunteer):
    add = reverse("mentoring:override_add")
    day = timezone.localdate() + dt.timedelta(days=10)
    response = volunteer_client.post(
        add,
        {
            "override-date": day.isoformat(),
            "override-kind": "window",
            "override-start_time": "08:00",
            "override-end_time": "09:00",
        },
    )
    assert response.status_code == 302
    override = AvailabilityOverride.objects.get(mentor__user=volunteer)
    assert (override.date, override.kind) == (day, OverrideKind.WINDOW)

    past = timezone.localdate() - dt.timedelta(days=1)
    response = volunteer_client.post(
        add, {"override-date": past.isoformat(), "override-kind": "blackout"}
    )
    assert response.status_code == 200
    assert "Choose today or a later date." in response.content.decode()
    response = volunteer_client.post(
        add, {"override-date": day.isoformat(), "override-kind": "window"}
    )
    assert "Enter the time you are available from." in response.content.decode()

    delete = reverse("mentoring:override_delete", kwargs={"override_id": override.pk})
    assert volunteer_client.post(delete).status_code == 302
    assert not AvailabilityOverride.objects.exists()


def test_another_volunteers_window_and_day_are_404(volunteer_client):
    other = MentorFactory()
    window = AvailabilityWindowFactory(mentor=other)
    override = AvailabilityOverrideFactory(mentor=other)
    for url in (
        reverse("mentoring:window_delete", kwargs={"window_id": window.pk}),
        reverse("mentoring:override_delete", kwargs={"override_id": override.pk}),
    ):
        assert volunteer_client.post(url).status_code == 404
    assert AvailabilityWindow.objects.filter(pk=window.pk).exists()
    assert AvailabilityOverride.objects.filter(pk=override.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("student_client", 403), ("staff_client", 403), ("client", 302)]
)
def test_only_volunteers_may_change_availability(request, who, status):
    client = request.getfixturevalue(who)
    mentor = MentorFactory()
    window = AvailabilityWindowFactory(mentor=mentor)
    override = AvailabilityOverrideFactory(mentor=mentor)
    data = {"weekday": "1", "start_time": "12:00", "end_time": "13:00"}
    for url in (
        PAGE,
        reverse("mentoring:window_add"),
        reverse("mentoring:override_add"),
        reverse("mentoring:window_delete", kwargs={"window_id": window.pk}),
        reverse("mentoring:override_delete", kwargs={"override_id": override.pk}),
    ):
        response = client.post(url, data)
        assert response.status_code == status, url
        if status == 302:
            assert reverse("account_login") in response["Location"]
    assert AvailabilityWindow.objects.count() == 1
    assert AvailabilityOverride.objects.count() == 1
