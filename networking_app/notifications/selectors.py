"""Reads of the outbox for staff: is email going out? Envelopes only (recipient, subject,
error): staff never see what an email said."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min

from networking_app.notifications.models import EmailStatus, OutgoingEmail

ENVELOPE = ("pk", "kind", "to", "subject", "attempts", "last_error", "created_at", "status")


def email_counts_by_status() -> dict[str, int]:
    counts = dict.fromkeys(EmailStatus.values, 0)
    rows = OutgoingEmail.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def failed_email_count() -> int:
    return OutgoingEmail.objects.filter(status=EmailStatus.FAILED).count()


def failed_emails(*, limit: int) -> list[OutgoingEmail]:
    return list(
        OutgoingEmail.objects.filter(status=EmailStatus.FAILED)
        .only(*ENVELOPE)
        .order_by("-created_at", "-pk")[:limit]
    )


def oldest_queued_at() -> dt.datetime | None:
    return OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).aggregate(
        oldest=Min("created_at")
    )["oldest"]


def email_envelope_get(*, email_id: int) -> OutgoingEmail | None:
    return OutgoingEmail.objects.only(*ENVELOPE).filter(pk=email_id).first()
