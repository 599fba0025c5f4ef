"""What closing an account does to the outbox (a step registered with accounts/closing.py in
NotificationsConfig.ready): emails to them go; other people's emails that name them keep going
out, without them. It runs after every step that sends a notice, so none escapes the sweep."""

from __future__ import annotations

import base64
import datetime as dt

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from networking_app.accounts.closing import (
    ClosingStep,
    needles,
    register,
    scrubber,
    text_filter,
)
from networking_app.accounts.models import User
from networking_app.notifications.models import OutgoingEmail


def _scrub_attachments(attachments: list[dict], scrub) -> list[dict]:
    cleaned = []
    for attachment in attachments:
        content = base64.b64decode(attachment.get("content", ""))
        if str(attachment.get("mimetype", "")).startswith("text/"):
            text = content.decode("utf-8", errors="replace")
            content = scrub(text).encode()
        cleaned.append({**attachment, "content": base64.b64encode(content).decode()})
    return cleaned


def _clean_outbox(user: User, now: dt.datetime) -> None:
    recipients = OutgoingEmail.objects.annotate(
        to_text=Cast("to", TextField()),
        cc_text=Cast("cc", TextField()),
        bcc_text=Cast("bcc", TextField()),
        reply_text=Cast("reply_to", TextField()),
    )
    addressed = recipients.filter(
        Q(user=user) | text_filter(["to_text", "cc_text", "bcc_text", "reply_text"], [user.email])
    )
    OutgoingEmail.objects.filter(pk__in=list(addressed.values_list("pk", flat=True))).delete()

    scrub = scrubber(user)
    mentioning = OutgoingEmail.objects.filter(
        text_filter(["subject", "text", "html"], needles(user))
    )
    for email in mentioning:
        email.subject = scrub(email.subject)
        email.text = scrub(email.text)
        email.html = scrub(email.html)
        email.attachments = _scrub_attachments(email.attachments or [], scrub)
        email.save(update_fields=["subject", "text", "html", "attachments"])


def register_closing_steps() -> None:
    register(ClosingStep("notifications.outbox", order=50, run=_clean_outbox))
