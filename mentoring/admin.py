from django.contrib import admin

from mentoring.models import AvailabilityOverride, AvailabilityWindow, Mentor, Topic
from mentoring.services.profiles import mentor_refresh_bookable


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
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
