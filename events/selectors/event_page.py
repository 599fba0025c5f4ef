"""Reads for one event's page: the event with its counts, the person's RSVP and place on the
waitlist, the people they met there, and warm paths to the organizations attending."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from contacts.models import Contact, Organization
from events.models import RSVP, Event, EventHost, MetAtEvent, RSVPStatus
from events.selectors.audience import events_visible_to
from events.selectors.calendar import going_count
from mentoring.selectors.directory.volunteers import listed_mentors_at, mentor_card

# --- One event -------------------------------------------------------------------------------


def event_for_page(*, user, event_id: int) -> Event:
    """The event with what its page shows: labels, organizations, hosts and the counts."""
    event = (
        events_visible_to(user=user)
        .filter(pk=event_id)
        .annotate(
            going_count=going_count(),
            waitlist_count=Count(
                "rsvps", filter=Q(rsvps__status=RSVPStatus.WAITLISTED), distinct=True
            ),
        )
        .prefetch_related(
            "labels",
            "organizations",
            Prefetch(
                "host_links",
                queryset=EventHost.objects.select_related("user__profile").order_by("pk"),
            ),
        )
        .first()
    )
    if event is None:
        raise Http404("No such event.")
    return event


def rsvp_for(*, user, event: Event) -> RSVP | None:
    if user is None or not user.is_authenticated:
        return None
    return RSVP.objects.filter(event=event, user=user).first()


def user_is_going(*, user, event: Event) -> bool:
    return RSVP.objects.filter(event=event, user=user, status=RSVPStatus.GOING).exists()


def met_at_event_for(*, user, event: Event) -> list[MetAtEvent]:
    """The contacts a student logged as met at the event (nobody else has any)."""
    if not (user.is_authenticated and user.is_student):
        return []
    return list(
        MetAtEvent.objects.filter(event=event, contact__owner=user)
        .select_related("contact__organization")
        .order_by("pk")
    )


def waitlist_position(*, rsvp: RSVP) -> int | None:
    """1 for the first person waiting, ... (None unless waitlisted)."""
    if rsvp.status != RSVPStatus.WAITLISTED:
        return None
    ahead = RSVP.objects.filter(event_id=rsvp.event_id, status=RSVPStatus.WAITLISTED).filter(
        Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk)
    )
    return ahead.count() + 1


@dataclass
class EventWarmPath:
    organization: Organization
    contacts: list = field(default_factory=list)
    mentors: list = field(default_factory=list)


def warm_paths_at_event(*, user, event: Event) -> list[EventWarmPath]:
    """For each organization attending: the student's own contacts there and the directory's
    listed volunteers there (mentoring's warm paths, pointed at the event). Three queries."""
    organizations = list(event.organizations.all())
    if not organizations or not user.is_authenticated or not user.is_student:
        return []
    ids = [o.pk for o in organizations]
    contacts: dict[int, list] = defaultdict(list)
    for contact in Contact.objects.filter(owner=user, organization_id__in=ids).order_by(
        "name", "pk"
    ):
        contacts[contact.organization_id].append(contact)
    mentors: dict[int, list] = defaultdict(list)
    for mentor in listed_mentors_at(organization_ids=ids).order_by("pk"):
        mentors[mentor.organization_id].append(mentor_card(mentor))
    return [
        EventWarmPath(organization=o, contacts=contacts[o.pk], mentors=mentors[o.pk])
        for o in organizations
        if contacts[o.pk] or mentors[o.pk]
    ]
