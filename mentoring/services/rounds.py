"""Writes of match rounds: set-up and status, sign-ups, running the matcher, staff edits of
the proposal (lock, remove, swap), and publication with the introduction emails.

Locking: every write that changes a round's matches (run, lock, remove, swap, publish) first
locks the round's row. Two staff members pressing "Run the matcher" at once would otherwise
both delete and recreate the proposal, and a publish racing a re-run could email pairs that
no longer exist.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring import matching
from mentoring.models import (
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    RoundRun,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
)
from mentoring.selectors import rounds as selectors
from mentoring.services.requests import flash_request_create
from networking_app.accounts.models import User
from networking_app.core.audit import audit_record
from networking_app.emails import render_email, send_templated_email
from networking_app.notifications.links import absolute

MAX_PREFERENCES = 3
INTRO_EMAIL = "round_intro"

# --- The introduction email ------------------------------------------------------------------

MERGE_FIELDS = (
    "student_name",
    "volunteer_name",
    "volunteer_organization",
    "round_name",
    "booking_url",
)
_MERGE_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

DEFAULT_INTRO_SUBJECT = "{round_name}: meet {volunteer_name}"
DEFAULT_INTRO_BODY = """Hello {student_name} and {volunteer_name},

The career office has matched you in {round_name} for a short flash-mentoring conversation.

{student_name}, {volunteer_name} ({volunteer_organization}) has offered a little time to \
talk about their work and answer your questions. Please pick one of their open times here:
{booking_url}

{volunteer_name}, thank you for giving your time. You will get the request as soon as \
{student_name} picks a time.

Enjoy the conversation!"""


def unknown_merge_fields(text: str) -> list[str]:
    """Merge fields in `text` that we do not fill in, e.g. a typo like {studnet_name}."""
    return sorted({name for name in _MERGE_FIELD.findall(text) if name not in MERGE_FIELDS})


def merge(text: str, values: dict[str, str]) -> str:
    """Fill in the merge fields. Only our own names are replaced, with plain text: staff's
    template is never evaluated (str.format would let "{student_name.__class__}" through)."""
    return _MERGE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def intro_values(match: Match) -> dict[str, str]:
    mentor = getattr(match.volunteer, "mentor", None)
    organization = getattr(mentor, "organization", None) if mentor else None
    return {
        "student_name": match.student.display_name,
        "volunteer_name": match.volunteer.display_name,
        "volunteer_organization": organization.name if organization else "",
        "round_name": match.round.name,
        "booking_url": absolute(reverse("mentoring:round_match", kwargs={"match_id": match.pk})),
    }


def _intro_context(match: Match) -> dict:
    """What templates/emails/round_intro.* show: the round's own subject and body, merged."""
    match_round = match.round
    values = intro_values(match)
    subject_template = match_round.intro_subject or DEFAULT_INTRO_SUBJECT
    body_template = match_round.intro_body or DEFAULT_INTRO_BODY
    body = merge(body_template, values)
    if "{booking_url}" not in body_template:
        body = f"{body.rstrip()}\n\nBook a time: {values['booking_url']}"
    return {
        "subject": merge(subject_template, values),
        "body": body,
        "booking_url": values["booking_url"],
        "match": match,
    }


def intro_render(match: Match) -> tuple[str, str, str]:
    """Subject, text and HTML of the introduction for one pair, from the round's template."""
    return render_email(INTRO_EMAIL, context=_intro_context(match))


def _send_intro(match: Match) -> None:
    # One message to both (they reply to each other), so no recipient's zone: it shows no time.
    send_templated_email(
        INTRO_EMAIL,
        context=_intro_context(match),
        to=[match.student.email, match.volunteer.email],
        # The outbox stores one message per key: publishing twice cannot email a pair twice.
        key=f"round-intro:{match.pk}",
    )


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
        errors["window_end"] = "The conversation window ends before it starts."
    elif signup_deadline.date() > window_end:
        errors["signup_deadline"] = "Sign-up must close before the conversation window ends."
    if errors:
        raise ValidationError(errors)


