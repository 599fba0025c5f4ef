"""Who sees which event. Every view starts from `events_visible_to` / `event_get_visible`, so
an event outside a person's audience is a 404 (its page says why, `event_outside_audience`);
`audience_refusal` says who of those who see it may RSVP."""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, Func, JSONField, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.text import get_text_list
from django.utils.translation import gettext

from events.models import RSVP, Audience, Event, EventStatus, RSVPStatus
from networking_app.accounts.models import StudentProfile, User

LISTED_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def _class_year_filter(user) -> Q:
    """Events for every class year, for this student's, or (no class year in their profile)
    for any: they might be in its audience, and its page tells them to set their class year."""
    years = Q(class_years=[])
    postgresql = connection.vendor == "postgresql"
    if postgresql and not User.student_profile.is_cached(user):
        # Read inside the query rather than by a query of its own.
        profile = StudentProfile.objects.filter(user_id=user.pk)
        class_year = profile.values("class_year")[:1]
        return (
            years
            | ~Exists(profile.filter(class_year__isnull=False))
            | Q(
                class_years__contains=Func(
                    Subquery(class_year), function="jsonb_build_array", output_field=JSONField()
                )
            )
        )
    class_year = _class_year(user)
    if class_year is None:
        return Q()
    if postgresql:
        return years | Q(class_years__contains=[class_year])
    # SQLite (local development) has no JSON containment; years are four digits, so matching
    # the list's text is exact enough there.
    return years | Q(class_years__icontains=str(class_year))


def _class_year(user) -> int | None:
    profile = getattr(user, "student_profile", None)
    return profile.class_year if profile is not None else None


def events_visible_to(*, user) -> QuerySet[Event]:
    """Events this person may see. One rule, for the calendar, the lists, an event's page and
    RSVP: an event is shown to everyone who might be in its audience, and only people who are
    in it may RSVP (`audience_refusal`). Anonymous visitors see the public events (they might be
    anyone); students the events for students of their class year, or of any class year when
    their profile has none; volunteers the events for volunteers; staff all of them, drafts
    too. A student of another class year does not see a class-year event, even a public one:
    unlike a visitor, they are known not to be in its audience (its page says why)."""
    events = Event.objects.all()
    if user is None or not user.is_authenticated:
        return events.filter(status__in=LISTED_STATUSES, is_public=True)
    if user.is_staff_member:
        return events
    events = events.filter(status__in=LISTED_STATUSES)
    if user.is_student:
        return events.filter(
            _class_year_filter(user), audience__in=(Audience.EVERYONE, Audience.STUDENTS)
        )
    if user.is_volunteer:
        return events.filter(audience__in=(Audience.EVERYONE, Audience.VOLUNTEERS))
    return events.none()


def class_years_text(event: Event) -> str:
    """The event's class years as words: "2027", "2027 and 2028"."""
    years = [str(y) for y in sorted(event.class_years or [])]
    return get_text_list(years, gettext("and"))


# Why someone is not in an event's audience: shown on its page, refused by RSVP.
NEEDS_CLASS_YEAR = "needs_class_year"


def audience_refusal(*, event: Event, user) -> tuple[str, str]:
    """(code, why) this signed-in person is not in the event's audience, or ("", "") when
    they are. The code is NEEDS_CLASS_YEAR when setting a class year could make them
    eligible, so the page can link to their profile."""
    if user is None or not user.is_authenticated or user.is_staff_member:
        return "", ""
    if event.audience == Audience.STUDENTS and not user.is_student:
        return "role", gettext("This event is for students.")
    if event.audience == Audience.VOLUNTEERS and not user.is_volunteer:
        return "role", gettext("This event is for volunteers.")
    if user.is_student and event.class_years:
        class_year = _class_year(user)
        years = class_years_text(event)
        if class_year is None:
            return (
                NEEDS_CLASS_YEAR,
                gettext(
                    "This event is for the class of %(years)s. Your profile has no class year: "
                    "set your class year in your profile to RSVP."
                )
                % {"years": years},
            )
        if class_year not in event.class_years:
            return "class_year", gettext("This event is for the class of %(years)s only.") % {
                "years": years
            }
    return "", ""


def event_outside_audience(*, user, event_id: int) -> str:
    """Why a listed event this signed-in person cannot see is not for them ("" if there is no
    such event): their page says so instead of a bare "not found"."""
    if user is None or not user.is_authenticated:
        return ""
    event = (
        Event.objects.filter(pk=event_id, status__in=LISTED_STATUSES)
        .only("audience", "class_years")
        .first()
    )
    if event is None:
        return ""
    return audience_refusal(event=event, user=user)[1]


def event_get_visible(*, user, event_id: int) -> Event:
    """The event if this person may see it, else Http404."""
    event = events_visible_to(user=user).filter(pk=event_id).first()
    if event is None:
        raise Http404("No such event.")
    return event


def user_is_host(*, user, event: Event) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return event.host_links.filter(user=user).exists()


def user_may_see_private_details(*, user, event: Event) -> bool:
    """The video link and attendee details: staff, the event's hosts and people going."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff_member:
        return True
    if user_is_host(user=user, event=event):
        return True
    return RSVP.objects.filter(event=event, user=user, status=RSVPStatus.GOING).exists()
