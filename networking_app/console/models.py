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


# --- The dashboard's precomputed figures (networking_app/console/rollup.py) ------------------


class FiguresGroup(models.Model):
    """The key every precomputed row shares: the students' class year and major (as stored;
    blank without a profile), whether they are active student accounts (the only ones a
    cohort filter can choose), and an eligibility label (NULL: counted for everyone; a label:
    counted again for that label's students only)."""

    class_year = models.PositiveSmallIntegerField(null=True)
    major = models.CharField(max_length=120, blank=True)
    in_cohort = models.BooleanField()
    label = models.ForeignKey(
        EligibilityLabel, null=True, on_delete=models.CASCADE, related_name="+"
    )

    KEY_FIELDS = ("class_year", "major", "in_cohort", "label")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.class_year or '-'} {self.major or '-'} (label {self.label_id or '-'})"

    @classmethod
    def counted_columns(cls) -> list[str]:
        """The columns the refresh fills with counts (all but the key)."""
        key = {"id", *cls.KEY_FIELDS, "day", "student_id"}
        return [f.name for f in cls._meta.concrete_fields if f.name not in key]


class FiguresDay(FiguresGroup):
    """What one group of students did on one day (in the office's time zone, TIME_ZONE):
    counts that add up over any period."""

    day = models.DateField()
    joined = models.IntegerField(default=0)
    contacts_added = models.IntegerField(default=0)
    requested = models.IntegerField(default=0)  # by the day the intro was sent, then:
    scheduled = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    thanked = models.IntegerField(default=0)
    held_in_period = models.IntegerField(default=0)  # by the day it was held
    thanked_in_period = models.IntegerField(default=0)
    rescheduled = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)
    outcomes = models.IntegerField(default=0)
    internships = models.IntegerField(default=0)
    jobs = models.IntegerField(default=0)
    outcomes_with_contacts = models.IntegerField(default=0)
    requests = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    declined = models.IntegerField(default=0)
    expired = models.IntegerField(default=0)
    open = models.IntegerField(default=0)
    capacity_used = models.IntegerField(default=0)
    sessions_held = models.IntegerField(default=0)
    no_shows = models.IntegerField(default=0)
    sessions_cancelled = models.IntegerField(default=0)
    feedback_count = models.IntegerField(default=0)
    feedback_sum = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["label", "day"])]


class FiguresStudentDay(FiguresGroup):
    """One student's day, for the counts of distinct students (active in the period, with an
    offer in it), which do not add up over days."""

    day = models.DateField()
    student_id = models.IntegerField()
    active = models.BooleanField()
    offer = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["label", "day"])]


class FiguresCohort(FiguresGroup):
    """What one group of students has now: how many, how many have not started, and the
    all-time totals."""

    profiles = models.IntegerField(default=0)
    students = models.IntegerField(default=0)
    not_started = models.IntegerField(default=0)
    contacts = models.IntegerField(default=0)
    conversations = models.IntegerField(default=0)
    held = models.IntegerField(default=0)
    thanked = models.IntegerField(default=0)
    sessions_held = models.IntegerField(default=0)
    outcomes = models.IntegerField(default=0)


# The one row of FiguresRefresh.
REFRESH_ROW = 1


class FiguresRefresh(models.Model):
    """The one row that says when the figures were last computed, and claims a refresh
    (`running_until`, a lease: a crashed worker's claim runs out) so that two workers, or a
    worker and "Recompute now", never compute them at once."""

    computed_at = models.DateTimeField(null=True)
    running_until = models.DateTimeField(null=True)
    requested_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Dashboard figures as of {self.computed_at}"


class FiguresPage(models.Model):
    """The whole dashboard for one common choice of filters (each preset period, every
    student), computed by each refresh in the transaction that replaces the figures, so that
    the page most staff open reads one row instead of summing the figures again: see
    networking_app/console/selectors/pages.py."""

    filters = models.CharField(max_length=200, unique=True)
    dashboard = models.JSONField()

    def __str__(self) -> str:
        return f"Dashboard for {self.filters}"
