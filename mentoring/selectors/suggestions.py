"""Suggested for you: the listed volunteers ranked for one student with the match rounds' own
scoring (mentoring.matching.pair_breakdown), each with the reasons a student can read.

What the student gave counts: the topics chosen in onboarding or on the profile
(`StudentInterests`), the industries on their profile, their target organizations, and their
time zone. Shared availability is the volunteer's weekly hours that fall in the student's
daytime (DAYTIME, every day of the week, in the student's zone): the matcher's shared hours.
Volunteers the student has an open request with, or has met, are left out. A student who gave
nothing to go by gets no suggestion (the page asks for their interests instead).

A fixed number of queries whatever the directory holds: the candidates (listed volunteers
who share a topic, an industry or a target organization, at most CANDIDATES of them), their
topics and windows, then the chosen ones' cards (`directory_cards`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from contacts.models import TargetOrganization
from mentoring import matching, matching_week
from mentoring.models import (
    OPEN_REQUEST_STATUSES,
    AvailabilityWindow,
    FlashRequest,
    Mentor,
    Session,
)
from mentoring.selectors.directory.result_cards import DirectoryCard, directory_cards
from mentoring.selectors.directory.search import topic_rows
from mentoring.services.availability import zone_named
from mentoring.services.onboarding import student_topic_ids
from networking_app.accounts.models import User

SUGGESTIONS = 3
CANDIDATES = 300
DAYTIME = (8 * 60, 20 * 60)  # minutes of the student's day counted as free to talk


def _names(names: list[str]) -> str:
    """ "A, B and C", in the reader's language."""
    return get_text_list(names, gettext("and"))


def student_for_suggestions(*, user: User, reference: dt.date) -> matching.StudentIn:
    """The student as the matcher sees them, from their profile rather than a round's form."""
    profile = getattr(user, "student_profile", None)
    zone = user.profile.zone
    return matching.StudentIn(
        id=user.pk,
        topics=frozenset(student_topic_ids(user=user)),
        industries=matching_week.parse_industries(profile.target_industries if profile else ""),
        organizations=frozenset(
            TargetOrganization.objects.filter(owner=user).values_list("organization_id", flat=True)
        ),
        availability=matching_week.local_spans_to_utc_hours(
            [(weekday, *DAYTIME) for weekday in range(7)], zone=zone, reference=reference
        ),
    )


def _candidates(student: matching.StudentIn, user: User) -> list[dict]:
    wanted = Q(topics__in=student.topics) | Q(organization_id__in=student.organizations)
    for industry in student.industries:
        wanted |= Q(industry__iexact=industry)
    already = FlashRequest.objects.filter(student=user).filter(
        Q(status__in=OPEN_REQUEST_STATUSES) | Q(session__isnull=False)
    )
    met = Session.objects.filter(student=user)
    return list(
        Mentor.objects.filter(wanted, is_bookable=True, user__is_active=True)
        .exclude(user_id__in=already.values("volunteer_id"))
        .exclude(user_id__in=met.values("volunteer_id"))
        .values("pk", "industry", "organization_id", "user__profile__time_zone")
        .distinct()
        .order_by("pk")[:CANDIDATES]
    )


def _reasons(why: dict, topic_names: dict[int, str], card: DirectoryCard) -> list[str]:
    reasons = []
    shared = [topic_names[t] for t in why["shared_topics"] if t in topic_names]
    if shared:
        reasons.append(
            gettext("Can talk about %(topics)s, which you chose") % {"topics": _names(shared)}
        )
    if why["target_organization"] and card.organization:
        reasons.append(
            gettext("Works at %(organization)s, on your list of organizations")
            % {"organization": card.organization}
        )
    if why["industry"] and card.industry:
        reasons.append(
            gettext("Works in %(industry)s, an industry you named") % {"industry": card.industry}
        )
    hours = why["shared_hours"]
    if hours:
        reasons.append(
            ngettext(
                "%(hours)s hour a week free in your daytime",
                "%(hours)s hours a week free in your daytime",
                hours,
            )
            % {"hours": hours}
        )
    return reasons


def suggested_volunteers(
    *, user: User, now: dt.datetime | None = None, limit: int = SUGGESTIONS
) -> list[DirectoryCard]:
    """The cards of the best `limit` volunteers for this student who have an open time, best
    first (ties by the volunteer's id), each with its `reasons`."""
    now = now or timezone.now()
    student = student_for_suggestions(user=user, reference=timezone.localdate(now))
    if not (student.topics or student.industries or student.organizations):
        return []
    candidates = _candidates(student, user)
    if not candidates:
        return []
    ids = [row["pk"] for row in candidates]
    topics_of: dict[int, set[int]] = defaultdict(set)
    for mentor_id, topic_id in Mentor.topics.through.objects.filter(mentor_id__in=ids).values_list(
        "mentor_id", "topic_id"
    ):
        topics_of[mentor_id].add(topic_id)
    windows: dict[int, list] = defaultdict(list)
    for mentor_id, weekday, start, end in AvailabilityWindow.objects.filter(
        mentor_id__in=ids
    ).values_list("mentor_id", "weekday", "start_time", "end_time"):
        windows[mentor_id].append((weekday, start, end))

    reference = timezone.localdate(now)
    scored = []
    for row in candidates:
        volunteer = matching.VolunteerIn(
            id=row["pk"],
            topics=frozenset(topics_of[row["pk"]]),
            industry=matching_week.normalise_industry(row["industry"] or ""),
            organization=row["organization_id"],
            availability=matching_week.windows_to_utc_hours(
                windows[row["pk"]],
                zone=zone_named(row["user__profile__time_zone"]),
                reference=reference,
            ),
        )
        why = matching.pair_breakdown(student, volunteer)
        scored.append((why["total"], row["pk"], why))
    scored.sort(key=lambda item: (-item[0], item[1]))

    # Cards for a few more than asked: a volunteer whose slots are all taken is skipped.
    shortlist = scored[: limit * 3]
    topics = [(pk, name) for pk, _, name in topic_rows()]
    cards = {
        card.mentor_id: card
        for card in directory_cards([pk for _, pk, _ in shortlist], now=now, topics=topics)
    }
    topic_names = dict(topics)
    suggestions = []
    for _, pk, why in shortlist:
        card = cards.get(pk)
        if card is None or card.next_slot is None:
            continue
        card.reasons = _reasons(why, topic_names, card)
        suggestions.append(card)
        if len(suggestions) == limit:
            break
    return suggestions
