"""Writes of match rounds: set-up and status, sign-ups, and booking a published match. The
matcher, staff edits of the proposal and publication are in round_matches.py, the
introduction email in round_intros.py.

Locking: every write that changes a round's matches (run, lock, remove, swap, publish) first
locks the round's row (`lock_round`). Two staff members pressing "Run the matcher" at once
would otherwise both delete and recreate the proposal, and a publish racing a re-run could
email pairs that no longer exist.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentoring import matching
from mentoring.models import (
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
)
from mentoring.selectors import rounds as selectors
from mentoring.services.requests import flash_request_create
from mentoring.services.round_intros import default_intro_body, default_intro_subject
from networking_app.accounts.models import User

MAX_PREFERENCES = 3

# --- Rounds ----------------------------------------------------------------------------------

# Status changes staff make with the buttons on a round's page (publishing is its own action).
TRANSITIONS: dict[str, set[str]] = {
    RoundStatus.DRAFT: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED, RoundStatus.DRAFT},
    RoundStatus.CLOSED: {RoundStatus.OPEN},
    RoundStatus.PUBLISHED: set(),
}


def _check_round_fields(
    *, signup_deadline: dt.datetime, window_start: dt.date, window_end: dt.date
) -> None:
    errors = {}
    if window_end < window_start:
        errors["window_end"] = gettext("The conversation window ends before it starts.")
    elif signup_deadline.date() > window_end:
        errors["signup_deadline"] = gettext(
            "Sign-up must close before the conversation window ends."
        )
    if errors:
        raise ValidationError(errors)


def _checked_matching_settings(data: dict | None) -> dict:
    """Settings as stored: the defaults stored as {} so a round never tuned follows them."""
    try:
        settings = matching.MatchSettings.from_json(data)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return {} if settings == matching.DEFAULT_SETTINGS else settings.as_json()


def round_create(
    *,
    created_by: User,
    name: str,
    signup_deadline: dt.datetime,
    window_start: dt.date,
    window_end: dt.date,
    class_years: list[int] | None = None,
    majors: list[str] | None = None,
    intro_subject: str = "",
    intro_body: str = "",
    matching_settings: dict | None = None,
) -> MatchRound:
    """A new round, in draft until staff open it for sign-up."""
    _check_round_fields(
        signup_deadline=signup_deadline, window_start=window_start, window_end=window_end
    )
    settings = _checked_matching_settings(matching_settings)
    return MatchRound.objects.create(
        name=name,
        signup_deadline=signup_deadline,
        window_start=window_start,
        window_end=window_end,
        class_years=sorted(set(class_years or [])),
        majors=sorted(set(majors or []), key=str.casefold),
        # The defaults in the language of the staff member who creates the round.
        intro_subject=intro_subject or default_intro_subject(),
        intro_body=intro_body or default_intro_body(),
        matching_settings=settings,
        created_by=created_by,
    )


def round_update(
    *,
    match_round: MatchRound,
    name: str,
    signup_deadline: dt.datetime,
    window_start: dt.date,
    window_end: dt.date,
    class_years: list[int],
    majors: list[str],
    intro_subject: str,
    intro_body: str,
    matching_settings: dict | None = None,
) -> MatchRound:
    """Change a round's settings; a published round is final. Without `matching_settings`
    the matcher's tuning stays as it is."""
    if match_round.status == RoundStatus.PUBLISHED:
        raise ValidationError(
            gettext("This round is published: its settings can no longer change.")
        )
    _check_round_fields(
        signup_deadline=signup_deadline, window_start=window_start, window_end=window_end
    )
    match_round.name = name
    match_round.signup_deadline = signup_deadline
    match_round.window_start = window_start
    match_round.window_end = window_end
    match_round.class_years = sorted(set(class_years))
    match_round.majors = sorted(set(majors), key=str.casefold)
    match_round.intro_subject = intro_subject
    match_round.intro_body = intro_body
    if matching_settings is not None:
        match_round.matching_settings = _checked_matching_settings(matching_settings)
    match_round.save()
    return match_round


def lock_round(match_round: MatchRound) -> MatchRound:
    return MatchRound.objects.select_for_update().get(pk=match_round.pk)


