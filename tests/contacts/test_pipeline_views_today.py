"""The Today page: what needs doing, the thank-yous due and overdue, the all-clear, the first
steps of a new student, and the lists' order and length."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from contacts.models import ConversationStatus, TargetOrganization
from tests.contacts.factories import ContactFactory, ConversationFactory, PreparedQuestionFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import fill_today as _fill_today
from tests.contacts.helpers import make_conversation as _conversation

pytestmark = pytest.mark.django_db

S = ConversationStatus


def test_today_when_all_is_done_gives_real_next_steps(student_client):
    response = student_client.get(_url("today"))
    assert response.status_code == 200
    assert "You are all caught up" in response.text
    assert _url("create") in response.text  # add a contact
    assert _url("list") in response.text  # plan a conversation from a contact
    assert _url("board") in response.text


def test_today_lists_what_needs_doing(student_client, student):
    thank, follow, _upcoming, quiet, item = _fill_today(student)
    # Held an hour ago: its thank-you is due now, within the day (issue 17), not yet overdue.
    _conversation(
        student,
        S.HELD,
        held_at=timezone.now() - dt.timedelta(hours=1),
        contact=ContactFactory(owner=student, name="Just Met"),
    )
    response = student_client.get(_url("today"))
    text = response.text
    assert "You are all caught up" not in text
    thank_draft = _url("draft", contact_id=thank.contact_id, kind="thank_you")
    assert f"{thank_draft}?conversation={thank.pk}" in text
    follow_draft = _url("draft", contact_id=follow.contact_id, kind="follow_up")
    assert f"{follow_draft}?conversation={follow.pk}" in text
    assert "Meet Me" in text
    assert "What does a typical week look like?" in text
    assert _url("draft", contact_id=quiet.pk, kind="stay_in_touch") in text
    assert _url("detail", contact_id=quiet.pk) in text
    assert "Send the article" in text
    assert "overdue since" in text
    assert _url("action_item_toggle", item_id=item.pk) in text
    just_met = text.split(">Just Met</a>")[1].split("</li>")[0]
    assert "due by" in just_met
    assert "Overdue" not in just_met


def test_today_done_toggle_comes_back_to_today(student_client, student):
    *_, item = _fill_today(student)
    response = student_client.post(
        _url("action_item_toggle", item_id=item.pk), {"next": _url("today")}, follow=True
    )
    assert response.redirect_chain[-1][0] == _url("today")
    assert "Send the article" not in response.text.split("Done: Send the article")[-1]
    item.refresh_from_db()
    assert item.done_at is not None


def test_student_home_is_the_today_page(student_client, student):
    _fill_today(student)
    response = student_client.get("/")
    assert response.status_code == 200
    assert "Welcome, Alice Student" in response.text
    assert "Thank-you notes to write" in response.text
    assert "Your profile" in response.text


def test_the_all_clear_does_not_hide_a_flash_session_this_week(student_client, student, volunteer):
    """Caught up on the pipeline, with a flash mentoring session in two days: the all-clear
    must not say that no conversation is coming up."""
    from mentoring.models import Session, SessionStatus
    from tests.mentoring.helpers import request_objects

    ids = request_objects(student, volunteer)
    Session.objects.filter(pk=ids["session_id"]).update(
        start_at=timezone.now() + dt.timedelta(days=2),
        end_at=timezone.now() + dt.timedelta(days=2, minutes=30),
        status=SessionStatus.SCHEDULED,
    )
    html = student_client.get(reverse("contacts:today")).content.decode()
    assert "You are all caught up" in html
    assert "no conversation is coming up this week" not in html
    assert "Your flash mentoring conversation this week" in html


def test_today_keeps_each_list_in_order_and_to_twenty(student):
    """The three conversation lists come from one query: each is cut to 20, most urgent
    first, and a long list of one kind never crowds out the others."""
    from contacts.selectors.today import today_page
    from tests.factories import StudentFactory

    now = timezone.now()
    held = [
        _conversation(student, S.HELD, held_at=now - dt.timedelta(days=2 + n % 7, minutes=n))
        for n in range(25)
    ]
    requested = [
        _conversation(
            student, S.REQUESTED, requested_on=timezone.localdate() - dt.timedelta(days=8 + n)
        )
        for n in range(3)
    ]
    scheduled = [
        _conversation(student, S.SCHEDULED, scheduled_at=now + dt.timedelta(days=3 - n))
        for n in range(3)
    ]
    _conversation(StudentFactory(), S.HELD, held_at=now - dt.timedelta(days=3))

    page = today_page(user=student)

    expected = sorted(held, key=lambda c: (c.held_at, c.pk))[:20]
    assert [c.pk for c in page.thank_yous] == [c.pk for c in expected]
    assert [c.pk for c in page.follow_ups] == [c.pk for c in reversed(requested)]
    assert [c.pk for c in page.upcoming] == [c.pk for c in reversed(scheduled)]


def test_today_lists_thank_yous_due_now_and_marks_the_overdue(student_client, student):
    now = timezone.now()
    fresh = _conversation(student, S.HELD, held_at=now - dt.timedelta(hours=2))
    late = _conversation(
        student,
        S.HELD,
        held_at=now - dt.timedelta(hours=30),
        contact=ContactFactory(owner=student, name="Omar Late"),
    )
    html = student_client.get(_url("today")).text
    section = html.split('id="today-thank-yous"')[1].split("</section>")[0]
    items = section.split("<li>")[1:]
    # The oldest first: the overdue one leads.
    assert "Omar Late" in items[0]
    assert '<span class="badge badge-warning">Overdue</span>' in items[0]
    due = timezone.localtime(fresh.held_at + dt.timedelta(hours=24))
    assert "Maya Chen" in items[1]
    assert f"due by {formats.date_format(due, 'D j M, g:i A')}" in items[1]
    assert "Overdue" not in items[1]
    assert late.pk != fresh.pk


def test_today_walks_a_new_student_through_the_first_steps_until_done(
    student_client, student, settings
):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0  # rows made here without the services
    profile = student.student_profile
    profile.class_year, profile.major = None, ""
    profile.save()
    html = student_client.get(_url("today")).text
    card = html.split('id="getting-started"')[1].split("</section>")[0]
    assert "0 of 5 done." in card
    for link in (
        reverse("mentoring:onboarding"),
        reverse("profile"),
        _url("targets"),
        _url("create"),
        _url("list"),
    ):
        assert f'href="{link}"' in card

    profile.class_year, profile.major = 2027, "Economics"
    profile.save()
    contact = ContactFactory(owner=student)
    card = student_client.get(_url("today")).text.split('id="getting-started"')[1]
    assert "2 of 5 done." in card
    assert card.count('class="pl-done"') == 2

    TargetOrganization.objects.create(owner=student, organization=contact.organization)
    ConversationFactory(owner=student, contact=contact)
    assert "4 of 5 done." in student_client.get(_url("today")).text
    profile.onboarded_at = timezone.now()
    profile.save()
    assert 'id="getting-started"' not in student_client.get(_url("today")).text


def test_today_shows_each_upcoming_conversations_questions_in_order(
    student_client, student, other_student
):
    prepared = _conversation(
        student, S.SCHEDULED, contact=ContactFactory(owner=student, name="Ada Prepared")
    )
    PreparedQuestionFactory(conversation=prepared, text="What surprised you?", position=2)
    PreparedQuestionFactory(conversation=prepared, text="How did you start?", position=1)
    _conversation(student, S.SCHEDULED, contact=ContactFactory(owner=student, name="Ben Blank"))
    theirs = _conversation(other_student, S.SCHEDULED)
    PreparedQuestionFactory(conversation=theirs, text="Someone else's question")

    page = student_client.get(_url("today")).text

    ada = page[page.index("Ada Prepared") : page.index("Ben Blank")]
    assert ada.index("How did you start?") < ada.index("What surprised you?")
    assert "No questions prepared yet." in page[page.index("Ben Blank") :]
    assert "Someone else" not in page
