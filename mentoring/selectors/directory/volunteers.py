"""What students see of a volunteer: the listed volunteers, their cards (`MentorCard`, which
holds only the fields the volunteer did not hide: a template cannot show a hidden value it
never receives), one volunteer's page, and warm paths to the student's target organizations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.models import (
    Contact,
    TargetOrganization,
)
from mentoring.models import (
    HIDEABLE_FIELDS,
    Mentor,
    Mode,
)
from mentoring.services.availability import (
    Slot,
    open_slots_for_mentors,
)
from networking_app.accounts.models import User

MODE_LABELS = dict(Mode.choices)


def listed_mentors_at(*, organization_ids) -> QuerySet[Mentor]:
    """Volunteers the directory lists at these organizations, loaded for `mentor_card`."""
    return listed_mentors().filter(organization_id__in=organization_ids)


# --- What students see of a volunteer ------------------------------------------------------


@dataclass
class MentorCard:
    mentor_id: int
    name: str
    organization: str
    affiliation: str
    topics: list[str]
    modes: list[str]
    # Hideable fields: empty when the volunteer hid them.
    title: str = ""
    industry: str = ""
    job_function: str = ""
    location: str = ""
    class_year: int | None = None
    major: str = ""
    bio: str = ""
    linkedin_url: str = ""
    slots: list[Slot] = field(default_factory=list)
    photo_url: str = ""  # empty: the initials

    @property
    def next_slot(self) -> Slot | None:
        return self.slots[0] if self.slots else None


def mentor_card(mentor: Mentor, slots: list[Slot] | None = None) -> MentorCard:
    """Needs the mentor with select_related("organization", "user__profile",
    "user__volunteer_profile") and prefetch_related("topics")."""
    volunteer = getattr(mentor.user, "volunteer_profile", None)
    values = {
        "title": mentor.title,
        "industry": mentor.industry,
        "job_function": mentor.job_function,
        "location": mentor.location,
        "class_year": volunteer.class_year if volunteer else None,
        "major": mentor.major,
        "bio": mentor.bio,
        "linkedin_url": mentor.linkedin_url,
    }
    visible = {name: value for name, value in values.items() if mentor.shows(name)}
    assert set(visible) <= set(HIDEABLE_FIELDS)
    return MentorCard(
        mentor_id=mentor.pk,
        name=mentor.user.display_name,
        organization=mentor.organization.name if mentor.organization_id else "",
        affiliation=volunteer.get_affiliation_display() if volunteer else "",
        topics=[t.name for t in mentor.topics.all()],
        modes=[MODE_LABELS[m] for m in mentor.modes or [] if m in MODE_LABELS],
        slots=slots or [],
        photo_url=mentor.photo_url,
        **visible,
    )


def _with_card_data(queryset: QuerySet[Mentor]) -> QuerySet[Mentor]:
    return queryset.select_related(
        "organization", "user__profile", "user__volunteer_profile"
    ).prefetch_related("topics")


def listed_mentors() -> QuerySet[Mentor]:
    """is_bookable says approved, active, consented, listed and not on leave (kept by
    mentoring.services.profiles), so the search needs no join; the rows shown check the
    account again, in case it was deactivated without a refresh (the join is there anyway)."""
    return _with_card_data(Mentor.objects.filter(is_bookable=True, user__is_active=True))


# search_names starts with the name: ordering by it is by name (then organization), and an
# index (migration 0003) on (lower(search_names), id) walks the directory in that order.
BY_NAME = (Lower("search_names"), "pk")


def mentor_cards(mentors: list[Mentor], *, now: dt.datetime, slots: int = 1) -> list[MentorCard]:
    """Cards with each volunteer's next `slots` open slots, in a fixed number of queries."""
    open_slots = open_slots_for_mentors(mentors, now=now, limit=slots)
    return [mentor_card(m, open_slots.get(m.pk, [])) for m in mentors]


def mentor_card_preview(*, user: User, now: dt.datetime | None = None) -> MentorCard | None:
    """The volunteer's own card as students see it in the directory (the fields they hid
    left out, their next open time), listed or not yet; None before they wrote a profile."""
    mentor = _with_card_data(Mentor.objects.filter(user=user)).first()
    if mentor is None:
        return None
    return mentor_cards([mentor], now=now or timezone.now())[0]


# --- One volunteer's page, and warm paths --------------------------------------------------


def mentor_get_for_student(*, mentor_id: int) -> Mentor:
    """A volunteer students may see: listed and bookable, else a plain 404."""
    return get_object_or_404(listed_mentors(), pk=mentor_id)


def contact_for_student(*, user: User, mentor: Mentor) -> Contact | None:
    """The student's contact with this volunteer's email address, if they have one."""
    return (
        Contact.objects.filter(owner=user, email__iexact=mentor.user.email).order_by("pk").first()
    )


@dataclass
class WarmPath:
    target: TargetOrganization
    volunteers: list[MentorCard]
    contacts: list[Contact]


def warm_paths(*, user: User, now: dt.datetime | None = None) -> list[WarmPath]:
    """For each of the student's target organizations, the directory's volunteers there next
    to the student's own contacts there. Five queries whatever the numbers."""
    now = now or timezone.now()
    targets = list(TargetOrganization.objects.filter(owner=user).select_related("organization"))
    organization_ids = [t.organization_id for t in targets]
    volunteers: dict[int, list[Mentor]] = defaultdict(list)
    mentors = list(listed_mentors().filter(organization_id__in=organization_ids).order_by(*BY_NAME))
    for mentor in mentors:
        volunteers[mentor.organization_id].append(mentor)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in Contact.objects.filter(
        owner=user, organization_id__in=organization_ids
    ).order_by("name", "pk"):
        contacts[contact.organization_id].append(contact)
    cards = {card.mentor_id: card for card in mentor_cards(mentors, now=now)}
    return [
        WarmPath(
            target=target,
            volunteers=[cards[m.pk] for m in volunteers[target.organization_id]],
            contacts=contacts[target.organization_id],
        )
        for target in targets
    ]
