from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from networking_app.accounts.models import (
    ErasedAccount,
    Profile,
    StudentProfile,
    User,
    VolunteerProfile,
)
from networking_app.core.cache import DIRECTORY, VersionedAdmin, attendee, person


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "role", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "profile__display_name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "role"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]}),
    ]


@admin.register(StudentProfile)
class StudentProfileAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["user", "class_year", "major"]
    list_filter = ["class_year"]
    search_fields = ["user__email", "user__profile__display_name", "major"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    # A student's preparation (interests, strengths, goals) is theirs, not the admin's.
    fields = ["user", "class_year", "major"]

    def cache_scopes(self, obj) -> list[str]:
        # The class year decides which events they see.
        return [person(obj.user_id), attendee(obj.user_id)]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["user", "affiliation", "class_year", "status", "created_at", "reviewed_at"]
    list_filter = ["status", "affiliation"]
    search_fields = ["user__email", "user__profile__display_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "reviewed_by"]

    def cache_scopes(self, obj) -> list[str]:
        return [DIRECTORY]


@admin.register(Profile)
class ProfileAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["user", "display_name", "time_zone", "updated_at"]
    list_filter = ["user__role", "time_zone"]
    search_fields = ["user__email", "display_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    def cache_scopes(self, obj) -> list[str]:
        return [DIRECTORY]  # a volunteer's name on their card


@admin.register(ErasedAccount)
class ErasedAccountAdmin(admin.ModelAdmin):
    list_display = [
        "role",
        "class_year",
        "major",
        "joined_on",
        "erased_at",
        "contacts",
        "conversations",
        "outcomes",
    ]
    list_filter = ["role", "class_year"]
    search_fields = ["major"]
    date_hierarchy = "erased_at"

    # Anonymous tallies: a record, not something to edit.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
