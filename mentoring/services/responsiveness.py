"""Requests nobody can ignore (issue 19): a request unanswered after REMINDER_AFTER reminds the
volunteer (twice); when one expires the student is offered the next suggested volunteer with
one click; a volunteer who lets MentoringPolicy.pause_after_expired requests in a row expire is
paused, told why, and can resume at once; staff see each volunteer's response rate and median
response time (`response_stats`)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mentoring.answer_links import answer_link
from mentoring.models import (
    OPEN_REQUEST_STATUSES,
    FlashRequest,
    Mentor,
    MentoringPolicy,
    RequestStatus,
)
from mentoring.selectors.suggestions import suggested_volunteers
from mentoring.services.profiles import mentor_refresh_bookable
from mentoring.services.sessions import send_mentoring_email, when_for
from networking_app.accounts.models import User
from networking_app.notifications import links

# After how long a still-pending request reminds its volunteer: the first, then the second.
REMINDER_AFTER = (dt.timedelta(days=2), dt.timedelta(days=4))
STATS_PERIOD = dt.timedelta(days=180)
# Answered: the volunteer said yes, no or another time (withdrawn requests count for nobody).
ANSWERED = (RequestStatus.ACCEPTED, RequestStatus.DECLINED, RequestStatus.PROPOSED)


def _request_url(flash_request: FlashRequest) -> str:
    return links.absolute(reverse("mentoring:request", kwargs={"request_id": flash_request.pk}))


# --- Reminders -------------------------------------------------------------------------------


def flash_requests_remind(*, now: dt.datetime | None = None, batch_size: int = 100) -> int:
    """Remind the volunteers of pending requests that have waited 2 days (then 4). Safe in
    several processes at once: rows are claimed with SKIP LOCKED, each email has its own key."""
    now = now or timezone.now()
    sent = 0
    for number, after in enumerate(REMINDER_AFTER, start=1):
        while True:
            with transaction.atomic():
                batch = list(
                    FlashRequest.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("student__profile", "student__student_profile")
                    .select_related("volunteer__profile")
                    .filter(
                        status=RequestStatus.PENDING,
                        reminders_sent=number - 1,
                        created_at__lte=now - after,
                        expires_at__gt=now,
                        start_at__gt=now,
                    )
                    .order_by("created_at", "pk")[:batch_size]
                )
                if not batch:
                    break
                for flash_request in batch:
                    _send_reminder(flash_request, number)
                    flash_request.reminders_sent = number
                    flash_request.save(update_fields=["reminders_sent"])
                    sent += 1
    return sent


def _send_reminder(flash_request: FlashRequest, number: int) -> None:
    from mentoring.services.requests import request_expires_at

    volunteer = flash_request.volunteer
    send_mentoring_email(
        template="mentoring_request_reminder",
        to=volunteer,
        context={
            "flash_request": flash_request,
            "student": flash_request.student,
            "student_profile": getattr(flash_request.student, "student_profile", None),
            "when": when_for(volunteer, flash_request.start_at),
            "expires": when_for(volunteer, request_expires_at(flash_request)),
            "last": number == len(REMINDER_AFTER),
            "url": _request_url(flash_request),
            "accept_url": answer_link(flash_request, "accept"),
            "propose_url": answer_link(flash_request, "propose"),
            "decline_url": answer_link(flash_request, "decline"),
        },
        key=f"mentoring:request:{flash_request.pk}:reminder:{number}",
    )


# --- At expiry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextChoice:
    name: str
    when: str
    url: str  # the request form with that time chosen and the message carried over


def next_choice_for(flash_request: FlashRequest) -> NextChoice | None:
    """The student's best suggested volunteer now, other than the one who let it expire."""
    student = flash_request.student
    for card in suggested_volunteers(user=student, limit=2):
        if card.next_slot is None or card.mentor_id == _mentor_id(flash_request.volunteer_id):
            continue
        query = urlencode({"start": card.next_slot.value, "from": flash_request.pk})
        path = reverse("mentoring:request_new", kwargs={"mentor_id": card.mentor_id})
        return NextChoice(
            name=card.name,
            when=when_for(student, card.next_slot.start_at),
            url=links.absolute(f"{path}?{query}"),
        )
    return None


