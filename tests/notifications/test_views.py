"""The reminders page, its snooze and done buttons, the settings form, and the signed links
in reminder emails (snooze, done, unsubscribe) that work without logging in."""

from __future__ import annotations

import datetime as dt
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    ActionItem,
    Conversation,
    ConversationStatus,
    Organization,
    PreparedQuestion,
    Relationship,
)
from contacts.models import Contact as ContactModel
from contacts.reminders import custom_reminder_set
from contacts.services.pipeline import conversation_mark_held
from networking_app.notifications import links, services
from networking_app.notifications.kinds import kinds_for_role
from networking_app.notifications.models import (
    Delivery,
    EmailStatus,
    NotificationSettings,
    OutgoingEmail,
    Reminder,
    ReminderState,
)
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db

REMINDERS = reverse("notifications:reminders")
# The kinds contacts registers (other apps add more; the settings tests ask the registry).
CONTACT_KINDS = ["thank_you", "follow_up", "prep", "stay_in_touch", "action_item", "custom"]


def snooze_url(reminder: Reminder, days: int) -> str:
    return reverse("notifications:reminder_snooze", args=[reminder.pk, days])


def done_url(reminder: Reminder) -> str:
    return reverse("notifications:reminder_done", args=[reminder.pk])


def action_url(reminder: Reminder, action: str) -> str:
    token = links.reminder_token(reminder_id=reminder.pk, action=action)
    return reverse("notifications:reminder_action", args=[token])


def unsubscribe_url(user, kind: str) -> str:
    token = links.unsubscribe_token(user_id=user.pk, kind=kind)
    return reverse("notifications:unsubscribe", args=[token])


def tampered(url: str) -> str:
    """The same link with one character of its token changed."""
    prefix, token, _ = url.rsplit("/", 2)
    i = len(token) // 2
    swapped = "A" if token[i] != "A" else "B"
    return f"{prefix}/{token[:i]}{swapped}{token[i + 1 :]}/"


def snapshot(reminder: Reminder) -> tuple:
    reminder.refresh_from_db()
    return (reminder.state, reminder.due_at, reminder.snoozed)


@pytest.fixture
def held(student) -> Conversation:
    """A conversation with Maya Chen, held: its thank-you reminder is pending."""
    contact = ContactFactory(owner=student, name="Maya Chen")
    conversation = ConversationFactory(owner=student, contact=contact, status="scheduled")
    return conversation_mark_held(conversation=conversation)


@pytest.fixture
def thank_you(held) -> Reminder:
    return Reminder.objects.get(kind="thank_you", subject_key=f"conversation:{held.pk}")


# --- The reminders page ----------------------------------------------------------------------


@pytest.fixture
def morning(time_machine):
    """08:00 UTC: the thank-you (due a day after the conversation was marked held) falls due
    tomorrow before a reminder due tomorrow at 09:00 (student's zone: UTC)."""
    time_machine.move_to(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC), tick=False)


def test_reminders_page_lists_only_the_users_own_open_reminders(
    morning, student_client, student, other_student, thank_you
):
    mine = ContactFactory(owner=student, name="Sam Rivera")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    custom_reminder_set(contact=mine, text="Send Sam the article", due_on=tomorrow)
    finished = custom_reminder_set(contact=mine, text="Finished already", due_on=tomorrow)
    services.reminder_done(reminder=finished)
    theirs = ContactFactory(owner=other_student, name="Bob's Contact")
    custom_reminder_set(contact=theirs, text="Bob's own reminder", due_on=tomorrow)

    response = student_client.get(REMINDERS)

    titles = [item["title"] for item in response.context["items"]]
    assert titles == ["Thank Maya Chen for your conversation", "Send Sam the article"]
    html = response.text
    assert "Bob's own reminder" not in html
    assert "Finished already" not in html
    assert f'action="{snooze_url(thank_you, 1)}"' in html
    assert f'action="{done_url(thank_you)}"' in html


def test_a_reminder_whose_subject_is_gone_is_not_listed(student_client, student, thank_you):
    Conversation.objects.filter(pk=int(thank_you.subject_key.split(":")[1])).delete()
    response = student_client.get(REMINDERS)
    assert response.context["items"] == []
    assert "No reminder is open" in response.text


def test_snooze_from_the_app(student_client, thank_you):
    before = timezone.now()
    response = student_client.post(snooze_url(thank_you, 1), follow=True)
    assert response.redirect_chain[-1][0] == REMINDERS
    assert "Snoozed for a day." in response.text
    thank_you.refresh_from_db()
    assert thank_you.snoozed
    assert thank_you.state == ReminderState.PENDING
    assert before + dt.timedelta(days=1) <= thank_you.due_at <= timezone.now() + dt.timedelta(1)

    student_client.post(snooze_url(thank_you, 7))
    thank_you.refresh_from_db()
    assert thank_you.due_at >= before + dt.timedelta(days=7)


