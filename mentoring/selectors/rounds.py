"""Reads of match rounds: lists, sign-ups, who may join, the matcher's input (the staff's review
page: round_review.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from mentoring import matching, matching_week
from mentoring.models import (
    AvailabilityWindow,
    FlashRequest,
    Match,
    MatchRound,
    Mentor,
    MentoringPolicy,
    RoundStatus,
    RoundStudent,
    RoundVolunteer,
    Session,
    SessionStatus,
    Topic,
)
from mentoring.services.attendance import student_no_shows
from mentoring.services.availability import bookable_in_period, zone_named
from networking_app.accounts.models import ApprovalStatus, User

# Sessions that count as "already served" for a student's priority.
SERVED_SESSION_STATUSES = [SessionStatus.SCHEDULED, SessionStatus.COMPLETED]


def _count(model, **filters) -> Coalesce:
    """A correlated COUNT, so that several counts on a round do not multiply each other."""
    rows = (
        model.objects.filter(round=OuterRef("pk"), **filters)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def round_list() -> QuerySet[MatchRound]:
    return MatchRound.objects.annotate(
        student_count=_count(RoundStudent),
        volunteer_count=_count(RoundVolunteer),
        match_count=_count(Match),
    ).order_by("-created_at", "-pk")


def round_get(*, round_id: int) -> MatchRound:
    """The round with its sign-up counts; raises MatchRound.DoesNotExist."""
    return round_list().get(pk=round_id)


def round_signups(*, match_round: MatchRound) -> tuple[list[RoundStudent], list[RoundVolunteer]]:
    students = list(
        RoundStudent.objects.filter(round=match_round)
        .select_related("student__profile", "student__student_profile")
        .prefetch_related("topics")
        .order_by("student__profile__display_name", "pk")
    )
    volunteers = list(
        RoundVolunteer.objects.filter(round=match_round)
        .select_related("volunteer__profile", "volunteer__mentor__organization")
        .order_by("volunteer__profile__display_name", "pk")
    )
    return students, volunteers


# --- Who may sign up -------------------------------------------------------------------------


def signup_is_open(match_round: MatchRound, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return match_round.status == RoundStatus.OPEN and now < match_round.signup_deadline


def _normalise_major(text: str) -> str:
    return " ".join(text.casefold().split())


def student_ineligibility(*, match_round: MatchRound, student: User) -> str:
    """Why this student may not join the round ("" if they may)."""
    profile = getattr(student, "student_profile", None)
    class_year = getattr(profile, "class_year", None)
    major = getattr(profile, "major", "") or ""
    if match_round.class_years and class_year not in match_round.class_years:
        years = ", ".join(str(y) for y in sorted(match_round.class_years))
        if class_year is None:
            return gettext(
                "This round is for the class of %(years)s, and your profile has no class year. "
                "Add it on your profile page if you belong to one of these classes."
            ) % {"years": years}
        return gettext("This round is for the class of %(years)s only.") % {"years": years}
    majors = {_normalise_major(m) for m in match_round.majors}
    if majors and _normalise_major(major) not in majors:
        listed = ", ".join(sorted(match_round.majors))
        if not major:
            return gettext(
                "This round is for students majoring in %(majors)s, and your profile has no "
                "major. Add it on your profile page if it is one of these."
            ) % {"majors": listed}
        return gettext("This round is for students majoring in %(majors)s only.") % {
            "majors": listed
        }
    return ""


def volunteer_ineligibility(*, volunteer: User) -> str:
    """Why this volunteer may not give time in a round ("" if they may)."""
    profile = getattr(volunteer, "volunteer_profile", None)
    if profile is None or profile.status != ApprovalStatus.APPROVED:
        return gettext(
            "Match rounds are open to approved volunteers: the career office has not "
            "approved your account yet."
        )
    try:
        volunteer.mentor  # noqa: B018
    except Mentor.DoesNotExist:
        return gettext(
            "Set up your mentor profile first: students are matched on its topics and "
            "weekly availability."
        )
    return ""


@dataclass
class OpenRound:
    round: MatchRound
    joined: bool


def rounds_open_to(*, user: User, now: dt.datetime | None = None) -> list[OpenRound]:
    """Rounds this student or volunteer may sign up for now, and whether they already did."""
    now = now or timezone.now()
    rounds = MatchRound.objects.filter(status=RoundStatus.OPEN, signup_deadline__gt=now).order_by(
        "signup_deadline", "pk"
    )
    if user.is_student:
        joined = set(
            RoundStudent.objects.filter(student=user, round__in=rounds).values_list(
                "round_id", flat=True
            )
        )
        return [
            OpenRound(r, r.pk in joined)
            for r in rounds
            if r.pk in joined or not student_ineligibility(match_round=r, student=user)
        ]
    if user.is_volunteer:
        joined = set(
            RoundVolunteer.objects.filter(volunteer=user, round__in=rounds).values_list(
                "round_id", flat=True
            )
        )
        return [OpenRound(r, r.pk in joined) for r in rounds]
    return []


def published_matches_for(*, user: User) -> list[Match]:
    """The published matches this student or volunteer is part of, newest round first."""
    return list(
        Match.objects.filter(Q(student=user) | Q(volunteer=user), published=True)
        .select_related(
            "round", "student__profile", "volunteer__profile", "volunteer__mentor__organization"
        )
        .order_by("-round__published_at", "-pk")
    )


def round_student_get(*, match_round: MatchRound, student: User) -> RoundStudent | None:
    return (
        RoundStudent.objects.filter(round=match_round, student=student)
        .prefetch_related("topics")
        .first()
    )


def round_volunteer_get(*, match_round: MatchRound, volunteer: User) -> RoundVolunteer | None:
    return RoundVolunteer.objects.filter(round=match_round, volunteer=volunteer).first()


def round_volunteer_choices(*, match_round: MatchRound) -> list[RoundVolunteer]:
    """Volunteers who opted in, for a student's preferences and exclusions."""
    return list(
        RoundVolunteer.objects.filter(round=match_round)
        .select_related("volunteer__profile", "volunteer__mentor__organization")
        .order_by("volunteer__profile__display_name", "pk")
    )


