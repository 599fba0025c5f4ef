"""A student's private networking data: contacts, conversations and everything around them.

Every row here belongs to one student (``owner``) and is only ever read through selectors that
filter by owner. Staff see aggregates only, never these rows.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def normalize_organization_name(name: str) -> str:
    """'  Acme   Corp ' and 'ACME corp' are the same organization."""
    return re.sub(r"\s+", " ", name).strip().casefold()


class Organization(models.Model):
    """Shared by everyone: an employer or school, matched case- and space-insensitively."""

    name = models.CharField(max_length=200)
    normalized_name = models.CharField(max_length=200, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = re.sub(r"\s+", " ", self.name).strip()
        self.normalized_name = normalize_organization_name(self.name)
        super().save(*args, **kwargs)


class Priority(models.IntegerChoices):
    HIGH = 1, pgettext_lazy("priority", "High")
    MEDIUM = 2, pgettext_lazy("priority", "Medium")
    LOW = 3, pgettext_lazy("priority", "Low")


class TargetOrganization(models.Model):
    """An employer the student wants to reach ("search for employers that match")."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "organization"], name="contacts_target_unique_per_owner"
            )
        ]
        ordering = ["priority", "organization__name"]

    def __str__(self) -> str:
        return str(self.organization)


class Relationship(models.TextChoices):
    ALUMNI = "alumni", pgettext_lazy("relationship", "Alumna / alumnus")
    PROFESSOR = "professor", pgettext_lazy("relationship", "Professor or teacher")
    SUPERVISOR = "supervisor", pgettext_lazy("relationship", "Supervisor")
    FAMILY_FRIEND = "family_friend", pgettext_lazy("relationship", "Family friend")
    FELLOW_STUDENT = "fellow_student", pgettext_lazy("relationship", "Fellow student")
    RECENT_GRADUATE = "recent_graduate", pgettext_lazy("relationship", "Recent graduate")
    MET_AT_EVENT = "met_at_event", pgettext_lazy("relationship", "Met at an event")
    REFERRAL = "referral", pgettext_lazy("relationship", "Referral")
    OTHER = "other", pgettext_lazy("relationship", "Other")


class Cadence(models.IntegerChoices):
    """Stay-in-touch rhythm, in days."""

    NONE = 0, _("No reminder")
    TWO_WEEKS = 14, _("Every 2 weeks")
    ONE_MONTH = 30, _("Every month")
    THREE_MONTHS = 91, _("Every 3 months")
    SIX_MONTHS = 182, _("Every 6 months")


class Source(models.TextChoices):
    MANUAL = "manual", pgettext_lazy("contact source", "Added by hand")
    IMPORT = "import", pgettext_lazy("contact source", "Imported")
    EVENT = "event", pgettext_lazy("contact source", "Met at an event")
    DIRECTORY = "directory", pgettext_lazy("contact source", "From the directory")
    MENTORING = "mentoring", pgettext_lazy("contact source", "From mentoring")
    EMAIL = "email", pgettext_lazy("contact source", "From an email")


