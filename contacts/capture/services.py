"""Email capture's writes: each student's capture address, and the messages sent to it logged
on their contacts and conversations through the pipeline's own services (so its transitions,
row locks, reminders and caches apply; a move the state machine refuses is logged as a plain
email instead).

`capture_ingest` is what the SMTP server (contacts/capture/smtp.py) and the webhook
(contacts/capture/views.py) call for each message and recipient. A message is accepted only
when it is sent to a capture address that exists and comes from one of its owner's verified
addresses; anything else is dropped and counted (CaptureDropCount), never stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import secrets
import zoneinfo
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.capture import parsing
from contacts.capture.classify import Capture, classify
from contacts.capture.models import (
    CaptureAddress,
    CapturedMessage,
    CaptureDropCount,
    CaptureKind,
    CaptureStatus,
    Direction,
    DropReason,
)
from contacts.models import (
    AskedBy,
    Contact,
    Conversation,
    ConversationStatus,
    InteractionKind,
    MeetingMode,
    Relationship,
    Source,
)
from contacts.reminders import FOLLOW_UP
from contacts.services.people import contact_create, interaction_log
from contacts.services.pipeline import (
    conversation_cancel,
    conversation_mark_requested,
    conversation_mark_thanked,
    conversation_plan,
    conversation_reschedule,
    conversation_schedule,
    conversation_set_status,
)
from networking_app.accounts.models import User
from networking_app.notifications import services as notify

logger = logging.getLogger(__name__)

S = ConversationStatus
K = CaptureKind
# 20 random bytes in lower-case base32: 32 letters and digits, which survive mail servers that
# change the case of local parts.
TOKEN_BYTES = 20
TOKEN_PATTERN = re.compile(r"[a-z2-7]{32}")
# A conversation a new message can still move: anything before thanked, closed or declined.
OPEN = (S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.NO_RESPONSE)
# In-Reply-To and the last References looked up to find the thread a message belongs to.
MAX_THREAD_IDS = 21


# --- The address -----------------------------------------------------------------------------


def _new_token() -> str:
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode().lower().rstrip("=")


def capture_email(address: CaptureAddress) -> str:
    return f"{address.token}@{settings.CAPTURE_DOMAIN}"


def capture_address_for(*, user: User) -> CaptureAddress:
    """The student's capture address, drawn the first time it is asked for."""
    address = CaptureAddress.objects.filter(owner=user).first()
    if address is None:
        try:
            with transaction.atomic():
                address = CaptureAddress.objects.create(owner=user, token=_new_token())
        except IntegrityError:  # drawn at the same moment by another request
            address = CaptureAddress.objects.get(owner=user)
    return address


def capture_address_rotate(*, user: User) -> CaptureAddress:
    """A new token: the old address stops working at once (it leaked, or was shared)."""
    capture_address_for(user=user)
    with transaction.atomic():
        # Locked so that two rotations at once leave one address, the last one drawn.
        address = CaptureAddress.objects.select_for_update().get(owner=user)
        address.token = _new_token()
        address.rotated_at = timezone.now()
        address.refused_count = 0
        address.last_refused_at = None
        address.save(update_fields=["token", "rotated_at", "refused_count", "last_refused_at"])
    return address


def token_from_recipient(recipient: str) -> str | None:
    """The token of `recipient` (a `+tag` after it ignored); "" when the address is at the
    capture domain but cannot be a token; None when it is at another domain."""
    local, at, domain = (recipient or "").strip().strip("<>").rpartition("@")
    if not at or not settings.CAPTURE_DOMAIN:
        return None
    if domain.strip().rstrip(".").lower() != settings.CAPTURE_DOMAIN:
        return None
    token = local.strip('"').split("+", 1)[0].lower()
    return token if TOKEN_PATTERN.fullmatch(token) else ""


# --- Dropped messages ------------------------------------------------------------------------


