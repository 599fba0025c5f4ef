from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from networking_app.accounts.models import Profile, StudentProfile, User, VolunteerProfile


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
class StudentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "class_year", "major"]
    list_filter = ["class_year"]
    search_fields = ["user__email", "user__profile__display_name", "major"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "affiliation", "class_year", "status", "created_at", "reviewed_at"]
    list_filter = ["status", "affiliation"]
    search_fields = ["user__email", "user__profile__display_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "reviewed_by"]
