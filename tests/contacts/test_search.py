"""The contacts search (issue 17): words of the contact's career conversations (notes and
takeaways) find the contact, kept current by the services and backfilled by the migration
with the same text; a search whose words find too few contacts as typed is tried again
forgiving small typos in names and organizations."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, ConversationStatus
from contacts.selectors.people import (
    TYPO_TOLERANCE_BELOW,
    ContactFilters,
    contacts_list,
    contacts_matching,
)
from contacts.services.people import (
    contact_create,
    contact_merge,
    contact_refresh_conversation_text,
)
from contacts.services.pipeline import conversation_mark_held, conversation_update_notes
from tests.contacts.factories import ContactFactory, ConversationFactory

pytestmark = pytest.mark.django_db


def _names(user, q: str) -> list[str]:
    return [c.name for c in contacts_matching(user=user, filters=ContactFilters(q=q))]


def _held(contact, *, notes: str, takeaways: str):
    conversation = ConversationFactory(
        owner=contact.owner,
        contact=contact,
        status=ConversationStatus.SCHEDULED,
        scheduled_at=timezone.now() - dt.timedelta(hours=2),
    )
    return conversation_mark_held(
        conversation=conversation,
        held_at=timezone.now() - dt.timedelta(hours=1),
        notes=notes,
        takeaways=takeaways,
    )


def test_words_of_conversation_notes_and_takeaways_find_the_contact(student, other_student):
    maya = ContactFactory(owner=student, name="Maya Chen")
    ContactFactory(owner=other_student, name="Other Maya")
    conversation = _held(maya, notes="Learn window functions", takeaways="Build a portfolio")
    assert _names(student, "window functions") == ["Maya Chen"]
    assert _names(student, "portfolio") == ["Maya Chen"]
    assert _names(other_student, "portfolio") == []  # another student's words stay theirs

    conversation_update_notes(
        conversation=conversation, goal="their path", notes="Kaggle", takeaways="Apply in May"
    )
    assert _names(student, "kaggle") == ["Maya Chen"]
    assert _names(student, "portfolio") == []


def test_a_merge_keeps_the_words_of_both_contacts_conversations(student):
    keep = ContactFactory(owner=student, name="Maya Chen")
    remove = ContactFactory(owner=student, name="M. Chen")
    _held(keep, notes="", takeaways="Northwind interns")
    _held(remove, notes="Quarterly planning", takeaways="")
    contact_merge(keep=keep, remove=remove)
    assert _names(student, "quarterly") == ["Maya Chen"]
    assert _names(student, "interns") == ["Maya Chen"]


@pytest.mark.postgres
def test_the_migration_backfills_the_same_text_as_the_service(student):
    contact = ContactFactory(owner=student)
    for notes, takeaways in [("First notes", ""), ("", "Only a takeaway"), ("Both", "parts")]:
        ConversationFactory(owner=student, contact=contact, notes=notes, takeaways=takeaways)
    ConversationFactory(owner=student, contact=contact)  # nothing written: no blank line
    contact_refresh_conversation_text(contact_id=contact.pk)
    by_service = Contact.objects.get(pk=contact.pk).conversation_text
    assert by_service == "First notes\nOnly a takeaway\nBoth\nparts"
    Contact.objects.filter(pk=contact.pk).update(conversation_text="")
    migration = importlib.import_module("contacts.migrations.0004_search_conversation_text")
    with connection.cursor() as cursor:
        cursor.execute(migration.BACKFILL)
    assert Contact.objects.get(pk=contact.pk).conversation_text == by_service


@pytest.mark.postgres
def test_small_typos_in_names_and_organizations_are_forgiven(student, other_student):
    contact_create(
        owner=student, name="Ada Lovelace", organization_name="Northwind", relationship="other"
    )
    contact_create(owner=other_student, name="Ada Lovelace", relationship="other")
    assert _names(student, "Lovelce") == ["Ada Lovelace"]
    assert _names(student, "nortwind") == ["Ada Lovelace"]
    assert _names(student, "ada nortwind") == ["Ada Lovelace"]
    # Short words are only ever the start of a word, and unrelated words find nobody.
    assert _names(student, "Adx") == []
    assert _names(student, "Zebra") == []
    # Taken as typed, the search stays exact.
    exact = contacts_list(user=student, filters=ContactFilters(q="Lovelce"))
    assert list(exact) == []


@pytest.mark.postgres
def test_enough_exact_matches_are_not_mixed_with_look_alikes(student):
    for i in range(TYPO_TOLERANCE_BELOW):
        contact_create(owner=student, name=f"Dana Smith {i}", relationship="other")
    contact_create(owner=student, name="Dana Smyth", relationship="other")
    assert "Dana Smyth" not in _names(student, "smith")
    assert len(_names(student, "smith")) == TYPO_TOLERANCE_BELOW


def test_the_page_finds_a_contact_by_a_takeaway(student_client, student):
    maya = ContactFactory(owner=student, name="Maya Chen")
    conversation = _held(maya, notes="", takeaways="Apply in early January")
    assert conversation.status == ConversationStatus.HELD
    response = student_client.get(reverse("contacts:list"), {"q": "january"})
    assert "Maya Chen" in response.text
    assert "Small typos in names and organizations are forgiven." in response.text
