"""Reads of a match round's review page: the matches of the last run, filtered and paged, who was
left out and why, and the matches as the CSV export lists them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext, gettext_noop

from mentoring.models import (
    Match,
    MatchRound,
    RoundRun,
    RoundStudent,
)
from mentoring.selectors.rounds import round_bookable_volunteers
from networking_app.accounts.models import User

# Like matching's reasons: marked here, translated where the review shows them.
REMOVED_BY_STAFF = gettext_noop("staff removed their match")
NOT_RUN_YET = gettext_noop("the matcher has not run yet")
JOINED_AFTER_RUN = gettext_noop("not in the last run of the matcher")


@dataclass
class Unmatched:
    student: User
    reason: str


REVIEW_PAGE_SIZE = 50
UNMATCHED_SHOWN = 200  # the rest are counted; a round of 50,000 may leave thousands out
WARNING_NO_TIME = "no_time"
WARNING_LOCKED = "locked"


@dataclass(frozen=True)
class ReviewFilters:
    volunteer: str = ""  # part of the volunteer's name
    min_score: float | None = None
    max_score: float | None = None
    warning: str = ""  # WARNING_NO_TIME or WARNING_LOCKED

    @property
    def active(self) -> bool:
        return bool(self.volunteer or self.warning) or (
            self.min_score is not None or self.max_score is not None
        )


@dataclass
class Review:
    matches: list[Match]  # the page's
    unmatched: list[Unmatched]  # the first UNMATCHED_SHOWN
    last_run: RoundRun | None
    total_score: float  # of every match in the round
    # Matches on this page whose volunteer has no slot the student could book now in the
    # round's dates (their availability changed since the run, or staff locked or swapped
    # them in); the "no time" filter finds them all.
    without_bookable_time: int = 0
    page: Page | None = None
    match_count: int = 0  # in the round
    locked_count: int = 0
    unmatched_count: int = 0
    filters: ReviewFilters = field(default_factory=ReviewFilters)


def _review_matches(match_round: MatchRound, filters: ReviewFilters) -> QuerySet[Match]:
    matches = Match.objects.filter(round=match_round)
    if filters.volunteer:
        matches = matches.filter(volunteer__profile__display_name__icontains=filters.volunteer)
    if filters.min_score is not None:
        matches = matches.filter(score__gte=filters.min_score)
    if filters.max_score is not None:
        matches = matches.filter(score__lte=filters.max_score)
    if filters.warning == WARNING_LOCKED:
        matches = matches.filter(locked=True)
    elif filters.warning == WARNING_NO_TIME:
        # Works out every matched volunteer's slots: only when staff ask for this filter.
        bookable = round_bookable_volunteers(
            match_round=match_round,
            volunteer_ids=Match.objects.filter(round=match_round).values("volunteer_id"),
        )
        matches = matches.exclude(volunteer_id__in=bookable)
    return matches


def round_review(
    *,
    match_round: MatchRound,
    filters: ReviewFilters | None = None,
    page: int | str = 1,
    per_page: int = REVIEW_PAGE_SIZE,
) -> Review:
    """One page of proposed matches (filtered) with their "why" and whether the student can
    book a time with their volunteer, and the students of the round without a match, with the
    reason the last run gave (or why there is none), in the reader's language. A fixed number
    of queries whatever the round's size (tests/mentoring/test_rounds_review.py)."""
    filters = filters or ReviewFilters()
    everything = Match.objects.filter(round=match_round).aggregate(
        count=Count("pk"), locked=Count("pk", filter=Q(locked=True)), total=Sum("score")
    )
    # The page's ids first, in the order of the match_review_order index, then those rows
    # with their people: joining before the LIMIT cost half a second at 50,000 matches.
    ids = _review_matches(match_round, filters).order_by("-locked", "-score", "pk")
    paginator = Paginator(ids.values_list("pk", flat=True), per_page)
    if not filters.active:
        paginator.count = everything["count"]  # known already: one COUNT fewer
    page_obj = paginator.get_page(page)
    page_ids = list(page_obj.object_list)
    rows = Match.objects.filter(pk__in=page_ids).select_related(
        "student__profile", "volunteer__profile", "volunteer__mentor__organization"
    )
    by_id = {m.pk: m for m in rows}
    shown = [by_id[pk] for pk in page_ids if pk in by_id]
    last_run = RoundRun.objects.filter(round=match_round).order_by("-created_at", "-pk").first()
    reasons = {int(k): v for k, v in (last_run.unmatched if last_run else {}).items()}
    removed = {pair[0] for pair in match_round.removed_pairs or [] if pair}
    left_out = RoundStudent.objects.filter(round=match_round).exclude(
        student_id__in=Match.objects.filter(round=match_round).values("student_id")
    )
    signups = list(left_out.select_related("student__profile").order_by("pk")[:UNMATCHED_SHOWN])
    # Counted only when the list is full: most rounds leave fewer out than it shows.
    unmatched_count = left_out.count() if len(signups) == UNMATCHED_SHOWN else len(signups)
    unmatched = []
    for signup in signups:
        if signup.student_id in reasons:
            reason = reasons[signup.student_id]
        elif signup.student_id in removed:
            reason = REMOVED_BY_STAFF
        elif last_run is None:
            reason = NOT_RUN_YET
        else:
            reason = JOINED_AFTER_RUN
        unmatched.append(Unmatched(signup.student, gettext(reason)))
    unmatched.sort(key=lambda u: (u.reason, u.student.display_name.casefold()))
    bookable = round_bookable_volunteers(
        match_round=match_round, volunteer_ids={m.volunteer_id for m in shown}
    )
    for match in shown:
        match.no_bookable_time = match.volunteer_id not in bookable
    page_obj.object_list = shown
    return Review(
        matches=shown,
        unmatched=unmatched,
        last_run=last_run,
        total_score=everything["total"] or 0.0,
        without_bookable_time=sum(1 for m in shown if m.no_bookable_time),
        page=page_obj,
        match_count=everything["count"],
        locked_count=everything["locked"],
        unmatched_count=unmatched_count,
        filters=filters,
    )


def round_matches_for_export(*, match_round: MatchRound):
    """Every match of the round as rows for the CSV export, read in chunks."""
    return (
        Match.objects.filter(round=match_round)
        .order_by("-locked", "-score", "pk")
        .values_list(
            "student__profile__display_name",
            "student__email",
            "volunteer__profile__display_name",
            "volunteer__email",
            "volunteer__mentor__organization__name",
            "score",
            "locked",
            "published",
            "breakdown",
        )
        .iterator(chunk_size=2000)
    )
