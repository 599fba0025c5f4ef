"""Reminder emails, end to end: the email is produced the way production produces it (due
reminder → outbox row → delivery to the development mailbox), read on /dev/mail/, and its links
(snooze, done, unsubscribe) are followed in Chromium without logging in. Also the "Remind me"
card of a contact's page, and the staff "Email delivery" page.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import ConversationStatus
from contacts.services.pipeline import conversation_mark_held
from networking_app.notifications import outbox, services
from networking_app.notifications.models import (
    Delivery,
    EmailStatus,
    OutgoingEmail,
    Reminder,
    ReminderState,
)
from tests.contacts.factories import ContactFactory, ConversationFactory
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.browser

MAYA = "Maya Chen"
THANK_YOU_SUBJECT = f"Thank {MAYA} for your conversation"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# --- Helpers ---------------------------------------------------------------------------------


@pytest.fixture
def real_mail_path(settings, tmp_path, live_server):
    """Mail goes through the outbox, and delivery writes files for the /dev/mail/ page."""
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    settings.OUTBOX_DELIVERY_BACKEND = "networking_app.devmail.backends.MailboxBackend"
    settings.MAILBOX_DIR = tmp_path / "mail"
    settings.SENT_MAIL_PAGE = True
    settings.SITE_URL = live_server.url  # links in the emails point at the test server
    return settings


def sign_in(page: Page, base: str, user) -> None:
    """A session made by Django's test client, handed to the browser."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}]
    )


def send_due_reminders(hours_from_now: float) -> list[OutgoingEmail]:
    """What the worker does on its tick: due reminders become outbox rows, then are sent."""
    before = set(OutgoingEmail.objects.values_list("pk", flat=True))
    services.reminders_dispatch(now=timezone.now() + dt.timedelta(hours=hours_from_now))
    new = list(OutgoingEmail.objects.exclude(pk__in=before).order_by("pk"))
    assert new, "no reminder email was written to the outbox"
    assert outbox.deliver([email.pk for email in new]) == len(new)
    return new


def open_newest_email(page: Page, base: str, subject: str) -> None:
    page.goto(base + "/dev/mail/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sent mail")
    delivered = page.locator("#files")
    delivered.get_by_role("row").filter(has_text=subject).first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)


def email_link(page: Page, name: str) -> str:
    """The address behind a link of the email's HTML part, e.g. "Snooze for a day"."""
    html_part = page.frame_locator("iframe.mail-html")
    href = html_part.get_by_role("link", name=name).get_attribute("href")
    assert href, f"no {name!r} link in the email"
    return href


def click_in_text_part(page: Page, href: str) -> None:
    """Follow the same address in the text part (the HTML part is a sandboxed frame)."""
    page.locator("#mail-text").get_by_role("link", name=href, exact=True).click()


def phone_screenshot(page: Page, name: str) -> None:
    """The same page on a phone: nothing may scroll sideways."""
    page.set_viewport_size(PHONE)
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways on a phone"
    screenshot(page, f"{name}_390")
    page.set_viewport_size(DESKTOP)


def change_one_character(url: str) -> str:
    prefix, token, _ = url.rsplit("/", 2)
    i = len(token) // 2
    return f"{prefix}/{token[:i]}{'A' if token[i] != 'A' else 'B'}{token[i + 1 :]}/"


# --- Journeys --------------------------------------------------------------------------------


def test_snooze_done_and_unsubscribe_from_reminder_emails(
    live_server, page: Page, student, real_mail_path
):
    base = live_server.url
    contact = ContactFactory(owner=student, name=MAYA)
    conversation = conversation_mark_held(
        conversation=ConversationFactory(owner=student, contact=contact, status="scheduled")
    )
    reminder = Reminder.objects.get(kind="thank_you", subject_key=f"conversation:{conversation.pk}")

    # 1. The thank-you falls due: one email, written to the outbox, then delivered.
    (first,) = send_due_reminders(hours_from_now=25)
    assert first.subject == THANK_YOU_SUBJECT
    assert first.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The development mailbox shows the outbox row and the delivered message.
    page.goto(base + "/dev/mail/")
    outbox_row = page.locator("#outbox").get_by_role("row").filter(has_text=THANK_YOU_SUBJECT)
    expect(outbox_row).to_contain_text("Sent")
    expect(outbox_row).to_contain_text(student.email)
    screenshot(page, "devmail_outbox_1280")
    phone_screenshot(page, "devmail_outbox")

    open_newest_email(page, base, THANK_YOU_SUBJECT)
    html_part = page.frame_locator("iframe.mail-html")
    expect(html_part.get_by_role("link", name="Write the thank-you note")).to_be_visible()
    screenshot(page, "reminder_email_1280")

    # 2. "Snooze for a day": a confirmation page first (mail scanners follow links), then done.
    click_in_text_part(page, email_link(page, "Snooze for a day"))
    expect(page.get_by_role("heading", level=1)).to_have_text(THANK_YOU_SUBJECT)
    button = page.get_by_role("button", name="Snooze this reminder for a day")
    expect(button).to_be_visible()
    screenshot(page, "reminder_link_confirm_snooze_1280")
    phone_screenshot(page, "reminder_link_confirm_snooze")
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT  # opening the link changed nothing
    button.click()
    expect(
        page.get_by_role("status").filter(has_text="we will remind you again in a day")
    ).to_be_visible()
    screenshot(page, "reminder_link_snoozed_1280")
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.PENDING
    assert reminder.snoozed
    assert reminder.due_at > timezone.now() + dt.timedelta(hours=23)

    # 3. A day later the reminder comes back: "Mark as done" in the second email.
    (second,) = send_due_reminders(hours_from_now=25)
    assert second.subject == THANK_YOU_SUBJECT
    open_newest_email(page, base, THANK_YOU_SUBJECT)
    done_href = email_link(page, "Mark as done")
    assert done_href != email_link(page, "Snooze for a day")
    unsubscribe_href = email_link(page, "Stop these emails (Thank-you due)")
    click_in_text_part(page, done_href)
    page.get_by_role("button", name="Mark this reminder as done").click()
    expect(
        page.get_by_role("status").filter(has_text="Done. This reminder will not come back.")
    ).to_be_visible()
    screenshot(page, "reminder_link_done_1280")
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.THANKED
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.DONE

    # 4. Unsubscribe from thank-you reminders, from the same email.
    page.goto(base + "/dev/mail/")
    open_newest_email(page, base, THANK_YOU_SUBJECT)
    click_in_text_part(page, unsubscribe_href)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails")
    expect(page.get_by_text("Stop getting “Thank-you due” reminders by email?")).to_be_visible()
    screenshot(page, "unsubscribe_confirm_1280")
    phone_screenshot(page, "unsubscribe_confirm")
    assert services.delivery_for(services.settings_for(student), "thank_you") != Delivery.OFF
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You will no longer get “Thank-you due” reminders by email."
    )
    screenshot(page, "unsubscribed_1280")
    assert services.delivery_for(services.settings_for(student), "thank_you") == Delivery.OFF

    # 5. A link with one character changed: a clear page, and nothing changes.
    services.settings_update(user=student, digest_hour=8, delivery={}, timing={})
    before = (reminder.state, reminder.due_at, services.settings_for(student).delivery)
    for href in (done_href, unsubscribe_href):
        page.goto(change_one_character(href))
        expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
        expect(page.get_by_role("alert")).to_contain_text("Nothing was changed.")
        expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    screenshot(page, "reminder_link_tampered_1280")
    phone_screenshot(page, "reminder_link_tampered")
    reminder.refresh_from_db()
    after = (reminder.state, reminder.due_at, services.settings_for(student).delivery)
    assert after == before


