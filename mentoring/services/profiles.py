"""Writes of a volunteer's mentor profile and availability, and of the directory's
"add to my contacts".

`search_text`, `search_names` and `is_bookable` are derived here and nowhere else: every write
that can change them ends with `_refresh`, and other apps call `mentor_refresh_bookable` when
they change what it reads (approval in accounts, the display name).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from contacts.models import Contact, Outcome, OutcomeKind, Relationship, Source
from contacts.services.people import contact_create, organization_get_or_create
from mentoring.models import (
    HIDEABLE_FIELDS,
    AvailabilityOverride,
    AvailabilityWindow,
    Mentor,
    Mode,
    OverrideKind,
    StudentInterests,
    Topic,
)
from mentoring.services.availability import mentor_zone
from networking_app.accounts.models import (
    Affiliation,
    ApprovalStatus,
    Profile,
    User,
    VolunteerProfile,
)
from networking_app.core.cache import DIRECTORY, bump_version

# --- Derived fields ------------------------------------------------------------------------


def _display_name(user_id: int) -> str:
    name = Profile.objects.filter(user_id=user_id).values_list("display_name", flat=True).first()
    return name or ""


def _search_texts(mentor: Mentor, name: str) -> tuple[str, str]:
    """What the directory searches: only what students may see (a hidden field found by a
    search would give its value away)."""
    organization = mentor.organization.name if mentor.organization_id else ""
    visible = [
        getattr(mentor, f)
        for f in ("title", "industry", "job_function", "location", "major")
        if mentor.shows(f)
    ]
    topics = [t.name for t in mentor.topics.all()]
    bio = [mentor.bio] if mentor.shows("bio") else []
    parts = [name, organization, *visible, *topics, *bio]
    search_names = " ".join(p for p in (name, organization) if p)
    return "\n".join(p for p in parts if p), search_names[:400]


def _is_bookable(mentor: Mentor, now: dt.datetime | None = None) -> bool:
    status, active = (
        VolunteerProfile.objects.filter(user_id=mentor.user_id)
        .values_list("status", "user__is_active")
        .first()
    ) or (None, False)
    today = timezone.localdate(now or timezone.now(), timezone=mentor_zone(mentor))
    on_leave = mentor.on_leave_until is not None and mentor.on_leave_until >= today
    return bool(
        active
        and status == ApprovalStatus.APPROVED
        and mentor.code_of_conduct_accepted_at
        and mentor.listed
        and not on_leave
        and mentor.paused_unanswered_at is None
        and mentor.paused_no_shows_at is None
    )


def _refresh(mentor: Mentor, now: dt.datetime | None = None) -> Mentor:
    """Recompute the derived fields of a mentor whose row the caller has locked."""
    mentor.search_text, mentor.search_names = _search_texts(mentor, _display_name(mentor.user_id))
    mentor.is_bookable = _is_bookable(mentor, now)
    Mentor.objects.filter(pk=mentor.pk).update(
        search_text=mentor.search_text,
        search_names=mentor.search_names,
        is_bookable=mentor.is_bookable,
    )
    # What students see of the volunteer may have changed: kept directory pages go.
    bump_version(DIRECTORY)
    return mentor


def _locked_mentor(user_id: int) -> Mentor | None:
    # Locked so that an approval and a profile save cannot both compute is_bookable from
    # what they read before the other committed: the second one waits and reads afresh.
    return (
        Mentor.objects.select_for_update(of=("self",))
        .select_related("organization", "user__profile")
        .filter(user_id=user_id)
        .first()
    )


def mentor_refresh_after_profile_saved(user: User) -> None:
    """Profile-saved step (registered with accounts in MentoringConfig.ready): the directory
    searches a volunteer's display name, so keep it current."""
    if user.is_volunteer:
        mentor_refresh_bookable(user=user)


def mentor_refresh_bookable(*, user: User) -> Mentor | None:
    """Recompute whether the volunteer is listed and bookable, and what the directory
    searches. Call after changing their approval, activity or display name."""
    with transaction.atomic():
        mentor = _locked_mentor(user.pk)
        if mentor is None:
            return None
        return _refresh(mentor)


def mentors_refresh_ended_leaves(*, now: dt.datetime | None = None) -> int:
    """Make bookable again the volunteers whose leave has ended (run once a day)."""
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    # A day's margin: "today" in a volunteer's own zone may still be yesterday in UTC.
    candidates = Mentor.objects.filter(
        is_bookable=False, listed=True, on_leave_until__lt=today + dt.timedelta(days=1)
    ).values_list("user_id", flat=True)
    changed = 0
    for user_id in candidates.iterator():
        with transaction.atomic():
            mentor = _locked_mentor(user_id)
            if mentor is not None and _refresh(mentor, now).is_bookable:
                changed += 1
    return changed


# --- Profile -------------------------------------------------------------------------------


