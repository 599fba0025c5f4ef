"""Contact imports: one batch per uploaded file, one row per line or card of it.

Nothing in an import becomes a Contact before the student commits the batch; until then the
parsed rows wait here with their classification (new, duplicate, invalid) and the student's
choice for each. Loaded from contacts.models, so they belong to the contacts app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportFormat(models.TextChoices):
    LINKEDIN = "linkedin", _("LinkedIn connections")
    GOOGLE = "google", _("Google Contacts")
    OUTLOOK = "outlook", _("Outlook")
    RAPPORT = "rapport", _("Rapport export")
    CSV = "csv", _("CSV with your own columns")
    VCARD = "vcard", _("vCard")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("import status", "Waiting to be read")
    PARSING = "parsing", pgettext_lazy("import status", "Reading the file")
    NEEDS_MAPPING = (
        "needs_mapping",
        pgettext_lazy("import status", "Waiting for you to match the columns"),
    )
    PREVIEW = "preview", pgettext_lazy("import status", "Ready to review")
    COMMIT_QUEUED = "commit_queued", pgettext_lazy("import status", "Waiting to be imported")
    COMMITTING = "committing", pgettext_lazy("import status", "Importing")
    COMMITTED = "committed", pgettext_lazy("import status", "Imported")
    UNDONE = "undone", pgettext_lazy("import status", "Undone")
    FAILED = "failed", pgettext_lazy("import status", "Could not be read")


class RowStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("import row", "New")
    DUPLICATE = "duplicate", pgettext_lazy("import row", "Duplicate")
    INVALID = "invalid", pgettext_lazy("import row", "Invalid")


class Decision(models.TextChoices):
    CREATE = "create", _("Add as a new contact")
    MERGE = "merge", _("Merge into the existing contact")
    SKIP = "skip", _("Skip")


class RowOutcome(models.TextChoices):
    PENDING = "", pgettext_lazy("import row", "Not imported yet")
    CREATED = "created", pgettext_lazy("import row", "Added")
    MERGED = "merged", pgettext_lazy("import row", "Merged")
    SKIPPED = "skipped", pgettext_lazy("import row", "Skipped")


class ImportBatch(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=16, choices=ImportFormat.choices, blank=True)
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    error = models.TextField(blank=True)
    # The uploaded file, kept only until the batch is committed or given up (re-read for the
    # column mapping and by the Celery task); at most IMPORT_MAX_BYTES.
    data = models.BinaryField(null=True, blank=True, editable=False)
    encoding = models.CharField(max_length=20, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # Column index (as a string) -> contact field, chosen by the student for unknown CSVs.
    mapping = models.JSONField(default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    empty_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    default_decision = models.CharField(
        max_length=8, choices=Decision.choices, default=Decision.MERGE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.filename}"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_STATUSES


WORKING_STATUSES = {
    BatchStatus.QUEUED,
    BatchStatus.PARSING,
    BatchStatus.COMMIT_QUEUED,
    BatchStatus.COMMITTING,
}


class ImportRow(models.Model):
    """One parsed line (CSV) or card (vCard): the contact it would become, and what happens."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    index = models.PositiveIntegerField()  # 1-based position among the file's data rows
    line = models.PositiveIntegerField(default=0)  # where it starts in the file, for messages
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=RowStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    match_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_row = models.PositiveIntegerField(null=True, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, blank=True)
    outcome = models.CharField(max_length=8, choices=RowOutcome.choices, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What a merge changed on an existing contact, so undoing the batch can put it back.
    undo = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="contacts_importrow_unique")
        ]
        indexes = [models.Index(fields=["batch", "status", "index"])]
        ordering = ["index"]

    def __str__(self) -> str:
        return f"Row {self.index} of {self.batch}"
