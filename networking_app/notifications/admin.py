from django.contrib import admin

from networking_app.notifications.models import (
    DigestLog,
    NotificationSettings,
    OutgoingEmail,
    Reminder,
)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "message_id", "idempotency_key"]
    date_hierarchy = "created_at"
    # The body may be a student's private reminder: the admin shows the envelope only.
    exclude = ["text", "html", "attachments"]
    readonly_fields = [
        "user",
        "kind",
        "from_email",
        "to",
        "cc",
        "bcc",
        "reply_to",
        "subject",
        "headers",
        "message_id",
        "idempotency_key",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "delivered_to",
        "refusals",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "due_at", "state", "last_sent_at"]
    list_filter = ["kind", "state"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    date_hierarchy = "due_at"
    exclude = ["text"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "digest_hour", "updated_at"]
    list_filter = ["digest_hour"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    list_display = ["user", "local_date", "created_at"]
    list_filter = ["local_date"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
