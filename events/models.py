"""The calendar of networking events: career fairs, alumni panels, networking nights...

Staff publish events; students and volunteers RSVP. When an event is full, RSVPs queue on a
waitlist in arrival order (`RSVP.queued_at`) and a cancellation promotes the next person. The
seat count is decided under a row lock on the event (events.services), never in Python alone.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventKind(models.TextChoices):
    CAREER_FAIR = "career_fair", _("Career fair")
    ALUMNI_PANEL = "alumni_panel", _("Alumni panel")
    NETWORKING_NIGHT = "networking_night", _("Networking night")
    INFO_SESSION = "info_session", _("Info session")
    WORKSHOP = "workshop", _("Workshop")
    EMPLOYER_VISIT = "employer_visit", _("Employer visit")
    OTHER = "other", pgettext_lazy("event kind", "Other")


class Audience(models.TextChoices):
    EVERYONE = "everyone", pgettext_lazy("event audience", "Everyone")
    STUDENTS = "students", pgettext_lazy("event audience", "Students")
    VOLUNTEERS = "volunteers", pgettext_lazy("event audience", "Volunteers")


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    PUBLISHED = "published", pgettext_lazy("event status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class LabelKind(models.TextChoices):
    INDUSTRY = "industry", pgettext_lazy("event label kind", "Industry")
    TAG = "tag", pgettext_lazy("event label kind", "Tag")


class Label(models.Model):
    """An industry or a free tag an event is filed under (shared by all events)."""

    kind = models.CharField(max_length=16, choices=LabelKind.choices)
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="events_label_unique"),
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


def _new_secret() -> str:
    return secrets.token_urlsafe(24)


class Event(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=EventKind.choices, default=EventKind.OTHER)
    # Markdown as typed by staff; rendered to sanitised HTML by events.markdown on save.
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The event's own time zone (IANA name), for its page and its ICS entry.
    time_zone = models.CharField(max_length=64, default="UTC")
    place = models.CharField("place", max_length=300, blank=True)
    # Shown only to people who are going, to staff and in the personal feed.
    video_url = models.URLField("video link", max_length=500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    rsvp_opens_at = models.DateTimeField("RSVP opens", null=True, blank=True)
    rsvp_closes_at = models.DateTimeField("RSVP closes", null=True, blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    # Empty: every class year. Otherwise students of these class years only.
    class_years = models.JSONField(default=list, blank=True)
    # Public events are listed to anonymous visitors and in the public feed (no links, no
    # attendees); the others only to signed-in users of the audience.
    is_public = models.BooleanField("listed publicly", default=True)
    organizations = models.ManyToManyField(
        "contacts.Organization", blank=True, related_name="events"
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="events")
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="EventHost", blank=True, related_name="hosted_events"
    )
    # iCalendar: the UID is derived from the pk and never changes; SEQUENCE rises on every
    # change that a calendar should see (time, place, link, title, cancellation).
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["is_public", "status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="events_event_ends_after_start",
            ),
        ]
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def ics_uid(self) -> str:
        return f"event-{self.pk}@rapport"

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def rsvp_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.status != EventStatus.PUBLISHED or now >= self.ends_at:
            return False
        if self.rsvp_opens_at and now < self.rsvp_opens_at:
            return False
        return not (self.rsvp_closes_at and now >= self.rsvp_closes_at)


class HostRole(models.TextChoices):
    HOST = "host", pgettext_lazy("event host role", "Host")
    SPEAKER = "speaker", pgettext_lazy("event host role", "Speaker")


class EventHost(models.Model):
    """A volunteer (or staff member) listed as a host or speaker of an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="host_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=HostRole.choices, default=HostRole.SPEAKER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_host_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.event}"


class RSVPStatus(models.TextChoices):
    GOING = "going", pgettext_lazy("RSVP status", "Going")
    WAITLISTED = "waitlisted", pgettext_lazy("RSVP status", "Waitlisted")
    CANCELLED = "cancelled", pgettext_lazy("RSVP status", "Cancelled")


class RSVP(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps"
    )
    status = models.CharField(max_length=16, choices=RSVPStatus.choices)
    # Arrival order: set when the person (re-)joins, so the waitlist is first come, first served.
    queued_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The secret in the person's check-in QR code.
    check_in_code = models.CharField(max_length=64, unique=True, default=_new_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_rsvp_one_per_person"),
        ]
        indexes = [
            models.Index(fields=["event", "status", "queued_at"]),
            models.Index(fields=["user", "status"]),
        ]
        ordering = ["queued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.status} for {self.event}"


class CalendarFeed(models.Model):
    """A personal calendar subscription URL. Rotating replaces the token; revoking deletes the
    row, so the old URL answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_secret)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class MetAtEvent(models.Model):
    """A contact a student logged as someone they met at an event ("log the people you met")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="met_at_event"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.contact} met at {self.event}"
