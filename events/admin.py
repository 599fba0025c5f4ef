from __future__ import annotations

from django.contrib import admin
from django.db import models

from events.models import RSVP, CalendarFeed, Event, EventHost, Label, MetAtEvent
from networking_app.core.admin import PrivateStudentDataAdmin
from networking_app.core.cache import EVENTS, VersionedAdmin, attendee, person


@admin.register(Label)
class LabelAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def cache_scopes(self, obj) -> list[str]:
        return [EVENTS]


class EventHostInline(admin.TabularInline):
    model = EventHost
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Event)
class EventAdmin(VersionedAdmin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "kind", "status", "starts_at", "capacity", "audience", "is_public"]
    list_filter = ["status", "kind", "audience", "is_public"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["organizations", "labels"]
    inlines = [EventHostInline]

    def cache_scopes(self, obj) -> list[str]:
        return [EVENTS]


@admin.register(EventHost)
class EventHostAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["event", "user", "role"]
    list_filter = ["role"]
    search_fields = ["event__title", "user__email"]
    list_select_related = ["event", "user"]
    raw_id_fields = ["event", "user"]

    def cache_scopes(self, obj) -> list[str]:
        return [EVENTS]


@admin.register(RSVP)
class RSVPAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["event", "user", "status", "queued_at", "checked_in_at"]
    list_filter = ["status", ("checked_in_at", admin.EmptyFieldListFilter)]
    search_fields = ["event__title", "user__email"]
    list_select_related = ["event", "user"]
    raw_id_fields = ["event", "user", "checked_in_by"]
    # The QR code's secret is a bearer credential for check-in: never shown.
    exclude = ["check_in_code"]

    def cache_scopes(self, obj) -> list[str]:
        return [person(obj.user_id), attendee(obj.user_id)]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "rotated_at", "last_fetched_at"]
    list_filter = ["created_at"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # The feed URL's secret: never shown.
    exclude = ["token"]


@admin.register(MetAtEvent)
class MetAtEventAdmin(PrivateStudentDataAdmin):
    """Which contact a student met at an event is theirs (the contact's name is private)."""

    list_display = ["pk", "event", "created_at"]
    list_filter = ["event"]
    search_fields = ["contact__owner__email"]
    list_select_related = ["event"]
