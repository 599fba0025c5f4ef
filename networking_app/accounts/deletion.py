"""Closing an account: a student or a volunteer deletes themselves and everything personal.

What stays is one `ErasedAccount` row (role, class year, major, the month they joined and
counts), so the career office's totals do not shrink when someone leaves. Before the rows go,
the people they were due to meet are told: upcoming flash-mentoring sessions and open
requests are called off with an email (and a calendar cancellation) to the other person, and
event seats are given up so the waitlist moves. The notice does not name the person who left.

Every row with a foreign key to the user is removed by the database cascade (checked by
tests/accounts/test_deletion.py against every model); rows that only keep a SET_NULL link to
them (staff actions, changes they made to a shared session) lose the link. Copies of their
address and name that are not linked by a key are removed here: emails addressed to them in
the outbox, their name and address in other people's emails and in the audit log, their ids in
match-round preferences, their login sessions on every device, and (once committed) the
cached rendering of their calendar feed.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from mentoring.selectors.directory import directory_changed
from networking_app.accounts.models import ErasedAccount, Role, User

REPLACEMENT_NAME = "a former member"
REPLACEMENT_EMAIL = "former-member@invalid"
# A display name this short could be part of other words: it is not searched for in free text.
MIN_NAME_LENGTH = 4


def account_may_delete(user: User) -> bool:
    """Students and volunteers close their own accounts; staff accounts are closed by staff."""
    return user.is_authenticated and user.role in (Role.STUDENT, Role.VOLUNTEER)


# --- Counts kept -------------------------------------------------------------------------------


def _tally(user: User) -> dict:
    from contacts.models import Contact, Conversation, Outcome
    from events.models import RSVP, RSVPStatus
    from mentoring.models import Session, SessionStatus

    conversations = Conversation.objects.filter(owner=user).aggregate(
        total=Count("id"),
        held=Count("id", filter=Q(held_at__isnull=False)),
        thanked=Count("id", filter=Q(thanked_at__isnull=False)),
    )
    mine = Q(student=user) | Q(volunteer=user)
    return {
        "contacts": Contact.objects.filter(owner=user).count(),
        "conversations": conversations["total"],
        "conversations_held": conversations["held"],
        "conversations_thanked": conversations["thanked"],
        "flash_sessions_held": Session.objects.filter(mine, status=SessionStatus.COMPLETED).count(),
        # Seats taken (going, or checked in at the door), not waitlist places or cancellations.
        "event_rsvps": RSVP.objects.filter(
            Q(status=RSVPStatus.GOING) | Q(checked_in_at__isnull=False), user=user
        ).count(),
        "outcomes": Outcome.objects.filter(owner=user).count(),
    }


def _cohort(user: User) -> dict:
    if user.is_student:
        profile = getattr(user, "student_profile", None)
        return {
            "class_year": profile.class_year if profile else None,
            "major": profile.major if profile else "",
        }
    profile = getattr(user, "volunteer_profile", None)
    mentor = getattr(user, "mentor", None)
    return {
        "class_year": profile.class_year if profile else None,
        "major": mentor.major if mentor else "",
    }


# --- Telling the people they were due to meet ------------------------------------------------


def _cancellation_ics(session, recipient: User) -> bytes:
    """METHOD:CANCEL for the session's UID, naming only the recipient (and Rapport as the
    organizer, as in mentoring.ics), so the event leaves their calendar."""
    from email.utils import parseaddr

    calendar = Calendar()
    calendar.add("prodid", "-//Rapport//Flash mentoring//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL")
    event = Event()
    event.add("uid", session.ics_uid)
    event.add("sequence", session.ics_sequence + 1)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC).replace(microsecond=0))
    event.add("dtstart", session.start_at.astimezone(dt.UTC))
    event.add("dtend", session.end_at.astimezone(dt.UTC))
    event.add("summary", f"Cancelled: {settings.MENTORING_PROGRAMME_NAME}")
    from_name, from_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{from_email}")
    organizer.params["CN"] = vText(from_name or "Rapport")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient.email}")
    attendee.params["CN"] = vText(recipient.display_name)
    event.add("attendee", attendee, encode=0)
    event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _notify(*, recipient: User, start_at: dt.datetime, key: str, session=None) -> None:
    from mentoring.services.sessions import when_for
    from networking_app.emails import render_email
    from networking_app.notifications import links
    from networking_app.notifications.outbox import IDEMPOTENCY_HEADER, KIND_HEADER, USER_HEADER

    subject, text, html = render_email(
        "account_closed_notice",
        context={
            "recipient": recipient,
            "programme": settings.MENTORING_PROGRAMME_NAME,
            "when": when_for(recipient, start_at),
            "is_session": session is not None,
            "recipient_is_student": recipient.is_student,
            "directory_url": links.absolute(reverse("mentoring:directory")),
        },
        recipient=recipient,
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            IDEMPOTENCY_HEADER: key,
            KIND_HEADER: "account_closed_notice",
            USER_HEADER: str(recipient.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    if session is not None:
        message.attach(
            f"flash-mentoring-{session.pk}.ics",
            _cancellation_ics(session, recipient),
            "text/calendar; method=CANCEL",
        )
    message.send()


def _call_off_mentoring(user: User, now: dt.datetime) -> int:
    """Upcoming sessions and open requests with someone else: tell that person. Returns how
    many people were told."""
    from mentoring.models import (
        OPEN_REQUEST_STATUSES,
        FlashRequest,
        RequestStatus,
        Session,
        SessionStatus,
    )
    from mentoring.reminders import sync_session

    told = 0
    mine = Q(student=user) | Q(volunteer=user)
    sessions = list(
        Session.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile")
        .filter(mine, status=SessionStatus.SCHEDULED, start_at__gt=now)
    )
    for session in sessions:
        other = session.volunteer if session.student_id == user.pk else session.student
        _notify(
            recipient=other,
            start_at=session.start_at,
            session=session,
            key=f"account-closed:session:{session.pk}:{other.pk}",
        )
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = ""
        session.save(update_fields=["status", "cancel_reason", "updated_at"])
        sync_session(session)  # the other person's "tomorrow" and feedback reminders go
        told += 1
    requests = list(
        FlashRequest.objects.select_for_update(of=("self",))
        .select_related("student__profile", "volunteer__profile")
        .filter(mine, status__in=OPEN_REQUEST_STATUSES, start_at__gt=now)
    )
    for flash_request in requests:
        other = (
            flash_request.volunteer
            if flash_request.student_id == user.pk
            else flash_request.student
        )
        _notify(
            recipient=other,
            start_at=flash_request.start_at,
            key=f"account-closed:request:{flash_request.pk}:{other.pk}",
        )
        flash_request.status = RequestStatus.WITHDRAWN
        flash_request.save(update_fields=["status"])
        told += 1
    return told


def _give_up_event_seats(user: User) -> None:
    from events.models import RSVP, RSVPStatus
    from events.services import rsvp_cancel

    open_rsvps = RSVP.objects.select_related("event").filter(
        user=user,
        status__in=[RSVPStatus.GOING, RSVPStatus.WAITLISTED],
        checked_in_at__isnull=True,
        event__ends_at__gt=timezone.now(),
    )
    for rsvp in open_rsvps:
        # Over or checked in meanwhile: the row goes with the account anyway.
        with contextlib.suppress(ValidationError):
            rsvp_cancel(rsvp=rsvp)  # promotes the next person on the waitlist


# --- Copies of their name and address ---------------------------------------------------------


def _scrubber(user: User):
    patterns = [re.escape(user.email)]
    name = user.display_name.strip()
    if len(name) >= MIN_NAME_LENGTH:
        patterns.append(r"\b" + re.escape(name) + r"\b")
    regex = re.compile("|".join(patterns), re.IGNORECASE)

    def scrub(text: str) -> str:
        return regex.sub(
            lambda m: REPLACEMENT_EMAIL if "@" in m.group(0) else REPLACEMENT_NAME, text
        )

    return scrub


def _text_filter(fields: list[str], needles: list[str]) -> Q:
    query = Q()
    for field in fields:
        for needle in needles:
            query |= Q(**{f"{field}__icontains": needle})
    return query


def _needles(user: User) -> list[str]:
    name = user.display_name.strip()
    return [user.email] + ([name] if len(name) >= MIN_NAME_LENGTH else [])


def _scrub_attachments(attachments: list[dict], scrub) -> list[dict]:
    cleaned = []
    for attachment in attachments:
        content = base64.b64decode(attachment.get("content", ""))
        if str(attachment.get("mimetype", "")).startswith("text/"):
            text = content.decode("utf-8", errors="replace")
            content = scrub(text).encode()
        cleaned.append({**attachment, "content": base64.b64encode(content).decode()})
    return cleaned


def _clean_outbox(user: User) -> None:
    """Emails to them go; other people's emails that name them keep going out, without them."""
    from networking_app.notifications.models import OutgoingEmail

    recipients = OutgoingEmail.objects.annotate(
        to_text=Cast("to", TextField()),
        cc_text=Cast("cc", TextField()),
        bcc_text=Cast("bcc", TextField()),
        reply_text=Cast("reply_to", TextField()),
    )
    addressed = recipients.filter(
        Q(user=user) | _text_filter(["to_text", "cc_text", "bcc_text", "reply_text"], [user.email])
    )
    OutgoingEmail.objects.filter(pk__in=list(addressed.values_list("pk", flat=True))).delete()

    scrub = _scrubber(user)
    mentioning = OutgoingEmail.objects.filter(
        _text_filter(["subject", "text", "html"], _needles(user))
    )
    for email in mentioning:
        email.subject = scrub(email.subject)
        email.text = scrub(email.text)
        email.html = scrub(email.html)
        email.attachments = _scrub_attachments(email.attachments or [], scrub)
        email.save(update_fields=["subject", "text", "html", "attachments"])


