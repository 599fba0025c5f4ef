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
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

# The headers networking_app.core.emails.send_templated_email writes for the outbox to read.
from networking_app.core.emails import IDEMPOTENCY_HEADER, KIND_HEADER, USER_HEADER
from networking_app.notifications.models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

# Minutes to wait before attempt n+1 after a transient failure; then the message fails.
BACKOFF_MINUTES = [1, 5, 15, 60, 180, 360, 720]
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# Ids per Celery task: each task sends its emails over one SMTP connection.
ENQUEUE_BATCH = 100
# Blocking network steps of one SMTP send, each bounded by EMAIL_TIMEOUT: TCP connect, greeting,
# EHLO, STARTTLS, TLS handshake, EHLO again, AUTH (up to 5 round trips: smtplib falls back from
# CRAM-MD5 to PLAIN to LOGIN), MAIL FROM, DATA, the message, its final reply; plus one RCPT TO
# per recipient.
SMTP_STEPS = 15
# OUTBOX_SEND_LEASE_SECONDS must outlast the chain for this many recipients (checks.py); our
# emails have one or two, and a row with more gets a longer lease when it is claimed.
LEASE_RECIPIENTS = 10


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
            logger.warning(
                "Could not enqueue emails %s; the outbox tick will retry", unsent, exc_info=True
            )
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


class OutboxMessage(EmailMultiAlternatives):
    """A row as a message. `pending` narrows the envelope to the recipients still to reach (a
    retry after some were refused); the To and Cc headers stay whole, so everyone sees the same
    message."""

    pending: set[str] | None = None

    def recipients(self) -> list[str]:
        everyone = super().recipients()
        if self.pending is None:
            return everyone
        return [recipient for recipient in everyone if _address(recipient) in self.pending]


def _address(recipient: str) -> str:
    return parseaddr(recipient)[1] or recipient


def _recipients(row: OutgoingEmail) -> list[str]:
    """Everyone the row is for, as bare addresses, each once."""
    return list(dict.fromkeys(_address(r) for r in [*row.to, *row.cc, *row.bcc]))


def _pending(row: OutgoingEmail) -> list[str]:
    """Recipients not yet delivered to and not refused for good."""
    return [
        address
        for address in _recipients(row)
        if address not in row.delivered_to and row.refusals.get(address, {}).get("code", 0) < 500
    ]


