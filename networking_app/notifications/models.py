"""The outbox (every email the app sends) and reminders (what is due for whom, and when)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", pgettext_lazy("email", "Sent")
    FAILED = "failed", _("Failed")


class OutgoingEmail(models.Model):
    """One email, rendered, waiting to go out or already sent (pretix's OutgoingMail).

    The row is written in the same transaction as whatever caused the email; the broker only
    carries its id. A worker claims it by a conditional update that sets a lease, so a worker
    that dies mid-send is replaced once the lease expires, and the message keeps its Message-ID.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=40, blank=True)
    from_email = models.CharField(max_length=300)
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    # A new token with every claim: a worker records its result only while the row still
    # carries its token, so one whose lease ran out cannot overwrite a newer claim.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True)
    # Per recipient (bare address), across attempts: who the mail server accepted, never sent
    # to again; and the last refusal of the others, {"a@b": {"code": 451, "reply": "..."}}:
    # a 4xx is retried, a 5xx is final.
    delivered_to = models.JSONField(default=list, blank=True)
    refusals = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_queued_due",
                condition=models.Q(status="queued"),
            ),
            models.Index(
                fields=["lease_until"],
                name="outbox_sending_lease",
                condition=models.Q(status="sending"),
            ),
            models.Index(fields=["status", "-created_at"]),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email me right away")
    DIGEST = "digest", _("In my daily digest")
    OFF = "off", _("Don't email me")


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DIGEST = "digest", _("Waiting for the digest")
    SENT = "sent", pgettext_lazy("reminder", "Sent")
    DONE = "done", pgettext_lazy("reminder", "Done")
    CANCELLED = "cancelled", _("No longer needed")


class Reminder(models.Model):
    """Something a user should do by a time. The kind (notifications.kinds) says how to word
    it, whether it still applies, and what "done" means."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=40)
    # What it is about, e.g. "conversation:42"; one open reminder per kind and subject.
    subject_key = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    text = models.CharField(max_length=300, blank=True)  # custom reminders
    repeat_days = models.PositiveSmallIntegerField(null=True, blank=True)
    snoozed = models.BooleanField(default=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject_key"],
                condition=models.Q(state__in=["pending", "digest"]),
                name="reminder_one_open_per_subject",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="reminder_pending_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["user", "state", "due_at"]),
        ]
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user} at {self.due_at:%Y-%m-%d %H:%M}"


class NotificationSettings(models.Model):
    """A user's delivery choices: per kind of reminder, and the hour of their daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest_hour = models.PositiveSmallIntegerField(default=8)
    # {"thank_you": "immediate", "follow_up": "digest", ...}; a missing kind uses its default.
    delivery = models.JSONField(default=dict, blank=True)
    # Timing overrides, e.g. {"thank_you": 24} (hours) or {"follow_up": 7} (days).
    timing = models.JSONField(default=dict, blank=True)
    last_digest_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Notification settings of {self.user}"


class DigestLog(models.Model):
    """One row per user and local date: a daily digest goes out at most once per local day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    local_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user} on {self.local_date}"