def match_get_for_participant(*, user: User, match_id: int) -> Match:
    """A published match of which `user` is the student or the volunteer; raises
    Match.DoesNotExist otherwise, so that anyone else gets a plain 404."""
    match = (
        Match.objects.select_related(
            "round",
            "student__profile",
            "volunteer__profile",
            "volunteer__mentor__organization",
        )
        .filter(pk=match_id, published=True)
        .get()
    )
    if user.pk not in (match.student_id, match.volunteer_id):
        raise Match.DoesNotExist
    return match


# --- The matcher's input ---------------------------------------------------------------------


def round_bookable_volunteers(
    *, match_round: MatchRound, volunteer_ids, now: dt.datetime | None = None
) -> set[int]:
    """User ids, among `volunteer_ids` (ids or a subquery), of the volunteers a student could
    book now for a conversation in the round's dates: each volunteer's slots are worked out
    once, in four queries whatever their number."""
    mentors = list(Mentor.objects.filter(user_id__in=volunteer_ids).select_related("user__profile"))
    bookable = bookable_in_period(
        mentors,
        first_day=match_round.window_start,
        last_day=match_round.window_end,
        now=now or timezone.now(),
    )
    return {m.user_id for m in mentors if m.pk in bookable}


@dataclass
class MatcherInput:
    students: list[matching.StudentIn]
    volunteers: list[matching.VolunteerIn]
    forbidden: frozenset[tuple[int, int]]
    topic_names: dict[int, str] = field(default_factory=dict)
    settings: matching.MatchSettings = matching.DEFAULT_SETTINGS


def _ids(values) -> frozenset[int]:
    out = set()
    for value in values or []:
        try:
            out.add(int(value))
        except (TypeError, ValueError):
            continue
    return frozenset(out)


