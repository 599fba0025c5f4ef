"""Volunteers' mentoring profiles and availability, flash requests and sessions, feedback,
and staff-run match rounds.

A volunteer's account, affiliation and approval live in networking_app.accounts
(VolunteerProfile); what they offer as a mentor lives here (Mentor).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring import photos


class Topic(models.Model):
    """What a volunteer can advise on: industry insight, career switch, resume review..."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mode(models.TextChoices):
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


SLOT_LENGTHS = [
    (15, _("15 minutes")),
    (20, _("20 minutes")),
    (30, _("30 minutes")),
    (45, _("45 minutes")),
]

# Fields a volunteer may hide from students (name and organization are always shown).
HIDEABLE_FIELDS = [
    "title",
    "industry",
    "job_function",
    "location",
    "class_year",
    "major",
    "bio",
    "linkedin_url",
]


class Mentor(models.Model):
    """What a volunteer offers. Listed in the directory only when approved (accounts),
    consented, listed, and not on leave."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor"
    )
    organization = models.ForeignKey(
        "contacts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    job_function = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    major = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="mentors")
    modes = models.JSONField(default=list, blank=True)  # list of Mode values
    linkedin_url = models.URLField("LinkedIn URL", max_length=300, blank=True)
    code_of_conduct_accepted_at = models.DateTimeField(null=True, blank=True)
    listed = models.BooleanField("list me in the directory", default=False)
    hidden_fields = models.JSONField(default=list, blank=True)  # subset of HIDEABLE_FIELDS
    on_leave_until = models.DateField(null=True, blank=True)
    # Paused by the policy (MentoringPolicy.pause_after_expired requests expired unanswered in
    # a row): not bookable until the volunteer resumes (mentoring.services.responsiveness).
    paused_unanswered_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_no_shows_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Availability rules (times are in the volunteer's own time zone, accounts.Profile).
    slot_minutes = models.PositiveSmallIntegerField(choices=SLOT_LENGTHS, default=30)
    buffer_minutes = models.PositiveSmallIntegerField(
        default=15, validators=[MaxValueValidator(120)]
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(24 * 14)]
    )
    booking_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    monthly_capacity = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(100)]
    )
    # Directory search: name, organization, title, industry, function, location, topics, bio.
    search_text = models.TextField(blank=True, editable=False)
    # to_tsvector('simple', search_text), stored so a broad search does not parse the text of
    # every match again. On PostgreSQL a trigger (migration 0004) fills it on every insert and
    # update, bulk ones included; elsewhere it stays empty (SQLite searches with LIKE).
    search_vector = SearchVectorField(null=True, editable=False)
    # Name and organization, for typo-tolerant trigram search (a GIN index on PostgreSQL).
    search_names = models.CharField(max_length=400, blank=True, editable=False)
    is_bookable = models.BooleanField(default=False, editable=False, db_index=True)
    # The volunteer's photo, checked and re-encoded (mentoring/photos.py) and stored under a
    # random name; written only by mentoring.services.photos, so not editable in the admin.
    photo = models.FileField(max_length=100, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mentor {self.user}"

    def shows(self, field: str) -> bool:
        return field not in (self.hidden_fields or [])

    @property
    def photo_url(self) -> str:
        """Where the photo is served (empty without one); the address changes with the photo."""
        return photos.photo_url(self.pk, self.photo.name)

    @property
    def photo_url_for_students(self) -> str:
        """The photo's address for pages students see: only while the directory lists the
        volunteer, as mentoring:volunteer_photo decides (else the initials)."""
        return self.photo_url if self.is_bookable else ""


class AvailabilityWindow(models.Model):
    """A weekly recurring window, in the volunteer's time zone (0 = Monday)."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(validators=[MaxValueValidator(6)])
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="window_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def get_weekday_display(self) -> str:
        return str(WEEKDAYS[self.weekday])


class OverrideKind(models.TextChoices):
    BLACKOUT = "blackout", _("Not available that day")
    WINDOW = "window", _("Available only at these times that day")