class Tag(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="contacts_tag_unique_per_owner")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    linkedin_url = models.URLField("LinkedIn URL", max_length=300, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    relationship = models.CharField(
        "how we know each other", max_length=20, choices=Relationship.choices
    )
    how_met = models.CharField("how and where we met", max_length=300, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    notes = models.TextField(blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        "stay in touch", choices=Cadence.choices, default=Cadence.NONE
    )
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    may_use_referrer_name = models.BooleanField(
        "the referrer said I may use their name", default=False
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # The import that added this contact (contacts/imports): the list filters by it, and
    # undoing the import removes it.
    import_batch = models.ForeignKey(
        "contacts.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # Derived from the interaction log by contacts.services; never typed.
    last_interaction_on = models.DateField(null=True, blank=True, editable=False)
    # Name, organization, title, industry, tags, notes and email, for full-text search (a GIN
    # expression index on PostgreSQL, see migrations); kept current by contacts.services.
    search_text = models.TextField(blank=True, editable=False)
    # The notes and takeaways of the contact's career conversations, searched with the rest;
    # kept current by contacts.services (contact_refresh_conversation_text).
    conversation_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["owner", "email"]),
            models.Index(fields=["owner", "organization"]),
            models.Index(fields=["owner", "last_interaction_on"]),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def stay_in_touch_due_on(self):
        if not self.cadence_days:
            return None
        start = self.last_interaction_on or self.created_at.date()
        return start + timezone.timedelta(days=self.cadence_days)


class InteractionKind(models.TextChoices):
    EMAIL = "email", pgettext_lazy("interaction kind", "Email")
    CALL = "call", pgettext_lazy("interaction kind", "Phone call")
    VIDEO = "video", pgettext_lazy("interaction kind", "Video call")
    IN_PERSON = "in_person", pgettext_lazy("interaction kind", "Coffee or in person")
    LINKEDIN = "linkedin", pgettext_lazy("interaction kind", "LinkedIn message")
    TEXT = "text", pgettext_lazy("interaction kind", "Text message")
    EVENT = "event", pgettext_lazy("interaction kind", "Met at an event")
    CONNECTED = "connected", pgettext_lazy("interaction kind", "Connected on LinkedIn")


class Interaction(models.Model):
    """A touchpoint. Logging one resets the contact's stay-in-touch clock."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    conversation = models.ForeignKey(
        "Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=InteractionKind.choices)
    occurred_on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["contact", "-occurred_on"])]
        ordering = ["-occurred_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.contact} on {self.occurred_on}"


class ConversationStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("conversation status", "Planned")
    REQUESTED = "requested", pgettext_lazy("conversation status", "Intro sent")
    SCHEDULED = "scheduled", pgettext_lazy("conversation status", "Scheduled")
    HELD = "held", pgettext_lazy("conversation status", "Held")
    THANKED = "thanked", pgettext_lazy("conversation status", "Thanked")
    CLOSED = "closed", pgettext_lazy("conversation status", "Closed")
    DECLINED = "declined", pgettext_lazy("conversation status", "Declined")
    NO_RESPONSE = "no_response", pgettext_lazy("conversation status", "No response")


OPEN_STATUSES = [
    ConversationStatus.PLANNED,
    ConversationStatus.REQUESTED,
    ConversationStatus.SCHEDULED,
    ConversationStatus.HELD,
]


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Conversation(models.Model):
    """An informational interview ("career conversation") with one contact."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="conversations")
    goal = models.TextField("what I want to learn")
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.PLANNED
    )
    requested_on = models.DateField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    mode = models.CharField(max_length=16, choices=MeetingMode.choices, blank=True)
    location = models.CharField("place or link", max_length=500, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField("notes during the conversation", blank=True)
    takeaways = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["owner", "scheduled_at"]),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Conversation with {self.contact}"


class ChangeKind(models.TextChoices):
    RESCHEDULED = "rescheduled", pgettext_lazy("conversation change", "Rescheduled")
    CANCELLED = "cancelled", pgettext_lazy("conversation change", "Cancelled")


class AskedBy(models.TextChoices):
    ME = "me", _("I asked")
    THEM = "them", _("They asked")


class ConversationChange(models.Model):
    """History of reschedules and cancellations: "meetings may be cancelled several times"."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    asked_by = models.CharField(max_length=8, choices=AskedBy.choices)
    reason = models.CharField(max_length=500, blank=True)
    previous_at = models.DateTimeField(null=True, blank=True)
    new_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_asked_by_display()})"


class Question(models.Model):
    """The question bank: starter questions (no owner) and each student's own."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner_id", "id"]

    def __str__(self) -> str:
        return self.text


class PreparedQuestion(models.Model):
    """A question prepared for one conversation, with the answer noted during it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(max_length=500)
    answer = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class ActionItem(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    text = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "done_at", "due_on"])]
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.text


class DraftKind(models.TextChoices):
    # Pages and messages name a kind with contacts.drafts.kind_label (translated).
    INTRO = "intro", "Intro request"
    THANK_YOU = "thank_you", "Thank-you"
    FOLLOW_UP = "follow_up", "Follow-up"
    STAY_IN_TOUCH = "stay_in_touch", "Stay in touch"
    OUTCOME = "outcome", "Outcome update"


class EmailTemplate(models.Model):
    """A student's own version of a draft; the defaults live in contacts/drafts.py."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=DraftKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind"], name="contacts_template_unique_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class OutcomeKind(models.TextChoices):
    INTERNSHIP = "internship", _("Internship offer")
    JOB = "job", _("Job offer")


class Outcome(models.Model):
    """An internship or job the student attributes to their networking."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=16, choices=OutcomeKind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200, blank=True)
    decided_on = models.DateField(default=timezone.localdate)
    helped_by = models.ManyToManyField(Contact, blank=True, related_name="outcomes")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.organization}"


# Email capture's rows (contacts/capture): loading them here registers them with the app.
from contacts.capture.models import (  # noqa: E402, F401
    CaptureAddress,
    CapturedMessage,
    CaptureDropCount,
)

# Import batches and their rows live beside the importers; loading them here registers them
# with the contacts app.
from contacts.imports.models import (  # noqa: E402, F401
    BatchStatus,
    Decision,
    ImportBatch,
    ImportFormat,
    ImportRow,
    RowOutcome,
    RowStatus,
)

# The keys of entries from the "People I met" page (contacts/met), registered here likewise.
from contacts.met.models import MetReceipt  # noqa: E402, F401
