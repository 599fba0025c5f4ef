"""Match rounds, staff side: creating and editing a round (eligibility, the introduction
email, the matcher's settings), its status changes and the sign-up deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import matching
from mentoring.models import (
    Match,
    MatchRound,
    RoundStatus,
)
from mentoring.services import round_intros, round_matches
from mentoring.services import rounds as services
from tests.mentoring.helpers import (
    open_round,
)
from tests.mentoring.helpers import round_scenario as _scenario

pytestmark = pytest.mark.django_db


def _round_post(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "name": "Finance week",
        "signup_deadline": (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "window_start": (today + dt.timedelta(days=7)).isoformat(),
        "window_end": (today + dt.timedelta(days=21)).isoformat(),
        "class_years": "2027, 2028",
        "majors": "Economics; Mathematics",
        "intro_subject": round_intros.DEFAULT_INTRO_SUBJECT,
        "intro_body": round_intros.DEFAULT_INTRO_BODY,
    }
    return {**data, **overrides}


def test_staff_create_a_draft_round_with_eligibility(staff_client, staff):
    page = staff_client.get(reverse("mentoring:round_new"))
    assert page.status_code == 200
    assert "{booking_url}" in page.content.decode()  # the default email is pre-filled

    response = staff_client.post(reverse("mentoring:round_new"), _round_post())
    match_round = MatchRound.objects.get()
    assert response["Location"] == reverse("mentoring:round", args=[match_round.pk])
    assert match_round.status == RoundStatus.DRAFT
    assert match_round.class_years == [2027, 2028]
    assert match_round.majors == ["Economics", "Mathematics"]
    assert match_round.created_by == staff
    assert match_round.intro_body == round_intros.DEFAULT_INTRO_BODY


def test_round_form_errors(staff_client):
    today = timezone.localdate()
    response = staff_client.post(
        reverse("mentoring:round_new"),
        _round_post(
            window_end=(today - dt.timedelta(days=30)).isoformat(),
            class_years="2027, next year",
            intro_body="Hello {studnet_name}",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "“next year” is not a class year." in errors["class_years"]
    assert "Unknown merge field: {studnet_name}" in errors["intro_body"][0]
    assert not MatchRound.objects.exists()
    response = staff_client.post(
        reverse("mentoring:round_new"),
        _round_post(window_end=(today - dt.timedelta(days=30)).isoformat()),
    )
    assert response.context["form"].errors["window_end"] == [
        "The conversation window ends before it starts."
    ]


def test_staff_edit_a_round(staff_client):
    match_round = open_round()
    url = reverse("mentoring:round_edit", args=[match_round.pk])
    assert staff_client.get(url).status_code == 200
    staff_client.post(url, _round_post(name="Renamed", class_years="", majors=""))
    match_round.refresh_from_db()
    assert match_round.name == "Renamed"
    assert match_round.class_years == []
    assert match_round.majors == []


def test_staff_tune_the_matcher_on_the_round_form(staff_client):
    match_round = open_round()
    url = reverse("mentoring:round_edit", args=[match_round.pk])
    staff_client.post(
        url,
        _round_post(
            topic_points="5.5",
            third_choice_points="0",
            require_shared_topic="on",
            objective=matching.OBJECTIVE_MOST_MATCHED,
        ),
    )
    match_round.refresh_from_db()
    settings = matching.MatchSettings.from_json(match_round.matching_settings)
    assert settings.topic_points == 5.5
    assert settings.preference_points == (12.0, 8.0, 0.0)
    assert settings.industry_points == matching.INDUSTRY_POINTS  # left empty: the default
    assert settings.require_shared_topic
    assert not settings.require_same_industry
    assert settings.objective == matching.OBJECTIVE_MOST_MATCHED
    form = staff_client.get(url).context["form"]
    assert form.initial["topic_points"] == 5.5
    assert form.initial["require_shared_topic"] is True

    response = staff_client.post(url, _round_post(topic_points="2.1", industry_points="-1"))
    errors = response.context["form"].errors
    assert errors["topic_points"] == ["Use steps of 0.25 (e.g. 2.5 or 2.75)."]
    assert "industry_points" in errors
    # Back to the defaults: stored as nothing, so the round follows the defaults.
    staff_client.post(url, _round_post())
    match_round.refresh_from_db()
    assert match_round.matching_settings == {}


def test_bad_matching_settings_are_refused_by_the_service(staff):
    with pytest.raises(ValidationError, match="objective"):
        services.round_create(
            created_by=staff,
            name="x",
            signup_deadline=timezone.now() + dt.timedelta(days=1),
            window_start=timezone.localdate() + dt.timedelta(days=3),
            window_end=timezone.localdate() + dt.timedelta(days=9),
            matching_settings={"objective": "fastest"},
        )


def test_a_tuned_round_matches_with_its_settings_and_says_so(staff_client):
    match_round, _, _, ann, _, _ = _scenario()
    match_round.matching_settings = matching.MatchSettings(
        topic_points=7.0, require_shared_topic=True
    ).as_json()
    match_round.save()
    run = round_matches.round_run_matcher(match_round=match_round)
    assert run.certificate["optimal"] is True
    ann_match = Match.objects.get(round=match_round, student=ann)
    assert ann_match.breakdown["topics"] == 7.0
    assert ann_match.breakdown["settings"]["require_shared_topic"] is True
    html = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk])).content
    assert "a shared topic required" in html.decode()


def test_a_published_round_cannot_be_edited(staff_client):
    match_round = open_round(status=RoundStatus.PUBLISHED)
    response = staff_client.post(
        reverse("mentoring:round_edit", args=[match_round.pk]), _round_post(name="Renamed")
    )
    assert "can no longer change" in str(response.context["form"].non_field_errors())
    match_round.refresh_from_db()
    assert match_round.name == "Spring flash mentoring"


def test_status_changes(staff_client):
    match_round = open_round(status=RoundStatus.DRAFT)
    url = reverse("mentoring:round_status", args=[match_round.pk])
    staff_client.post(url, {"status": "open"})
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.OPEN
    response = staff_client.post(url, {"status": "closed"})
    assert response["Location"] == reverse("mentoring:round_review", args=[match_round.pk])
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.CLOSED
    staff_client.post(url, {"status": "draft"})  # closed -> draft is not a transition
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.CLOSED
    staff_client.post(url, {"status": "open"})
    match_round.refresh_from_db()
    assert match_round.status == RoundStatus.OPEN


def test_a_round_whose_deadline_passed_cannot_open():
    match_round = open_round(
        status=RoundStatus.DRAFT, signup_deadline=timezone.now() - dt.timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.round_set_status(match_round=match_round, status=RoundStatus.OPEN)
    with pytest.raises(ValidationError, match="cannot become"):
        services.round_set_status(match_round=match_round, status=RoundStatus.PUBLISHED)