def matcher_input(
    *,
    match_round: MatchRound,
    student_ids: list[int] | None = None,
    volunteer_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> MatcherInput:
    """Everyone in the round (or only the given users) as the matcher sees them, in a fixed
    number of queries whatever the size of the round. A volunteer is `bookable` when a student
    could book one of their slots in the round's dates now (`round_bookable_volunteers`)."""
    reference = match_round.window_start
    signups = RoundStudent.objects.filter(round=match_round)
    offers = RoundVolunteer.objects.filter(round=match_round)
    if student_ids is not None:
        signups = signups.filter(student_id__in=student_ids)
    if volunteer_ids is not None:
        offers = offers.filter(volunteer_id__in=volunteer_ids)

    student_topics: dict[int, set[int]] = defaultdict(set)
    for signup_id, topic_id in RoundStudent.topics.through.objects.filter(
        roundstudent__in=signups.values("pk")
    ).values_list("roundstudent_id", "topic_id"):
        student_topics[signup_id].add(topic_id)

    student_user_ids = signups.values("student_id")
    served = set(
        Session.objects.filter(
            student_id__in=student_user_ids, status__in=SERVED_SESSION_STATUSES
        ).values_list("student_id", flat=True)
    )
    served |= set(
        Match.objects.filter(student_id__in=student_user_ids, published=True)
        .exclude(round=match_round)
        .values_list("student_id", flat=True)
    )

    # Recent no-shows lower a student's priority: by the round's own weight if staff tuned
    # one, else as the career office's policy says.
    settings = matching.MatchSettings.from_json(match_round.matching_settings)
    points_each = settings.no_show_points
    if points_each is None:
        points_each = MentoringPolicy.current().student_no_show_penalty
    no_shows = student_no_shows(student_ids=signups.values("student_id"))
    students = []
    for signup_id, student_id, industries, preferences, excluded, blocks, zone in signups.order_by(
        "pk"
    ).values_list(
        "pk",
        "student_id",
        "industries",
        "preferences",
        "excluded",
        "availability",
        "student__profile__time_zone",
    ):
        ranked = [int(v) for v in (preferences or [])[:3] if str(v).isdigit()]
        students.append(
            matching.StudentIn(
                id=student_id,
                topics=frozenset(student_topics[signup_id]),
                industries=matching_week.parse_industries(industries or ""),
                preferences={vid: rank for rank, vid in enumerate(ranked, start=1)},
                excluded=_ids(excluded),
                availability=matching_week.blocks_to_utc_hours(
                    blocks or [], zone=zone_named(zone), reference=reference
                ),
                already_served=student_id in served,
                no_shows=no_shows.get(student_id, 0),
                no_show_points=matching.no_show_points(no_shows.get(student_id, 0), points_each),
            )
        )

    rows = list(
        offers.order_by("pk").values_list(
            "volunteer_id",
            "capacity",
            "volunteer__profile__time_zone",
            "volunteer__mentor__id",
            "volunteer__mentor__industry",
        )
    )
    mentor_ids = [row[3] for row in rows if row[3] is not None]
    mentor_topics: dict[int, set[int]] = defaultdict(set)
    for mentor_id, topic_id in Mentor.topics.through.objects.filter(
        mentor_id__in=offers.values("volunteer__mentor__id")
    ).values_list("mentor_id", "topic_id"):
        mentor_topics[mentor_id].add(topic_id)
    windows: dict[int, list] = defaultdict(list)
    if mentor_ids:
        for mentor_id, weekday, start, end in AvailabilityWindow.objects.filter(
            mentor_id__in=offers.values("volunteer__mentor__id")
        ).values_list("mentor_id", "weekday", "start_time", "end_time"):
            windows[mentor_id].append((weekday, start, end))
    bookable = round_bookable_volunteers(
        match_round=match_round, volunteer_ids=offers.values("volunteer_id"), now=now
    )
    volunteers = [
        matching.VolunteerIn(
            id=volunteer_id,
            topics=frozenset(mentor_topics.get(mentor_id, ())),
            industry=matching_week.normalise_industry(industry or ""),
            capacity=capacity,
            availability=matching_week.windows_to_utc_hours(
                windows.get(mentor_id, []), zone=zone_named(zone), reference=reference
            ),
            bookable=volunteer_id in bookable,
        )
        for volunteer_id, capacity, zone, mentor_id, industry in rows
    ]

    forbidden: set[tuple[int, int]] = set()
    volunteer_user_ids = offers.values("volunteer_id")
    forbidden.update(
        Session.objects.filter(student_id__in=student_user_ids, volunteer_id__in=volunteer_user_ids)
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("student_id", "volunteer_id")
    )
    forbidden.update(
        Match.objects.filter(
            student_id__in=student_user_ids,
            volunteer_id__in=volunteer_user_ids,
            published=True,
        )
        .exclude(round=match_round)
        .values_list("student_id", "volunteer_id")
    )
    for pair in match_round.removed_pairs or []:
        try:
            forbidden.add((int(pair[0]), int(pair[1])))
        except (TypeError, ValueError, IndexError):
            continue
    return MatcherInput(
        students=students,
        volunteers=volunteers,
        forbidden=frozenset(forbidden),
        topic_names=dict(Topic.objects.values_list("pk", "name")),
        settings=settings,
    )


def round_matches_to_publish(*, match_round: MatchRound) -> QuerySet[Match]:
    return (
        Match.objects.filter(round=match_round, published=False)
        .select_related(
            "round", "student__profile", "volunteer__profile", "volunteer__mentor__organization"
        )
        .order_by("pk")
    )


def volunteers_with_choices(*, volunteers: list[RoundVolunteer]) -> list[tuple[int, str]]:
    choices = []
    for offer in volunteers:
        user = offer.volunteer
        label = user.display_name
        mentor = getattr(user, "mentor", None)
        organization = getattr(mentor, "organization", None) if mentor else None
        if organization is not None:
            label = f"{label} ({organization.name})"
        choices.append((user.pk, label))
    return choices


def round_get_visible(*, round_id: int) -> MatchRound | None:
    """A round students and volunteers may see: anything but a draft."""
    return MatchRound.objects.exclude(status=RoundStatus.DRAFT).filter(pk=round_id).first()


def round_match_ids(*, match_round: MatchRound) -> list[int]:
    return list(Match.objects.filter(round=match_round).values_list("pk", flat=True))


def volunteer_has_windows(*, volunteer: User) -> bool:
    """Whether the volunteer has set any weekly availability window."""
    return AvailabilityWindow.objects.filter(mentor__user=volunteer).exists()


def match_booking(*, match: Match) -> FlashRequest | None:
    """The latest request the student made to book this match, if any."""
    return FlashRequest.objects.filter(match=match).order_by("-created_at").first()
