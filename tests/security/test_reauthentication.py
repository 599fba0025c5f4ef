"""Staff actions that grant power or reach many people ask for the second factor again when the
last one is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (accounts.decorators.
staff_reauthentication_required): adding staff, approving volunteers (both review paths and
invitations, which approve on sign-up), publishing a round, nudge emails, the console's CSV
export, an event's attendee list (personal data) and cancelling an event (which emails
everyone going). Until staff enter their TOTP code, nothing happens; after it, allauth replays the
request and the action is done.

The staff here are signed in with force_login only, so their session records no second factor:
these tests do not use tests/conftest.py's staff_client (which records one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from events.models import RSVP, Event, EventStatus, RSVPStatus
from mentoring.models import Match, MatchRound, RoundStatus
from networking_app.accounts.models import ApprovalStatus, User, VolunteerProfile
from networking_app.console.models import VolunteerInvitation
from networking_app.core.models import AuditLog
from tests.events.factories import EventFactory
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    StaffFactory,
    StudentFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.UTC)
REAUTH = reverse("mfa_reauthenticate")


def _code(at: dt.datetime) -> str:
    return format_hotp_value(hotp_value(TOTP_SECRET, int(at.timestamp()) // 30))


def _plain_staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


# --- The actions ---------------------------------------------------------------------------


@dataclass
class Action:
    """One sensitive action: how to ask for it, and whether it happened."""

    method: str
    url: Callable[[], str]
    data: dict
    done: Callable[[], bool] | None  # None for a download: the response itself shows it


def _pending_volunteer() -> User:
    return VolunteerFactory(volunteer_profile__status=ApprovalStatus.PENDING)


def _approved(user: User) -> bool:
    return VolunteerProfile.objects.get(user=user).status == ApprovalStatus.APPROVED


def _closed_round_with_a_match(staff) -> MatchRound:
    today = dt.date(2026, 12, 8)
    match_round = MatchRound.objects.create(
        name="Winter round",
        created_by=staff,
        signup_deadline=NOW - dt.timedelta(days=1),
        window_start=today + dt.timedelta(days=10),
        window_end=today + dt.timedelta(days=40),
        status=RoundStatus.CLOSED,
    )
    Match.objects.create(round=match_round, student=StudentFactory(), volunteer=VolunteerFactory())
    return match_round


def _action(name: str, staff) -> Action:
    if name == "add staff":
        return Action(
            "post",
            lambda: reverse("staff:team"),
            {"email": "new.colleague@example.edu", "display_name": "Nico"},
            lambda: User.objects.filter(email="new.colleague@example.edu").exists(),
        )
    if name == "approve from the staff home":
        volunteer = _pending_volunteer()
        return Action(
            "post",
            lambda: reverse("console:volunteer_decide", kwargs={"volunteer_id": volunteer.pk}),
            {"decision": "approve", "back": "home"},
            lambda: _approved(volunteer),
        )
    if name == "decide on a volunteer":
        volunteer = _pending_volunteer()
        return Action(
            "post",
            lambda: reverse("console:volunteer_decide", kwargs={"volunteer_id": volunteer.pk}),
            {"decision": "approve"},
            lambda: _approved(volunteer),
        )
    if name == "invite a volunteer":
        return Action(
            "post",
            lambda: reverse("console:invitations"),
            {"email": "friend@example.org", "days": 14},
            lambda: VolunteerInvitation.objects.filter(email="friend@example.org").exists(),
        )
    if name == "publish a round":
        match_round = _closed_round_with_a_match(staff)
        return Action(
            "post",
            lambda: reverse("mentoring:round_publish", kwargs={"round_id": match_round.pk}),
            {},
            lambda: MatchRound.objects.get(pk=match_round.pk).status == RoundStatus.PUBLISHED,
        )
    if name == "send a nudge":
        StudentFactory()  # no contacts yet: the one recipient
        return Action(
            "post",
            lambda: reverse("console:nudge_send"),
            {"audience": "students_not_started", "expected": 1, "nonce": "n0nce"},
            lambda: len(mail.outbox) > 0,
        )
    if name == "export a chart":
        from networking_app.console.reports import CHART_KEYS

        return Action(
            "get",
            lambda: reverse("console:chart_export", kwargs={"chart_key": CHART_KEYS[0]}),
            {},
            lambda: AuditLog.objects.filter(action__startswith="export").exists(),
        )
    if name == "export an event's attendees":
        event = EventFactory(created_by=staff)
        return Action(
            "get",
            lambda: reverse("events:attendees_csv", kwargs={"event_id": event.pk}),
            {},
            None,
        )
    if name == "cancel an event":
        event = EventFactory(created_by=staff)
        RSVP.objects.create(event=event, user=StudentFactory(), status=RSVPStatus.GOING)
        return Action(
            "post",
            lambda: reverse("events:cancel", kwargs={"event_id": event.pk}),
            {"reason": "The room flooded."},
            lambda: Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED,
        )
    raise KeyError(name)


ACTIONS = [
    "add staff",
    "approve from the staff home",
    "decide on a volunteer",
    "invite a volunteer",
    "publish a round",
    "send a nudge",
    "export a chart",
    "export an event's attendees",
    "cancel an event",
]


def _ask(client: Client, action: Action):
    return getattr(client, action.method)(action.url(), action.data)


@pytest.fixture
def staff(db):
    return StaffFactory(email="erin@example.edu")


@pytest.mark.parametrize("name", ACTIONS)
@time_machine.travel(NOW, tick=False)
def test_without_a_recent_second_factor_staff_are_sent_to_confirm_it_and_nothing_happens(
    name, staff
):
    action = _action(name, staff)
    client = _plain_staff_client(staff)
    response = _ask(client, action)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{REAUTH}?next=")
    assert action.done is None or not action.done()
    assert len(mail.outbox) == 0


@pytest.mark.parametrize("name", ACTIONS)
def test_after_the_totp_code_the_action_is_done(name, staff, time_machine):
    time_machine.move_to(NOW, tick=False)
    action = _action(name, staff)
    client = _plain_staff_client(staff)
    response = _ask(client, action)
    assert response["Location"].startswith(f"{REAUTH}?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "code" in page.context["form"].fields

    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200
    assert action.done is None or not action.done()

    time_machine.move_to(NOW + dt.timedelta(seconds=40), tick=False)
    resumed = client.post(response["Location"], {"code": _code(NOW + dt.timedelta(seconds=40))})
    assert resumed.status_code in (200, 302)
    if action.method == "get":  # a download: allauth sends staff back to the link
        assert resumed["Location"] == action.url()
        download = client.get(action.url())
        assert download.status_code == 200
        assert download["Content-Type"].startswith("text/csv")
    if action.done is not None:
        assert action.done()


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("staff team", lambda staff: reverse("staff:team")),
        ("invitations", lambda staff: reverse("console:invitations")),
        (
            "publish preview",
            lambda staff: reverse(
                "mentoring:round_publish",
                kwargs={"round_id": _closed_round_with_a_match(staff).pk},
            ),
        ),
        ("nudge preview", lambda staff: reverse("console:nudges")),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_the_pages_before_an_action_need_no_code(name, page, staff):
    assert _plain_staff_client(staff).get(page(staff)).status_code == 200


def test_a_code_counts_for_ten_minutes(staff, time_machine):
    time_machine.move_to(NOW, tick=False)
    client = _plain_staff_client(staff)
    action = _action("add staff", staff)
    url = _ask(client, action)["Location"]
    client.post(url, {"code": _code(NOW)})
    assert action.done()

    time_machine.move_to(NOW + dt.timedelta(minutes=9), tick=False)
    second = {"email": "second@example.edu", "display_name": "Sam"}
    response = client.post(reverse("staff:team"), second)
    assert response.status_code == 302, response.content
    assert response["Location"] == reverse("staff:team"), response["Location"]
    assert User.objects.filter(email="second@example.edu").exists()

    time_machine.move_to(NOW + dt.timedelta(minutes=11), tick=False)
    third = {"email": "third@example.edu", "display_name": "Tao"}
    response = client.post(reverse("staff:team"), third)
    assert response["Location"].startswith(f"{REAUTH}?next=")
    assert not User.objects.filter(email="third@example.edu").exists()


@time_machine.travel(NOW, tick=False)
def test_the_code_typed_at_sign_in_counts(staff):
    client = Client()
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": _code(NOW)}).status_code == 302
    action = _action("add staff", staff)
    response = _ask(client, action)
    assert response["Location"] == reverse("staff:team")
    assert action.done()


@time_machine.travel(NOW, tick=False)
def test_a_password_alone_does_not_count(staff):
    """allauth's own reauthentication by password is still offered for allauth's pages, but
    staff actions want the second factor."""
    client = _plain_staff_client(staff)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": NOW.timestamp(), "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(staff.pk)
    session.save()
    action = _action("add staff", staff)
    assert _ask(client, action)["Location"].startswith(f"{REAUTH}?next=")
    assert not action.done()


@time_machine.travel(NOW, tick=False)
def test_staff_are_sent_to_their_authenticator_not_to_their_password(staff):
    client = _plain_staff_client(staff)
    response = client.get(reverse("account_reauthenticate"))
    assert response.status_code == 200  # still there for allauth's own pages
    action = _action("publish a round", staff)
    assert _ask(client, action)["Location"].startswith(REAUTH)


@pytest.mark.parametrize("name", ["add staff", "publish a round", "send a nudge"])
@time_machine.travel(NOW, tick=False)
def test_a_scripted_post_is_refused_even_right_after_the_code(name, staff):
    """An htmx or fetch request (what injected hx-post markup sends) never runs one of these
    actions, and is not kept to run after a code either."""
    from tests.conftest import confirm_second_factor

    client = _plain_staff_client(staff)
    confirm_second_factor(client, staff)
    action = _action(name, staff)
    response = client.post(
        action.url(), action.data, HTTP_SEC_FETCH_MODE="cors", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert not action.done()
    assert "account_reauthentication_state" not in client.session
