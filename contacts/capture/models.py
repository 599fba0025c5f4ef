"""Email capture's rows: each student's private address, what was logged from the messages
sent to it (the subject, date and who it was with: never a body or an attachment), and the
counts of messages dropped, which are never stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaptureAddress(models.Model):
    """A student's capture address, `<token>@CAPTURE_DOMAIN`. Rotating draws a new token: the
    old address stops working at once."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capture_address"
    )
    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    # Messages to this address from an address that is not one of the owner's verified ones:
    # counted so the page can tell the student (who may have forwarded from another account),
    # never stored.
    refused_count = models.PositiveIntegerField(default=0)
    last_refused_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Capture address of user {self.owner_id}"


class Direction(models.TextChoices):
    SENT = "sent", pgettext_lazy("captured email", "Sent")
    RECEIVED = "received", pgettext_lazy("captured email", "Received")


class CaptureKind(models.TextChoices):
    INTRO = "intro", pgettext_lazy("captured email", "Intro sent")
    REPLY = "reply", pgettext_lazy("captured email", "Their reply")
    THANK_YOU = "thank_you", pgettext_lazy("captured email", "Thank-you")
    INVITATION = "invitation", pgettext_lazy("captured email", "Calendar invitation")
    CANCELLATION = "cancellation", pgettext_lazy("captured email", "Cancellation")
    EMAIL = "email", pgettext_lazy("captured email", "Email")


class CaptureStatus(models.TextChoices):
    LOGGED = "logged", pgettext_lazy("captured email", "Logged")
    # Nobody among the student's contacts has this address: one click adds them and logs it.
    PROPOSED = "proposed", pgettext_lazy("captured email", "New contact proposed")


class CapturedMessage(models.Model):
    """One message logged for one contact, or waiting for the student to add its sender or
    recipient as a contact. The key (Message-ID, or for an inline forward a digest of the
    forwarded headers) makes a second copy of the same message log nothing; the Message-ID and
    In-Reply-To tie a reply to the conversation of the message it answers."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=CaptureKind.choices)
    status = models.CharField(
        max_length=8, choices=CaptureStatus.choices, default=CaptureStatus.LOGGED
    )
    counterpart_email = models.EmailField(blank=True)
    counterpart_name = models.CharField(max_length=200, blank=True)
    # Null while proposed; also after the contact is deleted or merged away (the conversation,
    # moved by a merge, still threads replies).
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(
        "contacts.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_messages",
    )
    # The status the message moved the conversation to; blank when it was logged only.
    moved_to = models.CharField(max_length=16, blank=True)
    # A calendar invitation's time and place (kept to schedule once the contact is added).
    event_start = models.DateTimeField(null=True, blank=True)
    event_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    event_location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "message_id", "counterpart_email"],
                name="contacts_captured_once_per_counterpart",
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class DropReason(models.TextChoices):
    NO_ADDRESS = "no_address", _("No such capture address")
    RELAY = "relay", _("Not our domain")
    SENDER = "sender", _("Not from one of the owner's verified addresses")
    TOO_BIG = "too_big", _("Too big")
    RATE = "rate", _("Over the rate limit (deferred)")
    UNREADABLE = "unreadable", _("Unreadable")
    NO_COUNTERPART = "no_counterpart", _("Nobody to log it for")
    DUPLICATE = "duplicate", _("Already logged")
    SIGNATURE = "signature", _("Webhook signature wrong")


class CaptureDropCount(models.Model):
    """How many messages were dropped, per day and reason: what the operators see of them."""

    day = models.DateField()
    reason = models.CharField(max_length=16, choices=DropReason.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="contacts_capture_drop_day")
        ]
        ordering = ["-day", "reason"]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.count}"