def drop_count(*, reason: str) -> None:
    """Count a message that was not logged (never store it): one row per day and reason."""
    day = timezone.now().date()
    rows = CaptureDropCount.objects.filter(day=day, reason=reason)
    if not rows.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                CaptureDropCount.objects.create(day=day, reason=reason, count=1)
        except IntegrityError:  # created at the same moment by another message
            rows.update(count=F("count") + 1)
    logger.info("capture: message not logged (%s)", reason)


# --- Ingesting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # logged, proposed, duplicate or dropped
    reason: str = ""  # why it was dropped (DropReason)
    captured: tuple[int, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.outcome in ("logged", "proposed", "duplicate")


def _dropped(reason: str) -> IngestResult:
    drop_count(reason=reason)
    return IngestResult("dropped", reason)


def capture_ingest(*, raw: bytes, envelope_from: str, envelope_to: str) -> IngestResult:
    """Log one inbound message for the owner of the capture address `envelope_to`.

    Never raises because of what the message contains; a database error propagates, so that
    the SMTP server answers 451 (or the webhook 500) and the sender tries again later.
    """
    if len(raw) > settings.CAPTURE_MAX_BYTES:
        return _dropped(DropReason.TOO_BIG)
    token = token_from_recipient(envelope_to)
    if token is None:
        return _dropped(DropReason.RELAY)
    address = (
        CaptureAddress.objects.select_related("owner__profile").filter(token=token).first()
        if token
        else None
    )
    if address is None or not address.owner.is_active or not address.owner.keeps_network:
        return _dropped(DropReason.NO_ADDRESS)
    parsed = parsing.parse(raw)
    if parsed is None:
        return _dropped(DropReason.UNREADABLE)
    own = {
        email.lower()
        for email in EmailAddress.objects.filter(
            user_id=address.owner_id, verified=True
        ).values_list("email", flat=True)
    }
    if parsed.letter.sender is None or parsed.letter.sender.email not in own:
        CaptureAddress.objects.filter(pk=address.pk).update(
            refused_count=F("refused_count") + 1, last_refused_at=timezone.now()
        )
        return _dropped(DropReason.SENDER)
    capture = classify(parsed, own=own, domain=settings.CAPTURE_DOMAIN)
    if capture is None:
        return _dropped(DropReason.NO_COUNTERPART)
    try:
        with transaction.atomic():
            result = _log(owner=address.owner, capture=capture)
    except IntegrityError as error:
        if not _is_same_message(error):
            raise
        # A copy of this message was logged while this one was: its transaction did the work,
        # this one's is rolled back whole.
        result = IngestResult("duplicate")
    if result.outcome == "duplicate":
        drop_count(reason=DropReason.DUPLICATE)
    elif result.outcome == "dropped":
        drop_count(reason=result.reason)
    return result


def _zone(owner: User) -> zoneinfo.ZoneInfo:
    try:
        return owner.profile.zone
    except Exception:
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIME_ZONE)