def test_student_sets_and_cancels_a_reminder_on_a_contact(live_server, page: Page, student):
    base = live_server.url
    contact = ContactFactory(owner=student, name=MAYA)
    sign_in(page, base, student)
    page.goto(f"{base}/my/contacts/{contact.pk}/")
    card = page.locator("#reminders")
    expect(card.get_by_role("heading", level=2)).to_have_text(f"Your reminders about {MAYA}")

    # A date that has passed: the error is shown in the card, and the text is kept.
    card.get_by_label(re.compile(r"^Remind me to")).fill("Send Maya the museum careers article")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    card.get_by_label(re.compile(r"^On")).fill(yesterday.isoformat())
    card.get_by_role("button", name="Set reminder").click()
    expect(card.get_by_text("That day has passed")).to_be_visible()
    expect(card.get_by_label(re.compile(r"^Remind me to"))).to_have_value(
        "Send Maya the museum careers article"
    )
    screenshot(page, "contact_reminder_error_1280", full_page=False)

    next_week = timezone.localdate() + dt.timedelta(days=7)
    card.get_by_label(re.compile(r"^On")).fill(next_week.isoformat())
    card.get_by_label(re.compile(r"^Repeat")).select_option(label="Every 3 months")
    card.get_by_role("button", name="Set reminder").click()
    expect(
        page.locator("#messages").get_by_role("status").filter(has_text="We will remind you on")
    ).to_be_visible()
    item = page.locator("#reminders li").filter(has_text="Send Maya the museum careers article")
    expect(item).to_contain_text("then every 3 months")
    screenshot(page, "contact_reminder_added_1280")
    phone_screenshot(page, "contact_reminder_added")
    assert Reminder.objects.get(kind="custom").repeat_days == 91

    # It is on the Reminders page too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reminders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    expect(page.locator("#reminder-list")).to_contain_text("Send Maya the museum careers article")
    screenshot(page, "reminders_page_1280")
    phone_screenshot(page, "reminders_page")

    page.goto(f"{base}/my/contacts/{contact.pk}/")
    page.locator("#reminders").get_by_role("button", name=re.compile(r"^Cancel")).click()
    expect(
        page.locator("#messages").get_by_role("status").filter(has_text="Reminder cancelled")
    ).to_be_visible()
    expect(page.locator("#reminders li")).to_have_count(0)
    assert Reminder.objects.get(kind="custom").state == ReminderState.CANCELLED


def test_staff_email_delivery_page(live_server, page: Page, staff):
    key = "e2e-failed"
    failed = OutgoingEmail.objects.create(
        from_email="rapport@example.edu",
        to=["dana@example.org"],
        subject="Your volunteer application",
        text="Body that staff must not see",
        message_id=f"<{key}@example.edu>",
        idempotency_key=key,
        status=EmailStatus.FAILED,
        attempts=8,
        last_error="SMTPRecipientsRefused: {'dana@example.org': (550, b'5.1.1 No such user')}",
    )
    sign_in(page, live_server.url, staff)
    page.goto(live_server.url + "/staff/")
    expect(page.get_by_text("1 email could not be delivered.")).to_be_visible()
    screenshot(page, "staff_home_email_card_1280")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Email delivery").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email delivery")
    expect(page.get_by_text("Body that staff must not see")).to_have_count(0)
    screenshot(page, "staff_emails_1280")
    phone_screenshot(page, "staff_emails")
    page.get_by_role("button", name=re.compile(r"^Retry")).click()
    expect(page.get_by_role("status")).to_contain_text("queued to be sent again")
    screenshot(page, "staff_emails_after_retry_1280")
    failed.refresh_from_db()
    assert failed.status == EmailStatus.QUEUED
