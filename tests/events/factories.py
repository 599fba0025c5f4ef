"""Factories for the events calendar."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from events.markdown import markdown_to_safe_html
from events.models import RSVP, Event, EventKind, EventStatus, Label, LabelKind, RSVPStatus
from tests.factories import StudentFactory


def _next_week() -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=7)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ("kind", "name")

    kind = LabelKind.INDUSTRY
    name = factory.Sequence(lambda n: f"Industry {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Networking night {n}")
    kind = EventKind.NETWORKING_NIGHT
    description = "Meet **alumni** from the industry."
    description_html = factory.LazyAttribute(lambda o: markdown_to_safe_html(o.description))
    status = EventStatus.PUBLISHED
    starts_at = factory.LazyFunction(_next_week)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    time_zone = "UTC"
    place = "Student Center, Room 101"
    is_public = True


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(StudentFactory)
    status = RSVPStatus.GOING