def test_done_from_the_app_marks_the_conversation_thanked(student_client, held, thank_you):
    response = student_client.post(done_url(thank_you), follow=True)
    assert "Marked as done." in response.text
    thank_you.refresh_from_db()
    held.refresh_from_db()
    assert thank_you.state == ReminderState.DONE
    assert held.status == ConversationStatus.THANKED
    assert "Thank Maya Chen" not in response.text


def test_only_one_and_seven_day_snoozes_exist(student_client, thank_you):
    before = snapshot(thank_you)
    assert student_client.post(snooze_url(thank_you, 3)).status_code == 404
    assert snapshot(thank_you) == before


@pytest.mark.parametrize("who", ["other_student_client", "volunteer_client", "staff_client"])
def test_nobody_else_can_snooze_or_finish_a_reminder(request, who, thank_you):
    client = request.getfixturevalue(who)
    before = snapshot(thank_you)
    for url in (snooze_url(thank_you, 1), snooze_url(thank_you, 7), done_url(thank_you)):
        assert client.post(url).status_code == 404
    assert snapshot(thank_you) == before
    assert "Thank Maya Chen" not in client.get(REMINDERS).text


def test_anonymous_snooze_goes_to_login(client, thank_you):
    before = snapshot(thank_you)
    response = client.post(snooze_url(thank_you, 1))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert snapshot(thank_you) == before


# --- Settings --------------------------------------------------------------------------------


def settings_data(**changes) -> dict:
    """A valid POST of the settings form for a student: every kind emailed at its default."""
    data = {"digest_hour": "8", "delivery_digest": "immediate"}
    for kind in kinds_for_role("student"):
        data[f"delivery_{kind.name}"] = "immediate"
        if kind.timing:
            data[f"timing_{kind.name}"] = str(kind.timing.default)
    data.update(changes)
    return data


