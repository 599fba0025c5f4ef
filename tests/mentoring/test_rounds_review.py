"""Match rounds, the review page (filters, students without a match, the CSV export) and the
query counts of the round pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from mentoring import matching
from mentoring.models import (
    Match,
    RoundRun,
    RoundStatus,
)
from mentoring.selectors import round_review as review_selectors
from mentoring.services import round_matches
from tests.factories import StudentFactory, VolunteerFactory
from tests.mentoring.helpers import closed_round as _closed_round
from tests.mentoring.helpers import (
    mentor_for,
    open_round,
    sign_up_student,
    sign_up_volunteer,
)
from tests.mentoring.helpers import round_scenario as _scenario
from tests.querycount import assert_queries_stable

pytestmark = pytest.mark.django_db


def test_review_page_queries_do_not_grow(staff_client):
    match_round = _closed_round()
    run = RoundRun.objects.create(round=match_round, unmatched={})
    url = reverse("mentoring:round_review", args=[match_round.pk])

    def add_rows(n):
        unmatched = dict(run.unmatched)
        for _ in range(n):
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}", windows=[])
            student = StudentFactory()
            Match.objects.create(
                round=match_round,
                student=student,
                volunteer=volunteer,
                score=20,
                locked=student.pk % 2 == 0,
                breakdown=matching.pair_breakdown(
                    matching.StudentIn(id=student.pk, availability=frozenset({1})),
                    matching.VolunteerIn(id=volunteer.pk, availability=frozenset({1})),
                )
                | {"shared_topic_names": ["Resume review"]},
            )
            left_out = StudentFactory()
            sign_up_student(match_round, left_out)
            unmatched[str(left_out.pk)] = matching.ALL_FULL
        run.unmatched = unmatched
        run.save()

    assert_queries_stable(lambda: staff_client.get(url), add_rows, small=5, large=100)
    review = staff_client.get(url).context["review"]
    assert len(review.matches) == review_selectors.REVIEW_PAGE_SIZE == 50
    assert review.match_count == 100
    assert review.locked_count == sum(1 for m in Match.objects.all() if m.locked)
    assert len(review.unmatched) == review.unmatched_count == 100
    second = staff_client.get(url, {"page": 2}).context["review"]
    assert {m.pk for m in second.matches}.isdisjoint(m.pk for m in review.matches)
    assert len(second.matches) == 50


def test_filtered_review_page_queries_do_not_grow(staff_client):
    match_round = _closed_round()
    url = reverse("mentoring:round_review", args=[match_round.pk])
    filters = {"min_score": "10", "max_score": "30", "warning": "no_time", "page": "2"}

    def add_rows(n):
        for _ in range(n):
            volunteer = VolunteerFactory()
            mentor_for(volunteer, windows=[])
            Match.objects.create(
                round=match_round, student=StudentFactory(), volunteer=volunteer, score=20
            )

    assert_queries_stable(lambda: staff_client.get(url, filters), add_rows, small=3, large=60)
    review = staff_client.get(url, filters).context["review"]
    assert len(review.matches) == 10  # page 2 of 60 matches without a time to book
    assert review.without_bookable_time == 10


def test_review_filters_by_volunteer_score_and_warning(staff_client):
    match_round, _, _, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    url = reverse("mentoring:round_review", args=[match_round.pk])
    Match.objects.filter(round=match_round, student=ben).update(score=20, locked=True)
    Match.objects.filter(round=match_round, student=ann).update(score=30.5)

    def shown(**query):
        return {m.student_id for m in staff_client.get(url, query).context["review"].matches}

    assert shown() == {ann.pk, ben.pk}
    assert shown(volunteer="caro") == {ann.pk}
    assert shown(volunteer="DAVE") == {ben.pk}
    assert shown(min_score="30.5") == {ann.pk}
    assert shown(max_score="25") == {ben.pk}
    assert shown(min_score="21", max_score="30") == set()
    assert shown(warning="locked") == {ben.pk}
    assert shown(warning="no_time") == set()  # both volunteers have times to book
    page = staff_client.get(url, {"volunteer": "nobody"})
    assert "No match fits these filters." in page.content.decode()
    # A filter that is not a number is ignored, not an error.
    assert shown(min_score="lots") == {ann.pk, ben.pk}


def test_review_shows_the_first_students_without_a_match_and_counts_them_all(
    staff_client, monkeypatch
):
    monkeypatch.setattr(review_selectors, "UNMATCHED_SHOWN", 3)
    match_round = _closed_round()
    for _ in range(5):
        sign_up_student(match_round, StudentFactory())
    page = staff_client.get(reverse("mentoring:round_review", args=[match_round.pk]))
    review = page.context["review"]
    assert len(review.unmatched) == 3
    assert review.unmatched_count == 5
    assert "Students without a match (5)" in page.content.decode()
    assert "The first 3 of 5 are shown." in page.content.decode()


def test_review_csv_exports_every_match(staff_client):
    match_round, carol, dave, ann, ben, _ = _scenario()
    round_matches.round_run_matcher(match_round=match_round)
    ann.profile.display_name = "=HYPERLINK(1)"
    ann.profile.save()
    response = staff_client.get(reverse("mentoring:round_review_csv", args=[match_round.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["student", "student_email", "volunteer"]
    assert len(rows) == 3
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email[ann.email][0] == "'=HYPERLINK(1)"  # a formula is neutralised
    assert by_email[ann.email][2] == carol.display_name
    assert by_email[ann.email][8] == "Industry insight"
    assert by_email[ben.email][2] == dave.display_name


def test_round_list_and_detail_queries_do_not_grow(staff_client):
    match_round = open_round()

    def add_rounds(n):
        for _ in range(n):
            open_round()

    assert_queries_stable(
        lambda: staff_client.get(reverse("mentoring:rounds")), add_rounds, small=2, large=12
    )

    def add_signups(n):
        for _ in range(n):
            sign_up_student(match_round, StudentFactory(), topics=("Resume review",))
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}")
            sign_up_volunteer(match_round, volunteer)

    assert_queries_stable(
        lambda: staff_client.get(reverse("mentoring:round", args=[match_round.pk])),
        add_signups,
        small=2,
        large=12,
    )


def test_rounds_open_page_queries_do_not_grow(student, student_client):
    def add_rows(n):
        for _ in range(n):
            match_round = open_round(status=RoundStatus.PUBLISHED)
            volunteer = VolunteerFactory()
            mentor_for(volunteer, organization=f"Org {volunteer.pk}")
            Match.objects.create(
                round=match_round, student=student, volunteer=volunteer, published=True
            )
            sign_up_student(open_round(), student)

    assert_queries_stable(lambda: student_client.get(reverse("mentoring:rounds_open")), add_rows)
