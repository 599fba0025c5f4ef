"""Writes of the events calendar: events (staff), RSVPs with a waitlist, check-in at the door
and the people a student met there.

Locking: every write that takes or frees a seat locks the Event row first
(`select_for_update`), then its RSVP rows. Holding the event lock serialises the count of
people going, the choice between a seat and the waitlist, and the arrival time (`queued_at`)
given to the newcomer, so the waitlist order is the order in which people got the lock and
nobody can take a seat that the count did not see. Taking the event lock first everywhere
keeps the lock order the same, so two writers cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from contacts.models import Contact, Organization, Relationship, Source
from contacts.services import people as contact_people
from events import reminders
from events.markdown import markdown_to_safe_html
from events.models import (
    RSVP,
    Event,
    EventHost,
    EventStatus,
    HostRole,
    Label,
    LabelKind,
    MetAtEvent,
    RSVPStatus,
)
from events.selectors.audience import audience_refusal, events_visible_to
from networking_app.accounts.models import User
from networking_app.core.cache import EVENTS, attendee, bump_version, person
from networking_app.core.emails import format_span, recipient_zone, send_templated_email
from networking_app.notifications import links
from networking_app.notifications.services import user_zone

# Fields whose change a calendar (or a person going) should see: SEQUENCE rises.
CALENDAR_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "time_zone",
    "place",
    "video_url",
    "status",
)
# Changes worth an email to everyone going or waitlisted.
NOTIFY_FIELDS = ("starts_at", "ends_at", "place", "video_url")
EVENT_FIELDS = (
    "title",
    "kind",
    "description",
    "status",
    "starts_at",
    "ends_at",
    "time_zone",
    "place",
    "video_url",
    "capacity",
    "rsvp_opens_at",
    "rsvp_closes_at",
    "audience",
    "class_years",
    "is_public",
)
ACTIVE = (RSVPStatus.GOING, RSVPStatus.WAITLISTED)
MET_MAX_PEOPLE = 20


# --- Emails ----------------------------------------------------------------------------------


def event_url(event: Event) -> str:
    return links.absolute(reverse("events:detail", kwargs={"event_id": event.pk}))


# Formatted when the email that shows it is rendered, so in the language it is written in.
_format_span_lazily = lazy(format_span, str)


def when_for(event: Event, user: User) -> str:
    """ "Saturday 21 November 2026, 6:00 PM to 8:00 PM EST" in the person's own time zone."""
    return _format_span_lazily(event.starts_at, event.ends_at, recipient_zone(user))


def send_event_email(*, template: str, to: User, event: Event, key: str, **context) -> None:
    """Render templates/emails/<template>.* for `to` into the outbox (caller's transaction)."""
    send_templated_email(
        template,
        context={
            **context,
            "recipient": to,
            "event": event,
            "when": when_for(event, to),
            "url": event_url(event),
        },
        recipient=to,
        key=key,
    )


def _active_rsvps(event: Event) -> list[RSVP]:
    return list(RSVP.objects.filter(event=event, status__in=ACTIVE).select_related("user__profile"))


# --- Events (staff) --------------------------------------------------------------------------


def _labels(kind: str, names: Iterable[str]) -> list[Label]:
    labels = []
    for name in dict.fromkeys(" ".join(n.split()) for n in names):
        if name:
            label, _ = Label.objects.get_or_create(kind=kind, name=name[:80])
            labels.append(label)
    return labels


def _organizations(names: Iterable[str]) -> list[Organization]:
    found = [contact_people.organization_get_or_create(name=name) for name in names]
    return list({o.pk: o for o in found if o is not None}.values())


def _set_relations(
    event: Event,
    *,
    organizations: Iterable[str] | None,
    industries: Iterable[str] | None,
    tags: Iterable[str] | None,
    hosts: Iterable[User] | None,
) -> None:
    if organizations is not None:
        event.organizations.set(_organizations(organizations))
    if industries is not None or tags is not None:
        current = list(event.labels.all())
        keep_industries = [lab for lab in current if lab.kind == LabelKind.INDUSTRY]
        keep_tags = [lab for lab in current if lab.kind == LabelKind.TAG]
        if industries is not None:
            keep_industries = _labels(LabelKind.INDUSTRY, industries)
        if tags is not None:
            keep_tags = _labels(LabelKind.TAG, tags)
        event.labels.set(keep_industries + keep_tags)
    if hosts is not None:
        wanted = {user.pk: user for user in hosts}
        EventHost.objects.filter(event=event).exclude(user_id__in=wanted).delete()
        have = set(EventHost.objects.filter(event=event).values_list("user_id", flat=True))
        EventHost.objects.bulk_create(
            EventHost(event=event, user=user, role=HostRole.SPEAKER)
            for pk, user in wanted.items()
            if pk not in have
        )


