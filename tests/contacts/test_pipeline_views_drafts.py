"""Drafted emails (intro, thank-you, follow-up, stay in touch, outcome update), what marking
one sent does, and the student's own email templates."""

from __future__ import annotations

import pytest

from contacts import services
from contacts.models import ConversationStatus, DraftKind, EmailTemplate, Interaction
from tests.contacts.factories import ContactFactory, OutcomeFactory
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation
from tests.contacts.helpers import messages_of as _messages

pytestmark = pytest.mark.django_db

S = ConversationStatus


# --- Drafts --------------------------------------------------------------------------------


def test_draft_page_shows_subject_body_and_mailto(student_client, student):
    conversation = _conversation(student, S.PLANNED, goal="consulting")
    contact = conversation.contact
    response = student_client.get(
        _url("draft", contact_id=contact.pk, kind="intro") + f"?conversation={conversation.pk}"
    )
    assert response.status_code == 200
    draft = response.context["draft"]
    assert draft.subject == "Could I ask you about your work at Globex?"
    assert "I am interested in consulting" in draft.body
    assert f'href="{draft.mailto}"'.replace("&", "&amp;") in response.text
    assert "Open in my email app" in response.text
    # Editable in place (the link follows the edits: static/js/pipeline.js).
    assert '<textarea id="draft-body" rows="16">' in response.text
    assert 'data-mailto-body="draft-body"' in response.text
    assert 'data-copy-target="draft-body"' in response.text
    assert f'name="conversation" value="{conversation.pk}"' in response.text
    assert "has no email address" not in response.text


def test_draft_for_a_contact_without_email_says_so(student_client, student):
    contact = ContactFactory(owner=student, email="", name="No Mail")
    response = student_client.get(_url("draft", contact_id=contact.pk, kind="stay_in_touch"))
    assert "No Mail has no email address in Rapport." in response.text
    assert 'href="mailto:?subject=' in response.text


@pytest.mark.parametrize("query", ["?conversation=abc", "?outcome=1.5", "?conversation=999999"])
def test_draft_with_a_bad_reference_is_404(student_client, student, query):
    contact = ContactFactory(owner=student)
    assert (
        student_client.get(_url("draft", contact_id=contact.pk, kind="intro") + query).status_code
        == 404
    )


def test_draft_unknown_kind_is_404(student_client, student):
    contact = ContactFactory(owner=student)
    assert student_client.get(_url("draft", contact_id=contact.pk, kind="spam")).status_code == 404
    response = student_client.post(_url("draft_sent", contact_id=contact.pk, kind="spam"))
    assert response.status_code == 404
    assert student_client.get(_url("template_edit", kind="spam")).status_code == 404


def test_draft_about_another_contacts_conversation_is_404(student_client, student):
    conversation = _conversation(student)
    someone_else = ContactFactory(owner=student)
    url = _url("draft", contact_id=someone_else.pk, kind="intro")
    assert student_client.get(f"{url}?conversation={conversation.pk}").status_code == 404
    response = student_client.post(
        _url("draft_sent", contact_id=someone_else.pk, kind="intro"),
        {"conversation": conversation.pk},
    )
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_draft_about_another_students_conversation_or_outcome_is_404(
    student_client, student, other_student
):
    contact = ContactFactory(owner=student)
    theirs = _conversation(other_student)
    their_outcome = OutcomeFactory(owner=other_student)
    url = _url("draft", contact_id=contact.pk, kind="outcome")
    assert student_client.get(f"{url}?conversation={theirs.pk}").status_code == 404
    assert student_client.get(f"{url}?outcome={their_outcome.pk}").status_code == 404


def test_intro_marked_sent_moves_the_conversation(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("draft_sent", contact_id=conversation.contact_id, kind="intro"),
        {"conversation": conversation.pk},
    )
    assert response["Location"] == _url("conversation", conversation_id=conversation.pk)
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED


