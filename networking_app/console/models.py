"""The career office's own records: eligibility labels for students and invitation links for
volunteers (the audit log of staff actions is the shared core's: networking_app.core)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class EligibilityLabel(models.Model):
    """A free label staff attach to students ("First-gen", "Class of 2027 pilot"), used to
    filter the dashboard and to choose who gets a nudge."""

    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StudentLabel",
        through_fields=("label", "student"),
        related_name="eligibility_labels",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="console_label_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class StudentLabel(models.Model):
    label = models.ForeignKey(EligibilityLabel, on_delete=models.CASCADE, related_name="links")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="label_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label", "student"], name="console_label_once"),
        ]
        indexes = [models.Index(fields=["student", "label"])]

    def __str__(self) -> str:
        return f"{self.label} for {self.student_id}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class VolunteerInvitation(models.Model):
    """A single-use, expiring sign-up link for one volunteer's address. Signing up through it
    pre-fills the address (verified by the link) and skips the approval queue."""

    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if timezone.now() >= self.expires_at:
            return "expired"
        return "open"