def _validate(event: Event) -> None:
    errors = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = gettext("The event must end after it starts.")
    if event.rsvp_opens_at and event.rsvp_closes_at and event.rsvp_closes_at <= event.rsvp_opens_at:
        errors["rsvp_closes_at"] = gettext("RSVPs must close after they open.")
    if event.status == EventStatus.CANCELLED and not event.cancelled_at:
        errors["status"] = gettext("Cancel an event with the cancel button, so people are told.")
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["organizations", "labels", "hosts"])


def event_create(
    *,
    created_by: User,
    organizations: Iterable[str] = (),
    industries: Iterable[str] = (),
    tags: Iterable[str] = (),
    hosts: Iterable[User] = (),
    **fields,
) -> Event:
    """Staff add an event; the description is rendered to sanitised HTML."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    if not created_by.is_staff_member:
        raise ValidationError(gettext("Only career-office staff create events."))
    event = Event(created_by=created_by, **fields)
    event.description_html = markdown_to_safe_html(event.description)
    _validate(event)
    with transaction.atomic():
        event.save()
        _set_relations(
            event, organizations=organizations, industries=industries, tags=tags, hosts=hosts
        )
        bump_version(EVENTS)
    return event


def _promote_waitlist(event: Event, *, now: dt.datetime) -> list[RSVP]:
    """Give free seats to the earliest waitlisted people (event row locked by the caller)."""
    promoted = []
    going = RSVP.objects.filter(event=event, status=RSVPStatus.GOING).count()
    while event.capacity is None or going < event.capacity:
        rsvp = (
            RSVP.objects.select_for_update(of=("self",))
            .filter(event=event, status=RSVPStatus.WAITLISTED)
            .select_related("user__profile")
            .order_by("queued_at", "pk")
            .first()
        )
        if rsvp is None:
            break
        rsvp.status = RSVPStatus.GOING
        rsvp.promoted_at = now
        rsvp.save(update_fields=["status", "promoted_at", "updated_at"])
        bump_version(person(rsvp.user_id), attendee(rsvp.user_id))
        going += 1
        promoted.append(rsvp)
    for rsvp in promoted:
        send_event_email(
            template="event_promoted",
            to=rsvp.user,
            event=event,
            key=f"rsvp:{rsvp.pk}:promoted:{now.timestamp()}",
        )
        reminders.sync_rsvp(rsvp, event=event)
    return promoted


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def event_update(
    *,
    event: Event,
    by: User,
    organizations: Iterable[str] | None = None,
    industries: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
    hosts: Iterable[User] | None = None,
    **fields,
) -> Event:
    """Staff change an event. A change a calendar shows raises SEQUENCE; a new time, place or
    link is emailed to everyone going or waitlisted; a larger capacity promotes the waitlist."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    if not by.is_staff_member:
        raise ValidationError(gettext("Only career-office staff change events."))
    with transaction.atomic():
        event = _lock_event(event)
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(gettext("This event was cancelled; it can no longer be changed."))
        if (
            fields.get("status", event.status) == EventStatus.DRAFT
            and event.status == EventStatus.PUBLISHED
            and RSVP.objects.filter(event=event, status__in=ACTIVE).exists()
        ):
            raise ValidationError(
                {
                    "status": gettext(
                        "People have RSVP'd: cancel the event instead of unpublishing it."
                    )
                }
            )
        before = {name: getattr(event, name) for name in EVENT_FIELDS}
        for name, value in fields.items():
            setattr(event, name, value)
        event.description_html = markdown_to_safe_html(event.description)
        _validate(event)
        changed = {name for name in EVENT_FIELDS if getattr(event, name) != before[name]}
        if changed & set(CALENDAR_FIELDS):
            event.ics_sequence += 1
        event.save()
        _set_relations(
            event, organizations=organizations, industries=industries, tags=tags, hosts=hosts
        )
        bump_version(EVENTS)
        now = timezone.now()
        if changed & set(NOTIFY_FIELDS) and event.status == EventStatus.PUBLISHED:
            for rsvp in _active_rsvps(event):
                send_event_email(
                    template="event_updated",
                    to=rsvp.user,
                    event=event,
                    key=f"event:{event.pk}:updated:{event.ics_sequence}:{rsvp.user_id}",
                    rsvp=rsvp,
                )
        if event.status == EventStatus.PUBLISHED and now < event.ends_at:
            _promote_waitlist(event, now=now)
        for rsvp in RSVP.objects.filter(event=event, status=RSVPStatus.GOING).select_related(
            "user__profile"
        ):
            reminders.sync_rsvp(rsvp, event=event)
    return event