def test_settings_form_saves_delivery_timing_and_digest_hour(student_client, student):
    data = settings_data(
        digest_hour="18",
        delivery_follow_up="digest",
        delivery_stay_in_touch="off",
        delivery_digest="off",
        timing_thank_you="48",
        timing_follow_up="10",
    )
    response = student_client.post(REMINDERS, data, follow=True)
    assert "Your reminder settings are saved." in response.text
    saved = NotificationSettings.objects.get(user=student)
    assert saved.digest_hour == 18
    assert saved.delivery["follow_up"] == Delivery.DIGEST
    assert saved.delivery["stay_in_touch"] == Delivery.OFF
    assert saved.delivery["thank_you"] == Delivery.IMMEDIATE
    assert saved.timing["thank_you"] == 48
    assert saved.timing["follow_up"] == 10
    assert saved.timing["prep"] == 1
    # The form shows what was saved.
    form = response.context["form"]
    assert form["digest_hour"].value() == 18
    assert form["timing_thank_you"].value() == 48
    assert form["delivery_follow_up"].value() == "digest"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("digest_hour", "25"),
        ("timing_thank_you", "0"),
        ("timing_follow_up", "1000"),
        ("timing_prep", "soon"),
        ("delivery_thank_you", "carrier pigeon"),
    ],
)
def test_bad_settings_are_refused_and_nothing_typed_is_lost(student_client, student, field, value):
    services.settings_update(user=student, digest_hour=7, delivery={}, timing={})
    data = settings_data(digest_hour="20", timing_follow_up="12", delivery_prep="digest")
    data[field] = value

    response = student_client.post(REMINDERS, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.text
    assert 'class="errorlist' in html
    # What was typed is still in the form, including the bad value.
    assert form[field].value() == value
    for name in ("digest_hour", "timing_follow_up", "delivery_prep"):
        if name != field:
            assert str(form[name].value()) == data[name]
    # Nothing was saved.
    saved = NotificationSettings.objects.get(user=student)
    assert (saved.digest_hour, saved.delivery, saved.timing) == (7, {}, {})


def test_volunteers_get_the_reminders_page_and_nav_link(volunteer_client):
    response = volunteer_client.get(REMINDERS)
    assert response.status_code == 200
    assert "Send my daily digest at" in response.text
    assert 'aria-current="page">Reminders</a>' in response.text


def test_staff_nav_has_no_reminders_link(staff_client):
    assert f'href="{REMINDERS}"' not in staff_client.get(reverse("staff:home")).text


def test_students_see_reminders_in_the_nav(student_client):
    assert f'href="{REMINDERS}"' in student_client.get(reverse("contacts:list")).text


def test_reminders_page_query_count_does_not_grow(student_client, student):
    """5, then 500 rows, each a contact with one reminder of every kind (the page shows the
    first 200 reminders)."""
    added = {"rows": 0}

    def add_rows(n):
        start = added["rows"]
        added["rows"] += n
        organizations = Organization.objects.bulk_create(
            [
                Organization(name=f"Org {i}", normalized_name=f"org {i}")
                for i in range(start, start + n)
            ]
        )
        contacts = ContactModel.objects.bulk_create(
            [
                ContactModel(
                    owner=student,
                    name=f"Person {start + i}",
                    organization=organization,
                    relationship=Relationship.ALUMNI,
                    cadence_days=14,
                    last_interaction_on=timezone.localdate() - dt.timedelta(days=30),
                )
                for i, organization in enumerate(organizations)
            ]
        )
        statuses = {"thank_you": "held", "follow_up": "requested", "prep": "scheduled"}
        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    owner=student,
                    contact=contact,
                    goal="learn",
                    status=status,
                    held_at=timezone.now(),
                    requested_on=timezone.localdate(),
                    scheduled_at=timezone.now() + dt.timedelta(days=1),
                )
                for contact in contacts
                for status in statuses.values()
            ]
        )
        PreparedQuestion.objects.bulk_create(
            [
                PreparedQuestion(conversation=c, text="How did you find your job?")
                for c in conversations
                if c.status == "scheduled"
            ]
        )
        items = ActionItem.objects.bulk_create(
            [ActionItem(owner=student, contact=c, text="Send the portfolio") for c in contacts]
        )
        reminders = []
        for i, (contact, item) in enumerate(zip(contacts, items, strict=True)):
            mine = [c for c in conversations if c.contact_id == contact.pk]
            subjects = [
                (kind, f"conversation:{c.pk}") for kind, c in zip(statuses, mine, strict=True)
            ]
            subjects += [
                ("stay_in_touch", f"contact:{contact.pk}"),
                ("action_item", f"action_item:{item.pk}"),
                ("custom", f"contact:{contact.pk}:x"),
            ]
            due = timezone.now() + dt.timedelta(days=1, minutes=start + i)
            reminders += [
                Reminder(user=student, kind=kind, subject_key=key, due_at=due, text="Hi")
                for kind, key in subjects
            ]
        Reminder.objects.bulk_create(reminders)

    assert_queries_stable(lambda: student_client.get(REMINDERS), add_rows, small=5, large=500)
    items = student_client.get(REMINDERS).context["items"]
    assert len(items) == 200
    assert {item["kind"].name for item in items} == set(CONTACT_KINDS)
    prep = next(item for item in items if item["kind"].name == "prep")
    assert "1. How did you find your job?" in prep["lines"]


# --- Signed links: snooze and done from an email ---------------------------------------------


@pytest.mark.parametrize(
    ("action", "button"),
    [
        ("snooze1", "Snooze this reminder for a day"),
        ("snooze7", "Snooze this reminder for a week"),
        ("done", "Mark this reminder as done"),
    ],
)
def test_signed_link_get_asks_and_changes_nothing(client, thank_you, action, button):
    before = snapshot(thank_you)
    response = client.get(action_url(thank_you, action))
    assert response.status_code == 200
    html = response.text
    assert "Thank Maya Chen for your conversation" in html
    assert f'<button type="submit">{button}</button>' in html
    assert snapshot(thank_you) == before


def test_signed_link_post_snoozes_for_a_day_or_a_week(client, thank_you):
    before = timezone.now()
    response = client.post(action_url(thank_you, "snooze1"))
    assert response.status_code == 200
    assert "Snoozed: we will remind you again in a day." in response.text
    thank_you.refresh_from_db()
    assert thank_you.snoozed
    assert thank_you.due_at >= before + dt.timedelta(days=1)

    response = client.post(action_url(thank_you, "snooze7"))
    assert "again in a week" in response.text
    thank_you.refresh_from_db()
    assert thank_you.due_at >= before + dt.timedelta(days=7)


def test_signed_link_done_on_a_thank_you_marks_the_conversation_thanked(client, held, thank_you):
    response = client.post(action_url(thank_you, "done"))
    assert response.status_code == 200
    assert "Done. This reminder will not come back." in response.text
    thank_you.refresh_from_db()
    held.refresh_from_db()
    assert thank_you.state == ReminderState.DONE
    assert held.status == ConversationStatus.THANKED

    # The same link again: nothing left to do, and nothing happens.
    again = client.get(action_url(thank_you, "snooze1"))
    assert "already finished" in again.text
    client.post(action_url(thank_you, "snooze1"))
    thank_you.refresh_from_db()
    assert thank_you.state == ReminderState.DONE


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_reminder_link_is_refused_and_changes_nothing(client, thank_you, method):
    before = snapshot(thank_you)
    response = getattr(client, method)(tampered(action_url(thank_you, "done")))
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert "changed or cut short" in response.text
    assert "Nothing was changed." in response.text
    assert snapshot(thank_you) == before