def test_thank_you_marked_sent_on_a_planned_conversation_is_refused(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    url = _url("draft_sent", contact_id=conversation.contact_id, kind="thank_you")
    response = student_client.post(url, {"conversation": conversation.pk}, follow=True)
    assert response.redirect_chain[0][0] == (
        _url("draft", contact_id=conversation.contact_id, kind="thank_you")
        + f"?conversation={conversation.pk}"
    )
    assert "cannot become “Thanked”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_intro_for_a_scheduled_conversation_does_not_move_it_back(student_client, student):
    conversation = _conversation(student, S.SCHEDULED)
    contact_id = conversation.contact_id
    page = student_client.get(
        _url("draft", contact_id=contact_id, kind="intro") + f"?conversation={conversation.pk}"
    )
    assert "so this email does not move it on" in page.text
    assert 'name="conversation"' not in page.text
    response = student_client.post(
        _url("draft_sent", contact_id=contact_id, kind="intro"),
        {"conversation": conversation.pk},
        follow=True,
    )
    assert any("is already scheduled" in m for m in _messages(response))
    conversation.refresh_from_db()
    assert conversation.status == S.SCHEDULED


def test_stay_in_touch_marked_sent_logs_an_email(student_client, student):
    contact = ContactFactory(owner=student)
    response = student_client.post(_url("draft_sent", contact_id=contact.pk, kind="stay_in_touch"))
    assert response["Location"] == _url("detail", contact_id=contact.pk)
    assert Interaction.objects.filter(contact=contact, kind="email").count() == 1


def test_outcome_update_marked_sent_goes_back_to_outcomes(student_client, student):
    contact = ContactFactory(owner=student)
    outcome = OutcomeFactory(owner=student)
    response = student_client.post(
        _url("draft_sent", contact_id=contact.pk, kind="outcome"), {"outcome": outcome.pk}
    )
    assert response["Location"] == _url("outcomes")
    assert Interaction.objects.filter(contact=contact).count() == 1


# --- Templates -------------------------------------------------------------------------------


def test_templates_list_every_kind(student_client, student):
    services.email_template_save(owner=student, kind="follow_up", subject="Nudge", body="Hi")
    response = student_client.get(_url("templates"))
    for kind in DraftKind:
        assert kind.label in response.text
        assert _url("template_edit", kind=kind.value) in response.text
    assert response.text.count("Your own") == 1
    assert "Nudge" in response.text


def test_template_edit_saves_and_warns_about_unknown_fields(student_client, student):
    url = _url("template_edit", kind="intro")
    response = student_client.get(url)
    assert "{contact_first_name}" in response.text  # the list of merge fields
    assert 'id="unknown-fields"' not in response.text
    response = student_client.post(
        url,
        {"subject": "Coffee,\r\n {contact_first_name}?", "body": "Hi {contact_frist_name}"},
        follow=True,
    )
    template = EmailTemplate.objects.get(owner=student, kind="intro")
    assert template.subject == "Coffee, {contact_first_name}?"
    assert template.body == "Hi {contact_frist_name}"
    assert 'id="unknown-fields"' in response.text
    assert "{contact_frist_name}" in response.text
    assert "Restore the default wording" in response.text


def test_template_edit_empty_keeps_the_typed_body(student_client, student):
    response = student_client.post(
        _url("template_edit", kind="thank_you"), {"subject": "", "body": "My own words"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "My own words</textarea>" in response.text
    assert not EmailTemplate.objects.exists()


def test_template_reset(student_client, student, other_student):
    services.email_template_save(owner=student, kind="intro", subject="Mine", body="x")
    services.email_template_save(owner=other_student, kind="intro", subject="Bob", body="y")
    response = student_client.post(_url("template_reset", kind="intro"))
    assert response["Location"] == _url("template_edit", kind="intro")
    assert list(EmailTemplate.objects.values_list("subject", flat=True)) == ["Bob"]