def _clean_audit_log(user: User) -> None:
    """Staff records (ours and the Django admin's) keep the action, not who it was about."""
    from django.contrib.admin.models import LogEntry

    from networking_app.core.models import AuditLog

    scrub = _scrubber(user)
    for entry in AuditLog.objects.filter(_text_filter(["summary"], _needles(user))):
        entry.summary = scrub(entry.summary)
        entry.save(update_fields=["summary"])
    admin_entries = LogEntry.objects.filter(
        _text_filter(["object_repr", "change_message"], _needles(user))
    )
    for entry in admin_entries:
        entry.object_repr = scrub(entry.object_repr)
        entry.change_message = scrub(entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


def _clean_invitations(user: User) -> None:
    """A volunteer's sign-up invitation holds their address."""
    from networking_app.console.models import VolunteerInvitation

    VolunteerInvitation.objects.filter(Q(email__iexact=user.email) | Q(used_by=user)).delete()


def _clean_match_rounds(user: User) -> None:
    """Match rounds keep people's ids in JSON (preferences, exclusions, removed pairs, why a
    student was left unmatched): take theirs out of the rounds they were in."""
    from mentoring.models import MatchRound, RoundRun, RoundStudent, RoundVolunteer

    round_ids = set(RoundStudent.objects.filter(student=user).values_list("round_id", flat=True))
    round_ids |= set(
        RoundVolunteer.objects.filter(volunteer=user).values_list("round_id", flat=True)
    )
    if not round_ids:
        return
    pk = user.pk
    for signup in RoundStudent.objects.filter(round_id__in=round_ids).exclude(student=user):
        preferences = [v for v in signup.preferences or [] if v != pk]
        excluded = [v for v in signup.excluded or [] if v != pk]
        if preferences != signup.preferences or excluded != signup.excluded:
            signup.preferences, signup.excluded = preferences, excluded
            signup.save(update_fields=["preferences", "excluded"])
    for match_round in MatchRound.objects.filter(pk__in=round_ids):
        pairs = [p for p in match_round.removed_pairs or [] if pk not in p]
        if pairs != match_round.removed_pairs:
            match_round.removed_pairs = pairs
            match_round.save(update_fields=["removed_pairs"])
    for run in RoundRun.objects.filter(round_id__in=round_ids):
        if str(pk) in (run.unmatched or {}):
            run.unmatched = {k: v for k, v in run.unmatched.items() if k != str(pk)}
            run.save(update_fields=["unmatched"])


def _end_login_sessions(user: User) -> None:
    """Signed in on another device too? Those sessions end now."""
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):
        return  # cache or cookie sessions: they die with the user row (no user to load)
    model = store.get_model_class()
    theirs = []
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            theirs.append(session.session_key)
    model.objects.filter(session_key__in=theirs).delete()


