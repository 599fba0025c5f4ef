"""The admin's base for every model holding a student's private data, and the audit log's admin.

The Django admin is for fixing things, not for reading students' notes: private models are
listed with ids, owners, statuses and dates only, cannot be opened, added or edited there, and
are searched by the owner's address only (a search over private text would reveal it)."""

from __future__ import annotations

from django.contrib import admin

from networking_app.core.models import AuditLog


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