def _sent_at(when: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    now = timezone.now()
    if when is None:
        return now
    if timezone.is_naive(when):
        when = when.replace(tzinfo=zone)
    # A sender's clock far in the future is not when it was sent.
    return now if when > now + dt.timedelta(days=1) else when


def _thread(owner: User, capture: Capture) -> CapturedMessage | None:
    """The logged message this one answers (In-Reply-To, else References, newest first)."""
    ids = [i for i in (capture.in_reply_to, *reversed(capture.references)) if i]
    if not ids:
        return None
    rows = (
        CapturedMessage.objects.filter(owner=owner, message_id__in=ids[:MAX_THREAD_IDS])
        .exclude(conversation=None)
        .select_related("conversation__contact")
    )
    by_id = {row.message_id: row for row in rows}
    return next((by_id[i] for i in ids if i in by_id), None)


def _contacts_for(owner: User, capture: Capture, thread: CapturedMessage | None) -> list[Contact]:
    emails = [a.email for a in capture.counterparts if a.email]
    if emails:
        found = {
            contact.email_lower: contact
            for contact in Contact.objects.filter(owner=owner)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .order_by("-id")
        }
        matched = [found[email] for email in dict.fromkeys(emails) if email in found]
        if matched:
            return matched
    if thread is not None and thread.conversation is not None:
        return [thread.conversation.contact]
    names = [a.name for a in capture.counterparts if not a.email and a.name]
    if names:
        same_name = list(Contact.objects.filter(owner=owner, name__iexact=names[0])[:2])
        if len(same_name) == 1:
            return same_name
    return []


def _open_conversation(contact: Contact) -> Conversation | None:
    return (
        Conversation.objects.filter(contact=contact, status__in=OPEN)
        .order_by("-created_at", "-id")
        .first()
    )


def _kind(capture: Capture, conversation: Conversation | None) -> str:
    if capture.invitation is not None:
        return K.CANCELLATION if capture.invitation.method == "CANCEL" else K.INVITATION
    if capture.direction == Direction.RECEIVED:
        return K.REPLY
    status = conversation.status if conversation is not None else None
    if capture.thanks and status == S.HELD:
        return K.THANK_YOU
    if status in (S.PLANNED, S.NO_RESPONSE) or (status is None and not capture.is_reply):
        return K.INTRO
    return K.EMAIL


def _event_start(capture: Capture, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    start = capture.invitation.start if capture.invitation else None
    if start is not None and timezone.is_naive(start):
        start = start.replace(tzinfo=zone)
    return start


def _new_row(owner: User, capture: Capture, **fields) -> CapturedMessage:
    return CapturedMessage(
        owner=owner,
        message_id=capture.key,
        in_reply_to=capture.in_reply_to,
        subject=capture.subject,
        direction=capture.direction,
        event_minutes=capture.invitation.minutes if capture.invitation else None,
        event_location=capture.invitation.location if capture.invitation else "",
        **fields,
    )


ONCE_CONSTRAINT = "contacts_captured_once_per_counterpart"


def _is_same_message(error: IntegrityError) -> bool:
    """The unique key of CapturedMessage, by its name (PostgreSQL) or its table (SQLite)."""
    text = str(error)
    return ONCE_CONSTRAINT in text or f"{CapturedMessage._meta.db_table}.message_id" in text


def _logged_before(owner: User, key: str) -> set[str]:
    """The counterparts this message was logged for already."""
    rows = CapturedMessage.objects.filter(owner=owner, message_id=key)
    return set(rows.values_list("counterpart_email", flat=True))


def _log(*, owner: User, capture: Capture) -> IngestResult:
    zone = _zone(owner)
    sent_at = _sent_at(capture.date, zone)
    event_start = _event_start(capture, zone)
    thread = _thread(owner, capture)
    contacts = _contacts_for(owner, capture, thread)
    for contact in contacts:
        contact.owner = owner  # read again by the services (reminders): no query for it
    # Logged before (a second copy, a retry): by counterpart. Rows are written last, after the
    # pipeline moved; a copy committed in between makes the insert fail and this transaction
    # roll back (capture_ingest), so a message moves the pipeline once whatever the timing.
    logged_before = _logged_before(owner, capture.key)
    if not contacts:
        counterpart = next((a for a in capture.counterparts if a.email), None)
        if counterpart is None:
            return IngestResult("dropped", DropReason.NO_COUNTERPART)
        if counterpart.email in logged_before:
            return IngestResult("duplicate")
        row = _new_row(
            owner,
            capture,
            sent_at=sent_at,
            kind=_kind(capture, None),
            status=CaptureStatus.PROPOSED,
            counterpart_email=counterpart.email,
            counterpart_name=counterpart.name,
            event_start=event_start,
        )
        row.save(force_insert=True)
        return IngestResult("proposed", captured=(row.pk,))
    logged = []
    for contact in contacts:
        conversation = None
        if thread is not None and thread.conversation.contact_id == contact.pk:
            conversation = thread.conversation
        else:
            conversation = _open_conversation(contact)
        kind = _kind(capture, conversation)
        # The address it was with: the contact's own, else (a thread found them) the first named.
        counterpart = next(
            (a for a in capture.counterparts if a.email and a.email == contact.email.lower()),
            capture.counterparts[0],
        )
        if counterpart.email in logged_before:
            continue
        row = _new_row(
            owner,
            capture,
            sent_at=sent_at,
            kind=kind,
            counterpart_email=counterpart.email,
            counterpart_name=counterpart.name or contact.name[:200],
            contact=contact,
            event_start=event_start,
        )
        _apply(row, contact=contact, conversation=conversation, zone=zone)
        row.save(force_insert=True)
        logged.append(row.pk)
    if not logged:
        return IngestResult("duplicate")
    return IngestResult("logged", captured=tuple(logged))


# --- Moving the pipeline ---------------------------------------------------------------------


def _note(row: CapturedMessage) -> str:
    subject = row.subject or _("(no subject)")
    notes = {
        K.INTRO: _("Intro email: “%(subject)s”"),
        K.REPLY: _("Their reply: “%(subject)s”"),
        K.THANK_YOU: _("Thank-you email: “%(subject)s”"),
        K.INVITATION: _("Calendar invitation: “%(subject)s”"),
        K.CANCELLATION: _("Calendar cancellation: “%(subject)s”"),
    }
    if row.kind in notes:
        return notes[row.kind] % {"subject": subject}
    if row.direction == Direction.RECEIVED:
        return _("Email from them: “%(subject)s”") % {"subject": subject}
    return _("Email sent: “%(subject)s”") % {"subject": subject}


def _mode(location: str) -> str:
    text = location.lower()
    if re.search(r"https?://|zoom|teams|meet\.google|google meet|webex|skype|whereby", text):
        return MeetingMode.VIDEO
    if text and re.fullmatch(r"[\d\s+().\-ext:]{7,}", text) and sum(c.isdigit() for c in text) >= 7:
        return MeetingMode.PHONE
    return MeetingMode.IN_PERSON if text else ""


def _goal(row: CapturedMessage) -> str:
    return _("From the email “%(subject)s”") % {"subject": row.subject or _("(no subject)")}


def _apply(
    row: CapturedMessage,
    *,
    contact: Contact,
    conversation: Conversation | None,
    zone: zoneinfo.ZoneInfo,
) -> None:
    """Move the conversation where the message says and log it; a move the state machine
    refuses (TransitionError) or a time already past leaves the pipeline where it is and logs
    the email all the same. Sets the row's conversation and move; the caller saves it."""
    day = min(timezone.localdate(row.sent_at, zone), timezone.localdate())
    note = _note(row)
    asked_by = AskedBy.THEM if row.direction == Direction.RECEIVED else AskedBy.ME
    logged_by_service = False
    moved_to = ""
    try:
        if row.kind == K.INTRO:
            # A conversation already under way refuses the move (TransitionError): no second one.
            if conversation is None:
                conversation = conversation_plan(contact=contact, goal=_goal(row))
            conversation = conversation_mark_requested(
                conversation=conversation, requested_on=day, note=note
            )
            logged_by_service, moved_to = True, S.REQUESTED
        elif row.kind == K.THANK_YOU and conversation is not None:
            conversation = conversation_mark_thanked(conversation=conversation, note=note)
            logged_by_service, moved_to = True, S.THANKED
        elif row.kind == K.INVITATION and row.event_start is not None:
            conversation, moved_to = _schedule(row, contact, conversation, asked_by)
        elif (
            row.kind == K.CANCELLATION
            and conversation is not None
            and conversation.status == S.SCHEDULED
        ):
            conversation = conversation_cancel(
                conversation=conversation, asked_by=asked_by, reason=_("Cancelled in the calendar.")
            )
            moved_to = S.REQUESTED
    except ValidationError as refused:
        logger.info("capture: %s logged without a move (%s)", row.kind, refused.messages)
    if row.kind == K.REPLY and conversation is not None and conversation.status == S.REQUESTED:
        # They answered: no "follow up with them" reminder (Today asks to schedule instead).
        notify.reminder_cancel(
            user=conversation.owner, kind=FOLLOW_UP, subject_key=f"conversation:{conversation.pk}"
        )
    if not logged_by_service:
        interaction_log(
            contact=contact,
            kind=InteractionKind.EMAIL,
            occurred_on=day,
            note=note,
            conversation=conversation,
        )
    row.conversation = conversation
    row.moved_to = moved_to


def _schedule(
    row: CapturedMessage, contact: Contact, conversation: Conversation | None, asked_by: str
) -> tuple[Conversation, str]:
    """Schedule (or reschedule) the conversation at the invitation's time and place."""
    if conversation is None or conversation.status not in (
        S.PLANNED,
        S.REQUESTED,
        S.NO_RESPONSE,
        S.SCHEDULED,
    ):
        conversation = conversation_plan(contact=contact, goal=_goal(row))
    if conversation.status == S.SCHEDULED:
        if conversation.scheduled_at == row.event_start and (
            conversation.location == row.event_location
        ):
            return conversation, ""
        conversation = conversation_reschedule(
            conversation=conversation,
            scheduled_at=row.event_start,
            asked_by=asked_by,
            reason=_("New time from a calendar invitation."),
            location=row.event_location,
        )
        return conversation, S.SCHEDULED
    if conversation.status == S.NO_RESPONSE:
        conversation = conversation_set_status(conversation=conversation, status=S.REQUESTED)
    conversation = conversation_schedule(
        conversation=conversation,
        scheduled_at=row.event_start,
        mode=_mode(row.event_location),
        location=row.event_location,
        duration_minutes=row.event_minutes or 30,
    )
    return conversation, S.SCHEDULED


# --- Proposed contacts -----------------------------------------------------------------------


def capture_proposal_accept(*, captured: CapturedMessage) -> Contact:
    """Add the proposed person as a contact (or find them, if added since) and log every
    message proposed for them, oldest first, as if they had been a contact all along."""
    with transaction.atomic():
        # Locked so that a double click adds one contact and logs each message once.
        rows = list(
            CapturedMessage.objects.select_for_update()
            .filter(
                owner_id=captured.owner_id,
                status=CaptureStatus.PROPOSED,
                counterpart_email=captured.counterpart_email,
            )
            .order_by("sent_at", "id")
        )
        if not any(row.pk == captured.pk for row in rows):
            raise ValidationError(_("This email has already been logged or dismissed."))
        owner = User.objects.get(pk=captured.owner_id)
        contact = (
            Contact.objects.filter(owner=owner)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower=captured.counterpart_email)
            .order_by("-id")
            .first()
        )
        if contact is None:
            contact = contact_create(
                owner=owner,
                name=captured.counterpart_name or captured.counterpart_email.split("@")[0],
                email=captured.counterpart_email,
                relationship=Relationship.OTHER,
                source=Source.EMAIL,
            )
        zone = _zone(owner)
        for row in rows:
            row.status = CaptureStatus.LOGGED
            row.contact = contact
            _apply(row, contact=contact, conversation=_open_conversation(contact), zone=zone)
            row.save(update_fields=["status", "contact", "conversation", "moved_to"])
    return contact


def capture_proposal_dismiss(*, captured: CapturedMessage) -> None:
    """Not someone to keep: the proposal goes, and nothing of the message stays."""
    CapturedMessage.objects.filter(pk=captured.pk, status=CaptureStatus.PROPOSED).delete()
