"""The conversation pipeline's services: every move the TRANSITIONS table allows, and no other."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contacts import services
from contacts.models import (
    AskedBy,
    ChangeKind,
    Contact,
    ConversationStatus,
    DraftKind,
    Interaction,
    InteractionKind,
    MeetingMode,
    Outcome,
    Relationship,
)
from contacts.services.pipeline import TRANSITIONS, TransitionError
from tests.contacts.factories import (
    ContactFactory,
    ConversationFactory,
    OutcomeFactory,
    PreparedQuestionFactory,
)

pytestmark = pytest.mark.django_db

S = ConversationStatus


def _in_a_week() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=7)


def _conversation_in(status: str, owner):
    """A conversation that got to `status` the way a student would get it there."""
    fields = {"status": status}
    if status in (S.REQUESTED, S.NO_RESPONSE, S.DECLINED):
        fields["requested_on"] = timezone.localdate() - dt.timedelta(days=3)
    if status == S.SCHEDULED:
        fields.update(scheduled_at=_in_a_week(), mode=MeetingMode.VIDEO)
    if status in (S.HELD, S.THANKED, S.CLOSED):
        fields["held_at"] = timezone.now() - dt.timedelta(days=2)
    if status in (S.THANKED, S.CLOSED):
        fields["thanked_at"] = timezone.now() - dt.timedelta(days=1)
    return ConversationFactory(owner=owner, **fields)


def _move(conversation, target: str):
    if target == S.REQUESTED:
        return services.conversation_mark_requested(conversation=conversation)
    if target == S.SCHEDULED:
        return services.conversation_schedule(
            conversation=conversation, scheduled_at=_in_a_week(), mode=MeetingMode.PHONE
        )
    if target == S.HELD:
        return services.conversation_mark_held(conversation=conversation, notes="Notes")
    if target == S.THANKED:
        return services.conversation_mark_thanked(conversation=conversation)
    return services.conversation_set_status(conversation=conversation, status=target)


MOVES = [
    (source, target)
    for source, target in itertools.product(S.values, S.values)
    if target != S.PLANNED  # nothing goes back to "planned": there is no such move
]


def test_nothing_moves_back_to_planned():
    assert all(S.PLANNED not in targets for targets in TRANSITIONS.values())
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.parametrize(("source", "target"), MOVES)
def test_every_allowed_move_works_and_every_other_is_refused(student, source, target):
    conversation = _conversation_in(source, student)
    if target in TRANSITIONS[source]:
        moved = _move(conversation, target)
        conversation.refresh_from_db()
        assert moved.status == conversation.status == target
    else:
        with pytest.raises(TransitionError) as excinfo:
            _move(conversation, target)
        assert "cannot become" in excinfo.value.messages[0]
        conversation.refresh_from_db()
        assert conversation.status == source


def test_set_status_refuses_moves_that_need_their_own_form(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    with pytest.raises(TransitionError, match="needs its own form"):
        services.conversation_set_status(conversation=conversation, status=S.HELD)
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED


def test_transition_error_is_a_validation_error():
    assert issubclass(TransitionError, ValidationError)


def test_closing_and_requesting_record_their_dates(student):
    planned = _conversation_in(S.PLANNED, student)
    services.conversation_set_status(conversation=planned, status=S.CLOSED)
    planned.refresh_from_db()
    assert planned.closed_at is not None
    no_answer = _conversation_in(S.NO_RESPONSE, student)
    no_answer.requested_on = None
    no_answer.save()
    services.conversation_set_status(conversation=no_answer, status=S.REQUESTED)
    no_answer.refresh_from_db()
    assert no_answer.requested_on == timezone.localdate()


def test_mark_requested_logs_an_email(student):
    conversation = _conversation_in(S.PLANNED, student)
    sent_on = timezone.localdate() - dt.timedelta(days=2)
    services.conversation_mark_requested(conversation=conversation, requested_on=sent_on)
    conversation.refresh_from_db()
    assert conversation.requested_on == sent_on
    interaction = Interaction.objects.get(contact=conversation.contact)
    assert (interaction.kind, interaction.occurred_on) == (InteractionKind.EMAIL, sent_on)
    assert interaction.conversation == conversation


@pytest.mark.parametrize("when", [dt.timedelta(minutes=-1), dt.timedelta(days=-30), dt.timedelta()])
def test_schedule_in_the_past_is_refused(student, when):
    conversation = _conversation_in(S.REQUESTED, student)
    with pytest.raises(ValidationError) as excinfo:
        services.conversation_schedule(
            conversation=conversation,
            scheduled_at=timezone.now() + when,
            mode=MeetingMode.VIDEO,
        )
    assert excinfo.value.message_dict == {"scheduled_at": ["Choose a date and time in the future."]}
    conversation.refresh_from_db()
    assert (conversation.status, conversation.scheduled_at) == (S.REQUESTED, None)


def test_reschedule_in_the_past_is_refused_and_leaves_no_history(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    before = conversation.scheduled_at
    with pytest.raises(ValidationError, match="in the future"):
        services.conversation_reschedule(
            conversation=conversation,
            scheduled_at=timezone.now() - dt.timedelta(hours=1),
            asked_by=AskedBy.ME,
        )
    conversation.refresh_from_db()
    assert conversation.scheduled_at == before
    assert not conversation.changes.exists()


def test_schedule_stores_the_details(student):
    conversation = _conversation_in(S.PLANNED, student)
    when = _in_a_week().replace(microsecond=0)
    services.conversation_schedule(
        conversation=conversation,
        scheduled_at=when,
        mode=MeetingMode.IN_PERSON,
        location="Blue Bottle, 5th Ave",
        duration_minutes=20,
    )
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED
    assert conversation.scheduled_at == when
    assert (conversation.mode, conversation.location, conversation.duration_minutes) == (
        MeetingMode.IN_PERSON,
        "Blue Bottle, 5th Ave",
        20,
    )


def test_reschedules_are_kept_as_history(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    first = conversation.scheduled_at
    second = first + dt.timedelta(days=2)
    third = second + dt.timedelta(days=5)
    services.conversation_reschedule(
        conversation=conversation, scheduled_at=second, asked_by=AskedBy.THEM, reason=" Travel "
    )
    services.conversation_reschedule(
        conversation=conversation,
        scheduled_at=third,
        asked_by=AskedBy.ME,
        reason="Exam",
        location="Zoom",
    )
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED
    assert conversation.scheduled_at == third
    assert conversation.location == "Zoom"
    history = [
        (c.kind, c.asked_by, c.reason, c.previous_at, c.new_at) for c in conversation.changes.all()
    ]
    assert history == [
        (ChangeKind.RESCHEDULED, AskedBy.THEM, "Travel", first, second),
        (ChangeKind.RESCHEDULED, AskedBy.ME, "Exam", second, third),
    ]


def test_a_meeting_may_be_cancelled_several_times(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    dates = [conversation.scheduled_at]
    services.conversation_cancel(conversation=conversation, asked_by=AskedBy.THEM, reason="Sick")
    for days in (10, 20):
        when = timezone.now() + dt.timedelta(days=days)
        services.conversation_schedule(
            conversation=conversation, scheduled_at=when, mode=MeetingMode.VIDEO
        )
        dates.append(when)
        services.conversation_cancel(conversation=conversation, asked_by=AskedBy.ME)
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED
    assert conversation.scheduled_at is None
    assert conversation.requested_on is not None
    changes = list(conversation.changes.all())
    assert [c.kind for c in changes] == [ChangeKind.CANCELLED] * 3
    assert [c.asked_by for c in changes] == [AskedBy.THEM, AskedBy.ME, AskedBy.ME]
    assert [c.previous_at for c in changes] == dates
    assert changes[0].reason == "Sick"


@pytest.mark.parametrize("status", [S.PLANNED, S.REQUESTED, S.HELD])
def test_only_a_scheduled_meeting_can_be_moved_or_cancelled(student, status):
    conversation = _conversation_in(status, student)
    with pytest.raises(TransitionError, match="Only a scheduled conversation"):
        services.conversation_reschedule(
            conversation=conversation, scheduled_at=_in_a_week(), asked_by=AskedBy.ME
        )
    with pytest.raises(TransitionError, match="Only a scheduled conversation"):
        services.conversation_cancel(conversation=conversation, asked_by=AskedBy.ME)
    assert not conversation.changes.exists()


def test_held_logs_an_interaction_and_resets_the_stay_in_touch_clock(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    contact = conversation.contact
    contact.last_interaction_on = timezone.localdate() - dt.timedelta(days=200)
    contact.cadence_days = 30
    contact.save()
    first = PreparedQuestionFactory(conversation=conversation, text="How did you start?")
    second = PreparedQuestionFactory(conversation=conversation, text="Advice?")
    services.conversation_mark_held(
        conversation=conversation,
        notes="Great chat",
        takeaways="Learn SQL\nJoin the guild",
        answers={first.pk: "Internship", second.pk: "Network"},
    )
    conversation.refresh_from_db()
    contact.refresh_from_db()
    assert conversation.status == S.HELD
    assert conversation.held_at is not None
    assert (conversation.notes, conversation.takeaways) == (
        "Great chat",
        "Learn SQL\nJoin the guild",
    )
    assert [q.answer for q in conversation.questions.all()] == ["Internship", "Network"]
    interaction = Interaction.objects.get(contact=contact)
    assert interaction.kind == InteractionKind.VIDEO  # the meeting's mode
    assert interaction.conversation == conversation
    assert contact.last_interaction_on == timezone.localdate()


def test_held_ignores_answers_to_another_conversations_questions(student, other_student):
    conversation = _conversation_in(S.SCHEDULED, student)
    theirs = PreparedQuestionFactory(conversation=ConversationFactory(owner=other_student))
    services.conversation_mark_held(conversation=conversation, answers={theirs.pk: "Hijacked"})
    theirs.refresh_from_db()
    assert theirs.answer == ""


def test_held_in_the_future_is_refused(student):
    conversation = _conversation_in(S.SCHEDULED, student)
    with pytest.raises(ValidationError, match="cannot be held in the future"):
        services.conversation_mark_held(conversation=conversation, held_at=_in_a_week())
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED


def test_thanked_logs_an_email(student):
    conversation = _conversation_in(S.HELD, student)
    services.conversation_mark_thanked(conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.thanked_at is not None
    assert Interaction.objects.filter(
        contact=conversation.contact, kind=InteractionKind.EMAIL, conversation=conversation
    ).exists()


def test_referral_creates_a_contact_linked_to_the_referrer(student):
    referrer = ContactFactory(owner=student, name="Maya Chen")
    referral = services.referral_create(
        referrer=referrer,
        name="Sam Ortiz",
        email="sam@example.com",
        organization_name="Globex",
        title="Designer",
        may_use_name=True,
        note="Runs the design team",
    )
    referral.refresh_from_db()
    assert referral.owner == student
    assert referral.referred_by == referrer
    assert referral.may_use_referrer_name is True
    assert referral.relationship == Relationship.REFERRAL
    assert referral.organization.name == "Globex"
    assert "Maya Chen" in referral.how_met
    assert list(referrer.referrals.all()) == [referral]


def test_referral_without_permission_is_recorded_as_such(student):
    referrer = ContactFactory(owner=student)
    referral = services.referral_create(referrer=referrer, name="Lee", may_use_name=False)
    assert referral.may_use_referrer_name is False
    assert referral.referred_by == referrer


def test_referral_with_a_bad_email_creates_nothing(student):
    referrer = ContactFactory(owner=student)
    with pytest.raises(ValidationError) as excinfo:
        services.referral_create(
            referrer=referrer, name="Lee", email="not-an-email", may_use_name=True
        )
    assert "email" in excinfo.value.message_dict
    assert Contact.objects.filter(owner=student).count() == 1


def test_outcome_record_refuses_another_students_contacts(student, other_student):
    mine = ContactFactory(owner=student)
    theirs = ContactFactory(owner=other_student)
    with pytest.raises(ValidationError) as excinfo:
        services.outcome_record(
            owner=student,
            kind="job",
            organization_name="Initech",
            helped_by=[mine, theirs],
        )
    assert "helped_by" in excinfo.value.message_dict
    assert not Outcome.objects.exists()


def test_outcome_record_links_the_helpers(student):
    helpers = [ContactFactory(owner=student), ContactFactory(owner=student)]
    outcome = services.outcome_record(
        owner=student,
        kind="internship",
        organization_name=" initech ",
        title="Analyst",
        helped_by=helpers,
    )
    assert outcome.organization.name == "initech"
    assert outcome.decided_on == timezone.localdate()
    assert set(outcome.helped_by.all()) == set(helpers)


def test_outcome_delete_keeps_the_contacts(student):
    contact = ContactFactory(owner=student)
    outcome = OutcomeFactory(owner=student)
    outcome.helped_by.add(contact)
    services.outcome_delete(outcome=outcome)
    assert not Outcome.objects.exists()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_draft_marked_sent_moves_the_pipeline(student):
    planned = _conversation_in(S.PLANNED, student)
    services.draft_mark_sent(kind=DraftKind.INTRO, contact=planned.contact, conversation=planned)
    planned.refresh_from_db()
    assert planned.status == S.REQUESTED

    held = _conversation_in(S.HELD, student)
    services.draft_mark_sent(kind=DraftKind.THANK_YOU, contact=held.contact, conversation=held)
    held.refresh_from_db()
    assert held.status == S.THANKED


@pytest.mark.parametrize("kind", [DraftKind.FOLLOW_UP, DraftKind.STAY_IN_TOUCH, DraftKind.OUTCOME])
def test_other_drafts_marked_sent_log_an_email(student, kind):
    contact = ContactFactory(owner=student)
    services.draft_mark_sent(kind=kind, contact=contact)
    interaction = Interaction.objects.get(contact=contact)
    assert interaction.kind == InteractionKind.EMAIL
    assert DraftKind(kind).label.lower() in interaction.note
    contact.refresh_from_db()
    assert contact.last_interaction_on == timezone.localdate()


def test_intro_marked_sent_twice_is_refused(student):
    conversation = _conversation_in(S.REQUESTED, student)
    with pytest.raises(TransitionError):
        services.draft_mark_sent(
            kind=DraftKind.INTRO, contact=conversation.contact, conversation=conversation
        )


def test_question_prepare_appends_and_refuses_blank(student):
    conversation = services.conversation_plan(
        contact=ContactFactory(owner=student), goal=" Learn ", questions=["One", " ", "Two"]
    )
    assert conversation.goal == "Learn"
    added = services.question_prepare(conversation=conversation, text=" Three ")
    assert [q.text for q in conversation.questions.all()] == ["One", "Two", "Three"]
    assert added.text == "Three"
    with pytest.raises(ValidationError):
        services.question_prepare(conversation=conversation, text="   ")