def test_a_token_for_another_purpose_is_refused(client, student, thank_you):
    # An unsubscribe token is signed with another salt: it is not a reminder link.
    before = snapshot(thank_you)
    token = links.unsubscribe_token(user_id=student.pk, kind="thank_you")
    response = client.post(reverse("notifications:reminder_action", args=[token]))
    assert response.status_code == 400
    assert snapshot(thank_you) == before


def test_expired_reminder_link_says_so_and_changes_nothing(client, thank_you):
    issued = time.time() - links.LINK_MAX_AGE - 60
    with mock.patch("django.core.signing.time.time", return_value=issued):
        url = action_url(thank_you, "snooze1")
    before = snapshot(thank_you)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert "The link has expired" in response.text
        assert "Nothing was changed." in response.text
    assert snapshot(thank_you) == before


def test_link_to_a_deleted_reminder(client, thank_you):
    url = action_url(thank_you, "done")
    thank_you.delete()
    response = client.get(url)
    assert response.status_code == 400
    assert "no longer exists" in response.text


# --- Unsubscribe -----------------------------------------------------------------------------


def test_unsubscribe_get_asks_and_changes_nothing(client, student):
    response = client.get(unsubscribe_url(student, "thank_you"))
    assert response.status_code == 200
    assert "Stop getting “Thank-you due” reminders by email?" in response.text
    assert services.delivery_for(services.settings_for(student), "thank_you") == "immediate"


def test_one_click_unsubscribe_needs_no_csrf_token(student):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, with no cookie or token."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        unsubscribe_url(student, "thank_you"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You will no longer get “Thank-you due” reminders by email." in response.text
    current = services.settings_for(student)
    assert services.delivery_for(current, "thank_you") == Delivery.OFF
    assert services.delivery_for(current, "follow_up") == Delivery.IMMEDIATE


def test_unsubscribe_from_the_digest(client, student):
    response = client.post(unsubscribe_url(student, "digest"))
    assert "You will no longer get the daily digest by email." in response.text
    assert services.settings_for(student).delivery["digest"] == Delivery.OFF


def test_tampered_unsubscribe_link_changes_nothing(student):
    client = Client(enforce_csrf_checks=True)
    response = client.post(tampered(unsubscribe_url(student, "thank_you")))
    assert response.status_code == 400
    assert "This link does not work" in response.text
    assert services.settings_for(student).delivery == {}


# --- The development mailbox shows the outbox ------------------------------------------------


def test_dev_mailbox_lists_queued_and_failed_outbox_rows(client, student, outbox_backend):
    contact = ContactFactory(owner=student, name="Maya Chen")
    conversation = ConversationFactory(owner=student, contact=contact, status="scheduled")
    conversation_mark_held(conversation=conversation)
    services.reminders_dispatch(now=timezone.now() + dt.timedelta(hours=25))
    queued = OutgoingEmail.objects.get()
    failed = OutgoingEmail.objects.create(
        from_email="rapport@example.edu",
        to=["dana@example.org"],
        subject="Your volunteer application",
        text="body",
        message_id="<failed@example.edu>",
        idempotency_key="failed",
        status=EmailStatus.FAILED,
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 No such user",
    )

    response = client.get(reverse("devmail:list"))

    assert response.context["outbox"] == [failed, queued]  # newest first
    html = response.text
    assert "Thank Maya Chen for your conversation" in html
    assert "Queued" in html
    assert "Failed" in html
    assert "8 attempts" in html
    assert "SMTPRecipientsRefused: 550 No such user" in html
    assert "No email has been sent yet." in html  # nothing delivered to the files


def test_dev_mailbox_outbox_is_limited_to_the_newest_50(client, db):
    OutgoingEmail.objects.bulk_create(
        [
            OutgoingEmail(
                from_email="a@example.edu",
                to=["b@example.edu"],
                subject=f"Message {i}",
                text="body",
                message_id=f"<{i}@example.edu>",
                idempotency_key=f"k{i}",
                created_at=timezone.now() + dt.timedelta(seconds=i),
            )
            for i in range(60)
        ]
    )
    outbox_rows = client.get(reverse("devmail:list")).context["outbox"]
    assert [row.subject for row in outbox_rows][:2] == ["Message 59", "Message 58"]
    assert len(outbox_rows) == 50


def test_dev_mailbox_outbox_is_empty(client, db):
    assert "The outbox is empty." in client.get(reverse("devmail:list")).text
