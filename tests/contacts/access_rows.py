"""Access rules of the contacts app's routes, merged into tests/test_access.py's table.

Every route here is a student's private page: an anonymous visitor is sent to the login page,
the student who owns the object gets the page, and another student, a volunteer or staff get a
plain 404, as if nothing were there. POST-only actions answer a GET with 405; their POST is
checked for every role in tests/contacts/test_access_post.py.
"""

from __future__ import annotations

from contacts.models import DraftKind
from tests.contacts.factories import (
    ActionItemFactory,
    ContactFactory,
    ConversationFactory,
    InteractionFactory,
    OutcomeFactory,
    PreparedQuestionFactory,
    TargetOrganizationFactory,
)

LOGIN = "login"
PRIVATE = (LOGIN, 200, 404, 404, 404)
POST_ONLY = (405, 405, 405, 405, 405)


def owned_objects(student) -> dict:
    """URL parameters naming one object of each kind that belongs to `student`."""
    contact = ContactFactory(owner=student)
    conversation = ConversationFactory(owner=student, contact=contact)
    return {
        "contact_id": contact.pk,
        "other_contact_id": ContactFactory(owner=student).pk,
        "conversation_id": conversation.pk,
        "question_id": PreparedQuestionFactory(conversation=conversation).pk,
        "item_id": ActionItemFactory(owner=student, contact=contact).pk,
        "interaction_id": InteractionFactory(owner=student, contact=contact).pk,
        "target_id": TargetOrganizationFactory(owner=student).pk,
        "outcome_id": OutcomeFactory(owner=student).pk,
        "kind": DraftKind.INTRO.value,
    }
