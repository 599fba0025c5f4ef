"""Admin for the console's models: eligibility labels and volunteer invitations."""

from __future__ import annotations

from django.contrib import admin

from networking_app.console.models import (
    EligibilityLabel,
    FiguresCohort,
    FiguresDay,
    FiguresPage,
    FiguresRefresh,
    FiguresStudentDay,
    StudentLabel,
    VolunteerInvitation,
)
from networking_app.core.admin import PrivateStudentDataAdmin
from networking_app.core.cache import FIGURES, VersionedAdmin


class StudentLabelInline(admin.TabularInline):
    model = StudentLabel
    fk_name = "label"
    raw_id_fields = ["student", "added_by"]
    extra = 0


@admin.register(EligibilityLabel)
class EligibilityLabelAdmin(VersionedAdmin, admin.ModelAdmin):
    list_display = ["name", "description", "created_by", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "description"]
    raw_id_fields = ["created_by"]
    inlines = [StudentLabelInline]

    def cache_scopes(self, obj) -> list[str]:
        return [FIGURES]  # the dashboard's label choices


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


@admin.register(FiguresPage)
class FiguresPageAdmin(PrivateStudentDataAdmin):
    """The preset periods' whole dashboards (selectors/pages.py): replaced by every refresh."""

    list_display = ["filters"]
    list_filter = ["filters"]
    search_fields = ["filters"]