def round_set_status(
    *, match_round: MatchRound, status: str, now: dt.datetime | None = None
) -> MatchRound:
    """Open, close, reopen, or take back to draft a round (publishing is `round_publish`)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_round(match_round)
        if status not in TRANSITIONS.get(locked.status, set()):
            raise ValidationError(
                gettext("A round that is “%(current)s” cannot become “%(wanted)s”.")
                % {
                    "current": locked.get_status_display(),
                    "wanted": RoundStatus(status).label if status in RoundStatus.values else status,
                }
            )
        if status == RoundStatus.OPEN and locked.signup_deadline <= now:
            raise ValidationError(
                gettext("The sign-up deadline has passed: move it to a later date before opening.")
            )
        locked.status = status
        locked.save(update_fields=["status"])
    match_round.status = status
    return match_round


# --- Sign-ups --------------------------------------------------------------------------------


def _require_signup_open(match_round: MatchRound, now: dt.datetime) -> None:
    if match_round.status != RoundStatus.OPEN:
        raise ValidationError(gettext("This round is not open for sign-up."))
    if now >= match_round.signup_deadline:
        raise ValidationError(gettext("Sign-up for this round closed at its deadline."))


def _not_a_time(block) -> str:
    return gettext("%(block)s is not a time of the week.") % {"block": block}


def _clean_blocks(blocks) -> list[list[int]]:
    clean = set()
    for block in blocks:
        try:
            weekday, start_hour, end_hour = (int(x) for x in block)
        except (TypeError, ValueError):
            raise ValidationError({"availability": _not_a_time(block)}) from None
        if not (0 <= weekday <= 6 and 0 <= start_hour < end_hour <= 24):
            raise ValidationError({"availability": _not_a_time(block)})
        clean.add((weekday, start_hour, end_hour))
    return [list(b) for b in sorted(clean)]


def round_student_join(
    *,
    match_round: MatchRound,
    student: User,
    topic_ids: list[int],
    industries: str,
    preferences: list[int],
    excluded: list[int],
    availability: list[list[int]],
    now: dt.datetime | None = None,
) -> RoundStudent:
    """Sign a student up for a round, or change their answers while sign-up is open."""
    now = now or timezone.now()
    _require_signup_open(match_round, now)
    reason = selectors.student_ineligibility(match_round=match_round, student=student)
    if reason:
        raise ValidationError(reason)
    offered = set(
        RoundVolunteer.objects.filter(round=match_round).values_list("volunteer_id", flat=True)
    )
    errors: dict[str, str] = {}
    preferences = list(dict.fromkeys(int(v) for v in preferences))
    excluded = sorted({int(v) for v in excluded})
    if len(preferences) > MAX_PREFERENCES:
        errors["preferences"] = gettext("Choose at most %(count)s volunteers.") % {
            "count": MAX_PREFERENCES
        }
    elif not set(preferences) <= offered:
        errors["preferences"] = gettext("Choose among the volunteers of this round.")
    if not set(excluded) <= offered:
        errors["excluded"] = gettext("Choose among the volunteers of this round.")
    elif set(preferences) & set(excluded):
        errors["excluded"] = gettext("A volunteer cannot be both preferred and excluded.")
    blocks = _clean_blocks(availability)
    if not blocks:
        errors["availability"] = gettext("Pick at least one time of the week when you could talk.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        signup, _ = RoundStudent.objects.update_or_create(
            round=match_round,
            student=student,
            defaults={
                "industries": industries.strip()[:300],
                "preferences": preferences,
                "excluded": excluded,
                "availability": blocks,
            },
        )
        signup.topics.set(topic_ids)
    return signup


def round_student_leave(
    *, match_round: MatchRound, student: User, now: dt.datetime | None = None
) -> None:
    """Take a student out of a round while sign-up is open."""
    _require_signup_open(match_round, now or timezone.now())
    with transaction.atomic():
        RoundStudent.objects.filter(round=match_round, student=student).delete()
        Match.objects.filter(round=match_round, student=student, published=False).delete()


def round_volunteer_join(
    *,
    match_round: MatchRound,
    volunteer: User,
    capacity: int,
    now: dt.datetime | None = None,
) -> RoundVolunteer:
    """Offer a volunteer's time in a round (how many students they will meet)."""
    _require_signup_open(match_round, now or timezone.now())
    reason = selectors.volunteer_ineligibility(volunteer=volunteer)
    if reason:
        raise ValidationError(reason)
    if not 1 <= capacity <= 20:
        raise ValidationError({"capacity": gettext("Choose between 1 and 20 students.")})
    offer, _ = RoundVolunteer.objects.update_or_create(
        round=match_round, volunteer=volunteer, defaults={"capacity": capacity}
    )
    return offer


def round_volunteer_leave(
    *, match_round: MatchRound, volunteer: User, now: dt.datetime | None = None
) -> None:
    """Withdraw a volunteer's offer while sign-up is open."""
    _require_signup_open(match_round, now or timezone.now())
    with transaction.atomic():
        RoundVolunteer.objects.filter(round=match_round, volunteer=volunteer).delete()
        Match.objects.filter(round=match_round, volunteer=volunteer, published=False).delete()


# --- Booking after publication ---------------------------------------------------------------


def match_book(*, match: Match, student: User, start_at: dt.datetime, message: str) -> FlashRequest:
    """The student of a published match asks the volunteer for one of their open slots: an
    ordinary flash request (mentoring.services.requests), tied to the match."""
    if not match.published or match.student_id != student.pk:
        raise ValidationError(gettext("This match is not yours to book."))
    mentor = Mentor.objects.filter(user_id=match.volunteer_id).first()
    if mentor is None:
        raise ValidationError(
            gettext("%(name)s is not taking requests at the moment.")
            % {"name": match.volunteer.display_name}
        )
    with transaction.atomic():
        flash_request = flash_request_create(
            student=student, mentor=mentor, start_at=start_at, message=message
        )
        # The requests service does not take a match: tie the request to it here, in the
        # same transaction.
        FlashRequest.objects.filter(pk=flash_request.pk).update(match=match)
    flash_request.match = match
    return flash_request
