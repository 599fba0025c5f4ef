"""Retention of the outbox (a rule registered with accounts/retention.py in
NotificationsConfig.ready): a sent email keeps its row as the delivery record (recipients,
subject, kind, dates, who accepted or refused it) and loses its text, HTML and attachments
RETENTION_OUTBOX_BODY_DAYS after it was sent. Queued, sending and failed emails keep their
bodies: they may still be sent (staff retry failed ones)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from networking_app.accounts.retention import RetentionRule, days_setting, pk_batches, register
from networking_app.notifications.models import EmailStatus, OutgoingEmail


def outbox_bodies_apply(*, now: dt.datetime, dry_run: bool = False) -> dict[str, int]:
    """Blank the bodies of emails sent more than RETENTION_OUTBOX_BODY_DAYS ago."""
    cutoff = now - dt.timedelta(days=days_setting("RETENTION_OUTBOX_BODY_DAYS"))
    with_body = OutgoingEmail.objects.filter(
        ~Q(text="") | ~Q(html="") | ~Q(attachments=[]),
        status=EmailStatus.SENT,
        sent_at__lt=cutoff,
    )
    blanked = 0
    for batch in pk_batches(with_body):
        if not dry_run:
            OutgoingEmail.objects.filter(pk__in=batch).update(text="", html="", attachments=[])
        blanked += len(batch)
    return {"bodies_blanked": blanked}


def register_retention_rules() -> None:
    register(
        RetentionRule(
            "notifications.outbox_bodies",
            order=20,
            setting="RETENTION_OUTBOX_BODY_DAYS",
            apply=outbox_bodies_apply,
        )
    )
