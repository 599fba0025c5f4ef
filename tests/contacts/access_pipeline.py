"""Access rules of the pipeline pages (contacts/urls_pipeline.py), for tests/test_access.py.

Pages without an object id are every student's own (another student sees their own board, so
200); pages of one object are the owner's only; POST-only actions answer a GET with 405.
"""

from __future__ import annotations

from tests.contacts.access_rows import LOGIN, POST_ONLY, PRIVATE

OWN_PAGE = (LOGIN, 200, 200, 404, 404)

ACCESS: dict[str, tuple] = {
    "contacts:today": OWN_PAGE,
    "contacts:board": OWN_PAGE,
    "contacts:templates": OWN_PAGE,
    "contacts:outcomes": OWN_PAGE,
    # A kind of draft template is not an object: every student edits their own.
    "contacts:template_edit": OWN_PAGE,
    "contacts:template_reset": POST_ONLY,
    "contacts:conversation_plan": PRIVATE,
    "contacts:conversation": PRIVATE,
    "contacts:draft": PRIVATE,
    "contacts:draft_sent": POST_ONLY,
    "contacts:conversation_notes": POST_ONLY,
    "contacts:conversation_requested": POST_ONLY,
    "contacts:conversation_schedule": POST_ONLY,
    "contacts:conversation_reschedule": POST_ONLY,
    "contacts:conversation_cancel": POST_ONLY,
    "contacts:conversation_held": POST_ONLY,
    "contacts:conversation_thanked": POST_ONLY,
    "contacts:conversation_status": POST_ONLY,
    "contacts:question_add": POST_ONLY,
    "contacts:question_delete": POST_ONLY,
    "contacts:action_item_add": POST_ONLY,
    "contacts:action_item_toggle": POST_ONLY,
    "contacts:referral_add": POST_ONLY,
    "contacts:outcome_delete": POST_ONLY,
}