def round_create(
    *,
    created_by: User,
    name: str,
    signup_deadline: dt.datetime,
    window_start: dt.date,
    window_end: dt.date,
    class_years: list[int] | None = None,
    majors: list[str] | None = None,
    intro_subject: str = DEFAULT_INTRO_SUBJECT,
    intro_body: str = DEFAULT_INTRO_BODY,
) -> MatchRound:
    """A new round, in draft until staff open it for sign-up."""
    _check_round_fields(
        signup_deadline=signup_deadline, window_start=window_start, window_end=window_end
    )
    return MatchRound.objects.create(
        name=name,
        signup_deadline=signup_deadline,
        window_start=window_start,
        window_end=window_end,
        class_years=sorted(set(class_years or [])),
        majors=sorted(set(majors or []), key=str.casefold),
        intro_subject=intro_subject,
        intro_body=intro_body,
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
) -> MatchRound:
    """Change a round's settings; a published round is final."""
    if match_round.status == RoundStatus.PUBLISHED:
        raise ValidationError("This round is published: its settings can no longer change.")
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
    match_round.save()
    return match_round


def _lock_round(match_round: MatchRound) -> MatchRound:
    return MatchRound.objects.select_for_update().get(pk=match_round.pk)


def round_set_status(
    *, match_round: MatchRound, status: str, now: dt.datetime | None = None
) -> MatchRound:
    """Open, close, reopen, or take back to draft a round (publishing is `round_publish`)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_round(match_round)
        if status not in TRANSITIONS.get(locked.status, set()):
            raise ValidationError(
                f"A round that is “{locked.get_status_display()}” cannot become "
                f"“{RoundStatus(status).label if status in RoundStatus.values else status}”."
            )
        if status == RoundStatus.OPEN and locked.signup_deadline <= now:
            raise ValidationError(
                "The sign-up deadline has passed: move it to a later date before opening."
            )
        locked.status = status
        locked.save(update_fields=["status"])
    match_round.status = status
    return match_round


# --- Sign-ups --------------------------------------------------------------------------------


def _require_signup_open(match_round: MatchRound, now: dt.datetime) -> None:
    if match_round.status != RoundStatus.OPEN:
        raise ValidationError("This round is not open for sign-up.")
    if now >= match_round.signup_deadline:
        raise ValidationError("Sign-up for this round closed at its deadline.")


def _clean_blocks(blocks) -> list[list[int]]:
    clean = set()
    for block in blocks:
        try:
            weekday, start_hour, end_hour = (int(x) for x in block)
        except (TypeError, ValueError):
            raise ValidationError({"availability": f"{block} is not a time of the week."}) from None
        if not (0 <= weekday <= 6 and 0 <= start_hour < end_hour <= 24):
            raise ValidationError({"availability": f"{block} is not a time of the week."})
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
        errors["preferences"] = f"Choose at most {MAX_PREFERENCES} volunteers."
    elif not set(preferences) <= offered:
        errors["preferences"] = "Choose among the volunteers of this round."
    if not set(excluded) <= offered:
        errors["excluded"] = "Choose among the volunteers of this round."
    elif set(preferences) & set(excluded):
        errors["excluded"] = "A volunteer cannot be both preferred and excluded."
    blocks = _clean_blocks(availability)
    if not blocks:
        errors["availability"] = "Pick at least one time of the week when you could talk."
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
        raise ValidationError({"capacity": "Choose between 1 and 20 students."})
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


# --- The matcher and the review --------------------------------------------------------------


def _require_reviewable(match_round: MatchRound) -> None:
    if match_round.status == RoundStatus.PUBLISHED:
        raise ValidationError("This round is published: its matches can no longer change.")
    if match_round.status != RoundStatus.CLOSED:
        raise ValidationError("Close sign-up before matching: students may still join.")


def _stored_breakdown(breakdown: dict, topic_names: dict[int, str]) -> dict:
    return {
        **breakdown,
        "shared_topic_names": [topic_names.get(t, "?") for t in breakdown["shared_topics"]],
    }


def round_run_matcher(*, match_round: MatchRound) -> RoundRun:
    """Propose matches for everyone who is not locked, and record the run."""
    with transaction.atomic():
        match_round = _lock_round(match_round)
        _require_reviewable(match_round)
        data = selectors.matcher_input(match_round=match_round)
        students = {s.id for s in data.students}
        volunteers = {v.id for v in data.volunteers}
        locked = {
            (student_id, volunteer_id): pk
            for pk, student_id, volunteer_id in Match.objects.filter(
                round=match_round, locked=True
            ).values_list("pk", "student_id", "volunteer_id")
        }
        # A lock on someone who has since left the round cannot be kept.
        gone = [pk for (s, v), pk in locked.items() if s not in students or v not in volunteers]
        Match.objects.filter(round=match_round).filter(pk__in=gone).delete()
        locked = {pair: pk for pair, pk in locked.items() if pk not in gone}
        result = matching.solve(
            data.students, data.volunteers, forbidden=data.forbidden, locked=list(locked)
        )
        Match.objects.filter(round=match_round, locked=False).delete()
        kept, new = [], []
        for proposal in result.matches:
            breakdown = _stored_breakdown(proposal.breakdown, data.topic_names)
            pair = (proposal.student_id, proposal.volunteer_id)
            if proposal.locked:
                kept.append(Match(pk=locked[pair], score=proposal.score, breakdown=breakdown))
            else:
                new.append(
                    Match(
                        round=match_round,
                        student_id=proposal.student_id,
                        volunteer_id=proposal.volunteer_id,
                        score=proposal.score,
                        breakdown=breakdown,
                    )
                )
        Match.objects.bulk_update(kept, ["score", "breakdown"], batch_size=500)
        Match.objects.bulk_create(new, batch_size=500)
        return RoundRun.objects.create(
            round=match_round,
            total_score=result.total_score,
            matched=len(result.matches),
            unmatched={str(k): v for k, v in result.unmatched.items()},
            solver_seconds=result.solver_seconds,
        )


def _match_in_round(match_round: MatchRound, match_id: int) -> Match:
    try:
        return Match.objects.select_related("student__profile", "volunteer__profile").get(
            round=match_round, pk=match_id
        )
    except Match.DoesNotExist:
        raise ValidationError(
            "That match is no longer proposed: the matcher may have run again."
        ) from None


def match_set_locked(*, match_round: MatchRound, match_id: int, locked: bool) -> Match:
    """Lock a match so that a re-run keeps it, or unlock it."""
    with transaction.atomic():
        match_round = _lock_round(match_round)
        _require_reviewable(match_round)
        match = _match_in_round(match_round, match_id)
        match.locked = locked
        match.save(update_fields=["locked"])
    return match


def match_remove(*, match_round: MatchRound, match_id: int) -> Match:
    """Drop a proposed match; the matcher will not pair these two again in this round."""
    with transaction.atomic():
        match_round = _lock_round(match_round)
        _require_reviewable(match_round)
        match = _match_in_round(match_round, match_id)
        if match.locked:
            raise ValidationError(
                f"The match of {match.student.display_name} and "
                f"{match.volunteer.display_name} is locked: unlock it first."
            )
        pair = [match.student_id, match.volunteer_id]
        if pair not in match_round.removed_pairs:
            match_round.removed_pairs = [*match_round.removed_pairs, pair]
            match_round.save(update_fields=["removed_pairs"])
        match.delete()
    return match


def match_swap(*, match_round: MatchRound, first_id: int, second_id: int) -> tuple[Match, Match]:
    """Give two students each other's volunteer, if both new pairs keep the hard
    constraints. Both matches are then locked, so that a re-run keeps staff's choice."""
    with transaction.atomic():
        match_round = _lock_round(match_round)
        _require_reviewable(match_round)
        if first_id == second_id:
            raise ValidationError("Choose two different matches to swap.")
        first = _match_in_round(match_round, first_id)
        second = _match_in_round(match_round, second_id)
        if first.volunteer_id == second.volunteer_id:
            raise ValidationError(
                f"{first.student.display_name} and {second.student.display_name} already "
                f"have the same volunteer, {first.volunteer.display_name}."
            )
        data = selectors.matcher_input(
            match_round=match_round,
            student_ids=[first.student_id, second.student_id],
            volunteer_ids=[first.volunteer_id, second.volunteer_id],
        )
        students = {s.id: s for s in data.students}
        volunteers = {v.id: v for v in data.volunteers}
        if len(students) < 2 or len(volunteers) < 2:
            raise ValidationError("One of these people has left the round: run the matcher again.")
        new_pairs = [
            (first, students[first.student_id], volunteers[second.volunteer_id]),
            (second, students[second.student_id], volunteers[first.volunteer_id]),
        ]
        problems = matching.swap_problems([(s, v) for _, s, v in new_pairs], data.forbidden)
        if problems:
            names = {first.student_id: first.student, second.student_id: second.student}
            names.update(
                {first.volunteer_id: first.volunteer, second.volunteer_id: second.volunteer}
            )
            raise ValidationError(
                [
                    f"{names[s].display_name} cannot be matched with "
                    f"{names[v].display_name}: {problem}."
                    for s, v, problem in problems
                ]
            )
        first_volunteer, second_volunteer = second.volunteer, first.volunteer
        for match, student, volunteer in new_pairs:
            breakdown = _stored_breakdown(
                matching.pair_breakdown(student, volunteer), data.topic_names
            )
            match.volunteer_id = volunteer.id
            match.score = breakdown["total"]
            match.breakdown = breakdown
            match.locked = True
            match.save(update_fields=["volunteer", "score", "breakdown", "locked"])
        first.volunteer, second.volunteer = first_volunteer, second_volunteer
    return first, second


