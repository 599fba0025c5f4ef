"""Writes of a match round's matches: running the matcher, staff edits of the proposal (lock,
remove, swap), and publication with the introduction emails. Each first locks the round's
row (rounds.lock_round): see mentoring/services/rounds.py."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mentoring import matching, matching_sparse
from mentoring.models import Match, MatchRound, RoundRun, RoundStatus
from mentoring.selectors import rounds as selectors
from mentoring.services.round_intros import send_intro
from mentoring.services.rounds import lock_round
from networking_app.accounts.models import User
from networking_app.core.audit import audit_record

# --- The matcher and the review --------------------------------------------------------------


def _require_reviewable(match_round: MatchRound) -> None:
    if match_round.status == RoundStatus.PUBLISHED:
        raise ValidationError(gettext("This round is published: its matches can no longer change."))
    if match_round.status != RoundStatus.CLOSED:
        raise ValidationError(gettext("Close sign-up before matching: students may still join."))


def _stored_breakdown(breakdown: dict, topic_names: dict[int, str]) -> dict:
    return {
        **breakdown,
        "shared_topic_names": [topic_names.get(t, "?") for t in breakdown["shared_topics"]],
    }


def round_run_matcher(*, match_round: MatchRound) -> RoundRun:
    """Propose matches for everyone who is not locked, and record the run."""
    with transaction.atomic():
        match_round = lock_round(match_round)
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
            data.students,
            data.volunteers,
            forbidden=data.forbidden,
            locked=list(locked),
            settings=data.settings,
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
        certificate = matching_sparse.certify(
            result, data.students, data.volunteers, data.forbidden, data.settings
        )
        return RoundRun.objects.create(
            round=match_round,
            total_score=result.total_score,
            matched=len(result.matches),
            unmatched={str(k): v for k, v in result.unmatched.items()},
            solver_seconds=result.solver_seconds,
            certificate=certificate.as_dict(),
        )


def _match_in_round(match_round: MatchRound, match_id: int) -> Match:
    try:
        return Match.objects.select_related("student__profile", "volunteer__profile").get(
            round=match_round, pk=match_id
        )
    except Match.DoesNotExist:
        raise ValidationError(
            gettext("That match is no longer proposed: the matcher may have run again.")
        ) from None


def match_set_locked(*, match_round: MatchRound, match_id: int, locked: bool) -> Match:
    """Lock a match so that a re-run keeps it, or unlock it."""
    with transaction.atomic():
        match_round = lock_round(match_round)
        _require_reviewable(match_round)
        match = _match_in_round(match_round, match_id)
        match.locked = locked
        match.save(update_fields=["locked"])
    return match


def match_remove(*, match_round: MatchRound, match_id: int) -> Match:
    """Drop a proposed match; the matcher will not pair these two again in this round."""
    with transaction.atomic():
        match_round = lock_round(match_round)
        _require_reviewable(match_round)
        match = _match_in_round(match_round, match_id)
        if match.locked:
            raise ValidationError(
                gettext("The match of %(student)s and %(volunteer)s is locked: unlock it first.")
                % {"student": match.student.display_name, "volunteer": match.volunteer.display_name}
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
        match_round = lock_round(match_round)
        _require_reviewable(match_round)
        if first_id == second_id:
            raise ValidationError(gettext("Choose two different matches to swap."))
        first = _match_in_round(match_round, first_id)
        second = _match_in_round(match_round, second_id)
        if first.volunteer_id == second.volunteer_id:
            raise ValidationError(
                gettext("%(first)s and %(second)s already have the same volunteer, %(volunteer)s.")
                % {
                    "first": first.student.display_name,
                    "second": second.student.display_name,
                    "volunteer": first.volunteer.display_name,
                }
            )
        data = selectors.matcher_input(
            match_round=match_round,
            student_ids=[first.student_id, second.student_id],
            volunteer_ids=[first.volunteer_id, second.volunteer_id],
        )
        students = {s.id: s for s in data.students}
        volunteers = {v.id: v for v in data.volunteers}
        if len(students) < 2 or len(volunteers) < 2:
            raise ValidationError(
                gettext("One of these people has left the round: run the matcher again.")
            )
        new_pairs = [
            (first, students[first.student_id], volunteers[second.volunteer_id]),
            (second, students[second.student_id], volunteers[first.volunteer_id]),
        ]
        problems = matching.swap_problems(
            [(s, v) for _, s, v in new_pairs], data.forbidden, data.settings
        )
        if problems:
            names = {first.student_id: first.student, second.student_id: second.student}
            names.update(
                {first.volunteer_id: first.volunteer, second.volunteer_id: second.volunteer}
            )
            raise ValidationError(
                [
                    gettext("%(student)s cannot be matched with %(volunteer)s: %(problem)s.")
                    % {
                        "student": names[s].display_name,
                        "volunteer": names[v].display_name,
                        # matching.SWAP_*, marked for translation there.
                        "problem": gettext(problem),
                    }
                    for s, v, problem in problems
                ]
            )
        first_volunteer, second_volunteer = second.volunteer, first.volunteer
        for match, student, volunteer in new_pairs:
            breakdown = _stored_breakdown(
                matching.pair_breakdown(student, volunteer, data.settings), data.topic_names
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
        locked = lock_round(match_round)
        if locked.status == RoundStatus.PUBLISHED:
            return 0
        if locked.status != RoundStatus.CLOSED:
            raise ValidationError(
                gettext("Close sign-up and review the matches before publishing.")
            )
        matches = list(selectors.round_matches_to_publish(match_round=locked))
        if not matches:
            raise ValidationError(gettext("There is nothing to publish: run the matcher first."))
        Match.objects.filter(pk__in=[m.pk for m in matches]).update(published=True)
        locked.status = RoundStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at"])
        # The outbox writes each email as a row in this same transaction: the round is
        # published together with its emails, or not at all.
        for match in matches:
            match.round = locked
            match.published = True
            send_intro(match)
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
