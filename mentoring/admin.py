from django.contrib import admin
from django.db import models

from mentoring.models import (
    AvailabilityOverride,
    AvailabilityWindow,
    Feedback,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    MentoringPolicy,
    RoundRun,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionChange,
    StudentInterests,
    Topic,
)
from mentoring.services.profiles import mentor_refresh_bookable
from networking_app.core.admin import PrivateStudentDataAdmin
from networking_app.core.cache import DIRECTORY, VersionedAdmin


@admin.register(Topic)
class TopicAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    list_filter = [("mentors", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def cache_scopes(self, obj) -> list[str]:
        return [DIRECTORY]  # the filter's topics and the cards'


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


@admin.register(Mentor)
class MentorAdmin(VersionedAdmin, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["user", "organization", "title", "listed", "is_bookable", "on_leave_until"]
    list_filter = ["is_bookable", "listed", "topics", "slot_minutes"]
    search_fields = [
        "user__email",
        "user__profile__display_name",
        "organization__name",
        "title",
        "industry",
        "job_function",
        "location",
    ]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]
    filter_horizontal = ["topics"]
    # Derived by mentoring.services.profiles: editing them here would be overwritten.
    readonly_fields = ["search_text", "search_names", "is_bookable", "updated_at"]
    inlines = [AvailabilityWindowInline]

    def cache_scopes(self, obj) -> list[str]:
        return [DIRECTORY]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        mentor_refresh_bookable(user=form.instance.user)


@admin.register(AvailabilityWindow)
class AvailabilityWindowAdmin(admin.ModelAdmin):
    list_display = ["mentor", "weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    search_fields = ["mentor__user__email", "mentor__user__profile__display_name"]
    list_select_related = ["mentor__user"]
    raw_id_fields = ["mentor"]


@admin.register(AvailabilityOverride)
class AvailabilityOverrideAdmin(admin.ModelAdmin):
    list_display = ["mentor", "date", "kind", "start_time", "end_time"]
    list_filter = ["kind", "date"]
    search_fields = ["mentor__user__email", "mentor__user__profile__display_name"]
    list_select_related = ["mentor__user"]
    raw_id_fields = ["mentor"]
    date_hierarchy = "date"


# What a student and a volunteer write to each other (request messages, feedback comments,
# reasons) is theirs: these are listed with people, statuses and dates only.


class _Between(PrivateStudentDataAdmin):
    search_fields = ["student__email", "volunteer__email"]
    list_select_related = ["student", "volunteer"]


@admin.register(FlashRequest)
class FlashRequestAdmin(_Between):
    list_display = ["pk", "student", "volunteer", "start_at", "status", "created_at"]
    list_filter = ["status"]
    date_hierarchy = "created_at"


@admin.register(Session)
class SessionAdmin(_Between):
    list_display = ["pk", "student", "volunteer", "start_at", "mode", "status"]
    list_filter = ["status", "mode"]
    date_hierarchy = "start_at"


@admin.register(SessionChange)
class SessionChangeAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "session_id", "kind", "by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["session__student__email", "session__volunteer__email"]
    list_select_related = ["by"]


@admin.register(Feedback)
class FeedbackAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "session_id", "author", "rating", "would_meet_again", "created_at"]
    list_filter = ["rating", "would_meet_again"]
    search_fields = ["author__email"]
    list_select_related = ["author"]


class RoundVolunteerInline(admin.TabularInline):
    model = RoundVolunteer
    raw_id_fields = ["volunteer"]
    extra = 0


@admin.register(MatchRound)
class MatchRoundAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "signup_deadline",
        "window_start",
        "window_end",
        "published_at",
    ]
    list_filter = ["status"]
    search_fields = ["name"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["published_at", "created_at"]
    inlines = [RoundVolunteerInline]


@admin.register(RoundStudent)
class RoundStudentAdmin(admin.ModelAdmin):
    list_display = ["round", "student", "created_at"]
    list_filter = ["round"]
    search_fields = ["student__email", "round__name"]
    list_select_related = ["round", "student"]
    raw_id_fields = ["student"]
    filter_horizontal = ["topics"]


@admin.register(RoundVolunteer)
class RoundVolunteerAdmin(admin.ModelAdmin):
    list_display = ["round", "volunteer", "capacity", "created_at"]
    list_filter = ["round"]
    search_fields = ["volunteer__email", "round__name"]
    list_select_related = ["round", "volunteer"]
    raw_id_fields = ["volunteer"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["round", "student", "volunteer", "score", "locked", "published"]
    list_filter = ["round", "locked", "published"]
    search_fields = ["student__email", "volunteer__email", "round__name"]
    list_select_related = ["round", "student", "volunteer"]
    raw_id_fields = ["student", "volunteer"]


@admin.register(RoundRun)
class RoundRunAdmin(admin.ModelAdmin):
    list_display = ["round", "matched", "total_score", "solver_seconds", "created_at"]
    list_filter = ["round"]
    search_fields = ["round__name"]
    list_select_related = ["round"]
    readonly_fields = [
        "round",
        "total_score",
        "matched",
        "unmatched",
        "solver_seconds",
        "certificate",
    ]


@admin.register(StudentInterests)
class StudentInterestsAdmin(PrivateStudentDataAdmin):
    """The topics a student chose in onboarding: listed with the student and the topics."""

    list_display = ["student", "updated_at"]
    list_filter = ["topics"]
    search_fields = ["student__email"]
    list_select_related = ["student"]


@admin.register(MentoringPolicy)
class MentoringPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pause_after_expired", "updated_at", "updated_by"]
    list_filter = ["updated_at"]
    search_fields = ["updated_by__email"]