def event_cancel(*, event: Event, by: User, reason: str) -> Event:
    """Staff cancel an event; everyone going or waitlisted is told why."""
    reason = " ".join((reason or "").split())
    if not by.is_staff_member:
        raise ValidationError(gettext("Only career-office staff cancel events."))
    if not reason:
        raise ValidationError(
            {"reason": gettext("Say why the event is cancelled: people will read it.")}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": gettext("Keep the reason under 500 characters.")})
    with transaction.atomic():
        event = _lock_event(event)
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(gettext("This event is already cancelled."))
        event.status = EventStatus.CANCELLED
        event.cancelled_at = timezone.now()
        event.cancel_reason = reason
        event.ics_sequence += 1
        event.save(
            update_fields=["status", "cancelled_at", "cancel_reason", "ics_sequence", "updated_at"]
        )
        bump_version(EVENTS)
        for rsvp in _active_rsvps(event):
            send_event_email(
                template="event_cancelled",
                to=rsvp.user,
                event=event,
                key=f"event:{event.pk}:cancelled:{rsvp.user_id}",
                rsvp=rsvp,
                reason=reason,
            )
            reminders.sync_rsvp(rsvp, event=event)
    return event


# --- RSVP ------------------------------------------------------------------------------------


def rsvp_refusal(*, event: Event, user: User, now: dt.datetime | None = None) -> str:
    """Why this person cannot RSVP now ("" when they can)."""
    now = now or timezone.now()
    if not user.is_authenticated or not (user.is_student or user.is_volunteer):
        return gettext("Only students and volunteers can RSVP.")
    if user.is_volunteer:
        profile = getattr(user, "volunteer_profile", None)
        if profile is None or not profile.is_approved:
            return gettext(
                "You can RSVP once the career office has approved your volunteer account."
            )
    _, outside = audience_refusal(event=event, user=user)
    if outside:
        return outside
    if event.status == EventStatus.CANCELLED:
        return gettext("This event was cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return gettext("This event is not published yet.")
    if now >= event.ends_at:
        return gettext("This event is over.")
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        opens = formats.date_format(timezone.localtime(event.rsvp_opens_at), "DATETIME_FORMAT")
        return gettext("RSVPs open on %(when)s.") % {"when": opens}
    if event.rsvp_closes_at and now >= event.rsvp_closes_at:
        return gettext("RSVPs are closed.")
    return ""


def rsvp_create(*, event: Event, user: User) -> RSVP:
    """Take a seat, or a place at the back of the waitlist when the event is full. Someone who
    cancelled and comes back queues again at the back."""
    with transaction.atomic():
        # The lock makes the seat count, the choice and queued_at one step (module docstring).
        event = _lock_event(event)
        if not events_visible_to(user=user).filter(pk=event.pk).exists():
            raise ValidationError(gettext("This event is not open to you."))
        now = timezone.now()
        refusal = rsvp_refusal(event=event, user=user, now=now)
        if refusal:
            raise ValidationError(refusal)
        rsvp = RSVP.objects.select_for_update().filter(event=event, user=user).first()
        if rsvp is not None and rsvp.status in ACTIVE:
            return rsvp
        going = RSVP.objects.filter(event=event, status=RSVPStatus.GOING).count()
        status = (
            RSVPStatus.GOING
            if event.capacity is None or going < event.capacity
            else RSVPStatus.WAITLISTED
        )
        # Strictly after everyone already queued, even if the clock stepped back.
        last = RSVP.objects.filter(event=event).aggregate(last=Max("queued_at"))["last"]
        queued_at = now if last is None or now > last else last + dt.timedelta(microseconds=1)
        if rsvp is None:
            rsvp = RSVP.objects.create(event=event, user=user, status=status, queued_at=queued_at)
        else:
            rsvp.status = status
            rsvp.queued_at = queued_at
            rsvp.cancelled_at = None
            rsvp.promoted_at = None
            rsvp.checked_in_at = None
            rsvp.checked_in_by = None
            rsvp.save()
        reminders.sync_rsvp(rsvp, event=event)
        bump_version(person(user.pk), attendee(user.pk))
    return rsvp


def rsvp_cancel(*, rsvp: RSVP) -> RSVP:
    """Give up a seat or a waitlist place; a freed seat goes to the earliest waitlisted person,
    who is emailed."""
    with transaction.atomic():
        event = _lock_event(rsvp.event)
        rsvp = (
            RSVP.objects.select_for_update(of=("self",))
            .select_related("user__profile")
            .get(pk=rsvp.pk)
        )
        if rsvp.status == RSVPStatus.CANCELLED:
            return rsvp
        if rsvp.checked_in_at is not None:
            raise ValidationError(gettext("You were checked in at the door: that RSVP stays."))
        if timezone.now() >= event.ends_at:
            raise ValidationError(gettext("This event is over."))
        was_going = rsvp.status == RSVPStatus.GOING
        now = timezone.now()
        rsvp.status = RSVPStatus.CANCELLED
        rsvp.cancelled_at = now
        rsvp.save(update_fields=["status", "cancelled_at", "updated_at"])
        reminders.sync_rsvp(rsvp, event=event)
        bump_version(person(rsvp.user_id), attendee(rsvp.user_id))
        if was_going and event.status == EventStatus.PUBLISHED:
            _promote_waitlist(event, now=now)
    return rsvp


def rsvp_check_in(*, rsvp: RSVP, by: User) -> RSVP:
    """Staff check a person in at the door (once; a second click changes nothing)."""
    if not by.is_staff_member:
        raise ValidationError(gettext("Only career-office staff check people in."))
    with transaction.atomic():
        rsvp = RSVP.objects.select_for_update(of=("self",)).select_related("event").get(pk=rsvp.pk)
        if rsvp.event.status == EventStatus.CANCELLED:
            raise ValidationError(gettext("This event was cancelled."))
        if rsvp.status != RSVPStatus.GOING:
            raise ValidationError(
                gettext("This person is %(status)s, not going: they have no seat at this event.")
                % {"status": rsvp.get_status_display().lower()}
            )
        if rsvp.checked_in_at is None:
            rsvp.checked_in_at = timezone.now()
            rsvp.checked_in_by = by
            rsvp.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return rsvp


def rsvp_check_in_undo(*, rsvp: RSVP, by: User) -> RSVP:
    """Staff take back a check-in made by mistake."""
    if not by.is_staff_member:
        raise ValidationError(gettext("Only career-office staff check people in."))
    with transaction.atomic():
        rsvp = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        rsvp.checked_in_at = None
        rsvp.checked_in_by = None
        rsvp.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    return rsvp


# --- After the event -------------------------------------------------------------------------


def met_people_log(*, event: Event, student: User, people: list[dict]) -> list[Contact]:
    """Quick-add the people a student met at an event as contacts (source: the event)."""
    if not student.is_student:
        raise ValidationError(gettext("Only students keep contacts."))
    if timezone.now() < event.starts_at:
        raise ValidationError(gettext("You can log the people you met once the event has started."))
    if not RSVP.objects.filter(event=event, user=student, status=RSVPStatus.GOING).exists():
        raise ValidationError(gettext("Only people who were going can log who they met there."))
    people = [p for p in people if (p.get("name") or "").strip()]
    if not people:
        raise ValidationError(gettext("Add at least one person's name."))
    if len(people) > MET_MAX_PEOPLE:
        raise ValidationError(
            gettext("Add at most %(count)s people at a time.") % {"count": MET_MAX_PEOPLE}
        )
    day = formats.date_format(timezone.localtime(event.starts_at, user_zone(student)))
    how_met = f"{event.title}, {day}"[:300]
    contacts = []
    with transaction.atomic():
        for met in people:
            contact = contact_people.contact_create(
                owner=student,
                organization_name=(met.get("organization") or "").strip(),
                source=Source.EVENT,
                name=met["name"].strip(),
                email=(met.get("email") or "").strip(),
                title=(met.get("title") or "").strip(),
                notes=(met.get("notes") or "").strip(),
                relationship=Relationship.MET_AT_EVENT,
                how_met=how_met,
            )
            MetAtEvent.objects.create(event=event, contact=contact)
            contacts.append(contact)
        # The home card stops asking to log the people met there.
        bump_version(person(student.pk), attendee(student.pk))
    return contacts
