import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from contacts.services.pipeline import conversation_mark_held, conversation_mark_thanked
from networking_app.notifications import outbox, services
from networking_app.notifications.models import OutgoingEmail, Reminder, ReminderState
from tests.contacts.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(student):
    contact = ContactFactory(owner=student, name="Maya Chen")
    conversation = ConversationFactory(owner=student, contact=contact, status="scheduled")
    return conversation_mark_held(conversation=conversation)


def test_held_conversation_schedules_a_thank_you_reminder(held):
    reminder = Reminder.objects.get(kind="thank_you")
    assert reminder.due_at == held.held_at + dt.timedelta(hours=24)
    conversation_mark_thanked(conversation=held)
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.CANCELLED


def test_due_reminder_becomes_one_email_with_links_and_unsubscribe_headers(held, outbox_backend):
    later = timezone.now() + dt.timedelta(hours=25)
    assert services.reminders_dispatch(now=later) == 1
    assert services.reminders_dispatch(now=later) == 0
    row = OutgoingEmail.objects.get(kind="thank_you")
    assert "Maya Chen" in row.subject
    assert "/r/" in row.text or "reminders" in row.text
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert row.headers["List-Unsubscribe"].startswith("<http://testserver/")
    outbox.deliver([row.pk])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].alternatives


def test_reminder_no_longer_relevant_is_cancelled_not_sent(held, outbox_backend):
    # Thanked without going through the service (e.g. an old reminder): relevance is checked.
    type(held).objects.filter(pk=held.pk).update(status="thanked")
    services.reminders_dispatch(now=timezone.now() + dt.timedelta(hours=25))
    assert not OutgoingEmail.objects.exists()
    assert Reminder.objects.get().state == ReminderState.CANCELLED


def test_digest_delivery_collects_reminders_once_a_day(held, student, outbox_backend):
    services.settings_update(
        user=student, digest_hour=8, delivery={"thank_you": "digest"}, timing={}
    )
    later = timezone.now() + dt.timedelta(hours=25)
    services.reminders_dispatch(now=later)
    assert Reminder.objects.get().state == ReminderState.DIGEST
    zone = services.user_zone(student)
    local = later.astimezone(zone)
    nine = services.local_time_on(local.date() + dt.timedelta(days=1), 9, zone)
    assert services.digests_dispatch(now=nine) == 1
    assert services.digests_dispatch(now=nine + dt.timedelta(hours=1)) == 0
    assert OutgoingEmail.objects.filter(kind="digest").count() == 1


def test_off_means_no_email(held, student, outbox_backend):
    services.unsubscribe(user=student, kind="thank_you")
    services.reminders_dispatch(now=timezone.now() + dt.timedelta(hours=25))
    assert not OutgoingEmail.objects.exists()


def test_local_time_on_skips_the_spring_forward_gap():
    import zoneinfo

    zone = zoneinfo.ZoneInfo("America/New_York")
    when = services.local_time_on(dt.date(2026, 3, 8), 2, zone)
    assert when.astimezone(zone).hour == 3
