import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    VOLUNTEER = "volunteer", _("Volunteer")
    STAFF = "staff", _("Career-office staff")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """`createsuperuser`: a career-office staff account with a verified address."""
        from networking_app.accounts.services import user_finish_staff_setup

        extra_fields.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        user = self._create_user(email, password, **extra_fields)
        user_finish_staff_setup(user=user)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Rapport. The email address is the login."""

    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    # is_staff is Django's flag for the admin site; career-office staff have it set.
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # A student who became a volunteer (an alumna or alumnus giving back): their private
    # network (contacts, conversations, notes) stays theirs (decorators.network_required).
    former_student = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_volunteer(self) -> bool:
        return self.role == Role.VOLUNTEER

    @property
    def keeps_network(self) -> bool:
        """Whether the private network pages are theirs: students, and former students."""
        return self.role == Role.STUDENT or (self.role == Role.VOLUNTEER and self.former_student)

    @property
    def is_staff_member(self) -> bool:
        return self.role == Role.STAFF

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@", 1)[0]


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
    return [(name, name.replace("_", " ")) for name in names]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def default_time_zone() -> str:
    return settings.DEFAULT_USER_TIME_ZONE


class Profile(models.Model):
    """What every user has, whatever the role."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=120)
    time_zone = models.CharField(
        max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    # One of settings.LANGUAGES (no choices here: adding a language needs no migration); blank:
    # the pages follow the browser and emails use settings.LANGUAGE_CODE. Sign-up records the
    # language the person signed up in (accounts.middleware.UserLanguageMiddleware applies it).
    language = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class StudentProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="student_profile")
    class_year = models.PositiveSmallIntegerField(_("class year"), null=True, blank=True)
    major = models.CharField(_("major"), max_length=120, blank=True)
    # Preparation: "clearly identify your interests, strengths and potential career goals".
    interests = models.TextField(_("interests"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    career_goals = models.TextField(_("potential career goals"), blank=True)
    target_industries = models.CharField(
        _("target industries"),
        max_length=300,
        blank=True,
        help_text=_("Separate industries with commas."),
    )
    # Onboarding (mentoring.views.onboarding): the furthest step reached, "" before the first
    # visit; finished when the student reaches the suggested volunteers or says so.
    onboarding_step = models.CharField(max_length=20, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    # Retention (accounts/retention.py): when this graduate was told that their account would be
    # deleted for inactivity. Deleted only after a notice; a sign-in since the notice keeps it.
    deletion_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Student profile of {self.user}"


class Affiliation(models.TextChoices):
    ALUMNI = "alumni", _("Alumna / alumnus")
    PARENT = "parent", _("Parent")
    FRIEND = "friend", _("Friend of the school")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    # Approved before, but staff paused them: not listed or bookable until resumed.
    PAUSED = "paused", _("Paused by the career office")


class VolunteerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="volunteer_profile")
    affiliation = models.CharField(max_length=16, choices=Affiliation.choices)
    class_year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Volunteer profile of {self.user}"

    @property
    def is_approved(self) -> bool:
        return self.status == ApprovalStatus.APPROVED


class ErasedAccount(models.Model):
    """What stays of an account its owner deleted: no name, no email, no text; only the cohort
    and counts, so the staff dashboard's totals do not shrink when someone leaves."""

    role = models.CharField(max_length=16, choices=Role.choices)
    class_year = models.PositiveSmallIntegerField(null=True, blank=True)
    major = models.CharField(max_length=120, blank=True)
    joined_on = models.DateField()
    erased_at = models.DateTimeField(default=timezone.now)
    contacts = models.PositiveIntegerField(default=0)
    conversations = models.PositiveIntegerField(default=0)
    conversations_held = models.PositiveIntegerField(default=0)
    conversations_thanked = models.PositiveIntegerField(default=0)
    flash_sessions_held = models.PositiveIntegerField(default=0)
    event_rsvps = models.PositiveIntegerField(default=0)
    outcomes = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["erased_at"])]

    def __str__(self) -> str:
        return f"Erased {self.role} account ({self.erased_at:%Y-%m-%d})"
