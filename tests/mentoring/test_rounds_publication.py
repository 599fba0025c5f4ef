"""Match rounds after the review: publication and its introduction emails (once per pair,
the round's own template), then the student booking a time with their match."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentoring.models import (
    FlashRequest,
    Match,
    MatchRound,
    RoundStatus,
)
from mentoring.services import round_intros, round_matches
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
)
from tests.mentoring.helpers import round_scenario as _scenario

pytestmark = pytest.mark.django_db


# --- Publication -----------------------------------------------------------------------------


def test_publish_emails_each_pair_once_with_both_parts(staff_client, mailoutbox):
    match_round, carol, _dave, ann, _ben, _ = _scenario()
    mentor = carol.mentor
    from contacts.services.people import organization_get_or_create

    mentor.organization = organization_get_or_create(name="Acme Bank")
    mentor.save()
    round_matches.round_run_matcher(match_round=match_round)
    url = reverse("mentoring:round_publish", args=[match_round.pk])
    preview = staff_client.get(url).content.decode()
    assert "Publish and send 2 emails" in preview

    response = staff_client.post(url, follow=True)
    assert "2 introduction emails sent, one to each pair" in response.content.decode()
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.PUBLISHED
    assert match_round.published_at is not None
    assert set(Match.objects.filter(round=match_round).values_list("published", flat=True)) == {
        True
    }
    assert len(mailoutbox) == 2
    by_recipients = {frozenset(m.to): m for m in mailoutbox}
    message = by_recipients[frozenset({ann.email, carol.email})]
    ann_match = Match.objects.get(round=match_round, student=ann)
    booking = "http://testserver" + reverse("mentoring:round_match", args=[ann_match.pk])
    assert message.subject == "Spring flash mentoring: meet Carol"
    assert "Hello Ann and Carol," in message.body
    assert "Carol (Acme Bank)" in message.body
    assert booking in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{booking}"' in html
    assert message.extra_headers["X-Rapport-Idempotency-Key"] == f"round-intro:{ann_match.pk}"

    # Publishing again sends nothing.
    response = staff_client.post(url, follow=True)
    assert "was already published: nothing sent" in response.content.decode()
    assert round_matches.round_publish(match_round=match_round) == 0
    assert len(mailoutbox) == 2


def test_publish_with_the_outbox_stores_one_row_per_pair(settings, staff):
    from networking_app.notifications.models import OutgoingEmail

    settings.EMAIL_BACKEND = "networking_app.notifications.outbox.OutboxBackend"
    match_round, *_ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    assert round_matches.round_publish(match_round=match_round) == 2
    rows = OutgoingEmail.objects.filter(kind="round_intro")
    assert rows.count() == 2
    assert all(row.html and row.text for row in rows)
    assert round_matches.round_publish(match_round=match_round) == 0
    assert rows.count() == 2


def test_publish_uses_the_rounds_own_template(mailoutbox):
    match_round, _carol, _dave, ann, _ben, _ = _scenario()
    MatchRound.objects.filter(pk=match_round.pk).update(
        intro_subject="Say hi to {volunteer_name}",
        intro_body="{student_name}, meet {volunteer_name}. {student_name.__class__} {unknown}",
    )
    match_round.refresh_from_db()
    round_matches.round_run_matcher(match_round=match_round)
    round_matches.round_publish(match_round=match_round)
    message = next(m for m in mailoutbox if ann.email in m.to)
    assert message.subject == "Say hi to Carol"
    # Unknown fields stay as typed; nothing is evaluated; the booking link is added.
    assert message.body.startswith("Ann, meet Carol. {student_name.__class__} {unknown}")
    assert "Book a time: http://testserver/" in message.body


def test_publish_needs_a_closed_round_with_matches(mailoutbox):
    match_round = open_round()
    with pytest.raises(ValidationError, match="Close sign-up"):
        round_matches.round_publish(match_round=match_round)
    closed = _closed_round()
    with pytest.raises(ValidationError, match="nothing to publish"):
        round_matches.round_publish(match_round=closed)
    assert mailoutbox == []


def test_merge_fields():
    assert round_intros.unknown_merge_fields("{student_name} {x} {round_name} {y}") == ["x", "y"]
    assert round_intros.merge("{a} {round_name}", {"round_name": "R"}) == "{a} R"


# --- Booking after publication ---------------------------------------------------------------


def test_student_books_a_slot_of_their_volunteer(student, student_client, volunteer, mailoutbox):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    mentor_for(volunteer, bookable=True, windows=[(d, dt.time(9), dt.time(17)) for d in range(7)])
    match = Match.objects.create(
        round=match_round, student=student, volunteer=volunteer, published=True
    )
    url = reverse("mentoring:round_match", args=[match.pk])
    page = student_client.get(url)
    slots = page.context["slots"]
    assert slots
    assert all(s.start_at.date() >= match_round.window_start for s in slots)
    response = student_client.post(
        reverse("mentoring:round_match_book", args=[match.pk]),
        {"start_at": slots[0].start_at.isoformat(), "message": "How did you start in fintech?"},
        follow=True,
    )
    assert "Your request is on its way" in response.content.decode()
    flash_request = FlashRequest.objects.get()
    assert flash_request.match == match
    assert flash_request.start_at == slots[0].start_at
    assert student_client.get(url).context["booked"] == flash_request


def test_volunteer_sees_their_match_without_booking(volunteer, volunteer_client, student):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    mentor_for(volunteer)
    match = Match.objects.create(
        round=match_round, student=student, volunteer=volunteer, published=True
    )
    page = volunteer_client.get(reverse("mentoring:round_match", args=[match.pk]))
    assert "Your match: Alice Student" in page.content.decode()
    assert page.context["slots"] == []
    response = volunteer_client.post(reverse("mentoring:round_match_book", args=[match.pk]))
    assert response.status_code == 404
