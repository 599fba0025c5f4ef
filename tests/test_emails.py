"""The one helper that sends an email (networking_app.core.emails.send_templated_email).

Each email's wording is tested with the service that sends it, and its times in
tests/notifications/test_email_time_zones.py; here, what every message gets from the helper.
"""

from __future__ import annotations

import base64

import pytest
from django.core import mail

from networking_app.core.emails import Attachment, send_templated_email
from networking_app.notifications.models import OutgoingEmail

pytestmark = pytest.mark.django_db

CONTEXT = {"volunteer": None, "approved": True, "note": ""}


@pytest.fixture
def outbox_backend(settings):
    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"


def test_a_message_to_a_person_is_theirs_with_both_parts_and_its_attachment(volunteer):
    written = send_templated_email(
        "volunteer_reviewed",
        context={**CONTEXT, "volunteer": volunteer},
        recipient=volunteer,
        key="review:1",
        headers={"Auto-Submitted": "auto-generated"},
        attachments=[Attachment("a.ics", b"BEGIN:VCALENDAR", "text/calendar; method=REQUEST")],
    )
    assert written == 1
    [message] = mail.outbox
    assert message.to == [volunteer.email]
    assert message.body.strip()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<html" in html
    # Django keeps a text/* attachment as text.
    assert message.attachments == [("a.ics", "BEGIN:VCALENDAR", "text/calendar; method=REQUEST")]
    assert message.extra_headers == {
        "X-Rapport-Kind": "volunteer_reviewed",
        "X-Rapport-Idempotency-Key": "review:1",
        "X-Rapport-User": str(volunteer.pk),
        "Auto-Submitted": "auto-generated",
    }


def test_in_the_outbox_the_key_makes_a_second_send_harmless(outbox_backend, volunteer):
    def send() -> int:
        return send_templated_email(
            "volunteer_reviewed",
            context={**CONTEXT, "volunteer": volunteer},
            recipient=volunteer,
            kind="review",
            key="review:2",
            attachments=[Attachment("a.ics", b"BEGIN:VCALENDAR", "text/calendar")],
        )

    assert send() == 1
    assert send() == 0
    row = OutgoingEmail.objects.get()
    assert (row.kind, row.user_id, row.idempotency_key) == ("review", volunteer.pk, "review:2")
    assert base64.b64decode(row.attachments[0]["content"]) == b"BEGIN:VCALENDAR"
    assert "X-Rapport-User" not in row.headers


def test_an_address_without_an_account_is_nobodys_row(outbox_backend):
    send_templated_email(
        "volunteer_reviewed", context=CONTEXT, to=["someone@example.org", "other@example.org"]
    )
    row = OutgoingEmail.objects.get()
    assert row.to == ["someone@example.org", "other@example.org"]
    assert (row.user_id, row.kind) == (None, "volunteer_reviewed")
    assert row.idempotency_key.startswith("adhoc:")