class AvailabilityOverride(models.Model):
    """A one-day change: a blackout date, or that day's own window instead of the weekly ones."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField()
    kind = models.CharField(max_length=16, choices=OverrideKind.choices)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start_time"]

    def __str__(self) -> str:
        return f"{self.date}: {self.get_kind_display()}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the volunteer")
    PROPOSED = "proposed", _("Another time proposed")
    ACCEPTED = "accepted", pgettext_lazy("flash request status", "Accepted")
    DECLINED = "declined", pgettext_lazy("flash request status", "Declined")
    EXPIRED = "expired", pgettext_lazy("flash request status", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("flash request status", "Withdrawn")


OPEN_REQUEST_STATUSES = [RequestStatus.PENDING, RequestStatus.PROPOSED]


class FlashRequest(models.Model):
    """A student asks a volunteer for one short conversation at one of their open slots."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flash_requests"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flash_requests_received"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    message = models.TextField("what I would like to learn")
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    proposed_start_at = models.DateTimeField(null=True, blank=True)
    decline_note = models.CharField(max_length=500, blank=True)
    match = models.ForeignKey(
        "Match", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    expires_at = models.DateTimeField()
    # Reminders the volunteer got while it waited (REMINDER_AFTER in services.requests).
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["student", "status"]),
            models.Index(
                fields=["expires_at"],
                name="flash_request_open_expiry",
                condition=Q(status__in=["pending", "proposed"]),
            ),
        ]
        constraints = [
            # Two students cannot both hold the same slot of a volunteer.
            models.UniqueConstraint(
                fields=["volunteer", "start_at"],
                condition=Q(status__in=["pending", "proposed", "accepted"]),
                name="flash_request_one_holder_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"Request from {self.student} to {self.volunteer} at {self.start_at}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("mentoring session status", "Scheduled")
    COMPLETED = "completed", pgettext_lazy("mentoring session status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("mentoring session status", "Cancelled")
    NO_SHOW = "no_show", pgettext_lazy("mentoring session status", "No-show")


class Session(models.Model):
    """An accepted flash-mentoring conversation."""

    request = models.OneToOneField(FlashRequest, on_delete=models.CASCADE, related_name="session")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_sessions"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_sessions_given"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.VIDEO)
    location = models.CharField("place or link", max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    ics_uid = models.CharField(max_length=100, unique=True, default="")
    ics_sequence = models.PositiveIntegerField(default=0)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    no_show_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What each side said afterwards (mentoring.services.attendance): "held", or "no_show"
    # (the other did not come). When they disagree the session is disputed until staff decide.
    student_said = models.CharField(max_length=8, blank=True, editable=False)
    volunteer_said = models.CharField(max_length=8, blank=True, editable=False)
    disputed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_at"]
        indexes = [
            models.Index(fields=["volunteer", "start_at"]),
            models.Index(fields=["student", "start_at"]),
            models.Index(fields=["status", "start_at"]),
        ]

    def __str__(self) -> str:
        return f"Session {self.student} with {self.volunteer} at {self.start_at}"

    def save(self, *args, **kwargs):
        if not self.ics_uid:
            self.ics_uid = f"session-{uuid.uuid4()}@rapport"
        super().save(*args, **kwargs)


class SessionChange(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16)  # "rescheduled" / "cancelled"
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=500, blank=True)
    previous_start_at = models.DateTimeField(null=True, blank=True)
    new_start_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.session_id}"


class Feedback(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comments = models.TextField(blank=True)
    would_meet_again = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="feedback_once_per_author")
        ]

    def __str__(self) -> str:
        return f"Feedback by {self.author} on {self.session_id}"


# --- Match rounds -------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("match round status", "Draft")
    OPEN = "open", pgettext_lazy("match round status", "Open for sign-up")
    CLOSED = "closed", pgettext_lazy("match round status", "Sign-up closed")
    PUBLISHED = "published", pgettext_lazy("match round status", "Published")