def build_message(row: OutgoingEmail, connection=None) -> OutboxMessage:
    message = OutboxMessage(
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
    if row.delivered_to or row.refusals:
        message.pending = set(_pending(row))
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
    # Refused recipients are recorded one by one (_record_delivery), not here.
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


TRANSIENT = (OSError, socket.timeout, smtplib.SMTPException)


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def _claim(email_id: int) -> uuid.UUID | None:
    """Take the row for sending if it is queued and due. Returns the claim's token, which the
    result must be recorded with; None if someone else has the row."""
    now = timezone.now()
    token = uuid.uuid4()
    won = OutgoingEmail.objects.filter(
        pk=email_id, status=EmailStatus.QUEUED, next_attempt_at__lte=now
    ).update(
        status=EmailStatus.SENDING,
        claim=token,
        lease_until=now + send_lease(),
        attempts=F("attempts") + 1,
    )
    return token if won else None


def _finish(row: OutgoingEmail, token: uuid.UUID, **fields) -> bool:
    """Record the end of a send, fenced by the claim: a worker whose lease ran out (the row
    may have been handed out and claimed again since, or deleted) changes nothing."""
    done = OutgoingEmail.objects.filter(pk=row.pk, claim=token, status=EmailStatus.SENDING).update(
        lease_until=None, **fields
    )
    if not done:
        logger.warning(
            "Email %s: this worker's claim ran out before it finished; its result (%s) is not "
            "recorded",
            row.pk,
            fields.get("status"),
        )
    return bool(done)


def _record_failure(row: OutgoingEmail, token: uuid.UUID, error: Exception) -> None:
    """Any error while building or sending this row fails or retries this row alone."""
    now = timezone.now()
    detail = f"{type(error).__name__}: {error}"[:2000]
    # Anything but a network or SMTP error is a bug, or a row that cannot be sent: the log
    # keeps its traceback, and the backoff gives a fix time to be deployed.
    unexpected = not isinstance(error, TRANSIENT)
    if _is_permanent(error) or row.attempts >= MAX_ATTEMPTS:
        if _finish(row, token, status=EmailStatus.FAILED, last_error=detail):
            logger.error("Email %s failed for good: %s", row.pk, detail, exc_info=unexpected)
        return
    delay = _backoff(row.attempts)
    if _finish(
        row, token, status=EmailStatus.QUEUED, next_attempt_at=now + delay, last_error=detail
    ):
        log = logger.error if unexpected else logger.warning
        log("Email %s will be retried in %s: %s", row.pk, delay, detail, exc_info=unexpected)


def _record_relay_failure(
    row: OutgoingEmail, token: uuid.UUID, error: Exception, *, waiting: list[int]
) -> None:
    """The mail server failed or refused the connection itself (greeting, EHLO, STARTTLS,
    login), whatever the reply code: the relay's fault, never a permanent failure of the email.
    The claimed row counts an attempt (its backoff grows, and it still has a last one); the
    rest of the batch waits as long without one instead of each trying a server that just said
    no (failed logins in a row can lock the account)."""
    now = timezone.now()
    detail = f"Mail server connection: {type(error).__name__}: {error}"[:2000]
    delay = _backoff(row.attempts)
    if row.attempts >= MAX_ATTEMPTS:
        _finish(row, token, status=EmailStatus.FAILED, last_error=detail)
        delay = _backoff(1)
    else:
        _finish(
            row, token, status=EmailStatus.QUEUED, next_attempt_at=now + delay, last_error=detail
        )
    OutgoingEmail.objects.filter(
        pk__in=waiting, status=EmailStatus.QUEUED, next_attempt_at__lt=now + delay
    ).update(next_attempt_at=now + delay, lease_until=None)
    # The alert: operators see it in the error log; staff see the queue age on Email delivery,
    # and the rows in the failed list if the relay stays broken past the last attempt.
    logger.error(
        "The SMTP relay refused the connection (%s): email %s and %d more wait %s. Check "
        "EMAIL_URL (host, credentials) and the relay.",
        detail,
        row.pk,
        len(waiting),
        delay,
    )


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return " ".join(f"{code} {text}".split())[:500]


def _record_delivery(
    row: OutgoingEmail, token: uuid.UUID, *, attempted: list[str], refused: dict
) -> bool:
    """Record who the server accepted and who it refused; True if everyone has the email.

    A refused recipient is retried alone (4xx) or failed (5xx), and those who got the email
    never get it again (the round introduction goes to a student and a volunteer)."""
    now = timezone.now()
    refused_now = {
        _address(recipient): {"code": code, "reply": _reply(code, message)}
        for recipient, (code, message) in refused.items()
    }
    accepted = [_address(r) for r in attempted if _address(r) not in refused_now]
    row.delivered_to = list(dict.fromkeys([*row.delivered_to, *accepted]))
    row.refusals = {
        **{a: r for a, r in row.refusals.items() if a not in row.delivered_to},
        **refused_now,
    }
    pending = _pending(row)
    failed = [a for a, r in row.refusals.items() if r["code"] >= 500]
    fields = {"delivered_to": row.delivered_to, "refusals": row.refusals}
    if not pending and not failed:
        return _finish(row, token, status=EmailStatus.SENT, sent_at=now, last_error="", **fields)
    detail = "Refused by the mail server: " + "; ".join(
        f"{address}: {row.refusals[address]['reply']}" for address in [*failed, *pending]
    )
    if row.delivered_to:
        detail += f". Delivered to {', '.join(row.delivered_to)}."
    detail = detail[:2000]
    if not pending or row.attempts >= MAX_ATTEMPTS:
        if _finish(row, token, status=EmailStatus.FAILED, last_error=detail, **fields):
            logger.error("Email %s failed for some recipients: %s", row.pk, detail)
        return False
    delay = _backoff(row.attempts)
    if _finish(
        row,
        token,
        status=EmailStatus.QUEUED,
        next_attempt_at=now + delay,
        last_error=detail,
        **fields,
    ):
        logger.warning("Email %s will be retried in %s for %s", row.pk, delay, ", ".join(pending))
    return False


def _lease_for_many_recipients(row: OutgoingEmail, token: uuid.UUID) -> None:
    """The send lease outlasts the SMTP timeout chain of LEASE_RECIPIENTS recipients
    (checks.py); each recipient beyond them adds one RCPT, so as much time to the lease."""
    extra = len(_pending(row)) - LEASE_RECIPIENTS
    if extra > 0 and settings.EMAIL_TIMEOUT:
        OutgoingEmail.objects.filter(pk=row.pk, claim=token).update(
            lease_until=F("lease_until") + dt.timedelta(seconds=settings.EMAIL_TIMEOUT * extra)
        )


def deliver(email_ids: list[int]) -> int:
    """Claim and send these emails over one connection. Returns how many were sent."""
    sent = 0
    connection = get_connection(settings.OUTBOX_DELIVERY_BACKEND, fail_silently=False)
    # Django's SMTP backend connects and quits around every send_messages() call unless the
    # connection is already open: opened here, it serves the whole batch (and is reopened
    # after an error). Every BaseEmailBackend has open(); a bare stand-in may not.
    open_connection = getattr(connection, "open", lambda: None)
    try:
        for position, email_id in enumerate(email_ids):
            token = _claim(email_id)
            if token is None:
                continue
            row = OutgoingEmail.objects.filter(pk=email_id).first()
            if row is None:  # deleted since the claim (account deletion): nothing to send
                continue
            _lease_for_many_recipients(row, token)
            try:
                open_connection()
            except Exception as error:  # whatever it is, it is the relay's
                _record_relay_failure(row, token, error, waiting=email_ids[position + 1 :])
                with contextlib.suppress(Exception):
                    connection.close()
                break
            try:
                message = build_message(row, connection)
                connection.send_messages([message])
                refused = getattr(message, "refused_recipients", None) or {}
            except smtplib.SMTPRecipientsRefused as error:  # every recipient was refused
                refused = error.recipients
            except Exception as error:  # this row's error, never the batch's
                _record_failure(row, token, error)
                with contextlib.suppress(Exception):  # the connection is thrown away
                    connection.close()
                continue
            if _record_delivery(row, token, attempted=message.recipients(), refused=refused):
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
    abandoned = OutgoingEmail.objects.filter(status=EmailStatus.SENDING, lease_until__lt=now)
    # A worker that died on a row's last attempt (the row may be what kills it) fails the row,
    # rather than the row leading every batch again.
    lost = abandoned.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=EmailStatus.FAILED,
        lease_until=None,
        last_error="The worker sending it stopped before finishing, on the last attempt.",
    )
    if lost:
        logger.error("%s emails failed for good: their worker stopped on the last attempt", lost)
    # Back of the queue: the row does not lead the next batch again.
    abandoned.update(status=EmailStatus.QUEUED, lease_until=None, next_attempt_at=now)
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
        # Those who got it do not get it again; those refused for good are tried again.
        refusals={},
        lease_until=timezone.now() + dispatch_lease(),
    )
    transaction.on_commit(lambda: enqueue([email.pk]))