def validate_linkedin_url(url: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    if url and host != "linkedin.com" and not host.endswith(".linkedin.com"):
        raise ValidationError(
            gettext(
                "Enter the address of your LinkedIn profile, like "
                "https://www.linkedin.com/in/your-name."
            ),
            code="not_linkedin",
        )


def mentor_get_or_create(*, user: User) -> Mentor:
    """The volunteer's mentor profile, created empty (not listed) on first use."""
    if not user.is_volunteer:
        raise ValidationError(gettext("Only volunteers have a mentor profile."))
    mentor, _ = Mentor.objects.get_or_create(user=user)
    return mentor


def mentor_start_for_former_student(user: User) -> Mentor:
    """A student who became a volunteer (networking_app.accounts.alumni) starts with a mentor
    profile from what they entered as a student: their major, the topics they chose, and the
    organization and title of the last job offer they recorded. Not listed: they finish it,
    accept the code of conduct and wait for the career office's approval."""
    mentor = mentor_get_or_create(user=user)
    student = getattr(user, "student_profile", None)
    job = Outcome.objects.filter(owner=user, kind=OutcomeKind.JOB).order_by("-decided_on").first()
    mentor.major = mentor.major or (student.major if student else "")
    if job is not None and not mentor.organization_id:
        mentor.organization_id = job.organization_id
        mentor.title = mentor.title or job.title
    mentor.save()
    topics = StudentInterests.topics.through.objects.filter(
        studentinterests__student=user
    ).values_list("topic_id", flat=True)
    mentor.topics.add(*topics)
    return mentor


def mentor_save(
    *,
    user: User,
    affiliation: str,
    class_year: int | None,
    organization_name: str,
    title: str = "",
    industry: str = "",
    job_function: str = "",
    location: str = "",
    major: str = "",
    bio: str = "",
    topics: list[Topic] | None = None,
    modes: list[str] | None = None,
    linkedin_url: str = "",
    code_of_conduct: bool = False,
    listed: bool = False,
    hidden_fields: list[str] | None = None,
    on_leave_until: dt.date | None = None,
) -> Mentor:
    """Save a volunteer's mentor profile (and their affiliation and class year)."""
    modes = list(dict.fromkeys(modes or []))
    hidden = [f for f in HIDEABLE_FIELDS if f in (hidden_fields or [])]
    errors = {}
    if set(modes) - set(Mode.values):
        errors["modes"] = gettext("Choose video, phone or in person.")
    if set(hidden_fields or []) - set(HIDEABLE_FIELDS):
        errors["hidden_fields"] = gettext("Only some fields can be hidden.")
    if affiliation not in Affiliation.values:
        errors["affiliation"] = gettext("Choose your connection to the school.")
    if listed and not code_of_conduct:
        errors["listed"] = gettext("Accept the code of conduct to be listed in the directory.")
    try:
        validate_linkedin_url(linkedin_url)
    except ValidationError as error:
        errors["linkedin_url"] = error.messages
    if errors:
        raise ValidationError(errors)

    mentor_get_or_create(user=user)
    with transaction.atomic():
        VolunteerProfile.objects.filter(user=user).update(
            affiliation=affiliation, class_year=class_year
        )
        mentor = _locked_mentor(user.pk)
        mentor.organization = organization_get_or_create(name=organization_name)
        mentor.title = title.strip()
        mentor.industry = industry.strip()
        mentor.job_function = job_function.strip()
        mentor.location = location.strip()
        mentor.major = major.strip()
        mentor.bio = bio.strip()
        mentor.modes = [m for m in Mode.values if m in modes]
        mentor.linkedin_url = linkedin_url
        if not code_of_conduct:
            mentor.code_of_conduct_accepted_at = None
        elif mentor.code_of_conduct_accepted_at is None:
            mentor.code_of_conduct_accepted_at = timezone.now()
        mentor.listed = listed
        mentor.hidden_fields = hidden
        mentor.on_leave_until = on_leave_until
        mentor.full_clean(exclude=["user", "organization", "topics"])
        mentor.save()
        mentor.topics.set(topics or [])
        _refresh(mentor)
    return mentor


# --- Availability --------------------------------------------------------------------------


def mentor_rules_update(
    *,
    mentor: Mentor,
    slot_minutes: int,
    buffer_minutes: int,
    min_notice_hours: int,
    booking_window_days: int,
    monthly_capacity: int,
) -> Mentor:
    """Change how the volunteer's open slots are cut: length, breaks, notice, horizon, cap."""
    mentor.slot_minutes = slot_minutes
    mentor.buffer_minutes = buffer_minutes
    mentor.min_notice_hours = min_notice_hours
    mentor.booking_window_days = booking_window_days
    mentor.monthly_capacity = monthly_capacity
    fields = [
        "slot_minutes",
        "buffer_minutes",
        "min_notice_hours",
        "booking_window_days",
        "monthly_capacity",
    ]
    mentor.full_clean(exclude=["user", "organization", "topics"])
    mentor.save(update_fields=[*fields, "updated_at"])
    return mentor


def _times(start: dt.time, end: dt.time) -> str:
    return gettext("%(start)s to %(end)s") % {
        "start": formats.time_format(start),
        "end": formats.time_format(end),
    }


def _overlaps(start: dt.time, end: dt.time, other_start: dt.time, other_end: dt.time) -> bool:
    return start < other_end and other_start < end


def _check_times(start_time: dt.time | None, end_time: dt.time | None) -> None:
    if start_time is None or end_time is None:
        raise ValidationError({"start_time": gettext("Enter a start and an end time.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": gettext("The end time must be after the start time.")})


def _lock(mentor: Mentor) -> None:
    # Two tabs adding windows at once must not both pass the overlap check.
    Mentor.objects.select_for_update().filter(pk=mentor.pk).first()


def availability_window_add(
    *, mentor: Mentor, weekday: int, start_time: dt.time, end_time: dt.time
) -> AvailabilityWindow:
    """Add a weekly window; refuses one that overlaps another window of the same day."""
    _check_times(start_time, end_time)
    with transaction.atomic():
        _lock(mentor)
        for other in mentor.windows.filter(weekday=weekday):
            if _overlaps(start_time, end_time, other.start_time, other.end_time):
                raise ValidationError(
                    {
                        "start_time": gettext(
                            "This overlaps your %(day)s time %(times)s. Delete that one first, "
                            "or choose times that do not overlap."
                        )
                        % {
                            "day": other.get_weekday_display(),
                            "times": _times(other.start_time, other.end_time),
                        }
                    }
                )
        window = AvailabilityWindow(
            mentor=mentor, weekday=weekday, start_time=start_time, end_time=end_time
        )
        window.full_clean()
        window.save()
    return window


def availability_window_delete(*, window: AvailabilityWindow) -> None:
    window.delete()


def availability_override_add(
    *,
    mentor: Mentor,
    date: dt.date,
    kind: str,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
) -> AvailabilityOverride:
    """Add a blackout date, or a window for one day that replaces that day's weekly ones."""
    today = timezone.localdate(timezone=mentor_zone(mentor))
    if date < today:
        raise ValidationError({"date": gettext("Choose today or a later date.")})
    if kind not in OverrideKind.values:
        raise ValidationError(
            {"kind": gettext("Choose whether you are away or available that day.")}
        )
    if kind == OverrideKind.WINDOW:
        _check_times(start_time, end_time)
    else:
        start_time = end_time = None
    with transaction.atomic():
        _lock(mentor)
        same_day = list(mentor.overrides.filter(date=date))
        day = formats.date_format(date)
        if any(o.kind == OverrideKind.BLACKOUT for o in same_day):
            raise ValidationError(
                {"date": gettext("You are already away on %(day)s.") % {"day": day}}
            )
        if kind == OverrideKind.BLACKOUT and same_day:
            raise ValidationError(
                {
                    "date": gettext(
                        "You have times on %(day)s: delete them first to mark the day away."
                    )
                    % {"day": day}
                }
            )
        for other in same_day:
            if _overlaps(start_time, end_time, other.start_time, other.end_time):
                raise ValidationError(
                    {
                        "start_time": gettext("This overlaps your times on %(day)s, %(times)s.")
                        % {"day": day, "times": _times(other.start_time, other.end_time)}
                    }
                )
        override = AvailabilityOverride.objects.create(
            mentor=mentor, date=date, kind=kind, start_time=start_time, end_time=end_time
        )
    return override


def availability_override_delete(*, override: AvailabilityOverride) -> None:
    override.delete()


# --- The directory's "add to my contacts" --------------------------------------------------


def mentor_contact_add(*, student: User, mentor: Mentor) -> tuple[Contact, bool]:
    """Add a directory volunteer to the student's contacts, with only what students may see.
    Returns (contact, created): a contact with the volunteer's email address is not added
    twice."""
    email = mentor.user.email
    affiliation = (
        VolunteerProfile.objects.filter(user_id=mentor.user_id)
        .values_list("affiliation", flat=True)
        .first()
    )
    with transaction.atomic():
        # Locks the student's row: two clicks must not both find nothing and both add.
        User.objects.select_for_update().filter(pk=student.pk).first()
        existing = (
            Contact.objects.filter(owner=student)
            .filter(Q(email__iexact=email))
            .order_by("pk")
            .first()
        )
        if existing is not None:
            return existing, False

        def visible(field: str) -> str:
            return getattr(mentor, field) if mentor.shows(field) else ""

        contact = contact_create(
            owner=student,
            name=mentor.user.display_name,
            email=email,
            organization_name=mentor.organization.name if mentor.organization_id else "",
            title=visible("title"),
            industry=visible("industry"),
            linkedin_url=visible("linkedin_url"),
            relationship=(
                Relationship.ALUMNI if affiliation == Affiliation.ALUMNI else Relationship.OTHER
            ),
            how_met=gettext("Found in the %(directory)s") % {"directory": settings.DIRECTORY_NAME},
            source=Source.DIRECTORY,
        )
    return contact, True