# --- Publication -----------------------------------------------------------------------------


def round_publish(
    *, match_round: MatchRound, now: dt.datetime | None = None, actor: User | None = None
) -> int:
    """Publish the round's matches and introduce each pair by email. Returns how many pairs
    were introduced: 0 if the round was already published."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_round(match_round)
        if locked.status == RoundStatus.PUBLISHED:
            return 0
        if locked.status != RoundStatus.CLOSED:
            raise ValidationError("Close sign-up and review the matches before publishing.")
        matches = list(selectors.round_matches_to_publish(match_round=locked))
        if not matches:
            raise ValidationError("There is nothing to publish: run the matcher first.")
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(published=True)
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        # The outbox writes each email as a row in this same transaction: the round is
        # published together with its emails, or not at all.
        for match in matches:
            match.round = locked
            match.published = True
            _send_intro(match)
        audit_record(
            actor=actor,
            action="round.publish",
            summary=f"Published the round {locked.name}: {len(matches)} pairs introduced",
            target=locked,
            round_id=locked.pk,
            matches=len(matches),
        )
    match_round.status = locked.status
    match_round.published_at = locked.published_at
    return len(matches)


# --- Booking after publication ---------------------------------------------------------------


def match_book(*, match: Match, student: User, start_at: dt.datetime, message: str) -> FlashRequest:
    """The student of a published match asks the volunteer for one of their open slots: an
    ordinary flash request (mentoring.services.requests), tied to the match."""
    if not match.published or match.student_id != student.pk:
        raise ValidationError("This match is not yours to book.")
    mentor = Mentor.objects.filter(user_id=match.volunteer_id).first()
    if mentor is None:
        raise ValidationError(
            f"{match.volunteer.display_name} is not taking requests at the moment."
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
