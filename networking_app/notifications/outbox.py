"""Writing emails to the outbox and delivering them.

`OutboxBackend` is Django's EMAIL_BACKEND in development and production: any `send_mail`,
allauth's included, becomes an `OutgoingEmail` row in the caller's transaction, and its id goes
to Celery once that transaction commits. Delivery uses settings.OUTBOX_DELIVERY_BACKEND (SMTP
in production, the development mailbox under `make run`).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import logging
import smtplib
import socket
import threading
import uuid
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from networking_app.notifications.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "X-Rapport-Idempotency-Key"
KIND_HEADER = "X-Rapport-Kind"
USER_HEADER = "X-Rapport-User"
# Minutes to wait before attempt n+1 after a transient failure; then the message fails.
BACKOFF_MINUTES = [1, 5, 15, 60, 180, 360, 720]
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# Ids per Celery task: each task sends its emails over one SMTP connection.
ENQUEUE_BATCH = 100


def send_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_SEND_LEASE_SECONDS)


def dispatch_lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_DISPATCH_LEASE_SECONDS)


def _message_id_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "rapport.local"


def _attachments(message) -> list[dict]:
    stored = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            filename, content, mimetype = attachment
        else:  # a MIMEBase
            filename = attachment.get_filename()
            content = attachment.get_payload(decode=True)
            mimetype = attachment.get_content_type()
        if isinstance(content, str):
            content = content.encode()
        stored.append(
            {
                "filename": filename,
                "mimetype": mimetype,
                "content": base64.b64encode(content).decode(),
            }
        )
    return stored


def outbox_store(message) -> tuple[OutgoingEmail, bool]:
    """Save a Django EmailMessage as an outbox row. Returns (row, created); a second message
    with the same idempotency key is not stored again."""
    headers = {k: str(v) for k, v in message.extra_headers.items()}
    key = headers.pop(IDEMPOTENCY_HEADER, "") or f"adhoc:{uuid.uuid4()}"
    kind = headers.pop(KIND_HEADER, "")
    user_id = headers.pop(USER_HEADER, None)
    message_id = headers.pop("Message-ID", "") or make_msgid(domain=_message_id_domain())
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = content
    now = timezone.now()
    row = OutgoingEmail(
        user_id=int(user_id) if user_id else None,
        kind=kind,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        # Header injection is impossible: subjects are stored and sent on one line.
        subject=" ".join(str(message.subject).split()),
        text=message.body,
        html=html,
        headers=headers,
        attachments=_attachments(message),
        message_id=message_id,
        idempotency_key=key,
        next_attempt_at=now,
        # Enqueued on commit below: the tick leaves it alone for a while.
        lease_until=now + dispatch_lease(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        existing = OutgoingEmail.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return row, True


def enqueue(email_ids: list[int]) -> bool:
    """Hand ids to Celery; False if the broker is down (the rows stay queued, the next tick
    tries again)."""
    from networking_app.notifications.tasks import outbox_send_batch

    for start in range(0, len(email_ids), ENQUEUE_BATCH):
        try:
            outbox_send_batch.delay(email_ids[start : start + ENQUEUE_BATCH])
        except Exception:  # the broker is unreachable: nothing is lost, the row is in PostgreSQL
            unsent = email_ids[start:]
            logger.warning("Could not enqueue emails %s; the outbox tick will retry", unsent)
            # Without their dispatch lease the next tick hands them out as soon as the broker
            # is back, instead of after OUTBOX_DISPATCH_LEASE_SECONDS.
            with contextlib.suppress(Exception):
                OutgoingEmail.objects.filter(pk__in=unsent, status=EmailStatus.QUEUED).update(
                    lease_until=None
                )
            return False  # each further attempt would wait for the broker's retries again
    return True


_together = threading.local()


@contextlib.contextmanager
def enqueue_together():
    """Emails stored by OutboxBackend inside this block are enqueued when it ends, ENQUEUE_BATCH
    per task, instead of one task (and one SMTP connection) each. Put it around a transaction
    that writes many emails; the ids go out once that transaction has committed."""
    if getattr(_together, "ids", None) is not None:  # nested: the outer block enqueues
        yield
        return
    _together.ids = ids = []
    try:
        yield
    finally:
        _together.ids = None
        # Also when the block raised: what committed before goes out, and the id of a row
        # that was rolled back is harmless (no worker can claim it).
        if ids:
            transaction.on_commit(lambda: enqueue(ids))


class OutboxBackend(BaseEmailBackend):
    """Django email backend that writes to the outbox instead of sending."""

    def send_messages(self, email_messages) -> int:
        created_ids = []
        for message in email_messages:
            if not message.recipients():
                continue
            row, created = outbox_store(message)
            if created:
                created_ids.append(row.pk)
        if created_ids:
            together = getattr(_together, "ids", None)
            if together is not None:
                together.extend(created_ids)
            else:
                transaction.on_commit(lambda: enqueue(created_ids))
        return len(created_ids)


def build_message(row: OutgoingEmail, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.text,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers={**row.headers, "Message-ID": row.message_id},
        connection=connection,
    )
    if row.html:
        message.attach_alternative(row.html, "text/html")
    for attachment in row.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


TRANSIENT = (OSError, socket.timeout, smtplib.SMTPException)


def _claim(email_id: int) -> bool:
    """Take the row for sending if it is queued and due; False if someone else has it."""
    now = timezone.now()
    return bool(
        OutgoingEmail.objects.filter(
            pk=email_id, status=EmailStatus.QUEUED, next_attempt_at__lte=now
        ).update(
            status=EmailStatus.SENDING,
            lease_until=now + send_lease(),
            attempts=F("attempts") + 1,
        )
    )


def _record_failure(row: OutgoingEmail, error: Exception) -> None:
    now = timezone.now()
    detail = f"{type(error).__name__}: {error}"[:2000]
    if _is_permanent(error) or row.attempts >= MAX_ATTEMPTS:
        OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENDING).update(
            status=EmailStatus.FAILED, last_error=detail, lease_until=None
        )
        logger.error("Email %s failed for good: %s", row.pk, detail)
        return
    delay = dt.timedelta(minutes=BACKOFF_MINUTES[min(row.attempts, MAX_ATTEMPTS - 1) - 1])
    OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENDING).update(
        status=EmailStatus.QUEUED, next_attempt_at=now + delay, last_error=detail, lease_until=None
    )
    logger.warning("Email %s will be retried in %s: %s", row.pk, delay, detail)


def deliver(email_ids: list[int]) -> int:
    """Claim and send these emails over one connection. Returns how many were sent."""
    sent = 0
    connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
    # Django's SMTP backend connects and quits around every send_messages() call unless the
    # connection is already open: opened here, it serves the whole batch (and is reopened
    # after an error). Every BaseEmailBackend has open(); a bare stand-in may not.
    open_connection = getattr(connection, "open", lambda: None)
    try:
        for email_id in email_ids:
            if not _claim(email_id):
                continue
            row = OutgoingEmail.objects.get(pk=email_id)
            try:
                open_connection()
                connection.send_messages([build_message(row, connection)])
            except TRANSIENT as error:
                _record_failure(row, error)
                with contextlib.suppress(Exception):  # the connection is thrown away
                    connection.close()
                continue
            OutgoingEmail.objects.filter(pk=row.pk, status=EmailStatus.SENDING).update(
                status=EmailStatus.SENT, sent_at=timezone.now(), lease_until=None, last_error=""
            )
            sent += 1
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def outbox_tick(*, batch_size: int = 100, limit: int = 20_000) -> int:
    """Recover rows whose sender died, and enqueue every queued row that is due.

    Rows are picked with SKIP LOCKED and given a dispatch lease, so two ticks running at
    once (two beat processes by mistake) enqueue each row once.
    """
    now = timezone.now()
    OutgoingEmail.objects.filter(status=EmailStatus.SENDING, lease_until__lt=now).update(
        status=EmailStatus.QUEUED, lease_until=None
    )
    enqueued = 0
    while enqueued < limit:
        with transaction.atomic():
            ids = list(
                OutgoingEmail.objects.select_for_update(skip_locked=True)
                .filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)
                .exclude(lease_until__gte=now)
                .order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            OutgoingEmail.objects.filter(pk__in=ids).update(lease_until=now + dispatch_lease())
        if enqueue(ids) is False:  # the broker is down: those rows are free again, stop here
            break
        enqueued += len(ids)
    return enqueued


def outbox_retry(*, email: OutgoingEmail) -> None:
    """Staff asked to try a failed email again."""
    OutgoingEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.QUEUED,
        next_attempt_at=timezone.now(),
        attempts=0,
        lease_until=timezone.now() + dispatch_lease(),
    )
    transaction.on_commit(lambda: enqueue([email.pk]))
