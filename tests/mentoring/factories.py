"""Factories of the mentoring app: topics, mentor profiles and their availability.

A MentorFactory mentor is what a volunteer who filled their profile looks like: approved (the
VolunteerFactory default), code of conduct accepted, listed, with its derived fields (search
text, bookable) computed by mentoring.services.profiles, as the app would.

    MentorFactory()                                   # listed and bookable
    MentorFactory(listed=False)                       # not in the directory
    MentorFactory(user__volunteer_profile__status="pending")
    MentorFactory(topics=[TopicFactory(slug="resume-review")], hidden_fields=["title"])
    AvailabilityWindowFactory(mentor=mentor, weekday=1)   # Tuesdays 09:00-12:00
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    Mentor,
    Mode,
    OverrideKind,
    Topic,
)
from tests.contacts.factories import OrganizationFactory
from tests.factories import VolunteerFactory


class TopicFactory(factory.django.DjangoModelFactory):
    """Topics are seeded by migration: a known slug gives the seeded row."""

    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())


class MentorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentor
        skip_postgeneration_save = True

    user = factory.SubFactory(VolunteerFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "Product Manager"
    industry = "Software"
    job_function = "Product"
    location = "Boston"
    major = "Economics"
    bio = "I moved from consulting into product and like talking about first jobs."
    modes = factory.LazyFunction(lambda: [Mode.VIDEO, Mode.PHONE])
    linkedin_url = "https://www.linkedin.com/in/someone"
    code_of_conduct_accepted_at = factory.LazyFunction(timezone.now)
    listed = True
    hidden_fields = factory.LazyFunction(list)
    # Slot rules that make tests easy to reason about: no notice, no break.
    min_notice_hours = 0
    buffer_minutes = 0

    @factory.post_generation
    def topics(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.topics.set(extracted)

    @factory.post_generation
    def derived(obj, create, extracted, **kwargs):
        if create:
            from mentoring.services.profiles import mentor_refresh_bookable

            mentor_refresh_bookable(user=obj.user)
            obj.refresh_from_db()


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow

    mentor = factory.SubFactory(MentorFactory)
    weekday = 0
    start_time = dt.time(9)
    end_time = dt.time(12)


class AvailabilityOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityOverride

    mentor = factory.SubFactory(MentorFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    kind = OverrideKind.BLACKOUT
