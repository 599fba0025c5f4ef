"""The board of conversations by stage: its columns, and moves made from it with and without
htmx."""

from __future__ import annotations

import pytest
from django.utils import timezone

from contacts.models import ConversationStatus
from tests.contacts.factories import ContactFactory
from tests.contacts.helpers import HTMX
from tests.contacts.helpers import contacts_url as _url
from tests.contacts.helpers import make_conversation as _conversation

pytestmark = pytest.mark.django_db

S = ConversationStatus


def test_board_shows_each_column_and_the_finished(student_client, student, other_student):
    for status in [S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.THANKED]:
        _conversation(student, status, contact=ContactFactory(owner=student, name=f"In {status}"))
    _conversation(student, S.DECLINED, contact=ContactFactory(owner=student, name="Gone Quiet"))
    _conversation(
        other_student, S.PLANNED, contact=ContactFactory(owner=other_student, name="Bobs")
    )
    response = student_client.get(_url("board"))
    assert response.status_code == 200
    text = response.text
    for status in [S.PLANNED, S.REQUESTED, S.SCHEDULED, S.HELD, S.THANKED]:
        assert f"In {status}" in text
        assert f'id="column-{status}"' in text
    assert "Recently finished" in text
    assert "Gone Quiet" in text
    assert "Bobs" not in text
    assert 'id="board"' in text
    assert "Mark thanked" in text
    assert "No response" in text
    assert "Mark intro sent" in text


def test_board_move_without_javascript_redirects_back(student_client, student):
    conversation = _conversation(student, S.HELD)
    response = student_client.post(
        _url("conversation_thanked", conversation_id=conversation.pk), {"return_to": "board"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("board")
    conversation.refresh_from_db()
    assert conversation.status == S.THANKED


def test_board_move_with_htmx_returns_the_board_fragment(student_client, student):
    conversation = _conversation(student, S.REQUESTED)
    response = student_client.post(
        _url("conversation_status", conversation_id=conversation.pk),
        {"return_to": "board", "status": "no_response"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="board"')
    assert "<html" not in response.text
    assert "Maya Chen: now “No response”." in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.NO_RESPONSE


def test_board_htmx_refused_move_shows_the_error_in_the_fragment(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_thanked", conversation_id=conversation.pk),
        {"return_to": "board"},
        **HTMX,
    )
    assert response.status_code == 200
    assert 'class="message message-error" role="alert"' in response.text
    assert "cannot become “Thanked”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.PLANNED


def test_board_htmx_get_returns_the_fragment(student_client, student):
    _conversation(student, S.PLANNED)
    response = student_client.get(_url("board"), **HTMX)
    assert response.text.lstrip().startswith('<div id="board"')
    assert "Maya Chen" in response.text


def test_board_intro_sent_in_one_click(student_client, student):
    conversation = _conversation(student, S.PLANNED)
    response = student_client.post(
        _url("conversation_requested", conversation_id=conversation.pk),
        {"return_to": "board"},
        **HTMX,
    )
    assert "Marked “Intro sent”" in response.text
    conversation.refresh_from_db()
    assert conversation.status == S.REQUESTED
    assert conversation.requested_on == timezone.localdate()
