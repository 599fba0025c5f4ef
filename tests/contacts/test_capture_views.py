"""Email capture's pages: the student's address (copy, new address), the people it proposes
(added or dismissed in one click), what it logged, Today's "schedule it?" list, and the
inbound-mail webhook with its signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contacts.capture.models import (
    CaptureAddress,
    CapturedMessage,
    CaptureDropCount,
    CaptureKind,
    CaptureStatus,
    Direction,
    DropReason,
)
from contacts.models import Contact, ConversationStatus
from tests.contacts.capture_helpers import (
    ADDRESS,
    AFTER_REPLY,
    ALICE,
    capture_address,
    drops,
    eml,
    ingest,
    jane,
)
from tests.contacts.factories import ContactFactory
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db
PAGE = reverse("contacts:capture")
WEBHOOK = reverse("capture_inbound")


def _proposal(owner, number: int = 0) -> CapturedMessage:
    return CapturedMessage.objects.create(
        owner=owner,
        message_id=f"proposal-{number}@example.edu",
        subject=f"Question {number}",
        sent_at=timezone.now(),
        direction=Direction.SENT,
        kind=CaptureKind.INTRO,
        status=CaptureStatus.PROPOSED,
        counterpart_email=f"person{number}@example.com",
        counterpart_name=f"Person {number}",
    )


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_address_to_copy_and_the_accepted_senders(student, student_client):
    response = student_client.get(PAGE)
    address = CaptureAddress.objects.get(owner=student)
    html = response.content.decode()
    assert f'value="{address.token}@capture.example.edu"' in html
    assert 'data-copy-target="capture-address"' in html
    assert "<strong>alice@example.edu</strong>" in html
    assert reverse("account_email") in html
    assert "Nothing logged yet" in html
    assert student_client.get(PAGE).context["page"].address == address  # drawn once


def test_the_page_says_how_many_emails_were_refused(student, student_client):
    capture_address(student)
    CaptureAddress.objects.filter(owner=student).update(
        refused_count=3, last_refused_at=dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    )
    html = student_client.get(PAGE).content.decode()
    assert "3 emails sent to this address did not come from one of your verified addresses" in html


def test_the_page_lists_proposals_and_what_was_logged(student, student_client):
    capture_address(student)
    with time_machine.travel(AFTER_REPLY, tick=False):
        jane(student)
        ingest("gmail_bcc_intro.eml")
        ingest("thunderbird_latin1_intro.eml")
        student_client.force_login(student)  # a session of that day (sessions last two weeks)
        html = student_client.get(PAGE).content.decode()
    assert "José Álvarez" in html
    assert "Add as a contact" in html
    assert "Jane Doe" in html
    assert "Would you have 20 minutes for a Westbrook student?" in html


def test_without_a_capture_domain_the_page_says_it_is_not_set_up(student_client, settings):
    settings.CAPTURE_DOMAIN = ""
    response = student_client.get(PAGE)
    assert "not set up at your school yet" in response.content.decode()
    assert not CaptureAddress.objects.exists()
    assert student_client.post(reverse("contacts:capture_rotate")).status_code == 404


def test_getting_a_new_address(student, student_client):
    old = capture_address(student).token
    response = student_client.post(reverse("contacts:capture_rotate"), follow=True)
    new = CaptureAddress.objects.get(owner=student).token
    assert new != old
    assert f"Your new address is {new}@capture.example.edu" in response.content.decode()


def test_the_page_costs_the_same_queries_with_more_rows(student, student_client):
    capture_address(student)
    contact = jane(student)
    count = [0]

    def add_rows(n):
        for _ in range(n):
            count[0] += 1
            _proposal(student, count[0])
            row = _proposal(student, 1000 + count[0])
            CapturedMessage.objects.filter(pk=row.pk).update(
                status=CaptureStatus.LOGGED, contact=contact
            )

    assert_queries_stable(lambda: student_client.get(PAGE), add_rows)


# --- Proposals --------------------------------------------------------------------------------


def test_adding_a_proposed_person(student, student_client):
    row = _proposal(student)
    response = student_client.post(reverse("contacts:capture_accept", args=[row.pk]))
    contact = Contact.objects.get(owner=student)
    assert response.url == reverse("contacts:detail", args=[contact.pk])
    assert (contact.name, contact.email) == ("Person 0", "person0@example.com")
    assert contact.conversations.get().status == ConversationStatus.REQUESTED


def test_dismissing_a_proposed_person(student, student_client):
    row = _proposal(student)
    response = student_client.post(reverse("contacts:capture_dismiss", args=[row.pk]))
    assert response.url == PAGE
    assert not CapturedMessage.objects.exists()


def test_another_students_proposal_is_not_found(student, other_student_client):
    row = _proposal(student)
    for name in ("contacts:capture_accept", "contacts:capture_dismiss"):
        assert other_student_client.post(reverse(name, args=[row.pk])).status_code == 404
    assert CapturedMessage.objects.filter(pk=row.pk, status=CaptureStatus.PROPOSED).exists()


# --- Today ------------------------------------------------------------------------------------


def test_today_asks_to_schedule_the_conversations_they_answered(student, student_client):
    capture_address(student)
    with time_machine.travel(AFTER_REPLY, tick=False):
        contact = jane(student)
        ingest("gmail_bcc_intro.eml")
        ingest("gmail_forward_reply.eml")
        student_client.force_login(student)  # a session of that day (sessions last two weeks)
        html = student_client.get(reverse("contacts:today")).content.decode()
    conversation = contact.conversations.get()
    assert "They answered: schedule it?" in html
    assert f"{reverse('contacts:conversation', args=[conversation.pk])}#schedule" in html
    assert "All caught up" not in html


def test_today_costs_the_same_queries_with_more_replies(student, student_client):
    capture_address(student)
    count = [0]

    def add_rows(n):
        for _ in range(n):
            count[0] += 1
            contact = ContactFactory(owner=student)
            conversation = contact.conversations.create(
                owner=student, goal="x", status=ConversationStatus.REQUESTED
            )
            CapturedMessage.objects.create(
                owner=student,
                message_id=f"reply-{count[0]}@example.com",
                sent_at=timezone.now(),
                direction=Direction.RECEIVED,
                kind=CaptureKind.REPLY,
                counterpart_email=contact.email,
                contact=contact,
                conversation=conversation,
            )

    assert_queries_stable(lambda: student_client.get(reverse("contacts:today")), add_rows)
    html = student_client.get(reverse("contacts:today")).content.decode()
    assert html.count('#schedule"') == 12  # not vacuous: every reply is listed


# --- The webhook ------------------------------------------------------------------------------


def _signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(client, body: bytes, *, settings, signature=None, to=ADDRESS, sender=ALICE):
    if signature is None:
        signature = _signature(body, settings.CAPTURE_WEBHOOK_SECRET)
    headers = {
        "X-Capture-Signature": signature,
        "X-Capture-Recipient": to,
        "X-Capture-Sender": sender,
    }
    return client.post(WEBHOOK, body, content_type="message/rfc822", headers=headers)


def test_the_webhook_logs_a_signed_message(client, student, settings):
    capture_address(student)
    with time_machine.travel(AFTER_REPLY, tick=False):
        contact = jane(student)
        response = _post(client, eml("gmail_bcc_intro.eml"), settings=settings)
        assert response.status_code == 200
        assert response.json() == {"received": True}
        # A retry by the service (a lost answer) logs nothing twice.
        assert _post(client, eml("gmail_bcc_intro.eml"), settings=settings).status_code == 200
    assert contact.conversations.get().status == ConversationStatus.REQUESTED
    assert CapturedMessage.objects.count() == 1


def test_the_webhook_answers_the_same_for_a_dropped_message(client, student, settings):
    capture_address(student)
    unknown = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz@capture.example.edu"
    response = _post(client, eml("gmail_bcc_intro.eml"), settings=settings, to=unknown)
    assert (response.status_code, response.json()) == (200, {"received": True})
    assert drops() == {DropReason.NO_ADDRESS: 1}


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        "sha256=not-hex",
        _signature(b"another body", "test-only-capture-webhook-secret-0123456789"),
    ],
)
def test_a_wrong_signature_is_refused_and_nothing_stored(client, student, settings, signature):
    capture_address(student)
    jane(student)
    response = _post(client, eml("gmail_bcc_intro.eml"), settings=settings, signature=signature)
    assert response.status_code == 401
    assert not CapturedMessage.objects.exists()
    assert CaptureDropCount.objects.get().reason == DropReason.SIGNATURE


def test_the_webhook_checks_with_the_configured_secret(client, student, settings):
    capture_address(student)
    body = eml("gmail_bcc_intro.eml")
    signed_with_another = _signature(body, "another-secret-of-enough-length-0123456789")
    assert _post(client, body, settings=settings, signature=signed_with_another).status_code == 401
    # The bare hex digest, in capitals, is the same signature.
    bare = _signature(body, settings.CAPTURE_WEBHOOK_SECRET).removeprefix("sha256=").upper()
    assert _post(client, body, settings=settings, signature=bare).status_code == 200


def test_the_webhook_refuses_a_message_too_big_and_a_missing_recipient(client, settings):
    settings.CAPTURE_MAX_BYTES = 1024
    assert _post(client, b"x" * 2048, settings=settings).status_code == 413
    assert _post(client, b"x" * 100, settings=settings, to="").status_code == 400
    assert drops() == {DropReason.TOO_BIG: 1}


def test_the_webhook_defers_over_the_rate_limit(client, student, settings):
    settings.CAPTURE_RATE_PER_ADDRESS = 1
    capture_address(student)
    assert _post(client, eml("gmail_bcc_intro.eml"), settings=settings).status_code == 200
    response = _post(client, eml("gmail_bcc_intro.eml"), settings=settings)
    assert response.status_code == 429
    assert response["Retry-After"] == "600"


def test_the_webhook_is_off_without_a_secret(client, settings):
    settings.CAPTURE_WEBHOOK_SECRET = ""
    assert _post(client, b"x", settings=settings, signature="sha256=x").status_code == 404
    assert client.get(WEBHOOK).status_code == 405