class MatchRound(models.Model):
    name = models.CharField(max_length=200)
    signup_deadline = models.DateTimeField()
    window_start = models.DateField("conversations from")
    window_end = models.DateField("conversations until")
    class_years = models.JSONField(default=list, blank=True)  # empty: every class year
    majors = models.JSONField(default=list, blank=True)  # empty: every major
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    intro_subject = models.CharField(max_length=200, blank=True)
    intro_body = models.TextField(blank=True)
    # Pairs staff removed on the review page, [[student_id, volunteer_id]]: a re-run of the
    # matcher never proposes them again in this round.
    removed_pairs = models.JSONField(default=list, blank=True)
    # Staff's tuning of the matcher, mentoring.matching.MatchSettings.as_json(); empty: the
    # defaults. Validated by round_create / round_update.
    matching_settings = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class RoundStudent(models.Model):
    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    topics = models.ManyToManyField(Topic, blank=True)
    industries = models.CharField(max_length=300, blank=True)  # comma-separated
    # Up to three volunteers' user ids, most preferred first.
    preferences = models.JSONField(default=list, blank=True)
    excluded = models.JSONField(default=list, blank=True)  # volunteers' user ids
    # Weekly availability blocks in the student's time zone: [[weekday, start_hour, end_hour]].
    availability = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "student"], name="round_student_once")
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.round}"


class RoundVolunteer(models.Model):
    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="volunteers")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "volunteer"], name="round_volunteer_once")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} in {self.round}"


class Match(models.Model):
    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="matches")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(default=0)
    breakdown = models.JSONField(default=dict, blank=True)  # "why this match"
    locked = models.BooleanField(default=False)
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "student"], name="match_one_per_student")
        ]
        # The review page's order: a page of a 50,000-match round is an index range.
        indexes = [
            models.Index(
                "round", F("locked").desc(), F("score").desc(), "id", name="match_review_order"
            )
        ]
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.student} ↔ {self.volunteer} ({self.round})"


class RoundRun(models.Model):
    """One run of the matcher: its total, and why each unmatched student was left out."""

    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="runs")
    total_score = models.FloatField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.JSONField(default=dict, blank=True)  # {student_id: reason}
    solver_seconds = models.FloatField(default=0)
    # mentoring.matching_sparse.Certificate.as_dict(): whether the run's duals prove its
    # total optimal over every allowed pair, and the gap. Empty for runs before issue 20.
    certificate = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Run of {self.round} at {self.created_at}"

    @property
    def proved_optimal(self) -> bool:
        return bool(self.certificate.get("optimal"))


class StudentInterests(models.Model):
    """The topics a student wants to learn about, chosen in onboarding or on the profile: the
    same topics volunteers offer, so "Suggested for you" can score pairs with the matcher."""

    student = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_interests"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Interests of {self.student}"


class MentoringPolicy(models.Model):
    """The career office's rules for flash mentoring, one row (MentoringPolicy.current())."""

    # No-shows count for NO_SHOW_WINDOW_DAYS (mentoring.services.attendance).
    student_no_show_penalty = models.PositiveSmallIntegerField(
        _("points a student loses in match rounds for each recent no-show"),
        default=6,
        validators=[MaxValueValidator(50)],
        help_text=_("Shown in “why this match”. 0 gives no-shows no weight."),
    )
    student_open_requests_after_no_show = models.PositiveSmallIntegerField(
        _("open requests a student with a recent no-show may have at once"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    volunteer_pause_after_no_shows = models.PositiveSmallIntegerField(
        _("pause a volunteer after this many recent no-shows"),
        default=2,
        validators=[MaxValueValidator(20)],
        help_text=_("0 never pauses. Staff resume them on the volunteers page."),
    )
    pause_after_expired = models.PositiveSmallIntegerField(
        _("pause a volunteer after this many requests expire unanswered in a row"),
        default=3,
        validators=[MaxValueValidator(20)],
        help_text=_("0 never pauses. The volunteer is told why and can resume at once."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = _("mentoring policy")

    def __str__(self) -> str:
        return str(_("Mentoring policy"))

    @classmethod
    def current(cls) -> MentoringPolicy:
        """The row, or the defaults (saved as row 1 when staff first change them): one query,
        no write."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