# --- The service --------------------------------------------------------------------------------


def account_delete(*, user: User, now: dt.datetime | None = None) -> ErasedAccount:
    """Erase a student's or volunteer's account and everything personal, keeping only the
    anonymous tallies (ErasedAccount). The user row is locked first, so two clicks on
    "delete" cannot both run and leave two tallies."""
    from events.views_feeds import calendar_feed_forget_renderings

    if not account_may_delete(user):
        raise PermissionDenied("Staff accounts are closed by another staff member.")
    now = now or timezone.now()
    with transaction.atomic():
        user = (
            User.objects.select_for_update(of=("self",))
            .select_related("profile", "student_profile", "volunteer_profile", "mentor")
            .filter(pk=user.pk)
            .first()
        )
        if user is None:
            raise ValidationError("This account has already been deleted.")
        erased = ErasedAccount.objects.create(
            role=user.role,
            # The month is enough for cohort statistics; the day would help re-identify.
            joined_on=timezone.localdate(user.date_joined, dt.UTC).replace(day=1),
            erased_at=now,
            **_cohort(user),
            **_tally(user),
        )
        _call_off_mentoring(user, now)
        _give_up_event_seats(user)
        _clean_match_rounds(user)
        # After the notices and waitlist emails above, so none of those can escape the sweep.
        _clean_outbox(user)
        _clean_audit_log(user)
        _clean_invitations(user)
        _end_login_sessions(user)
        if hasattr(user, "mentor"):
            directory_changed()
        user_id = user.pk
        user.delete()
        # After the commit: a calendar polling the feed before then would render it again.
        transaction.on_commit(lambda: calendar_feed_forget_renderings(user_id=user_id))
    return erased
