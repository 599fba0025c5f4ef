"""Email drafts: merge fields, the student's own templates, and what can never get in."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from contacts import drafts, services
from contacts.models import ConversationStatus, DraftKind
from tests.contacts.factories import (
    ContactFactory,
    ConversationFactory,
    OrganizationFactory,
    OutcomeFactory,
)

pytestmark = pytest.mark.django_db

SCHOOL = "Northfield University"


def _render(kind, contact, **kwargs):
    return drafts.draft_render(kind=kind, contact=contact, school=SCHOOL, **kwargs)


def test_intro_names_the_referrer_only_with_permission(student):
    referrer = ContactFactory(owner=student, name="Maya Chen")
    allowed = ContactFactory(
        owner=student, name="Sam Ortiz", referred_by=referrer, may_use_referrer_name=True
    )
    not_allowed = ContactFactory(
        owner=student, name="Lee Park", referred_by=referrer, may_use_referrer_name=False
    )

    body = _render(DraftKind.INTRO, allowed).body
    assert "Maya Chen suggested I reach out to you." in body
    assert body.startswith("Dear Sam,")
    assert "Alice Student" in body
    assert SCHOOL in body

    body = _render(DraftKind.INTRO, not_allowed).body
    assert "Maya" not in body
    assert "suggested" not in body
    assert drafts.merge_values(contact=not_allowed, school=SCHOOL)["referrer_name"] == ""


def test_intro_uses_the_conversation_goal_and_organization(student):
    contact = ContactFactory(owner=student, organization=OrganizationFactory(name="Globex"))
    conversation = ConversationFactory(
        owner=student, contact=contact, goal="product management in fintech."
    )
    draft = _render(DraftKind.INTRO, contact, conversation=conversation)
    assert draft.subject == "Could I ask you about your work at Globex?"
    assert "I am interested in product management in fintech and" in draft.body


def test_unknown_fields_are_left_as_typed(student):
    services.email_template_save(
        owner=student,
        kind=DraftKind.STAY_IN_TOUCH,
        subject="Hi {contact_first_name} {nickname}",
        body="Remember {favourite_band}? {my_name} {not closed",
    )
    contact = ContactFactory(owner=student, name="Jo Bloggs")
    draft = _render(DraftKind.STAY_IN_TOUCH, contact)
    assert draft.subject == "Hi Jo {nickname}"
    assert draft.body == "Remember {favourite_band}? Alice Student {not closed"
    assert drafts.unknown_fields(draft.subject + draft.body) == ["favourite_band", "nickname"]
    assert drafts.unknown_fields("{contact_name} {goal}") == []


@pytest.mark.parametrize(
    "name", ["Ann\nBcc: attacker@example.com", "Ann\r\nSubject: spam", "  Ann\t\tLee  "]
)
def test_subject_is_one_line_whatever_the_name(student, name):
    services.email_template_save(
        owner=student, kind=DraftKind.INTRO, subject="Hello {contact_name}\n!", body="x"
    )
    contact = ContactFactory(owner=student, name=name)
    draft = _render(DraftKind.INTRO, contact)
    assert "\n" not in draft.subject
    assert "\r" not in draft.subject
    assert draft.subject.startswith("Hello Ann")
    mailto_subject = parse_qs(urlsplit(draft.mailto).query)["subject"][0]
    assert "\n" not in mailto_subject
    assert "\r" not in mailto_subject


def test_mailto_carries_address_subject_and_body(student):
    contact = ContactFactory(owner=student, name="Jo Bloggs", email="jo@example.com")
    draft = _render(DraftKind.FOLLOW_UP, contact)
    parts = urlsplit(draft.mailto)
    assert parts.scheme == "mailto"
    assert parts.path == "jo@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == [draft.subject]
    assert query["body"] == [draft.body]


def test_mailto_without_an_address_still_works(student):
    contact = ContactFactory(owner=student, email="")
    draft = _render(DraftKind.FOLLOW_UP, contact)
    assert draft.to == ""
    assert draft.mailto.startswith("mailto:?subject=")


def test_thank_you_uses_the_meeting_date_and_every_takeaway(student):
    contact = ContactFactory(owner=student)
    held_at = timezone.make_aware(dt.datetime(2025, 3, 4, 15, 0))
    conversation = ConversationFactory(
        owner=student,
        contact=contact,
        status=ConversationStatus.HELD,
        held_at=held_at,
        takeaways="Learning SQL early.\nJoin the analytics guild",
    )
    body = _render(DraftKind.THANK_YOU, contact, conversation=conversation).body
    assert "Thank you for speaking with me on March 4." in body
    assert (
        "Here is what I am taking away from our conversation:\n"
        "- Learning SQL early.\n- Join the analytics guild." in body
    )
    conversation.takeaways = "  - Learning SQL early  \n\n"
    body = _render(DraftKind.THANK_YOU, contact, conversation=conversation).body
    assert "One thing I am taking away from our conversation: Learning SQL early." in body


def test_thank_you_says_how_the_student_will_act_from_their_action_items(student):
    contact = ContactFactory(owner=student)
    conversation = ConversationFactory(owner=student, contact=contact, takeaways="Learn SQL")
    body = _render(DraftKind.THANK_YOU, contact, conversation=conversation).body
    assert drafts.NO_NEXT_STEPS in body
    services.action_item_create(
        owner=student, conversation=conversation, text="Finish the portfolio project"
    )
    body = _render(DraftKind.THANK_YOU, contact, conversation=conversation).body
    assert "My next step: Finish the portfolio project." in body
    services.action_item_create(owner=student, conversation=conversation, text="Email Dev")
    done = services.action_item_create(owner=student, conversation=conversation, text="Done")
    services.action_item_toggle_done(item=done)
    body = _render(DraftKind.THANK_YOU, contact, conversation=conversation).body
    assert "Here is what I will do next:\n- Finish the portfolio project.\n- Email Dev." in body
    assert "Done" not in body


@pytest.mark.parametrize("kind", list(DraftKind))
def test_every_default_draft_reads_without_placeholders_when_nothing_is_known(student, kind):
    """A contact with no organization, no conversation details and no outcome: every default
    draft is still a sendable email (no "...", no braces, no "at ." or "on our conversation")."""
    contact = ContactFactory(owner=student, organization=None)
    conversation = ConversationFactory(owner=student, contact=contact, goal="")
    outcome = OutcomeFactory(owner=student) if kind == DraftKind.OUTCOME else None
    draft = _render(kind, contact, conversation=conversation, outcome=outcome)
    text = draft.subject + "\n" + draft.body
    for bad in ("...", "{", "}", " at .", "on our conversation", "at your field", "  "):
        assert bad not in text, (kind, bad, text)


def test_follow_up_uses_the_date_the_intro_was_sent(student):
    contact = ContactFactory(owner=student)
    conversation = ConversationFactory(
        owner=student, contact=contact, requested_on=dt.date(2025, 2, 10)
    )
    body = _render(DraftKind.FOLLOW_UP, contact, conversation=conversation).body
    assert "my note from February 10" in body


def test_outcome_update_names_the_offer(student):
    contact = ContactFactory(owner=student)
    outcome = OutcomeFactory(
        owner=student, kind="internship", title="Data", organization__name="Initech"
    )
    body = _render(DraftKind.OUTCOME, contact, outcome=outcome).body
    assert "I have accepted the Data internship at Initech." in body
    assert student.email in body
    untitled = OutcomeFactory(owner=student, kind="internship", organization__name="Initech")
    assert (
        "accepted an internship at Initech"
        in _render(DraftKind.OUTCOME, contact, outcome=untitled).body
    )


def test_own_template_wins_until_reset(student):
    assert drafts.template_for(owner=student, kind=DraftKind.INTRO)[2] is False
    services.email_template_save(
        owner=student, kind=DraftKind.INTRO, subject="Coffee?", body="Hi {contact_first_name}"
    )
    services.email_template_save(
        owner=student, kind=DraftKind.INTRO, subject="Coffee, {contact_first_name}?", body="Hi"
    )
    assert drafts.template_for(owner=student, kind=DraftKind.INTRO) == (
        "Coffee, {contact_first_name}?",
        "Hi",
        True,
    )
    services.email_template_reset(owner=student, kind=DraftKind.INTRO)
    assert drafts.template_for(owner=student, kind=DraftKind.INTRO) == (
        *drafts.DEFAULTS[DraftKind.INTRO],
        False,
    )


def test_templates_are_each_students_own(student, other_student):
    services.email_template_save(owner=student, kind=DraftKind.INTRO, subject="Mine", body="x")
    assert drafts.template_for(owner=other_student, kind=DraftKind.INTRO)[2] is False


def test_every_default_uses_only_known_fields():
    for subject, body in drafts.DEFAULTS.values():
        assert drafts.unknown_fields(subject + body) == []
    assert set(drafts.DEFAULTS) == set(DraftKind.values)