def _mentor_id(volunteer_id: int) -> int | None:
    return Mentor.objects.filter(user_id=volunteer_id).values_list("pk", flat=True).first()


def after_expiry(flash_request: FlashRequest, *, now: dt.datetime) -> bool:
    """Pause the volunteer if the policy says so; True when this expiry paused them."""
    limit = MentoringPolicy.current().pause_after_expired
    if not limit:
        return False
    recent = list(
        FlashRequest.objects.filter(volunteer_id=flash_request.volunteer_id)
        .exclude(status__in=[*OPEN_REQUEST_STATUSES, RequestStatus.WITHDRAWN])
        .order_by("-created_at", "-pk")
        .values_list("status", flat=True)[:limit]
    )
    if len(recent) < limit or any(status != RequestStatus.EXPIRED for status in recent):
        return False
    paused = Mentor.objects.filter(
        user_id=flash_request.volunteer_id, paused_unanswered_at__isnull=True
    ).update(paused_unanswered_at=now)
    if not paused:
        return False
    volunteer = flash_request.volunteer
    mentor_refresh_bookable(user=volunteer)
    send_mentoring_email(
        template="mentoring_paused_unanswered",
        to=volunteer,
        context={
            "count": limit,
            # The home page shows the pause and its "Resume my listing" button (a POST).
            "resume_url": links.absolute(reverse("home") + "#paused-unanswered"),
        },
        key=f"mentoring:paused-unanswered:{volunteer.pk}:{now:%Y%m%d%H%M}",
    )
    return True


def volunteer_resume(*, user: User) -> Mentor | None:
    """The volunteer lists themselves again after a pause for unanswered requests."""
    with transaction.atomic():
        Mentor.objects.filter(user=user).update(paused_unanswered_at=None)
        return mentor_refresh_bookable(user=user)


# --- For staff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseStats:
    received: int
    answered: int
    expired: int
    median_hours: float | None

    @property
    def rate(self) -> int | None:
        closed = self.answered + self.expired
        return round(100 * self.answered / closed) if closed else None


def response_stats(
    *, volunteer_ids: list[int], now: dt.datetime | None = None
) -> dict[int, ResponseStats]:
    """Each volunteer's requests of the last STATS_PERIOD: received, answered, expired, and the
    median time to answer. One query."""
    now = now or timezone.now()
    rows: dict[int, list] = {pk: [] for pk in volunteer_ids}
    for volunteer_id, status, created_at, responded_at in FlashRequest.objects.filter(
        volunteer_id__in=volunteer_ids, created_at__gte=now - STATS_PERIOD
    ).values_list("volunteer_id", "status", "created_at", "responded_at"):
        rows[volunteer_id].append((status, created_at, responded_at))
    stats = {}
    for volunteer_id, requests in rows.items():
        hours = [
            (responded - created).total_seconds() / 3600
            for status, created, responded in requests
            if status in ANSWERED and responded is not None
        ]
        stats[volunteer_id] = ResponseStats(
            received=len(requests),
            answered=sum(1 for status, _, _ in requests if status in ANSWERED),
            expired=sum(1 for status, _, _ in requests if status == RequestStatus.EXPIRED),
            median_hours=round(statistics.median(hours), 1) if hours else None,
        )
    return stats


def paused_unanswered_ids(*, volunteer_ids: list[int]) -> set[int]:
    """Which of these volunteers the policy has paused."""
    return set(
        Mentor.objects.filter(
            user_id__in=volunteer_ids, paused_unanswered_at__isnull=False
        ).values_list("user_id", flat=True)
    )
