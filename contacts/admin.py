"""Admin of the contacts app. Everything but organizations belongs to one student and is
private: listed with owners, statuses and dates only (console.admin.PrivateStudentDataAdmin),
never with names, notes, answers or contact details."""

from __future__ import annotations

from django.contrib import admin

from contacts.capture.models import CaptureAddress, CapturedMessage, CaptureDropCount
from contacts.imports.models import ImportBatch, ImportRow
from contacts.met.models import MetReceipt
from contacts.models import (
    ActionItem,
    Contact,
    Conversation,
    ConversationChange,
    EmailTemplate,
    Interaction,
    Organization,
    Outcome,
    PreparedQuestion,
    Question,
    Tag,
    TargetOrganization,
)
from networking_app.core.admin import PrivateStudentDataAdmin


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "normalized_name", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "normalized_name"]
    readonly_fields = ["normalized_name", "created_at"]


@admin.register(TargetOrganization)
class TargetOrganizationAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "priority", "created_at"]
    list_filter = ["priority"]
    list_select_related = ["owner"]


@admin.register(Tag)
class TagAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner"]
    list_filter = ["owner__role"]
    list_select_related = ["owner"]


@admin.register(Contact)
class ContactAdmin(PrivateStudentDataAdmin):
    list_display = [
        "pk",
        "owner",
        "relationship",
        "source",
        "cadence_days",
        "last_interaction_on",
        "created_at",
    ]
    list_filter = ["relationship", "source", "cadence_days"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"


@admin.register(Interaction)
class InteractionAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "kind", "occurred_on", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["owner"]


@admin.register(Conversation)
class ConversationAdmin(PrivateStudentDataAdmin):
    list_display = [
        "pk",
        "owner",
        "status",
        "requested_on",
        "scheduled_at",
        "held_at",
        "thanked_at",
        "created_at",
    ]
    list_filter = ["status", "mode"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"


@admin.register(ConversationChange)
class ConversationChangeAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "conversation_id", "kind", "asked_by", "created_at"]
    list_filter = ["kind", "asked_by"]
    search_fields = ["conversation__owner__email"]


@admin.register(Question)
class QuestionAdmin(PrivateStudentDataAdmin):
    """Starter questions (no owner) are shared; a student's own are private like the rest."""

    list_display = ["pk", "owner", "created_at"]
    list_filter = [("owner", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]


@admin.register(PreparedQuestion)
class PreparedQuestionAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "conversation_id", "position"]
    list_filter = [("answer", admin.EmptyFieldListFilter)]
    search_fields = ["conversation__owner__email"]


@admin.register(ActionItem)
class ActionItemAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "due_on", "done_at", "created_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    list_select_related = ["owner"]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "kind", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["owner"]


@admin.register(Outcome)
class OutcomeAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "kind", "decided_on", "created_at"]
    list_filter = ["kind", "decided_on"]
    list_select_related = ["owner"]


@admin.register(ImportBatch)
class ImportBatchAdmin(PrivateStudentDataAdmin):
    list_display = [
        "pk",
        "owner",
        "format",
        "status",
        "total_rows",
        "created_count",
        "merged_count",
        "skipped_count",
        "created_at",
    ]
    list_filter = ["status", "format"]
    list_select_related = ["owner"]


@admin.register(ImportRow)
class ImportRowAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "batch_id", "index", "status", "decision", "outcome"]
    list_filter = ["status", "decision", "outcome"]
    search_fields = ["batch__owner__email"]


# --- Email capture (contacts/capture) ---------------------------------------------------------


@admin.register(CaptureAddress)
class CaptureAddressAdmin(PrivateStudentDataAdmin):
    # The token is the address: never listed.
    list_display = ["pk", "owner", "created_at", "rotated_at", "refused_count"]
    list_filter = ["rotated_at"]
    list_select_related = ["owner"]


@admin.register(CapturedMessage)
class CapturedMessageAdmin(PrivateStudentDataAdmin):
    list_display = ["pk", "owner", "kind", "direction", "status", "moved_to", "sent_at"]
    list_filter = ["kind", "direction", "status"]
    list_select_related = ["owner"]


@admin.register(CaptureDropCount)
class CaptureDropCountAdmin(admin.ModelAdmin):
    """Messages dropped per day and reason: counts only, nothing of a message."""

    list_display = ["day", "reason", "count"]
    list_filter = ["reason", "day"]
    search_fields = ["reason"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MetReceipt)
class MetReceiptAdmin(PrivateStudentDataAdmin):
    """Keys of "People I met" entries already saved: owners and dates only."""

    list_display = ["owner", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["owner__email"]
    list_select_related = ["owner"]
