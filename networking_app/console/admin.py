"""Admin for the console's models, and the mixin every admin of a student's private data uses.

The Django admin is for fixing things, not for reading students' notes: private models are
listed with ids, owners, statuses and dates only, cannot be opened, added or edited there, and
are searched by the owner's address only (a search over private text would reveal it)."""

from __future__ import annotations

from django.contrib import admin

from networking_app.console.models import (
    AuditLog,
    EligibilityLabel,
    FiguresCohort,
    FiguresDay,
    FiguresRefresh,
    FiguresStudentDay,
    StudentLabel,
    VolunteerInvitation,
)


class PrivateStudentDataAdmin(admin.ModelAdmin):
    """A read-only list without links: the change page (whose title is the object's name,
    often a contact's) is refused, and nothing can be added or changed."""

    list_display_links = None
    search_fields = ["owner__email"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_view_permission(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "summary", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "summary", "actor__email", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [
        "actor",
        "action",
        "summary",
        "target_type",
        "target_id",
        "detail",
        "created_at",
    ]

    # The audit log is a record: nobody adds, edits or deletes entries by hand.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StudentLabelInline(admin.TabularInline):
    model = StudentLabel
    fk_name = "label"
    raw_id_fields = ["student", "added_by"]
    extra = 0


@admin.register(EligibilityLabel)
class EligibilityLabelAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "created_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "description"]
    raw_id_fields = ["created_by"]
    inlines = [StudentLabelInline]


@admin.register(StudentLabel)
class StudentLabelAdmin(admin.ModelAdmin):
    list_display = ["label", "student", "added_by", "added_at"]
    list_filter = ["label"]
    search_fields = ["student__email", "label__name"]
    list_select_related = ["label", "student", "added_by"]
    raw_id_fields = ["student", "added_by"]


@admin.register(VolunteerInvitation)
class VolunteerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "created_by", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["email", "created_by__email"]
    list_select_related = ["created_by"]
    raw_id_fields = ["created_by", "used_by"]
    # The token is the link's secret: never shown.
    exclude = ["token"]


class FiguresAdmin(PrivateStudentDataAdmin):
    """The dashboard's precomputed rows: derived, replaced by every refresh, so read-only."""

    list_filter = ["in_cohort", "class_year", "label"]
    search_fields = ["major"]


@admin.register(FiguresDay)
class FiguresDayAdmin(FiguresAdmin):
    list_display = ["day", "class_year", "major", "in_cohort", "label", "contacts_added"]


@admin.register(FiguresStudentDay)
class FiguresStudentDayAdmin(FiguresAdmin):
    list_display = ["day", "student_id", "class_year", "major", "in_cohort", "active", "offer"]


@admin.register(FiguresCohort)
class FiguresCohortAdmin(FiguresAdmin):
    list_display = ["class_year", "major", "in_cohort", "label", "students", "not_started"]


@admin.register(FiguresRefresh)
class FiguresRefreshAdmin(PrivateStudentDataAdmin):
    list_display = ["computed_at", "running_until", "requested_at"]
    list_filter = ["computed_at"]
    search_fields = ["id"]
