"""What "download my data" (networking_app/accounts/my_data.py) holds of events: RSVPs, the
events the person hosts, and the people they logged as met at events. Registered in
EventsConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from events.models import RSVP, EventHost, MetAtEvent
from networking_app.accounts.models import Role, User
from networking_app.accounts.my_data import (
    STUDENT,
    DataFile,
    export_fields,
    export_value,
    register,
)


def event_rsvps_data(user: User) -> list[dict]:
    rsvps = RSVP.objects.filter(user=user).select_related("event").order_by("queued_at")
    return [
        {
            "event": r.event.title,
            "starts_at": export_value(r.event.starts_at),
            **export_fields(
                r, ["status", "queued_at", "promoted_at", "cancelled_at", "checked_in_at"]
            ),
        }
        for r in rsvps
    ]


def hosted_events_data(user: User) -> list[dict]:
    hosting = (
        EventHost.objects.filter(user=user).select_related("event").order_by("event__starts_at")
    )
    return [
        {"event": h.event.title, "starts_at": export_value(h.event.starts_at), "role": h.role}
        for h in hosting
    ]


def met_at_events_data(user: User) -> list[dict]:
    met = MetAtEvent.objects.filter(contact__owner=user).select_related("event", "contact")
    return [
        {
            "event": m.event.title,
            "contact": {"id": m.contact_id, "name": m.contact.name},
            "created_at": export_value(m.created_at),
        }
        for m in met
    ]


def register_data_files() -> None:
    register(
        DataFile("event_rsvps.json", _("your event RSVPs"), event_rsvps_data, order=50),
        DataFile(
            "events_hosted.json",
            _("events where you are listed as a host or speaker"),
            hosted_events_data,
            (Role.VOLUNTEER, Role.STAFF),
            51,
        ),
        DataFile(
            "met_at_events.json",
            _("the people you logged as met at events"),
            met_at_events_data,
            STUDENT,
            52,
        ),
    )
